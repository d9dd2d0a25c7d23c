"""The Store contract for community poll writes (options added, edits, reopening, reminders).

Parametrised over SQLite and PostgreSQL by `conftest.py`, like `test_contract.py`.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.schedule.model import OwnPost
from bot.store.base import AuditNote, PollDraft, PollEdit, Preparation, Refused, Store
from tests.store.conftest import Opener
from tests.store.test_contract import ELSEWHERE, HERE, draft
from tests.store.test_schedules_contract import schedule

NOTE = AuditNote("bo", "Bo", "poll add")


async def test_add_option_appends_audits_and_takes_votes(store: Store) -> None:
    poll = await store.create_poll(draft(open_options=True))
    assert poll.open_options
    added = await store.add_option(poll.id, HERE, "Later", audit=NOTE)
    assert added.options == ("Yes", "No", "Unsure", "Later")
    assert await store.get_poll(poll.id) == added
    outcome = await store.cast_vote(poll.id, HERE, "cy", "Cy", 4)
    assert outcome.picks == (4,)
    assert (await store.tally(poll.id)).counts == (0, 0, 0, 1)
    (line,) = await store.audit_log("console", "local")
    assert (line.action, line.detail) == ("poll add", f"#{poll.id} {poll.question}: Later")


async def test_refused_additions_write_nothing(store: Store) -> None:
    fixed = await store.create_poll(draft())
    with pytest.raises(Refused, match="takes only its creator's options"):
        await store.add_option(fixed.id, HERE, "More", audit=NOTE)
    open_poll = await store.create_poll(draft(open_options=True))
    with pytest.raises(Refused, match="already has `yes` as option 1"):
        await store.add_option(open_poll.id, HERE, "yes", audit=NOTE)
    with pytest.raises(NotFound):
        await store.add_option(open_poll.id, ELSEWHERE, "More", audit=NOTE)
    full = await store.create_poll(
        draft(options=tuple(f"o{n}" for n in range(20)), open_options=True)
    )
    with pytest.raises(Refused, match="already has 20 options"):
        await store.add_option(full.id, HERE, "More", audit=NOTE)
    await store.close_poll(open_poll.id, "ana")
    with pytest.raises(Refused, match="closed"):
        await store.add_option(open_poll.id, HERE, "More", audit=NOTE)
    assert (await store.get_poll(open_poll.id)).options == ("Yes", "No", "Unsure")  # type: ignore[union-attr]
    assert await store.audit_log("console", "local") == []


async def test_concurrent_additions_each_get_their_own_number(store: Store) -> None:
    poll = await store.create_poll(draft(open_options=True))
    labels = [f"Idea {n}" for n in range(10)]
    await asyncio.gather(*(store.add_option(poll.id, HERE, label) for label in labels))
    stored = await store.get_poll(poll.id)
    assert stored is not None and sorted(stored.options[3:]) == sorted(labels)


async def test_another_process_sees_an_added_option_it_had_not_cached(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    second = await opener(tmp_path, clock)
    try:
        poll = await first.create_poll(draft(open_options=True))
        await second.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # `second` caches the poll
        await first.add_option(poll.id, HERE, "Later")
        outcome = await second.cast_vote(poll.id, HERE, "cy", "Cy", 4)
        assert outcome.poll.options[3] == "Later"
        assert (await first.tally(poll.id)).counts == (1, 0, 0, 1)
    finally:
        await first.close()
        await second.close()


EDIT = AuditNote("ana", "Ana", "poll edit")


async def test_edit_rewords_until_the_first_vote_and_moves_the_deadline_after(
    store: Store, clock: FakeClock
) -> None:
    poll = await store.create_poll(draft())
    change = PollEdit(question="Talks?", options=("Now", "Later"))
    edited = await store.edit_poll(poll.id, HERE, change, audit=EDIT)
    assert (edited.question, edited.options) == ("Talks?", ("Now", "Later"))
    assert await store.get_poll(poll.id) == edited
    await store.cast_vote(poll.id, HERE, "bo", "Bo", 2)
    with pytest.raises(Refused, match="has votes"):
        await store.edit_poll(poll.id, HERE, PollEdit(question="Other?"), audit=EDIT)
    with pytest.raises(NotFound):
        await store.edit_poll(poll.id, ELSEWHERE, PollEdit(question="Other?"), audit=EDIT)
    later = clock.now() + timedelta(hours=3)
    moved = await store.edit_poll(poll.id, HERE, PollEdit(closes_at=later), audit=EDIT)
    assert moved.closes_at == later and moved.question == "Talks?"
    assert (await store.tally(poll.id)).counts == (0, 1)
    assert len(await store.audit_log("console", "local")) == 2  # the refusals wrote none


async def test_an_edit_waits_for_no_vote_it_could_miss(store: Store) -> None:
    poll = await store.create_poll(draft())
    change = PollEdit(options=("A", "B", "C"))
    results = await asyncio.gather(
        store.cast_vote(poll.id, HERE, "bo", "Bo", 3),
        store.edit_poll(poll.id, HERE, change),
        return_exceptions=True,
    )
    stored = await store.get_poll(poll.id)
    tally = await store.tally(poll.id)
    assert stored is not None
    # Either the edit went first (and the vote counts on the new options) or the vote did
    # (and the edit was refused): never options changed under a vote.
    if isinstance(results[1], Refused):
        assert stored.options == ("Yes", "No", "Unsure") and tally.counts == (0, 0, 1)
    else:
        assert stored.options == ("A", "B", "C") and tally.counts == (0, 0, 1)


async def test_reopen_keeps_votes_and_takes_a_new_deadline(store: Store, clock: FakeClock) -> None:
    poll = await store.create_poll(draft(closes_at=clock.now() + timedelta(hours=1)))
    await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)
    with pytest.raises(Refused, match="still open"):
        await store.reopen_poll(poll.id, HERE, None)
    clock.advance(timedelta(hours=2))  # past the deadline, not yet swept
    with pytest.raises(Refused, match="reopen"):
        await store.edit_poll(poll.id, HERE, PollEdit(closes_at=clock.now() + timedelta(hours=1)))
    note = AuditNote("ana", "Ana", "poll reopen")
    again = await store.reopen_poll(poll.id, HERE, clock.now() + timedelta(hours=1), audit=note)
    assert again.is_open(clock.now()) and not again.announced
    assert await store.close_due_polls(clock.now(), ["console"]) == []
    await store.cast_vote(poll.id, HERE, "cy", "Cy", 2)
    assert (await store.tally(poll.id)).counts == (1, 1, 0)
    await store.close_poll(poll.id, "ana")
    forever = await store.reopen_poll(poll.id, HERE, None)
    assert forever.closes_at is None and forever.closed_at is None
    (line,) = await store.audit_log("console", "local")
    assert line.action == "poll reopen"


async def test_another_process_takes_votes_after_an_extension_it_had_not_seen(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    second = await opener(tmp_path, clock)
    try:
        poll = await first.create_poll(draft(closes_at=clock.now() + timedelta(hours=1)))
        await second.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # `second` caches the deadline
        await first.edit_poll(poll.id, HERE, PollEdit(closes_at=clock.now() + timedelta(hours=5)))
        clock.advance(timedelta(hours=2))
        await second.cast_vote(poll.id, HERE, "cy", "Cy", 2)
        assert (await first.tally(poll.id)).counts == (1, 1, 0)
    finally:
        await first.close()
        await second.close()


async def test_a_reminder_is_claimed_exactly_once_across_processes(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    second = await opener(tmp_path, clock)
    try:
        closes = clock.now() + timedelta(hours=2)
        poll = await first.create_poll(draft(closes_at=closes, remind=timedelta(minutes=30)))
        assert poll.remind == timedelta(minutes=30) and not poll.reminded
        other = await first.create_poll(draft(place=replace(HERE, platform="slack")))
        assert other.remind is None
        assert await first.next_deadline(["console"]) == closes - timedelta(minutes=30)
        assert await first.claim_reminders(clock.now(), ["console"]) == []
        clock.advance(timedelta(hours=1, minutes=30))
        claims = await asyncio.gather(
            *(s.claim_reminders(clock.now(), ["console"]) for s in (first, second, first, second))
        )
        assert sorted(len(c) for c in claims) == [0, 0, 0, 1]
        (claimed,) = [p for c in claims for p in c]
        assert claimed.id == poll.id and claimed.reminded
        assert await second.next_deadline(["console"]) == closes
        # A new deadline brings a reminder of its own, claimed once again.
        later = clock.now() + timedelta(hours=3)
        await first.edit_poll(poll.id, HERE, PollEdit(closes_at=later))
        clock.advance(timedelta(hours=2, minutes=30))
        assert [p.id for p in await second.claim_reminders(clock.now(), ["console"])] == [poll.id]
        assert await first.claim_reminders(clock.now(), ["console"]) == []
    finally:
        await first.close()
        await second.close()


async def test_no_reminder_for_a_closed_poll_or_once_its_deadline_passed(
    store: Store, clock: FakeClock
) -> None:
    closes = clock.now() + timedelta(hours=1)
    closed = await store.create_poll(draft(closes_at=closes, remind=timedelta(minutes=10)))
    missed = await store.create_poll(draft(closes_at=closes, remind=timedelta(minutes=10)))
    await store.close_poll(closed.id, "ana")
    clock.advance(timedelta(hours=2))  # down through the reminder and the deadline
    assert await store.claim_reminders(clock.now(), ["console"]) == []
    assert (await store.get_poll(missed.id)).reminded is False  # type: ignore[union-attr]


async def test_a_schedule_keeps_its_own_post_and_its_runs_move_no_rotation(
    store: Store, clock: FakeClock
) -> None:
    own_poll = OwnPost("Lunch?", ("Pizza", "Soup"))
    made = await schedule(store, clock, attach="none", own=own_poll)
    assert made.own == own_poll and await store.get_schedule(made.id) == made
    text = await schedule(store, clock, attach="none", own=OwnPost("Read anything good?"))
    assert text.own == OwnPost("Read anything good?") and not text.own.poll
    assert (await schedule(store, clock)).own is None
    due = clock.now() + timedelta(hours=1)
    run = await store.claim_run(made.id, due, "me", clock.now(), due)
    assert run is not None
    poll = PollDraft(HERE, "mod", "scheduler", "Lunch?", ("Pizza", "Soup"))
    prepared = await store.prepare_run(Preparation(run, "me", "own/poll", "", None, poll=poll))
    assert prepared is not None and prepared.prompt_id == "own/poll"
    [stored] = await store.polls_since("console", "local")
    assert prepared.attachment == stored.ref and stored.options == ("Pizza", "Soup")
    assert await store.load_rotation("console", "local", "general", "") is None
