from __future__ import annotations

import pytest

from bot.app import Bot
from tests.scenarios.chat import Chat


@pytest.fixture
def chat(bot: Bot) -> Chat:
    return Chat(bot)


@pytest.fixture
def bot_commands(bot: Bot) -> list[str]:
    return bot.catalogue.names()
