"""Coalesce message redraws: a burst of votes becomes at most one `chat.update` per interval.

Each request replaces the pending job for its key (a message), so the latest state wins and a
job reads fresh state when it runs. Time and sleeping are injected so tests need no sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Coalescer:
    """Runs the latest job per key, at most once per `interval` seconds per key."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._now = now
        self._sleep = sleep
        self._pending: dict[Hashable, Job] = {}
        self._last_run: dict[Hashable, float] = {}
        self._flushers: dict[Hashable, asyncio.Task[None]] = {}
        self._waiting: set[Hashable] = set()
        self._changed: asyncio.Event = asyncio.Event()
        self._closing = False

    def request(self, key: Hashable, job: Job) -> None:
        """Ask for `job` to run for `key`; replaces any job still waiting for that key."""
        self._pending[key] = job
        if key not in self._flushers:
            self._flushers[key] = asyncio.create_task(self._flush(key))

    async def _flush(self, key: Hashable) -> None:
        try:
            while key in self._pending:
                last = self._last_run.get(key)
                wait = 0.0 if last is None or self._closing else last + self.interval - self._now()
                if wait > 0:
                    self._waiting.add(key)
                    self._signal()
                    try:
                        await self._sleep(wait)
                    finally:
                        self._waiting.discard(key)
                job = self._pending.pop(key)
                self._last_run[key] = self._now()
                try:
                    await job()
                except Exception:
                    log.exception("message redraw failed")
        finally:
            self._flushers.pop(key, None)
            self._signal()

    def _signal(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def settle(self) -> None:
        """Wait until every job that may run now has run; jobs waiting for their turn stay."""
        while True:
            busy = [task for key, task in self._flushers.items() if key not in self._waiting]
            if not busy:
                return
            changed = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait([*busy, changed], return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()

    async def close(self) -> None:
        """Run every waiting job now, once, and stop waiting between jobs."""
        self._closing = True
        for key, task in list(self._flushers.items()):
            if key in self._waiting:
                task.cancel()  # its job stays pending and runs below
        await asyncio.gather(*self._flushers.values(), return_exceptions=True)
        pending, self._pending = self._pending, {}
        for job in pending.values():
            try:
                await job()
            except Exception:
                log.exception("message redraw failed")

    @property
    def waiting(self) -> int:
        """How many keys have a job waiting for its interval to pass."""
        return len(self._waiting)
