"""What a new user trips over, walked through the console on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


# Console meta-commands --------------------------------------------------------------------


async def test_whoami_reports_rights_granted_in_the_bot(chat: Chat) -> None:
    await chat.as_user("mona", "admin moderators add bob", moderator=True)
    became = await chat.say(":user bob")
    assert "bob" in became and "not a moderator" not in became
    assert "moderator" in became
    assert await chat.say(":whoami") == (
        "bob (moderator: granted in the bot with `admin moderators add`) in #general."
    )
    assert chat.session.prompt == "bob*@#general> "
    # Taking console admin rights away does not take away what the bot granted.
    off = await chat.say(":mod off")
    assert off == (
        "Moderator rights off for bob. bob is still a moderator, "
        "granted in the bot with `admin moderators add`."
    )
    assert "Audit log" in await chat.say("admin audit")


async def test_whoami_follows_what_commands_see(chat: Chat) -> None:
    assert await chat.say(":user max") == "You are now max (member)."
    assert await chat.say(":whoami") == "max (member) in #general."
    assert chat.session.prompt == "max@#general> "
    await chat.as_user("mona", "admin moderators add max", moderator=True)
    await chat.say(":user max")
    assert "(moderator" in await chat.say(":whoami")
    await chat.as_user("mona", "admin moderators remove max", moderator=True)
    await chat.say(":user max")
    assert await chat.say(":whoami") == "max (member) in #general."
    assert "is for moderators" in await chat.say("admin audit")
