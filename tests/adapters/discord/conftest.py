"""Fixtures for the Discord adapter tests: the fake Discord and a started client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from discord_harness import FakeDiscord, Harness, point_at

from bot.app import Bot


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    server = FakeDiscord()
    server.start()
    point_at(server, monkeypatch)
    yield server
    server.stop()
    # Any payload Discord would have refused is a failure, whichever test sent it.
    assert server.violations == []


@pytest.fixture
async def discord_bot(fake: FakeDiscord, bot: Bot) -> AsyncIterator[Harness]:
    harness = await Harness(fake, bot).start()
    yield harness
    await harness.close()
