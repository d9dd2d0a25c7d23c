"""Group commit for any driver: units queued while a batch runs go together in the next one."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from bot.store.work import MakeWork, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

# (unit, whether it runs in its own savepoint)
Job = tuple[MakeWork[Any], bool]
# (succeeded, its value or its exception)
Outcome = tuple[bool, Any]

RunBatch = Callable[[Sequence[Job]], Awaitable[list[Outcome]]]


class Batcher:
    """Runs queued units in batches, one `run` call per batch (for a writer: one transaction).

    Whatever queued while the last batch ran goes next. Each caller resumes with its own result
    or exception once its whole batch is done, which for writes means after the commit.
    """

    def __init__(self, run: RunBatch, max_batch: int, name: str) -> None:
        self._run_batch = run
        self._max_batch = max_batch
        self._name = name
        self._pending: deque[tuple[MakeWork[Any], bool, asyncio.Future[Any]]] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self.batches = 0
        self.ops = 0
        self._task = asyncio.create_task(self._run(), name=f"store-{name}")

    async def submit(self, make: MakeWork[T], flag: bool) -> T:
        """Queue a unit and wait for its outcome (for writes: its commit)."""
        if self._closing or self._task.done():
            raise StoreError("the store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((make, flag, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                size = min(len(self._pending), self._max_batch)
                batch = [self._pending.popleft() for _ in range(size)]
                jobs = [(make, flag) for make, flag, _ in batch]
                try:
                    outcomes = await self._run_batch(jobs)
                except Exception as exc:
                    # The transaction itself failed (for writes: the commit), so nobody in
                    # this batch is acknowledged.
                    log.exception("store %s batch of %d failed", self._name, size)
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                self.ops += size
                for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue  # the caller gave up; a write is committed regardless
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
            if self._closing:
                return

    async def close(self) -> None:
        """Finish what is queued, then stop."""
        self._closing = True
        self._wake.set()
        await self._task
