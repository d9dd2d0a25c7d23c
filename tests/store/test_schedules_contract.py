"""The Store contract for schedules, runs, rotation, reports, pack choices and poll deletion."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.models import Place
from bot.schedule.model import NewSchedule, Schedule
from bot.schedule.rotation import Rotation
from bot.store.base import AuditNote, DebateDraft, PollDraft, Preparation, Refused, Store
from bot.store.work import Conflict
from tests.store.conftest import Opener

HERE = Place("console", "local", "general")
ELSEWHERE = Place("slack", "T1", "C1")


async def schedule(
    store: Store, clock: FakeClock, place: Place = HERE, **changes: object
) -> Schedule:
    now = clock.now()
    values: dict[str, object] = {
        "place": place,
        "cron": "0 9 * * *",
        "tz": "Europe/London",
        "attach": "poll",
        "thread": True,
        "pack": None,
        "created_by": "mod",
        "created_at": now,
        "next_due": now + timedelta(hours=1),
    }
    values.update(changes)
    return await store.create_schedule(NewSchedule(**values))  # type: ignore[arg-type]


# Schedules --------------------------------------------------------------------------------


async def test_schedule_round_trip_and_workspace_scope(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock)
    other = await schedule(store, clock, ELSEWHERE, attach="none", thread=False, pack="x")
    assert made.id != other.id
    assert await store.get_schedule(made.id) == made
    assert (made.place, made.cron, made.tz, made.attach, made.thread) == (
        HERE,
        "0 9 * * *",
        "Europe/London",
        "poll",
        True,
    )
    assert (made.paused, made.paused_reason, made.failures) == (False, "", 0)
    assert made.next_due == clock.now() + timedelta(hours=1)
    assert await store.list_schedules("console", "local") == [made]
    assert [s.pack for s in await store.list_schedules("slack", "T1")] == ["x"]
    assert await store.get_schedule(other.id + 100) is None


async def test_due_schedules_skip_paused_future_and_other_platforms(
    store: Store, clock: FakeClock
) -> None:
    now = clock.now()
    due = await schedule(store, clock, next_due=now)
    await schedule(store, clock, next_due=now + timedelta(seconds=1))
    paused = await schedule(store, clock, next_due=now - timedelta(hours=1))
    await store.pause_schedule(paused.id, "by hand")
    await schedule(store, clock, ELSEWHERE, next_due=now)
    assert [s.id for s in await store.due_schedules(now, ["console"])] == [due.id]
    assert len(await store.due_schedules(now, ["console", "slack"])) == 2
    assert await store.due_schedules(now, []) == []


async def test_advance_is_compare_and_set(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock)
    later = made.next_due + timedelta(days=1)
    assert await store.advance_schedule(made.id, made.next_due, later)
    assert not await store.advance_schedule(made.id, made.next_due, later + timedelta(days=1))
    again = await store.get_schedule(made.id)
    assert again is not None and again.next_due == later


async def test_pause_resume_and_failure_counts(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock)
    assert [await store.count_schedule_failure(made.id) for _ in range(3)] == [1, 2, 3]
    assert await store.pause_schedule(made.id, "3 failures")
    assert not await store.pause_schedule(made.id, "again")
    paused = await store.get_schedule(made.id)
    assert paused is not None and paused.paused and paused.paused_reason == "3 failures"
    resume_at = clock.now() + timedelta(days=2)
    assert await store.resume_schedule(made.id, resume_at)
    assert not await store.resume_schedule(made.id, resume_at)
    running = await store.get_schedule(made.id)
    assert running is not None
    assert (running.paused, running.paused_reason, running.failures) == (False, "", 0)
    assert running.next_due == resume_at
    await store.count_schedule_failure(made.id)
    await store.clear_schedule_failures(made.id)
    cleared = await store.get_schedule(made.id)
    assert cleared is not None and cleared.failures == 0
    assert await store.count_schedule_failure(made.id + 100) == 0


async def test_delete_removes_the_schedule_and_its_runs(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock)
    now = clock.now()
    await store.claim_run(made.id, now, "a", now, now + timedelta(minutes=5))
    assert await store.delete_schedule(made.id)
    assert not await store.delete_schedule(made.id)
    assert await store.get_schedule(made.id) is None
    assert await store.schedule_runs(made.id) == []
    assert await store.runs_to_resume(now + timedelta(hours=1), ["console"]) == []


# Runs -------------------------------------------------------------------------------------


async def test_a_run_is_claimed_once_even_across_connections(
    store: Store, opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    made = await schedule(store, clock)
    due = made.next_due
    now = clock.now()
    run = await store.claim_run(made.id, due, "a", now, now + timedelta(minutes=5))
    assert run is not None
    assert (run.schedule_id, run.due_at, run.state, run.owner, run.attempts) == (
        made.id,
        due,
        "claimed",
        "a",
        0,
    )
    assert run.lease_until == now + timedelta(minutes=5) and not run.manual
    assert await store.claim_run(made.id, due, "b", now, now) is None
    other = await opener(tmp_path, clock)
    try:
        assert await other.claim_run(made.id, due, "c", now, now) is None
        manual = await other.claim_run(
            made.id, due + timedelta(seconds=1), "c", now, now, manual=True
        )
        assert manual is not None and manual.manual
    finally:
        await other.close()
    assert await store.claim_run(made.id + 100, due, "a", now, now) is None  # no such schedule


async def test_update_run_only_from_the_expected_state_and_owner(
    store: Store, clock: FakeClock
) -> None:
    made = await schedule(store, clock)
    now = clock.now()
    run = await store.claim_run(made.id, made.next_due, "a", now, now + timedelta(minutes=5))
    assert run is not None
    posting = replace(
        run, state="posting", attempts=1, prompt_id="pack/P1", attachment="poll:3", error=""
    )
    assert not await store.update_run(posting, expect_state="claimed", expect_owner="b")
    assert not await store.update_run(posting, expect_state="retry", expect_owner="a")
    assert await store.update_run(posting, expect_state="claimed", expect_owner="a")
    retry_at = now + timedelta(minutes=1)
    failed = replace(posting, state="retry", next_attempt_at=retry_at, error="down")
    assert await store.update_run(failed, expect_state="posting", expect_owner="a")
    [stored] = await store.schedule_runs(made.id)
    assert (stored.state, stored.attempts, stored.prompt_id, stored.attachment) == (
        "retry",
        1,
        "pack/P1",
        "poll:3",
    )
    assert (stored.next_attempt_at, stored.error) == (retry_at, "down")


async def test_runs_to_resume_are_stale_leases_and_due_retries(
    store: Store, clock: FakeClock
) -> None:
    now = clock.now()
    made = await schedule(store, clock)
    far = await schedule(store, clock, ELSEWHERE)
    minute = timedelta(minutes=1)

    async def claim(at: datetime, lease: timedelta, owner: str = "a", on: Schedule = made) -> None:
        assert await store.claim_run(on.id, at, owner, now, now + lease) is not None

    await claim(now - 5 * minute, minute)  # stale claim
    await claim(now - 4 * minute, 10 * minute)  # live claim
    await claim(now - 3 * minute, minute)  # stale posting
    [posting] = [r for r in await store.schedule_runs(made.id, 10) if r.due_at == now - 3 * minute]
    await store.update_run(
        replace(posting, state="posting"), expect_state="claimed", expect_owner="a"
    )
    await claim(now - 2 * minute, minute)  # retry due at now + 1 min
    [retry] = [r for r in await store.schedule_runs(made.id, 10) if r.due_at == now - 2 * minute]
    await store.update_run(
        replace(retry, state="retry", next_attempt_at=now + minute),
        expect_state="claimed",
        expect_owner="a",
    )
    await claim(now - minute, minute)  # finished
    [done] = [r for r in await store.schedule_runs(made.id, 10) if r.due_at == now - minute]
    await store.update_run(replace(done, state="posted"), expect_state="claimed", expect_owner="a")
    await claim(now, minute, on=far)  # stale, but another platform

    later = now + 2 * minute
    found = await store.runs_to_resume(later, ["console"])
    assert [(r.due_at, r.state) for r in found] == [
        (now - 5 * minute, "claimed"),
        (now - 3 * minute, "posting"),
        (now - 2 * minute, "retry"),
    ]
    assert [r.state for r in await store.runs_to_resume(now, ["console"])] == []
    assert [r.schedule_id for r in await store.runs_to_resume(later, ["slack"])] == [far.id]
    assert await store.next_schedule_event(["console"]) == now + minute


async def test_schedule_runs_newest_first_with_a_limit(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock)
    for _ in range(4):
        clock.advance(timedelta(minutes=1))
        now = clock.now()
        await store.claim_run(made.id, now, "a", now, now)
    runs = await store.schedule_runs(made.id, 2)
    assert [r.due_at for r in runs] == [clock.now(), clock.now() - timedelta(minutes=1)]


async def test_next_schedule_event_is_the_earliest_due_time(store: Store, clock: FakeClock) -> None:
    assert await store.next_schedule_event(["console"]) is None
    now = clock.now()
    await schedule(store, clock, next_due=now + timedelta(hours=3))
    soon = await schedule(store, clock, next_due=now + timedelta(hours=2))
    paused = await schedule(store, clock, next_due=now + timedelta(hours=1))
    await store.pause_schedule(paused.id, "x")
    assert await store.next_schedule_event(["console"]) == soon.next_due
    assert await store.next_schedule_event(["discord"]) is None


# Rotation, reports, pack choices ----------------------------------------------------------


async def test_rotation_is_kept_per_channel_and_pack(store: Store) -> None:
    assert await store.load_rotation("console", "local", "general", "p") is None
    first = Rotation(("P2", "P1", "P3"), 1)
    await store.save_rotation("console", "local", "general", "p", first)
    assert await store.load_rotation("console", "local", "general", "p") == first
    moved = Rotation(("P2", "P1", "P3"), 2)
    await store.save_rotation("console", "local", "general", "p", moved)
    assert await store.load_rotation("console", "local", "general", "p") == moved
    assert await store.load_rotation("console", "local", "random", "p") is None
    assert await store.load_rotation("console", "local", "general", "other") is None


async def test_reports_are_delivered_once_per_workspace(store: Store) -> None:
    await store.add_report("console", "local", "first")
    await store.add_report("console", "local", "second")
    await store.add_report("slack", "T1", "elsewhere")
    assert await store.take_reports("console", "local", "ana") == ["first", "second"]
    assert await store.take_reports("console", "local", "ben") == []
    assert await store.take_reports("slack", "T1", "cy") == ["elsewhere"]


async def test_pack_choice_channel_beats_workspace_default(store: Store) -> None:
    assert await store.pack_choice("console", "local", "general") is None
    await store.set_pack_choice("console", "local", None, "wide", "mod")
    assert await store.pack_choice("console", "local", "general") == "wide"
    await store.set_pack_choice("console", "local", "general", "narrow", "mod")
    await store.set_pack_choice("console", "local", "general", "narrower", "mod")
    assert await store.pack_choice("console", "local", "general") == "narrower"
    assert await store.pack_choice("console", "local", "random") == "wide"
    assert await store.pack_choice("slack", "T1", "general") is None
    assert await store.pack_choices("console", "local") == {"": "wide", "general": "narrower"}


# Poll deletion and durability -------------------------------------------------------------


async def test_delete_poll_removes_votes_and_tracked_messages(store: Store) -> None:
    poll = await store.create_poll(PollDraft(HERE, "ana", "Ana", "Yes or no?", ("Yes", "No")))
    await store.cast_vote(poll.id, HERE, "ben", "Ben", 1)
    await store.remember_message(poll.ref, HERE, "m1")
    await store.close_poll(poll.id, "ana")
    assert await store.delete_poll(poll.id)
    assert not await store.delete_poll(poll.id)
    assert await store.get_poll(poll.id) is None
    assert await store.messages_for(poll.ref) == []


async def test_a_deleted_polls_id_is_never_given_to_a_new_poll(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    # The deleted poll's buttons (`poll vote <id> 1`) may still be on screen: they must not
    # vote in whatever poll comes next, even after a restart.
    first = await opener(tmp_path, clock)
    older = await first.create_poll(PollDraft(HERE, "ana", "Ana", "Older?", ("Yes", "No")))
    newest = await first.create_poll(PollDraft(HERE, "ana", "Ana", "Newest?", ("Yes", "No")))
    assert await first.delete_poll(newest.id)
    assert await first.delete_poll(older.id)  # a lower id deleted later keeps the higher mark
    await first.close()
    second = await opener(tmp_path, clock)
    try:
        fresh = await second.create_poll(PollDraft(HERE, "ana", "Ana", "Fresh?", ("A", "B")))
        assert fresh.id > newest.id
        with pytest.raises(NotFound):
            await second.cast_vote(newest.id, HERE, "ben", "Ben", 1)
        assert (await second.tally(fresh.id)).voters == 0
    finally:
        await second.close()


async def test_schedules_and_runs_survive_reopening(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    made = await schedule(first, clock)
    now = clock.now()
    await first.claim_run(made.id, made.next_due, "a", now, now)
    await first.close()
    second = await opener(tmp_path, clock)
    try:
        assert await second.get_schedule(made.id) == made
        assert [r.owner for r in await second.schedule_runs(made.id)] == ["a"]
    finally:
        await second.close()


async def test_a_run_is_prepared_once_by_its_owner_in_one_write(
    store: Store, clock: FakeClock
) -> None:
    made = await schedule(store, clock)
    due = clock.now() + timedelta(hours=1)
    run = await store.claim_run(made.id, due, "me", clock.now(), due)
    assert run is not None
    rotation = Rotation(("P1", "P2"), 1)
    draft = PollDraft(HERE, "mod", "scheduler", "Talks?", ("For", "Against"))
    plan = Preparation(run, "me", "pack/P1", "pack", rotation, poll=draft)
    # Not the owner: nothing happens, nothing is written.
    assert await store.prepare_run(replace(plan, owner="someone-else")) is None
    assert await store.polls_since("console", "local") == []
    # A poll the store refuses (two equal options) sinks the whole preparation.
    bad = replace(plan, poll=replace(draft, options=("Same", "same")))
    with pytest.raises(Refused):
        await store.prepare_run(bad)
    assert await store.polls_since("console", "local") == []
    assert await store.load_rotation("console", "local", "general", "pack") is None
    prepared = await store.prepare_run(plan)
    assert prepared is not None and prepared.prompt_id == "pack/P1"
    [poll] = await store.polls_since("console", "local")
    assert prepared.attachment == poll.ref and poll.question == "Talks?"
    assert await store.load_rotation("console", "local", "general", "pack") == rotation
    # Once: preparing again makes no second poll.
    assert await store.prepare_run(plan) is None
    assert len(await store.polls_since("console", "local")) == 1


async def test_a_debate_run_is_prepared_with_its_audit_line(store: Store, clock: FakeClock) -> None:
    made = await schedule(store, clock, attach="debate")
    due = clock.now() + timedelta(hours=1)
    run = await store.claim_run(made.id, due, "me", clock.now(), due)
    assert run is not None
    debate = DebateDraft(HERE, "mod", "scheduler", "This house would talk.", "P4")
    prepared = await store.prepare_run(
        Preparation(run, "me", "pack/P4", "pack:oxford", Rotation(("P4",), 1), debate=debate)
    )
    assert prepared is not None and prepared.attachment is not None
    opened = await store.get_debate(int(prepared.attachment.partition(":")[2]))
    assert opened is not None and opened.motion == "This house would talk."
    [line] = await store.audit_log("console", "local")
    assert (line.actor_name, line.action) == ("scheduler", "debate start")
    assert line.detail == f"#{opened.id} This house would talk."


async def test_a_preparation_from_a_rotation_that_moved_on_stores_nothing(
    store: Store, clock: FakeClock
) -> None:
    made = await schedule(store, clock)
    due = clock.now() + timedelta(hours=1)
    run = await store.claim_run(made.id, due, "me", clock.now(), due)
    assert run is not None
    start = Rotation(("P1", "P2"), 0)
    await store.save_rotation("console", "local", "general", "pack", start)
    draft = PollDraft(HERE, "mod", "scheduler", "Talks?", ("For", "Against"))
    stale = Preparation(
        run, "me", "pack/P1", "pack", Rotation(("P1", "P2"), 1), poll=draft, rotation_was=None
    )
    with pytest.raises(Conflict):  # it was chosen as if the channel had no rotation yet
        await store.prepare_run(stale)
    moved = replace(stale, rotation_was=Rotation(("P2", "P1"), 0))
    with pytest.raises(Conflict):
        await store.prepare_run(moved)
    assert await store.polls_since("console", "local") == []
    [still] = await store.schedule_runs(made.id)
    assert still.prompt_id is None
    assert await store.load_rotation("console", "local", "general", "pack") == start
    prepared = await store.prepare_run(replace(stale, rotation_was=start))
    assert prepared is not None and prepared.prompt_id == "pack/P1"


async def test_admin_writes_carry_their_audit_line_only_when_they_change_something(
    store: Store, clock: FakeClock
) -> None:
    note = AuditNote("mod", "Mo", "admin")

    def said(detail: str) -> AuditNote:
        return replace(note, detail=detail)

    made = await store.create_schedule(
        NewSchedule(
            ELSEWHERE,
            "0 9 * * *",
            "UTC",
            "none",
            False,
            None,
            "mod",
            clock.now(),
            clock.now() + timedelta(hours=1),
        ),
        audit=said("#C1 0 9 * * * UTC"),
    )
    assert await store.pause_schedule(made.id, "by Mo", audit=said("pause"))
    assert not await store.pause_schedule(made.id, "by Mo", audit=said("pause again"))
    soon = clock.now() + timedelta(hours=2)
    assert await store.resume_schedule(made.id, soon, audit=said("resume"))
    assert not await store.resume_schedule(made.id, soon, audit=said("resume again"))
    assert await store.delete_schedule(made.id, audit=said("remove"))
    assert not await store.delete_schedule(made.id, audit=said("remove again"))
    assert await store.add_moderator("slack", "T1", "U2", audit=said("add"))
    assert not await store.add_moderator("slack", "T1", "U2", audit=said("add again"))
    assert await store.remove_moderator("slack", "T1", "U2", audit=said("remove U2"))
    assert not await store.remove_moderator("slack", "T1", "U2", audit=said("remove U2 again"))
    await store.set_pack_choice("slack", "T1", "C1", "pack", "mod", audit=said("pack"))
    poll = await store.create_poll(PollDraft(ELSEWHERE, "a", "A", "Talks?", ("x", "y")))
    assert await store.delete_poll(poll.id, audit=said("delete"))
    assert not await store.delete_poll(poll.id, audit=said("delete again"))
    lines = [(e.actor_name, e.detail) for e in await store.audit_log("slack", "T1")][::-1]
    assert lines == [
        ("Mo", f"schedule {made.id}: #C1 0 9 * * * UTC"),
        ("Mo", "pause"),
        ("Mo", "resume"),
        ("Mo", "remove"),
        ("Mo", "add"),
        ("Mo", "remove U2"),
        ("Mo", "pack"),
        ("Mo", "delete"),
    ]
    assert await store.audit_log("console", "local") == []
