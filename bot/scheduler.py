"""The scheduler: posts due prompts exactly once, driven by an injected clock.

Each due time of a schedule is claimed in the store under the unique key (schedule id, due time)
before anything is posted, so a restart or a second instance cannot post it again. A run moves
`claimed` -> `posting` -> `posted` (or `retry` / `failed`); `posting` is written before the
platform is asked, which is what makes a crash safe to reason about:

- a run left `claimed` (its owner died before asking the platform) is taken over once its
  lease expires and posted, if it is still within the grace period;
- a run left `posting` may or may not have reached the channel; it is never repeated on its own
  but marked `interrupted`, audited and reported to moderators, who can `admin schedule run` it.

Runs missed while the bot was down are posted once (the latest one) if they fell due within the
grace period and skipped, with a log line and an audit entry, if older. A platform refusal
(missing permission, deleted channel, outage) is retried with exponential backoff within the
grace period; a schedule is paused after `max_failures` consecutive failed attempts, audited,
and reported to the next moderator who runs an admin command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.catalogue import Catalogue
from bot.context import Services
from bot.errors import UserError
from bot.models import Place
from bot.ports import PostFailed
from bot.schedule.cron import next_run, runs_between
from bot.schedule.model import Run, RunState, Schedule
from bot.schedule.post import compose, prepare, schedule_context
from bot.store.base import AuditNote, Store
from bot.wording import plural

if TYPE_CHECKING:
    from bot.app import Bot

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"  # the actor named in audit entries the scheduler writes
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Policy:
    """How hard the scheduler tries; the grace period comes from Settings."""

    grace: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    max_failures: int = 5
    backoff: timedelta = timedelta(minutes=1)  # doubled after each failed attempt
    backoff_max: timedelta = timedelta(minutes=30)
    max_sleep: timedelta = timedelta(seconds=30)  # so schedules added meanwhile are noticed

    def delay(self, failures: int) -> timedelta:
        """The wait before the next attempt after `failures` consecutive failures."""
        return min(self.backoff * (1 << min(max(failures - 1, 0), 16)), self.backoff_max)


@dataclass(frozen=True)
class Outcome:
    """What happened to one run during a tick (for logs, tests and `admin schedule run`)."""

    schedule_id: int
    due_at: datetime
    state: RunState
    detail: str = ""
    message_id: str | None = None


class Scheduler:
    """Finds due runs and posts them through `services.posters`; call `tick(now)`."""

    def __init__(
        self,
        services: Services,
        catalogue: Catalogue,
        *,
        policy: Policy | None = None,
        owner: str | None = None,
    ) -> None:
        self.services = services
        self.catalogue = catalogue
        self.policy = policy or Policy(grace=services.settings.grace_period)
        self.owner = owner or f"scheduler-{uuid.uuid4().hex[:12]}"

    @property
    def store(self) -> Store:
        store = self.services.store
        if store is None:
            raise RuntimeError("the scheduler needs a store")
        return store

    @property
    def platforms(self) -> tuple[str, ...]:
        """Platforms this process can post to; other processes serve the rest."""
        return tuple(sorted(self.services.posters))

    async def tick(self, now: datetime | None = None) -> list[Outcome]:
        """Handle everything due at `now`: stale and retried runs first, then due schedules."""
        now = now or self.services.clock.now()
        platforms = self.platforms
        if not platforms:
            return []
        outcomes: list[Outcome] = []
        for run in await self.store.runs_to_resume(now, platforms):
            outcome = await self._resume(run, now)
            if outcome is not None:
                outcomes.append(self._counted(outcome))
        for schedule in await self.store.due_schedules(now, platforms):
            outcome = await self._due(schedule, now)
            if outcome is not None:
                outcomes.append(self._counted(outcome))
        return outcomes

    async def run_now(self, schedule: Schedule, now: datetime | None = None) -> Outcome:
        """Post one prompt of `schedule` now (`admin schedule run`): one attempt, no retries."""
        now = (now or self.services.clock.now()).replace(microsecond=0)
        if schedule.place.platform not in self.services.posters:
            raise UserError(
                f"Schedule {schedule.id} posts to {schedule.place.platform}, which this bot "
                "process is not connected to."
            )
        run = await self.store.claim_run(
            schedule.id, now, self.owner, now, now + self.policy.lease, manual=True
        )
        if run is None:
            raise UserError(f"Schedule {schedule.id} was just posted; try again in a second.")
        return self._counted(await self._attempt(schedule, run, now))

    def _counted(self, outcome: Outcome) -> Outcome:
        """Count an outcome this instance produced (None outcomes were another's to report)."""
        self.services.metrics.scheduled_run(outcome.state)
        return outcome

    async def next_wake(self, now: datetime) -> datetime:
        """When `tick` next has something to do, capped so new schedules are noticed."""
        latest = now + self.policy.max_sleep
        platforms = self.platforms
        if not platforms:
            return latest
        soonest = await self.store.next_schedule_event(platforms)
        return latest if soonest is None else max(now, min(soonest, latest))

    # Due schedules ----------------------------------------------------------------------------

    async def _due(self, schedule: Schedule, now: datetime) -> Outcome | None:
        cutoff = now - self.policy.grace
        try:
            following = next_run(schedule.cron, schedule.tz, now)
            # Due times in [max(next_due, cutoff), now]: runs_between excludes its start.
            start = max(schedule.next_due, cutoff) - _SECOND
            window = runs_between(schedule.cron, schedule.tz, start, now)
        except UserError as exc:  # e.g. a time zone that left the tz database
            await self._pause(schedule, now, f"its schedule cannot be computed: {exc}")
            return Outcome(schedule.id, schedule.next_due, "failed", str(exc))
        chosen = window[-1] if window else None
        run = None
        if chosen is not None:
            run = await self.store.claim_run(
                schedule.id, chosen, self.owner, now, now + self.policy.lease
            )
        # Only the process that moves the schedule on writes the line about skipped runs, in
        # the same transaction.
        skipped = self._skipped(schedule, chosen, window, cutoff)
        won = await self.store.advance_schedule(
            schedule.id, schedule.next_due, following, audit=skipped
        )
        if won and skipped is not None:
            log.warning(
                "missed schedule runs skipped",
                extra={"schedule": schedule.id, "since": schedule.next_due.isoformat()},
            )
        if run is None:
            return None
        return await self._attempt(schedule, run, now)

    def _skipped(
        self, schedule: Schedule, chosen: datetime | None, window: list[datetime], cutoff: datetime
    ) -> AuditNote | None:
        """The audit line about runs this tick will not post, if any."""
        late = schedule.next_due < cutoff
        superseded = len(window) - 1 if chosen is not None else 0
        if not late and not superseded:
            return None
        parts = []
        if late:
            parts.append(
                f"runs due from {_when(schedule.next_due)} to before {_when(cutoff)} were older "
                f"than the {_span(self.policy.grace)} grace period"
            )
        if superseded:
            missed = plural(superseded, "missed run")
            parts.append(f"{missed} within the grace period folded into one post")
        return _note("schedule.skip", f"schedule {schedule.id}: skipped: " + "; ".join(parts))

    # Resuming stale and retried runs -------------------------------------------------------------

    async def _resume(self, run: Run, now: datetime) -> Outcome | None:
        schedule = await self.store.get_schedule(run.schedule_id)
        if schedule is None:
            return None
        if run.state == "posting":
            message = (
                f"Schedule {schedule.id} in {_channel(schedule.place)}: the bot stopped while "
                f"posting the prompt due {_when(run.due_at)}, so it may not have appeared. It is "
                f"not repeated on its own; `admin schedule run {schedule.id}` posts one now."
            )
            # The new state, its audit line and the report are one write: a crash cannot
            # leave an interrupted run nobody is told about.
            taken = await self.store.update_run(
                replace(run, state="interrupted", error="the bot stopped while posting"),
                expect_state="posting",
                expect_owner=run.owner,
                audit=_note("schedule.interrupted", message, report=message),
            )
            if not taken:
                return None
            log.warning("schedule run interrupted", extra={"schedule": schedule.id})
            return Outcome(schedule.id, run.due_at, "interrupted", message)
        if now > run.due_at + self.policy.grace or schedule.paused or run.manual:
            # A moderator whose `admin schedule run` never answered can run it again; posting it
            # minutes later, unasked, would surprise them.
            why = (
                "paused"
                if schedule.paused
                else "a manual run left unfinished"
                if run.manual
                else "past the grace period"
            )
            detail = f"schedule {schedule.id}: run due {_when(run.due_at)} not posted ({why})"
            taken = await self.store.update_run(
                replace(run, state="skipped", error=why, lease_until=None),
                expect_state=run.state,
                expect_owner=run.owner,
                audit=_note("schedule.skip", detail),
            )
            if taken:
                return Outcome(schedule.id, run.due_at, "skipped", why)
            return None
        mine = replace(run, state="claimed", owner=self.owner, lease_until=now + self.policy.lease)
        if not await self.store.update_run(mine, expect_state=run.state, expect_owner=run.owner):
            return None  # another instance took it first
        return await self._attempt(schedule, mine, now)

    # One attempt ------------------------------------------------------------------------------

    async def _attempt(self, schedule: Schedule, run: Run, now: datetime) -> Outcome:
        place = schedule.place
        try:
            ctx = await schedule_context(self.services, self.catalogue, schedule)
            prepared = await prepare(ctx, schedule, run, self.owner)
            if prepared is None:
                return Outcome(schedule.id, run.due_at, "skipped", "taken over by another instance")
            reply = await compose(ctx, schedule, prepared)
        except UserError as exc:
            # Nothing can be posted until a moderator changes something (e.g. the pack is gone).
            await self.store.update_run(
                replace(run, state="failed", error=str(exc), lease_until=None),
                expect_state="claimed",
                expect_owner=self.owner,
            )
            if not run.manual:
                await self._pause(schedule, now, str(exc))
            return Outcome(schedule.id, run.due_at, "failed", str(exc))
        posting = replace(
            prepared,
            state="posting",
            attempts=run.attempts + 1,
            next_attempt_at=None,
            lease_until=now + self.policy.lease,
        )
        if not await self.store.update_run(
            posting, expect_state="claimed", expect_owner=self.owner
        ):
            return Outcome(schedule.id, run.due_at, "skipped", "taken over by another instance")

        async def posted(message_id: str) -> None:
            await self.store.update_run(
                replace(posting, state="posted", message_id=message_id, lease_until=None, error=""),
                expect_state="posting",
                expect_owner=self.owner,
            )

        try:
            message_id = await self.services.delivery.post(place, reply, on_posted=posted)
        except PostFailed as exc:
            return await self._failed(schedule, posting, now, str(exc), certain=True)
        except Exception as exc:
            # We cannot tell whether the message went out, so it is not retried.
            log.exception("posting a scheduled prompt failed", extra={"schedule": schedule.id})
            return await self._failed(schedule, posting, now, repr(exc), certain=False)
        if schedule.failures:
            await self.store.clear_schedule_failures(schedule.id)
        log.info(
            "scheduled prompt posted",
            extra={"schedule": schedule.id, "prompt": posting.prompt_id, "message_id": message_id},
        )
        return Outcome(schedule.id, run.due_at, "posted", posting.prompt_id or "", message_id)

    async def _failed(
        self, schedule: Schedule, run: Run, now: datetime, error: str, *, certain: bool
    ) -> Outcome:
        """Record a failed attempt; retry later if nothing can have been posted (`certain`).

        A platform refusal (PostFailed) means nothing went out, whatever its cause: a missing
        permission may be fixed and an outage may end, so it is retried like any other. An
        unexpected error may have struck after the message left, so that run is not retried.
        """
        # A moderator's `admin schedule run` sees its own failure; it does not count towards
        # pausing the schedule.
        failures = (
            schedule.failures
            if run.manual
            else await self.store.count_schedule_failure(schedule.id)
        )
        log.warning(
            "scheduled post failed",
            extra={"schedule": schedule.id, "failures": failures, "error": error},
        )
        retry_at = now + self.policy.delay(failures)
        worn_out = not run.manual and failures >= self.policy.max_failures
        give_up = run.manual or not certain or worn_out or retry_at > run.due_at + self.policy.grace
        final = (
            replace(run, state="failed", error=error, lease_until=None)
            if give_up
            else replace(
                run, state="retry", error=error, lease_until=None, next_attempt_at=retry_at
            )
        )
        report = (
            f"Schedule {schedule.id} in {_channel(schedule.place)} did not post the prompt "
            f"due {_when(run.due_at)}: {error}. It tries again at its next time."
            if give_up and not run.manual and not worn_out
            else None
        )
        detail = (
            f"schedule {schedule.id}: attempt {run.attempts} for {_when(run.due_at)} failed "
            f"({error}); " + ("given up" if give_up else f"retrying at {_when(retry_at)}")
        )
        await self.store.update_run(
            final,
            expect_state="posting",
            expect_owner=self.owner,
            audit=_note("schedule.fail", detail, report=report),
        )
        if worn_out:
            await self._pause(schedule, now, f"{failures} failed attempts in a row (last: {error})")
        return Outcome(schedule.id, run.due_at, final.state, error)

    async def _pause(self, schedule: Schedule, now: datetime, reason: str) -> None:
        message = (
            f"Schedule {schedule.id} in {_channel(schedule.place)} was paused: {reason}. Fix the "
            f"cause, then `admin schedule resume {schedule.id}`."
        )
        note = _note("schedule.pause", message, report=message)
        if not await self.store.pause_schedule(schedule.id, reason, audit=note):
            return
        log.warning("schedule paused", extra={"schedule": schedule.id, "reason": reason})


async def run_scheduler(bot: Bot, stop: asyncio.Event, scheduler: Scheduler | None = None) -> None:
    """Tick until `stop` is set, sleeping until the next due time (at most `Policy.max_sleep`).

    This is the production loop `oped-bot run` starts once per process; tests drive
    `Scheduler.tick` with a FakeClock instead.
    """
    if bot.services.store is None:
        log.info("no store: the scheduler is not running")
        return
    scheduler = scheduler or Scheduler(bot.services, bot.catalogue)
    clock = bot.services.clock
    while not stop.is_set():
        try:
            await scheduler.tick(clock.now())
            wake = await scheduler.next_wake(clock.now())
        except Exception:
            log.exception("scheduler tick failed; trying again shortly")
            wake = clock.now() + scheduler.policy.max_sleep
        delay = max((wake - clock.now()).total_seconds(), 0.05)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)


def _note(action: str, detail: str, *, report: str | None = None) -> AuditNote:
    """The scheduler's audit line (and report), written with the change it describes."""
    return AuditNote(SCHEDULER, SCHEDULER, action, detail, report)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def _channel(place: Place) -> str:
    return f"#{place.channel}"
