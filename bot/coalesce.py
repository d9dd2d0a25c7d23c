"""Coalesce message redraws: at most one edit per message per interval, the latest state wins.

A burst of votes on a live card would otherwise edit its message once per vote and run into the
platform's rate limits on message edits. The first
change after a quiet spell is drawn at once; changes that arrive while an edit is recent fold
into one edit when the interval ends. A job redraws from the store when it runs, so whatever
state is current then is what shows, and a newer request simply replaces a waiting job.

Time is a dependency (`Timer`): the event loop in production, `FakeTimer` in tests, so tests
move time by hand instead of sleeping. Platform-neutral: adapters pass in what one edit does.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from bot.wording import plural

log = logging.getLogger(__name__)

Key = TypeVar("Key", bound=Hashable)
Job = Callable[[], Awaitable[None]]

SHUTDOWN_BUDGET = 5.0  # seconds `close` gives edits still running before it gives up on them
_SWEEP_MIN = 64  # below this many remembered messages, forgetting old ones is not worth a scan


class Handle(Protocol):
    """A scheduled call that can be called off."""

    def cancel(self) -> None:
        """Do not make the call (a no-op once it is made)."""
        ...


class Timer(Protocol):
    """Monotonic time and delayed calls, injectable so tests move time by hand."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        """Call `callback` once `delay` seconds have passed."""
        ...


class LoopTimer:
    """The running event loop's clock and timers: the production `Timer`."""

    def now(self) -> float:
        """The loop's monotonic time."""
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        """`loop.call_later`; even a zero delay waits for the loop's next turn."""
        return asyncio.get_running_loop().call_later(delay, callback)


@dataclass(order=True)
class _Call:
    at: float
    order: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class FakeTimer:
    """A `Timer` whose time moves only when the test says so; calls wait for `advance`.

    Even zero-delay calls wait, as on a real loop they run only after the current handler
    returns; tests see exactly what happens before and after time moves.
    """

    def __init__(self, start: float = 0.0) -> None:
        self.time = start
        self.delays: list[float] = []  # every delay asked for, so tests can check the waits
        self._calls: list[_Call] = []
        self._order = itertools.count()  # ties run in the order they were scheduled

    def now(self) -> float:
        """The hand-moved time."""
        return self.time

    def call_later(self, delay: float, callback: Callable[[], None]) -> Handle:
        """Remember `callback` until `advance` reaches `now() + delay`."""
        self.delays.append(delay)
        call = _Call(self.time + delay, next(self._order), callback)
        heapq.heappush(self._calls, call)
        return call

    @property
    def scheduled(self) -> int:
        """How many calls are still to be made."""
        return sum(not call.cancelled for call in self._calls)

    async def advance(self, seconds: float = 0.0) -> None:
        """Move time on by `seconds` and make every call now due, earliest first."""
        self.time += seconds
        while self._calls and self._calls[0].at <= self.time:
            call = heapq.heappop(self._calls)
            if not call.cancelled:
                call.callback()
        # The calls may have started tasks; a real loop would give them a turn right away.
        await asyncio.sleep(0)


@dataclass
class _Slot:
    """One message's state: at most one job waiting and at most one running."""

    job: Job | None = None  # the latest request, not started yet
    last: float | None = None  # when the latest job started: the interval counts from there
    due: float = 0.0  # when the waiting job may start (meaningful while `handle` is set)
    handle: Handle | None = None  # the timer call that will start the waiting job
    task: asyncio.Task[None] | None = None  # the job running now


