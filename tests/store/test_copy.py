"""`oped-bot db copy`: everything moves from SQLite up to PostgreSQL, ids continue, nothing else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.models import Place
from bot.schedule.model import NewSchedule
from bot.schedule.rotation import Rotation
from bot.store import open_store
from bot.store.base import PollDraft, Store
from bot.store.copy import TABLES, copy_database
from bot.store.installs import Install
from bot.store.work import StoreError
from tests.postgres import TestPostgres

HERE = Place("discord", "G1", "C1")


async def fill(store: Store, clock: FakeClock) -> dict[str, int]:
    """A bit of everything; returns the ids handed out last."""
    poll = await store.create_poll(PollDraft(HERE, "ana", "Ana", "Talks?", ("Yes", "No")))
    secret = await store.create_poll(
        PollDraft(HERE, "ana", "Ana", "S?", ("a", "b"), anonymous=True)
    )
    ranked = await store.create_poll(
        PollDraft(HERE, "ana", "Ana", "Rank?", ("a", "b", "c"), ranked=True)
    )
    newest = await store.create_poll(PollDraft(HERE, "ana", "Ana", "Gone?", ("a", "b")))
    await store.cast_vote(poll.id, HERE, "bo", "Bo", 2)
    await store.rank_vote(ranked.id, HERE, "bo", "Bo", ("3", "1", "2"))
    await store.close_poll(ranked.id, "ana")  # a closed poll's ballots go over too
    await store.cast_vote(secret.id, HERE, "cy", "Cy", 1)
    await store.close_poll(poll.id, "ana")
    assert await store.delete_poll(newest.id)
    debate = await store.create_debate(HERE, "ana", "Ana", "This house would talk.", None)
    await store.cast_debate_vote(debate.id, HERE, "bo", "Bo", "for")
    await store.add_moderator("discord", "G1", "mod1", name="Mo", added_by="ana")
    await store.audit("discord", "G1", "ana", "Ana", "poll close", "#1")
    await store.remember_message(poll.ref, HERE, "m1")
    now = clock.now()
    schedule = await store.create_schedule(
        NewSchedule(HERE, "0 9 * * *", "UTC", "poll", False, None, "ana", now, now)
    )
    run = await store.claim_run(schedule.id, now, "me", now, now + timedelta(minutes=5))
    assert run is not None
    await store.save_rotation("discord", "G1", "C1", "pack", Rotation(("P1", "P2"), 1))
    await store.add_report("discord", "G1", "Schedule 1 did not post.")
    await store.set_pack_choice("discord", "G1", None, "pack", "ana")
    await store.claim_delivery("slack:x", now + timedelta(minutes=10))
    await store.note_home_viewer("discord", "G1", "bo", forget_before=now - timedelta(days=1))
    await store.save_install(
        Install("slack", "", "T1", False, "A1", "B1", "UB", ("commands",), "sealed", now)
    )
    return {"poll": newest.id, "debate": debate.id, "schedule": schedule.id}


async def snapshot(store: Store, poll_ids: list[int], debate_id: int) -> list[object]:
    seen: list[object] = []
    for poll_id in poll_ids:
        seen += [await store.get_poll(poll_id), await store.tally(poll_id)]
        seen += [await store.poll_votes(poll_id), await store.poll_ballots(poll_id)]
    seen += [await store.get_debate(debate_id), await store.debate_votes(debate_id)]
    seen += [await store.list_moderators("discord", "G1"), await store.audit_log("discord", "G1")]
    seen += [await store.messages_for("poll:1"), await store.list_schedules("discord", "G1")]
    seen += [await store.schedule_runs(1), await store.load_rotation("discord", "G1", "C1", "pack")]
    seen += [await store.pack_choices("discord", "G1")]
    seen += [await store.home_viewers("discord", "G1", datetime.min.replace(tzinfo=UTC))]
    seen += [await store.find_install("slack", "T1")]
    return seen


async def test_everything_moves_up_and_ids_continue(
    postgres: TestPostgres, tmp_path: Path, clock: FakeClock
) -> None:
    db = tmp_path / "bot.sqlite3"
    url = postgres.empty()
    old = await open_store(db, clock=clock)
    last = await fill(old, clock)
    before = await snapshot(old, [1, 2, 3], last["debate"])
    await old.close()

    copied = await copy_database(str(db), url)
    assert set(copied.counts) == set(TABLES)
    assert copied.counts["polls"] == 3 and copied.counts["poll_votes"] == 2
    assert copied.counts["poll_ballots"] == 3
    assert all(copied.counts[t] >= 1 for t in TABLES)

    new = await open_store(url, clock=clock)
    try:
        assert await snapshot(new, [1, 2, 3], last["debate"]) == before
        # The anonymous voter is the same hash: clicking again retracts, not a second vote.
        assert (await new.cast_vote(2, HERE, "cy", "Cy", 1)).change == "retracted"
        assert await new.take_reports("discord", "G1", "mod") == ["Schedule 1 did not post."]
        assert await new.claim_delivery("slack:x", clock.now() + timedelta(minutes=1)) is False
        # Ids continue where they left off, past the deleted poll too.
        poll = await new.create_poll(PollDraft(HERE, "ana", "Ana", "Next?", ("a", "b")))
        assert poll.id == last["poll"] + 1
        debate = await new.create_debate(HERE, "ana", "Ana", "Another motion.", None)
        assert debate.id == last["debate"] + 1
        now = clock.now()
        schedule = await new.create_schedule(
            NewSchedule(HERE, "0 9 * * *", "UTC", "none", False, None, "ana", now, now)
        )
        assert schedule.id == last["schedule"] + 1
    finally:
        await new.close()


async def test_a_target_in_use_is_refused_and_left_alone(
    postgres: TestPostgres, tmp_path: Path, clock: FakeClock
) -> None:
    db = tmp_path / "bot.sqlite3"
    source = await open_store(db, clock=clock)
    await fill(source, clock)
    await source.close()
    url = postgres.fresh()
    used = await open_store(url, clock=clock)
    await used.create_debate(HERE, "ana", "Ana", "Already here.", None)
    await used.close()
    with pytest.raises(StoreError, match=r"already holds data \(debates: 1\).*empty one"):
        await copy_database(str(db), url)
    check = await open_store(url, clock=clock)
    try:
        assert await check.polls_since("discord", "G1") == []
        assert len(await check.open_debates("discord", "G1")) == 1
    finally:
        await check.close()


def test_the_command_reports_each_table_and_refuses_a_missing_source(
    postgres: TestPostgres, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bot.sqlite3"

    async def make() -> None:
        store = await open_store(db, clock=FakeClock())
        await fill(store, FakeClock())
        await store.close()

    asyncio.run(make())
    url = postgres.empty()
    assert main(["db", "copy", "--from", str(db), "--to", url]) == 0
    out = capsys.readouterr().out
    assert f"Copied {db} to " in out
    assert "polls" in out and "poll_votes" in out and "audit_log" in out
    # Copying again into the now filled database is refused, naming why.
    assert main(["db", "copy", "--from", str(db), "--to", url]) == 1
    assert "already holds data" in capsys.readouterr().err
    missing = tmp_path / "nothing.sqlite3"
    assert main(["db", "copy", "--from", str(missing), "--to", postgres.empty()]) == 1
    assert "there is no database file there" in capsys.readouterr().err
    assert not missing.exists()
    # And back down: PostgreSQL into a new SQLite file.
    down = tmp_path / "down.sqlite3"
    assert main(["db", "copy", "--from", url, "--to", str(down)]) == 0
    assert "Copied" in capsys.readouterr().out
