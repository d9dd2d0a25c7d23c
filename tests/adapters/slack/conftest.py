from __future__ import annotations

from collections.abc import AsyncIterator
from random import Random

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.slackfake import FakeSlack, SlackRig


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.close()
    # Every message any test made the adapter send stayed within Block Kit and pinged no one.
    assert server.problems == []


@pytest.fixture
async def rig(bot: Bot, fake: FakeSlack) -> AsyncIterator[SlackRig]:
    async with SlackRig(bot, fake) as slack:
        yield slack


@pytest.fixture
async def store_bot(
    packs: PackRegistry, clock: FakeClock, settings: Settings
) -> AsyncIterator[Bot]:
    """A bot on a real SQLite database in tmp_path, for polls and debates."""
    store = await SqliteStore.open(settings.db_path, clock=clock)
    yield Bot(Services(packs=packs, store=store, clock=clock, settings=settings, rng=Random(7)))
    await store.close()


@pytest.fixture
async def poll_rig(store_bot: Bot, fake: FakeSlack) -> AsyncIterator[SlackRig]:
    async with SlackRig(store_bot, fake) as slack:
        yield slack
