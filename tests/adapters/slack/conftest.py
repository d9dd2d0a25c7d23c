from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import Bot
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
    slack = SlackRig(bot, fake)
    await slack.start()
    yield slack
    await slack.close()
