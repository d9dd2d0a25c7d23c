"""Fixtures for the Discord adapter tests: the fake Discord, a bot on SQLite, a started client."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.client import DiscordAdapter, OpedClient
from bot.app import Bot
from bot.catalogue import Catalogue
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.store.sqlite import SqliteStore
from tests.adapters.discord.discord_harness import FakeDiscord, Harness, point_at

StartBot = Callable[..., Awaitable[Harness]]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    server = FakeDiscord()
    server.start()
    point_at(server, monkeypatch)
    yield server
    server.stop()
    # Any payload Discord would have refused fails the test that sent it.
    assert server.violations == []


@pytest.fixture
async def start_bot(
    fake: FakeDiscord, packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[StartBot]:
    """Start a client on a bot whose store is `tmp_path/bot.sqlite3`; call again to "restart"."""
    async with AsyncExitStack() as stack:

        async def start(
            settings: Settings | None = None, catalogue: Catalogue | None = None, **options: Any
        ) -> Harness:
            path = tmp_path / "bot.sqlite3"
            store = await SqliteStore.open(path, clock=clock, secret="test")
            stack.push_async_callback(store.close)
            services = Services(
                packs=packs,
                store=store,
                clock=clock,
                settings=settings or Settings(db_path=path),
                rng=random.Random(7),
            )
            harness = await Harness(fake, Bot(services, catalogue), **options).start()
            stack.push_async_callback(harness.close)
            return harness

        yield start


@pytest.fixture
async def discord_bot(start_bot: StartBot) -> Harness:
    return await start_bot()


@pytest.fixture
def bare(packs: PackRegistry) -> OpedClient:
    """A client that is never started: for checks of the derived command tree."""
    adapter = DiscordAdapter(Bot(Services(packs=packs)))
    return OpedClient(adapter, intents=discord.Intents.none())
