"""Coalesce message edits: at most one edit per message per interval, the latest state wins.

A burst of votes on a live poll would otherwise edit the poll message once per vote and run
into Discord's per-channel rate limits. The first change after a quiet spell is drawn at once;
changes that arrive while an edit is recent are folded into one edit when the interval ends.
Edits redraw from the store when they run, so whatever state is current then is what shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger(__name__)

Key = TypeVar("Key", bound=Hashable)
Job = Callable[[], Coroutine[Any, Any, None]]


class Scheduler(Protocol):
    """Time and delayed calls, injectable so tests move time by hand."""

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def call_later(self, delay: float, job: Job) -> None:
        """Run `job` after `delay` seconds."""
        ...


class LoopScheduler:
    """The event loop's clock and timers; keeps the tasks it starts until they finish."""

    def __init__(self) -> None:
        self._handles: set[asyncio.TimerHandle] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._jobs: dict[asyncio.TimerHandle, Job] = {}

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    def call_later(self, delay: float, job: Job) -> None:
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._handles.discard(handle)
            self._jobs.pop(handle, None)
            self._start(job)

        handle = loop.call_later(delay, fire)
        self._handles.add(handle)
        self._jobs[handle] = job

    def _start(self, job: Job) -> None:
        task = asyncio.get_running_loop().create_task(job())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self, within: float = 5.0) -> None:
        """Run every waiting job now and wait for all (used at shutdown so no edit is lost)."""
        for handle in list(self._handles):
            handle.cancel()
            job = self._jobs.pop(handle, None)
            if job is not None:
                self._start(job)
        self._handles.clear()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within)


@dataclass
class _Slot:
    last: float | None = None
    scheduled: bool = False
    jobs: dict[str, Job] = field(default_factory=dict)


class Coalescer(Generic[Key]):
    """Per-key edit throttle: `request` as often as you like; edits run at most every `interval`."""

    def __init__(self, scheduler: Scheduler, interval: float = 1.5) -> None:
        self.scheduler = scheduler
        self.interval = interval
        self._slots: dict[Key, _Slot] = {}

    def request(self, key: Key, name: str, job: Job) -> None:
        """Ask for `job` to run for `key`; a later request with the same `name` replaces it."""
        slot = self._slots.setdefault(key, _Slot())
        slot.jobs[name] = job
        if slot.scheduled:
            return
        slot.scheduled = True
        now = self.scheduler.now()
        delay = 0.0 if slot.last is None else max(0.0, slot.last + self.interval - now)
        self.scheduler.call_later(delay, lambda: self._run(key))
        self._prune(now)

    async def _run(self, key: Key) -> None:
        slot = self._slots[key]
        jobs, slot.jobs = slot.jobs, {}
        slot.scheduled = False
        slot.last = self.scheduler.now()
        for job in jobs.values():
            try:
                await job()
            except Exception:
                log.exception("coalesced edit failed")

    def _prune(self, now: float) -> None:
        if len(self._slots) < 1000:
            return
        for key, slot in list(self._slots.items()):
            if not slot.scheduled and (slot.last is None or now - slot.last > self.interval):
                del self._slots[key]
