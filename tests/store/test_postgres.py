"""What the PostgreSQL store promises beyond the contract: schema in step with SQLite, group
commit, several stores (processes) on one database, and the console and doctor on a URL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from bot import doctor
from bot.clock import FakeClock
from bot.errors import NotFound
from bot.models import Place
from bot.store import open_store, postgres
from bot.store.base import PollDraft, Refused
from bot.store.migrations import MIGRATIONS
from bot.store.pg_migrations import PG_MIGRATIONS
from bot.store.postgres import PostgresStore, numbered
from bot.store.target import redact
from bot.store.work import ConstraintViolated, Stmt, StoreError, Work
from tests.postgres import TestPostgres

HERE = Place("console", "local", "general")


@pytest.fixture
def url(postgres: TestPostgres) -> str:
    return postgres.fresh()


@pytest.fixture
async def pg(url: str, clock: FakeClock) -> PostgresStore:
    store = await PostgresStore.open(url, clock=clock)
    yield store  # type: ignore[misc]
    await store.close()


def test_the_schemas_move_in_step() -> None:
    # One version number means one shape on both engines: doctor and db copy rely on it.
    assert [m.description for m in PG_MIGRATIONS] == [m.description for m in MIGRATIONS]


def test_placeholders_are_numbered_outside_quotes() -> None:
    assert numbered("SELECT ? WHERE a = '?' AND b = ?") == "SELECT $1 WHERE a = '?' AND b = $2"


def test_passwords_never_appear_in_what_is_shown() -> None:
    assert redact("postgresql://bot:hunter2@db:5432/oped") == "postgresql://bot:***@db:5432/oped"
    assert redact("postgresql://db/oped") == "postgresql://db/oped"


async def test_concurrent_votes_share_transactions(pg: PostgresStore) -> None:
    poll = await pg.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    batches, writes = pg.write_stats
    await asyncio.gather(
        *(pg.cast_vote(poll.id, HERE, f"u{i}", "U", 1 + i % 2) for i in range(2000))
    )
    batches_after, writes_after = pg.write_stats
    assert writes_after - writes == 2000
    assert batches_after - batches <= 20, "votes arriving together must commit together"
    assert (await pg.tally(poll.id)).counts == (1000, 1000)


@pytest.mark.parametrize("pipelined", [False, True])
async def test_a_failed_statement_in_a_batch_sinks_only_its_own_unit(
    pg: PostgresStore, pipelined: bool
) -> None:
    poll = await pg.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    # Breaks the foreign key: PostgreSQL aborts the batch's transaction, which then runs again
    # with a savepoint per unit. Pipelined, it fails among the first clicks sent together.
    bad = pg.dialect.first_vote(poll.id, "z", 9, None, None)
    if not pipelined:
        bad = Stmt(bad.sql, bad.params)

    def broken() -> Work[None]:
        yield bad

    results = await asyncio.gather(
        *(pg.cast_vote(poll.id, HERE, f"u{i}", "U", 1) for i in range(50)),
        pg._write(broken, single_statement=True),
        *(pg.cast_vote(poll.id, HERE, f"v{i}", "V", 2) for i in range(50)),
        return_exceptions=True,
    )
    assert isinstance(results[50], ConstraintViolated)
    assert not any(isinstance(r, BaseException) for n, r in enumerate(results) if n != 50)
    tally = await pg.tally(poll.id)
    assert tally.counts == (50, 50) and tally.voters == 100


async def test_first_clicks_sent_together_keep_their_order(pg: PostgresStore) -> None:
    poll = await pg.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    outcomes = await asyncio.gather(
        pg.cast_vote(poll.id, HERE, "bo", "Bo", 1),
        pg.cast_vote(poll.id, HERE, "cy", "Cy", 2),
        pg.cast_vote(poll.id, HERE, "bo", "Bo", 2),
        pg.cast_vote(poll.id, HERE, "bo", "Bo", 2),
    )
    assert [o.change for o in outcomes] == ["added", "added", "moved", "retracted"]
    assert (await pg.tally(poll.id)).counts == (0, 1)


async def test_one_voter_clicking_in_two_processes_keeps_one_pick(
    url: str, clock: FakeClock
) -> None:
    first, second = [await PostgresStore.open(url, clock=clock) for _ in range(2)]
    try:
        poll = await first.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y", "z")))
        multi = await first.create_poll(PollDraft(HERE, "a", "A", "M?", ("x", "y", "z"), 2))
        for store in (first, second):  # both warm, as processes that served clicks before
            await store.cast_vote(poll.id, HERE, "warm", "W", 1)
        await asyncio.gather(
            *(
                store.cast_vote(target.id, HERE, f"u{n}", "U", option)
                for n in range(40)
                for target in (poll, multi)
                for store, option in ((first, 1), (second, 2), (first, 3))
            ),
            return_exceptions=True,
        )
        for target, most in ((poll, 1), (multi, 2)):
            votes = await first.poll_votes(target.id)
            for n in range(40):
                picks = [v.option for v in votes if v.voter_id == f"u{n}"]
                assert 1 <= len(picks) <= most, (target.question, n, picks)
    finally:
        await first.close()
        await second.close()


async def test_a_poll_closed_by_another_process_takes_no_more_votes(
    url: str, clock: FakeClock
) -> None:
    first, second = [await PostgresStore.open(url, clock=clock) for _ in range(2)]
    try:
        poll = await first.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
        await first.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # `first` caches the open poll
        await second.close_poll(poll.id, "a")
        with pytest.raises(Refused, match="closed"):
            await first.cast_vote(poll.id, HERE, "cy", "Cy", 1)
        assert await second.delete_poll(poll.id)
        with pytest.raises(NotFound):
            await first.cast_vote(poll.id, HERE, "cy", "Cy", 1)
        assert (await first.tally(poll.id)).voters == 0
    finally:
        await first.close()
        await second.close()


async def test_every_process_hashes_anonymous_voters_with_the_same_key(
    url: str, clock: FakeClock
) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(url, clock=clock) for _ in range(3)))
    try:
        poll = await stores[0].create_poll(
            PollDraft(HERE, "a", "A", "Q?", ("x", "y"), anonymous=True)
        )
        await stores[1].cast_vote(poll.id, HERE, "same-user", "S", 1)
        # The same person through another process is the same hash: a retraction, not a 2nd vote.
        outcome = await stores[2].cast_vote(poll.id, HERE, "same-user", "S", 1)
        assert outcome.change == "retracted"
    finally:
        for store in stores:
            await store.close()


async def test_a_newer_schema_is_refused_and_doctor_names_the_version(url: str) -> None:
    # OPED_BOT_DB set to a URL makes doctor connect to it, not look for a file.
    checks = {c.name: c for c in await doctor.diagnose(None, {"OPED_BOT_DB": url})}
    check = checks["database"]
    assert check.ok and f"schema version {doctor.LATEST_SCHEMA}, reachable" in check.detail
    conn = await asyncpg.connect(url)
    await conn.execute("INSERT INTO schema_migrations (version, description) VALUES (99, 'x')")
    await conn.close()
    with pytest.raises(StoreError, match="schema version 99, newer than this code"):
        await open_store(url)
    check = await doctor.postgres_database(url)
    assert not check.ok and "newer than this release" in check.detail


async def test_doctor_on_an_empty_and_an_unreachable_database(postgres: TestPostgres) -> None:
    empty = await doctor.postgres_database(postgres.empty())
    assert empty.ok and "empty; it will be migrated at first start" in empty.detail
    gone = await doctor.postgres_database("postgresql://bot:hunter2@127.0.0.1:1/none")
    assert not gone.ok and "cannot connect to postgresql://bot:***@127.0.0.1:1/none" in gone.detail
    assert "hunter2" not in gone.detail + gone.fix and "OPED_BOT_DB" in gone.fix


def test_the_console_runs_on_postgresql(url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPED_"))}
    env["OPED_BOT_DB"] = url
    script = 'poll create "Talks by 2020?" "Yes" "No"\n:user ana\npoll vote 1 2\npoll results 1\n'
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Your vote in poll #1: 2. No" in result.stdout
    assert not (tmp_path / "data").exists(), "no SQLite file is made next to a PostgreSQL URL"

    async def votes() -> list[tuple[int, str | None]]:
        store = await open_store(url)
        try:
            return [(v.option, v.voter_id) for v in await store.poll_votes(1)]
        finally:
            await store.close()

    assert asyncio.run(votes()) == [(2, "ana")]


async def test_a_debate_vote_racing_an_advance_in_another_process_counts_once(
    url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = [await PostgresStore.open(url, clock=clock) for _ in range(2)]
    try:
        debate = await first.create_debate(HERE, "a", "A", "This house would talk.", None)
        real = postgres.execute
        raced = False

        async def advance_meanwhile(conn: object, stmt: Stmt) -> object:
            # Right after this vote read the debate, another process moves it to its closing
            # vote and commits.
            nonlocal raced
            result = await real(conn, stmt)
            if not raced and stmt.sql.startswith("SELECT") and "FROM debates" in stmt.sql:
                raced = True
                await second.advance_debate(debate.id)
            return result

        monkeypatch.setattr(postgres, "execute", advance_meanwhile)
        outcome = await first.cast_debate_vote(debate.id, HERE, "bo", "Bo", "for")
        assert raced and outcome.phase == "after"
        assert [(v.phase, v.side) for v in await first.debate_votes(debate.id)] == [
            ("after", "for")
        ]
    finally:
        await first.close()
        await second.close()
