"""The Store contract for installations and OAuth states, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.store.base import Store
from bot.store.installs import Install
from bot.store.migrations import MIGRATIONS
from bot.store.sealing import Sealer, SealError
from bot.store.sqlite import SqliteStore
from tests.store.conftest import Opener


def install(clock: FakeClock, workspace: str = "T1", **changes: object) -> Install:
    base = Install(
        platform="slack",
        organisation="",
        workspace=workspace,
        org_wide=False,
        app_id="A1",
        bot_id="B1",
        bot_user_id="U1BOT",
        scopes=("commands", "chat:write"),
        sealed=f"sealed-for-{workspace}",
        installed_at=clock.now(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_an_install_is_kept_found_by_its_workspace_and_replaced(
    store: Store, clock: FakeClock
) -> None:
    first = install(clock)
    await store.save_install(first)
    await store.save_install(install(clock, "T2"))
    assert await store.find_install("slack", "T1") == first
    assert await store.find_install("slack", "T3") is None
    assert await store.find_install("discord", "T1") is None
    clock.advance(timedelta(days=1))
    again = install(clock, sealed="new-seal", scopes=("commands",))
    await store.save_install(again)  # a reinstall replaces the workspace's row
    assert await store.find_install("slack", "T1") == again
    newest_first = [(i.workspace, i.sealed) for i in await store.list_installs("slack")]
    assert newest_first == [("T1", "new-seal"), ("T2", "sealed-for-T2")]
    assert len(await store.list_installs("slack", limit=1)) == 1


async def test_a_workspace_of_an_organisation_is_found_by_the_workspace_alone(
    store: Store, clock: FakeClock
) -> None:
    # A scheduled post knows only its channel's workspace, not the organisation.
    inside = install(clock, organisation="E1")
    await store.save_install(inside)
    assert await store.find_install("slack", "T1") == inside
    assert await store.find_install("slack", "T1", organisation="E1") == inside


async def test_an_organisation_wide_install_is_found_by_its_organisation(
    store: Store, clock: FakeClock
) -> None:
    org = install(clock, "", organisation="E1", org_wide=True)
    await store.save_install(org)
    assert await store.find_install("slack", "", organisation="E1", org_wide=True) == org
    assert await store.find_install("slack", "T9", organisation="E1", org_wide=True) == org
    assert await store.find_install("slack", "", organisation="E2", org_wide=True) is None
    assert await store.delete_install("slack", "", organisation="E1", org_wide=True) is True
    assert await store.find_install("slack", "", organisation="E1", org_wide=True) is None


async def test_deleting_an_install_forgets_only_that_workspace(
    store: Store, clock: FakeClock
) -> None:
    await store.save_install(install(clock))
    await store.save_install(install(clock, "T2"))
    assert await store.delete_install("slack", "T1") is True
    assert await store.delete_install("slack", "T1") is False
    assert await store.find_install("slack", "T1") is None
    assert await store.find_install("slack", "T2") is not None
    assert [i.workspace for i in await store.list_installs("slack")] == ["T2"]


async def test_installs_are_shared_by_every_process_on_the_database(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    # Two replicas behind a load balancer: one takes the install, the other answers with it.
    one = await opener(tmp_path, clock)
    two = await opener(tmp_path, clock)
    try:
        await one.save_install(install(clock))
        assert await two.find_install("slack", "T1") == install(clock)
        await one.issue_oauth_state("s1", clock.now() + timedelta(minutes=10))
        assert await two.consume_oauth_state("s1") is True
        assert await one.consume_oauth_state("s1") is False
    finally:
        await one.close()
        await two.close()


async def test_an_oauth_state_is_used_once(store: Store, clock: FakeClock) -> None:
    await store.issue_oauth_state("s1", clock.now() + timedelta(minutes=10))
    assert await store.consume_oauth_state("s1") is True
    assert await store.consume_oauth_state("s1") is False
    assert await store.consume_oauth_state("never-issued") is False


async def test_an_expired_oauth_state_is_refused(store: Store, clock: FakeClock) -> None:
    await store.issue_oauth_state("s1", clock.now() + timedelta(minutes=10))
    await store.issue_oauth_state("s2", clock.now() + timedelta(minutes=10))
    clock.advance(timedelta(minutes=10))
    assert await store.consume_oauth_state("s1") is False
    # Issuing prunes the expired ones, so they do not pile up.
    await store.issue_oauth_state("s3", clock.now() + timedelta(minutes=10))
    assert await store.consume_oauth_state("s2") is False
    assert await store.consume_oauth_state("s3") is True


def test_the_schema_version_counts_the_install_tables(tmp_path: Path) -> None:
    path = tmp_path / "v.sqlite3"
    with sqlite3.connect(path) as conn:
        from bot.store.sqlite import migrate

        assert migrate(conn) == len(MIGRATIONS)
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"installations", "oauth_states"} <= names


# Sealing --------------------------------------------------------------------------------------


def test_sealed_text_opens_with_the_same_secret_only() -> None:
    sealed = Sealer("s3cret").seal("xoxb-123-abc")
    assert "xoxb" not in sealed
    assert Sealer("s3cret").open(sealed) == "xoxb-123-abc"
    with pytest.raises(SealError, match="OPED_BOT_SECRET back to the value used"):
        Sealer("another").open(sealed)
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(SealError):
        Sealer("s3cret").open(tampered)


def test_a_sealer_needs_a_secret_and_hides_it() -> None:
    with pytest.raises(SealError, match="Set OPED_BOT_SECRET"):
        Sealer("")
    assert "s3cret" not in repr(Sealer("s3cret"))


async def test_the_sqlite_file_holds_only_what_it_was_given(
    tmp_path: Path, clock: FakeClock
) -> None:
    store = await SqliteStore.open(tmp_path / "raw.sqlite3", clock=clock)
    sealed = Sealer("s3cret").seal("xoxb-777-secret")
    try:
        await store.save_install(install(clock, sealed=sealed))
    finally:
        await store.close()
    raw = (tmp_path / "raw.sqlite3").read_bytes()
    wal = tmp_path / "raw.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert b"xoxb-777-secret" not in raw
    assert sealed.encode() in raw
