"""The scheduler on a real SQLite file with a hand-moved clock: exactly once, whatever happens."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Reply
from bot.schedule.cron import next_run
from bot.schedule.model import Attach, NewSchedule, Schedule
from bot.scheduler import Policy, Scheduler, run_scheduler
from bot.store.sqlite import SqliteStore

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
NINE = START.replace(hour=9)
PLACE = Place("console", "local", "debates")


class Crash(BaseException):
    """The process dying mid-call: not an Exception, so nothing catches it on the way out."""


@dataclass
class RecordingPoster:
    """A Poster that records posts, and fails or crashes on request."""

    posts: list[tuple[Place, Reply]] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    updates: list[tuple[Place, str, Reply]] = field(default_factory=list)
    threads: list[tuple[Place, str, str]] = field(default_factory=list)

    async def post(self, place: Place, reply: Reply) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((place, reply))
        return f"m{len(self.posts)}"

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        self.updates.append((place, message_id, reply))

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        self.threads.append((place, message_id, name))


@dataclass
class Instance:
    """One bot process: its own store connection, poster and scheduler."""

    services: Services
    store: SqliteStore
    poster: RecordingPoster
    scheduler: Scheduler
    bot: Bot


async def start_instance(
    path: Path, packs: PackRegistry, clock: FakeClock, *, policy: Policy | None = None
) -> Instance:
    store = await SqliteStore.open(path, clock=clock)
    poster = RecordingPoster()
    services = Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(db_path=path),
        rng=random.Random(3),
        posters={"console": poster},
    )
    bot = Bot(services)
    scheduler = Scheduler(services, bot.catalogue, policy=policy)
    return Instance(services, store, poster, scheduler, bot)


@pytest.fixture
async def one(tmp_path: Path, packs: PackRegistry, clock: FakeClock) -> AsyncIterator[Instance]:
    clock.set(START)
    instance = await start_instance(tmp_path / "bot.sqlite3", packs, clock)
    yield instance
    await instance.store.close()


async def add_schedule(
    instance: Instance,
    cron: str = "0 9 * * *",
    *,
    tz: str = "UTC",
    attach: Attach = "none",
    thread: bool = False,
    pack: str | None = None,
    place: Place = PLACE,
) -> Schedule:
    now = instance.services.clock.now()
    return await instance.store.create_schedule(
        NewSchedule(place, cron, tz, attach, thread, pack, "mod", now, next_run(cron, tz, now))
    )


def motions(poster: RecordingPoster) -> list[str]:
    """The motion of each post: the only card's text, or the first line of the poll/debate."""
    return [reply.cards[-1].body.split("\n")[0] for _, reply in poster.posts]


async def actions(store: SqliteStore, action: str) -> list[str]:
    return [e.detail for e in await store.audit_log("console", "local", 100) if e.action == action]


# The ordinary path ------------------------------------------------------------------------


