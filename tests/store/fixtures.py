"""A bot wired to a real SQLite store in a temporary folder, for feature and scenario tests."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.models import Place
from bot.replies import Reply
from bot.store.sqlite import SqliteStore


@asynccontextmanager
async def store_bot(packs: PackRegistry, clock: FakeClock, folder: Path) -> AsyncIterator[Bot]:
    """A Bot whose store is a fresh SQLite file under `folder`, closed on exit."""
    path = folder / "bot.sqlite3"
    store = await SqliteStore.open(path, clock=clock)
    services = Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(db_path=path),
        rng=random.Random(7),
    )
    try:
        yield Bot(services)
    finally:
        await store.close()


class RecordingPoster:
    """A Poster that keeps what it was asked to post and edit, numbering messages m1, m2..."""

    def __init__(self) -> None:
        self.posts: list[tuple[Place, Reply]] = []
        self.updates: list[tuple[Place, str, Reply]] = []
        self.threads: list[tuple[Place, str, str]] = []

    async def post(self, place: Place, reply: Reply) -> str:
        self.posts.append((place, reply))
        return f"m{len(self.posts)}"

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        self.updates.append((place, message_id, reply))

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        self.threads.append((place, message_id, name))