class Coalescer(Generic[Key]):
    """Per-message edit throttle: each key runs its latest job at most once per `interval`.

    `request` as often as you like; jobs for one key never overlap, jobs for different keys
    run independently.
    """

    def __init__(self, interval: float, *, timer: Timer | None = None) -> None:
        self.interval = interval
        self.timer: Timer = LoopTimer() if timer is None else timer
        self._slots: dict[Key, _Slot] = {}
        self._closing = False
        self._sweep_at = _SWEEP_MIN

    def request(self, key: Key, job: Job) -> None:
        """Ask for `job` to run for `key` (a message); replaces any job still waiting for it."""
        slot = self._slots.get(key)
        if slot is None:
            self._sweep()
            slot = self._slots[key] = _Slot()
        slot.job = job
        # A waiting or running job for this key picks the new one up when its turn comes.
        if slot.handle is None and slot.task is None:
            self._schedule(key, slot)

    @property
    def waiting(self) -> int:
        """How many keys have a job that has not started yet."""
        return sum(slot.handle is not None for slot in self._slots.values())

    @property
    def remembered(self) -> int:
        """How many keys are remembered (idle ones are forgotten once their interval is over)."""
        return len(self._slots)

    async def settle(self) -> None:
        """Run every job whose time has come and wait for all running jobs to finish.

        Jobs still inside their key's interval keep waiting. A due job starts here even if its
        timer has not fired yet, so "everything due is done" holds whatever the timer.
        """
        while True:
            now = self.timer.now()
            for key, slot in list(self._slots.items()):
                if slot.handle is not None and slot.due <= now:
                    slot.handle.cancel()
                    self._start(key, slot)
            running = [slot.task for slot in self._slots.values() if slot.task is not None]
            if not running:
                return
            # A finished job may have scheduled the next one for its key; look again.
            await asyncio.wait(running)

    async def close(self, within: float = SHUTDOWN_BUDGET) -> None:
        """Run every waiting job now, without waiting out intervals, and wait for them.

        Used at shutdown so no edit is lost. Jobs still running after `within` seconds of
        wall time are cancelled and logged: shutdown must not hang on one slow edit. Requests
        after `close` run at once.
        """
        self._closing = True
        for key, slot in list(self._slots.items()):
            if slot.handle is not None:
                slot.handle.cancel()
                self._start(key, slot)
        # The budget is wall time on purpose: a fake timer must never make shutdown hang.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            running = [slot.task for slot in self._slots.values() if slot.task is not None]
            remaining = deadline - loop.time()
            if not running:
                return
            if remaining <= 0:
                break
            await asyncio.wait(running, timeout=remaining)
        log.warning("shutdown: %s did not finish in time", plural(len(running), "message edit"))
        for slot in self._slots.values():
            slot.job = None  # a cancelled job must not start its key's next one
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    def _schedule(self, key: Key, slot: _Slot) -> None:
        if self._closing:
            self._start(key, slot)
            return
        now = self.timer.now()
        slot.due = now if slot.last is None else max(now, slot.last + self.interval)
        # Even a job due now goes through the timer, so the request's own reply (an
        # interaction's answer, a vote's confirmation) is sent before the edit starts.
        slot.handle = self.timer.call_later(slot.due - now, lambda: self._fire(key))

    def _fire(self, key: Key) -> None:
        slot = self._slots.get(key)
        if slot is not None and slot.handle is not None:
            self._start(key, slot)

    def _start(self, key: Key, slot: _Slot) -> None:
        slot.handle = None
        job, slot.job = slot.job, None
        if job is None:
            return
        slot.last = self.timer.now()
        slot.task = asyncio.get_running_loop().create_task(self._run(key, slot, job))

    async def _run(self, key: Key, slot: _Slot, job: Job) -> None:
        try:
            await job()
        except Exception:
            # One failed edit (a deleted message, a refusal) must not stop later edits.
            log.exception("coalesced message edit failed")
        finally:
            slot.task = None
            if slot.job is not None:
                # Requested while this job ran: its turn counts from this job's start.
                self._schedule(key, slot)

    def _sweep(self) -> None:
        """Forget idle keys whose interval is over; amortised so `request` stays cheap."""
        if len(self._slots) < self._sweep_at:
            return
        now = self.timer.now()
        for key, slot in list(self._slots.items()):
            idle = slot.job is None and slot.handle is None and slot.task is None
            if idle and (slot.last is None or now - slot.last >= self.interval):
                del self._slots[key]
        self._sweep_at = max(_SWEEP_MIN, 2 * len(self._slots))