async def test_posts_once_when_due_and_moves_to_the_next_day(
    one: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    schedule = await add_schedule(one)
    assert await one.scheduler.tick(NINE - timedelta(seconds=1)) == []
    outcomes = await one.scheduler.tick(NINE)
    assert [(o.state, o.due_at) for o in outcomes] == [("posted", NINE)]
    assert await one.scheduler.tick(NINE + timedelta(seconds=30)) == []
    assert len(one.poster.posts) == 1
    place, reply = one.poster.posts[0]
    assert place == PLACE
    assert not reply.ephemeral
    assert reply.cards[0].body in {p.motion for p in one.services.packs.default.prompts}
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.next_due == NINE + timedelta(days=1)
    runs = await one.store.schedule_runs(schedule.id)
    assert [(r.state, r.message_id, r.attempts) for r in runs] == [("posted", "m1", 1)]
    assert "scheduled prompt posted" in caplog.text


async def test_every_prompt_once_before_any_repeats_and_rotation_survives_restart(
    one: Instance, tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> None:
    await add_schedule(one)
    prompts = packs.default.prompts
    for day in range(5):
        await one.scheduler.tick(NINE + timedelta(days=day))
    await one.store.close()
    # A new process on the same file carries on the same pass.
    again = await start_instance(tmp_path / "bot.sqlite3", packs, clock)
    try:
        for day in range(5, len(prompts) + 1):
            await again.scheduler.tick(NINE + timedelta(days=day))
        posted = motions(one.poster) + motions(again.poster)
    finally:
        await again.store.close()
    assert len(posted) == len(prompts) + 1
    first_pass = posted[: len(prompts)]
    assert sorted(first_pass) == sorted(p.motion for p in prompts)
    assert first_pass != [p.motion for p in prompts]  # shuffled
    assert posted[-1] != posted[-2]


async def test_poll_and_thread_are_attached_and_the_poll_card_is_tracked(one: Instance) -> None:
    await add_schedule(one, attach="poll", thread=True)
    [outcome] = await one.scheduler.tick(NINE)
    assert outcome.state == "posted"
    _, reply = one.poster.posts[0]
    lead, poll_card = reply.cards
    assert poll_card.kind == "poll"
    assert poll_card.body.split("\n")[0] in {p.motion for p in one.services.packs.default.prompts}
    assert lead.body.endswith("vote below and argue it out in the thread.")
    labels = [b.label for b in poll_card.buttons]
    assert labels[:3] == ["1. For", "2. Against", "3. Undecided"] or labels[:3] == [
        "1. Agree",
        "2. Disagree",
        "3. Not sure",
    ]
    assert reply.thread is not None and len(reply.thread) <= 100
    assert reply.track is not None and reply.track.startswith("poll:")
    tracked = await one.store.messages_for(reply.track)
    assert [(t.place.channel, t.message_id) for t in tracked] == [("debates", "m1")]


async def test_debate_schedules_rotate_through_the_oxford_motions(one: Instance) -> None:
    await add_schedule(one, attach="debate")
    oxford = [p for p in one.services.packs.default.prompts if p.kind == "oxford"]
    for day in range(len(oxford)):
        await one.scheduler.tick(NINE + timedelta(days=day))
    assert sorted(motions(one.poster)) == sorted(p.motion for p in oxford)
    _, reply = one.poster.posts[0]
    debate_card = reply.cards[1]
    assert debate_card.kind == "debate"
    assert [b.label for b in debate_card.buttons] == ["For", "Against", "Undecided"]
    assert reply.track is not None and reply.track.startswith("debate:")
    debate = await one.store.get_debate(int(reply.track.partition(":")[2]))
    assert debate is not None and debate.motion == motions(one.poster)[0]
    assert debate.place == PLACE


async def test_only_platforms_with_a_poster_are_served(one: Instance) -> None:
    await add_schedule(one, place=Place("slack", "T1", "C1"))
    assert await one.scheduler.tick(NINE) == []
    assert one.poster.posts == []


# Missed runs and the grace period ---------------------------------------------------------


async def test_run_missed_inside_the_grace_period_is_posted_once(one: Instance) -> None:
    schedule = await add_schedule(one)
    late = NINE + timedelta(minutes=40)  # the bot was down from 08:00 to 09:40
    [outcome] = await one.scheduler.tick(late)
    assert (outcome.state, outcome.due_at) == ("posted", NINE)
    assert await one.scheduler.tick(late + timedelta(minutes=1)) == []
    assert len(one.poster.posts) == 1
    assert await actions(one.store, "schedule.skip") == []
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.next_due == NINE + timedelta(days=1)


async def test_run_missed_outside_the_grace_period_is_skipped_and_logged(
    one: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = await add_schedule(one)
    assert await one.scheduler.tick(NINE + timedelta(hours=1, minutes=1)) == []
    assert one.poster.posts == []
    [detail] = await actions(one.store, "schedule.skip")
    assert f"schedule {schedule.id}" in detail and "older than the 1 h grace period" in detail
    assert "missed schedule runs skipped" in caplog.text
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.next_due == NINE + timedelta(days=1)
    # The next day's run is unaffected.
    await one.scheduler.tick(NINE + timedelta(days=1))
    assert len(one.poster.posts) == 1


async def test_several_missed_runs_inside_the_grace_period_make_one_post(one: Instance) -> None:
    await add_schedule(one, "*/15 * * * *")
    [outcome] = await one.scheduler.tick(START + timedelta(minutes=50))
    assert outcome.due_at == START + timedelta(minutes=45)
    assert len(one.poster.posts) == 1
    [detail] = await actions(one.store, "schedule.skip")
    assert "2 missed runs within the grace period folded into one post" in detail


async def test_grace_period_comes_from_settings(
    tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> None:
    clock.set(START)
    store = await SqliteStore.open(tmp_path / "g.sqlite3", clock=clock)
    services = Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(grace_period=timedelta(minutes=10)),
        posters={"console": RecordingPoster()},
    )
    try:
        assert Scheduler(services, Bot(services).catalogue).policy.grace == timedelta(minutes=10)
    finally:
        await store.close()


# Restarts ---------------------------------------------------------------------------------


async def test_claim_made_but_post_never_attempted_is_posted_once_after_the_lease(
    one: Instance, tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> None:
    """Defined behaviour: a run left `claimed` never reached the platform, so it is safe to post.

    The dead owner's lease (5 min) must run out first; until then nobody touches the run.
    """
    schedule = await add_schedule(one)
    lease = one.scheduler.policy.lease
    claimed = await one.store.claim_run(schedule.id, NINE, "dead-process", NINE, NINE + lease)
    assert claimed is not None
    await one.store.advance_schedule(schedule.id, NINE, NINE + timedelta(days=1))
    await one.store.close()

    again = await start_instance(tmp_path / "bot.sqlite3", packs, clock)
    try:
        assert await again.scheduler.tick(NINE + timedelta(minutes=1)) == []
        [outcome] = await again.scheduler.tick(NINE + lease)
        assert (outcome.state, outcome.due_at) == ("posted", NINE)
        assert await again.scheduler.tick(NINE + lease + timedelta(minutes=1)) == []
        assert len(again.poster.posts) == 1
        [run] = await again.store.schedule_runs(schedule.id)
        assert run.state == "posted" and run.owner == again.scheduler.owner
    finally:
        await again.store.close()


async def test_an_unfinished_manual_run_is_not_posted_later_unasked(one: Instance) -> None:
    schedule = await add_schedule(one)
    moment = START + timedelta(minutes=2)
    await one.store.claim_run(schedule.id, moment, "dead", moment, moment, manual=True)
    [outcome] = await one.scheduler.tick(moment + timedelta(minutes=1))
    assert (outcome.state, outcome.detail) == ("skipped", "a manual run left unfinished")
    assert one.poster.posts == []


async def test_crash_while_posting_is_never_repeated_but_reported_once(
    one: Instance, tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> None:
    """Defined behaviour: a run left `posting` may have reached the channel, so it is not
    posted again; it becomes `interrupted`, is audited, and moderators are told once."""
    schedule = await add_schedule(one)
    one.poster.failures.append(Crash())
    with pytest.raises(Crash):
        await one.scheduler.tick(NINE)
    [run] = await one.store.schedule_runs(schedule.id)
    assert run.state == "posting" and run.prompt_id is not None
    await one.store.close()

    again = await start_instance(tmp_path / "bot.sqlite3", packs, clock)
    try:
        assert await again.scheduler.tick(NINE + timedelta(minutes=2)) == []  # lease still held
        [outcome] = await again.scheduler.tick(NINE + timedelta(minutes=6))
        assert outcome.state == "interrupted"
        assert again.poster.posts == []
        assert await again.scheduler.tick(NINE + timedelta(minutes=7)) == []
        [detail] = await actions(again.store, "schedule.interrupted")
        assert f"admin schedule run {schedule.id}" in detail
        reports = await again.store.take_reports("console", "local", "alice")
        assert len(reports) == 1 and "may not have appeared" in reports[0]
        assert await again.store.take_reports("console", "local", "bob") == []
        # The schedule itself carries on.
        [tomorrow] = await again.scheduler.tick(NINE + timedelta(days=1))
        assert tomorrow.state == "posted"
    finally:
        await again.store.close()


@pytest.fixture
async def pair(
    tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> AsyncIterator[tuple[Instance, Instance]]:
    """Two bot processes on one database file, each with its own connections and poster."""
    clock.set(START)
    path = tmp_path / "shared.sqlite3"
    a = await start_instance(path, packs, clock)
    b = await start_instance(path, packs, clock)
    yield a, b
    await a.store.close()
    await b.store.close()


async def test_two_schedulers_racing_post_each_run_exactly_once(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    for minute in range(0, 60, 10):
        await add_schedule(a, f"{minute} 9 * * *")
    await add_schedule(a, "*/5 9 * * *")
    for step in range(0, 61, 5):
        now = NINE + timedelta(minutes=step)
        await asyncio.gather(a.scheduler.tick(now), b.scheduler.tick(now))
    total = len(a.poster.posts) + len(b.poster.posts)
    # Six daily schedules once each, and the five-minutely one 12 times (09:00 to 09:55).
    assert total == 6 + 12
    assert a.poster.posts and b.poster.posts  # both really took part


async def test_racing_over_a_stale_claim_takes_it_over_once(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    schedule = await add_schedule(a)
    await a.store.claim_run(schedule.id, NINE, "dead", NINE, NINE + timedelta(minutes=5))
    await a.store.advance_schedule(schedule.id, NINE, NINE + timedelta(days=1))
    later = NINE + timedelta(minutes=6)
    await asyncio.gather(a.scheduler.tick(later), b.scheduler.tick(later))
    assert len(a.poster.posts) + len(b.poster.posts) == 1


# Failures ---------------------------------------------------------------------------------


async def test_retryable_failures_back_off_then_succeed(one: Instance) -> None:
    schedule = await add_schedule(one)
    one.poster.failures.extend(PostFailed("Slack is down", retryable=True) for _ in range(3))
    [first] = await one.scheduler.tick(NINE)
    assert first.state == "retry"
    # Backoff doubles: 1, 2, 4 minutes after each failure; nothing happens in between.
    assert await one.scheduler.tick(NINE + timedelta(seconds=59)) == []
    [second] = await one.scheduler.tick(NINE + timedelta(minutes=1))
    assert second.state == "retry"
    assert await one.scheduler.tick(NINE + timedelta(minutes=2)) == []
    [third] = await one.scheduler.tick(NINE + timedelta(minutes=3))
    assert third.state == "retry"
    [fourth] = await one.scheduler.tick(NINE + timedelta(minutes=7))
    assert fourth.state == "posted"
    assert len(one.poster.posts) == 1
    [run] = await one.store.schedule_runs(schedule.id)
    assert (run.state, run.attempts) == ("posted", 4)
    prompts = {run.prompt_id}
    assert len(prompts) == 1  # the retries posted the same prompt, not the next ones
    fails = await actions(one.store, "schedule.fail")
    assert len(fails) == 3 and all("Slack is down" in f for f in fails)
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.failures == 0 and not stored.paused


@pytest.mark.parametrize("retryable", [True, False])
async def test_a_schedule_that_keeps_failing_is_paused_audited_and_reported(
    one: Instance, retryable: bool
) -> None:
    """A refusal the platform calls permanent (deleted channel, missing permission) is still
    retried: nothing was posted, and a moderator may fix it in the meantime."""
    policy = one.scheduler.policy
    schedule = await add_schedule(one, "*/10 * * * *")
    one.poster.failures.extend(
        PostFailed("rate limited", retryable=retryable) for _ in range(policy.max_failures)
    )
    now = START + timedelta(minutes=10)
    for _ in range(40):
        await one.scheduler.tick(now)
        now += timedelta(minutes=1)
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.paused
    assert f"{policy.max_failures} failed attempts in a row" in stored.paused_reason
    assert one.poster.posts == []
    assert len(await actions(one.store, "schedule.fail")) == policy.max_failures
    [paused] = await actions(one.store, "schedule.pause")
    assert f"admin schedule resume {schedule.id}" in paused
    reports = await one.store.take_reports("console", "local", "mod")
    assert len(reports) == 1 and "was paused" in reports[0]
    # Paused means silent, even with the platform back.
    await one.scheduler.tick(now + timedelta(hours=1))
    assert one.poster.posts == []


async def test_a_fixed_permission_lets_the_retry_through(one: Instance) -> None:
    await add_schedule(one)
    one.poster.failures.append(PostFailed("missing_scope", retryable=False))
    [first] = await one.scheduler.tick(NINE)
    assert first.state == "retry"
    [second] = await one.scheduler.tick(NINE + timedelta(minutes=1))
    assert second.state == "posted" and len(one.poster.posts) == 1


async def test_an_unexpected_error_is_not_retried_as_the_post_may_have_gone_out(
    one: Instance, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = await add_schedule(one)
    one.poster.failures.append(RuntimeError("connection reset after sending"))
    [outcome] = await one.scheduler.tick(NINE)
    assert outcome.state == "failed"
    assert await one.scheduler.tick(NINE + timedelta(minutes=30)) == []
    assert one.poster.posts == []
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.failures == 1 and not stored.paused
    assert "posting a scheduled prompt failed" in caplog.text


async def test_retries_stop_at_the_end_of_the_grace_period(one: Instance) -> None:
    policy = Policy(grace=timedelta(minutes=2), max_failures=10)
    scheduler = Scheduler(one.services, one.bot.catalogue, policy=policy)
    schedule = await add_schedule(one)
    one.poster.failures.extend(PostFailed("down", retryable=True) for _ in range(2))
    [first] = await scheduler.tick(NINE)  # retry at +1 min
    [second] = await scheduler.tick(NINE + timedelta(minutes=1))  # +2 more: past the grace
    assert (first.state, second.state) == ("retry", "failed")
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and not stored.paused  # one lost run is not a broken schedule
    [report] = await one.store.take_reports("console", "local", "mod")
    assert f"Schedule {schedule.id} in #debates did not post the prompt due" in report
    [tomorrow] = await scheduler.tick(NINE + timedelta(days=1))
    assert tomorrow.state == "posted"
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.failures == 0


async def test_missing_pack_pauses_the_schedule(one: Instance) -> None:
    schedule = await add_schedule(one, pack="no-such-pack")
    [outcome] = await one.scheduler.tick(NINE)
    assert outcome.state == "failed"
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.paused and "no-such-pack" in stored.paused_reason


def test_backoff_doubles_and_is_capped() -> None:
    policy = Policy()
    assert [policy.delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert policy.delay(20) == policy.backoff_max


# Manual runs and the loop -----------------------------------------------------------------


async def test_run_now_posts_without_moving_the_schedule(one: Instance) -> None:
    schedule = await add_schedule(one)
    outcome = await one.scheduler.run_now(schedule, START + timedelta(minutes=3))
    assert outcome.state == "posted"
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.next_due == NINE
    [run] = await one.store.schedule_runs(schedule.id)
    assert run.manual
    one.poster.failures.append(PostFailed("down", retryable=True))
    failed = await one.scheduler.run_now(schedule, START + timedelta(minutes=4))
    assert failed.state == "failed" and "down" in failed.detail
    stored = await one.store.get_schedule(schedule.id)
    assert stored is not None and stored.failures == 0 and not stored.paused


async def test_next_wake_is_the_next_due_time_capped(one: Instance) -> None:
    policy = one.scheduler.policy
    assert await one.scheduler.next_wake(START) == START + policy.max_sleep
    await add_schedule(one, "0 8 * * *")  # due tomorrow at 08:00
    await add_schedule(one, "0 9 * * *")
    assert await one.scheduler.next_wake(NINE - timedelta(seconds=10)) == NINE


async def test_the_loop_ticks_until_stopped(one: Instance) -> None:
    await add_schedule(one, "* * * * *")  # due at 08:01, where the clock now stands
    one.services.clock.set(START + timedelta(minutes=1))  # type: ignore[attr-defined]
    stop = asyncio.Event()

    class StopAfterPost(RecordingPoster):
        async def post(self, place: Place, reply: Reply) -> str:
            stop.set()
            return await super().post(place, reply)

    poster = StopAfterPost()
    one.services.posters["console"] = poster
    await asyncio.wait_for(run_scheduler(one.bot, stop, one.scheduler), timeout=5)
    assert len(poster.posts) == 1


# Store methods that write; the process below dies right after one of them committed.
WRITES = frozenset(
    {
        "claim_run",
        "advance_schedule",
        "update_run",
        "prepare_run",
        "create_poll",
        "create_debate",
        "save_rotation",
        "audit",
        "remember_message",
        "add_report",
        "count_schedule_failure",
        "clear_schedule_failures",
        "pause_schedule",
    }
)


class DiesAfterWrite:
    """A store whose process dies (Crash) just after its n-th write committed."""

    def __init__(self, store: SqliteStore, n: int) -> None:
        self._store = store
        self._left = n

    def __getattr__(self, name: str) -> object:
        method = getattr(self._store, name)
        if name not in WRITES:
            return method

        async def write(*args: object, **kwargs: object) -> object:
            result = await method(*args, **kwargs)
            self._left -= 1
            if self._left == 0:
                raise Crash()
            return result

        return write


@pytest.mark.parametrize("attach", ["poll", "debate"])
async def test_a_crash_between_any_two_writes_leaves_one_attachment_and_one_rotation_step(
    tmp_path: Path, packs: PackRegistry, clock: FakeClock, attach: Attach
) -> None:
    lease = Policy().lease
    clock.set(START)
    for n in range(1, 20):
        path = tmp_path / f"{attach}-{n}.sqlite3"
        first = await start_instance(path, packs, clock)
        schedule = await add_schedule(first, attach=attach)
        first.services.store = DiesAfterWrite(first.store, n)  # type: ignore[assignment]
        try:
            await first.scheduler.tick(NINE)
            crashed = False
        except Crash:
            crashed = True
        await first.store.close()
        again = await start_instance(path, packs, clock)
        try:
            await again.scheduler.tick(NINE + lease)
            store = again.store
            polls = await store.polls_since("console", "local")
            debates = await store.open_debates("console", "local")
            made = len(polls) if attach == "poll" else len(debates)
            assert made == 1, f"crash after write {n}: {made} {attach}s for one run"
            [run] = await store.schedule_runs(schedule.id)
            assert run.attachment == (polls[0].ref if attach == "poll" else debates[0].ref)
            key = "north-korea-talks:oxford" if attach == "debate" else "north-korea-talks"
            rotation = await store.load_rotation("console", "local", "debates", key)
            assert rotation is not None and rotation.position == 1, f"crash after write {n}"
            posts = len(first.poster.posts) + len(again.poster.posts)
            assert posts <= 1 and (run.state == "posted") == (posts == 1), (n, run.state)
        finally:
            await again.store.close()
        if not crashed:
            return  # every write of a whole tick has been a crash point
    raise AssertionError("a tick wrote more than expected")


async def test_a_crash_right_after_marking_a_run_interrupted_still_tells_the_moderators(
    one: Instance, tmp_path: Path, packs: PackRegistry, clock: FakeClock
) -> None:
    """The run's new state, its audit line and the moderators' report are one write."""
    schedule = await add_schedule(one)
    one.poster.failures.append(Crash())
    with pytest.raises(Crash):
        await one.scheduler.tick(NINE)
    await one.store.close()
    path = tmp_path / "bot.sqlite3"
    dying = await start_instance(path, packs, clock)
    dying.services.store = DiesAfterWrite(dying.store, 1)  # type: ignore[assignment]
    with pytest.raises(Crash):
        await dying.scheduler.tick(NINE + timedelta(minutes=6))
    await dying.store.close()
    again = await start_instance(path, packs, clock)
    try:
        assert await again.scheduler.tick(NINE + timedelta(minutes=7)) == []
        [run] = await again.store.schedule_runs(schedule.id)
        assert run.state == "interrupted"
        assert len(await actions(again.store, "schedule.interrupted")) == 1
        reports = await again.store.take_reports("console", "local", "alice")
        assert len(reports) == 1 and "may not have appeared" in reports[0]
    finally:
        await again.store.close()


class OtherTicksFirst:
    """A store through which, just before this process stores its run's preparation, another
    process prepares its own run in the same channel (a race over the channel's rotation)."""

    def __init__(self, store: SqliteStore, other: Instance, moment: datetime) -> None:
        self._store = store
        self._other = other
        self._moment = moment
        self.raced = False

    def __getattr__(self, name: str) -> object:
        method = getattr(self._store, name)
        if name != "prepare_run" or self.raced:
            return method

        async def prepare_run(*args: object, **kwargs: object) -> object:
            self.raced = True
            await self._other.scheduler.tick(self._moment)
            return await method(*args, **kwargs)

        return prepare_run


async def test_two_processes_posting_in_one_channel_take_different_prompts(
    pair: tuple[Instance, Instance],
) -> None:
    a, b = pair
    # Two schedules in one channel, due at the same minute, one handled by each process.
    await add_schedule(a)
    a.services.posters = {"console": a.poster}
    await add_schedule(b, cron="0 9 * * *")
    racing = OtherTicksFirst(a.store, b, NINE)
    a.services.store = racing  # type: ignore[assignment]
    await a.scheduler.tick(NINE)
    assert racing.raced
    posted = motions(a.poster) + motions(b.poster)
    assert len(posted) == 2
    assert posted[0] != posted[1], "both processes posted the same prompt"
    rotation = await a.store.load_rotation("console", "local", "debates", "north-korea-talks")
    assert rotation is not None and rotation.position == 2
