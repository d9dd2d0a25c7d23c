"""Answers from Slack's Web API kept for a while, each looked up once however many ask meanwhile.

Rights (`users.info`), a person's channels (`users.conversations`), user groups and channel
members are asked in bursts: the first votes on a new poll, one person's quick clicks. One call
per burst keeps the bot inside Slack's rate limits for these methods.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from functools import partial
from typing import Generic, TypeVar

from bot.clock import Clock

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# A look-up gives its answer and how long to trust it (a failure may be trusted for less).
LookUp = Callable[[], Awaitable[tuple[V, timedelta]]]


class Remembered(Generic[K, V]):
    """Answers by key, each trusted for the time its look-up gave; single-flight per key.

    A look-up that raises is not remembered: its waiters all get the error, and the next ask
    looks up again.
    """

    def __init__(self, clock: Clock, max_entries: int = 10_000) -> None:
        self.clock = clock
        self.max_entries = max_entries
        self._answers: dict[K, tuple[V, datetime]] = {}
        self._pending: dict[K, asyncio.Future[V]] = {}

    async def get(self, key: K, look_up: LookUp[V]) -> V:
        """The answer for `key`: remembered while fresh, else from one shared `look_up`."""
        kept = self._answers.get(key)
        if kept is not None and kept[1] > self.clock.now():
            return kept[0]
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fresh(key, look_up))
            self._pending[key] = pending
            pending.add_done_callback(partial(self._settled, key))
        # A waiter that is cancelled (its request dropped) must not cancel the others' lookup.
        return await asyncio.shield(pending)

    async def _fresh(self, key: K, look_up: LookUp[V]) -> V:
        value, ttl = await look_up()
        now = self.clock.now()
        if len(self._answers) >= self.max_entries:
            # Forget expired answers so a large workspace does not grow this forever.
            self._answers = {k: v for k, v in self._answers.items() if v[1] > now}
        self._answers[key] = (value, now + ttl)
        return value

    def _settled(self, key: K, done: asyncio.Future[V]) -> None:
        if self._pending.get(key) is done:
            del self._pending[key]
        if not done.cancelled():
            done.exception()  # an error reaches its waiters; it is not also "never retrieved"
