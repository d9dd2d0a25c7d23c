"""Community poll features through the console: who voted, open options, edits, reminders."""

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


async def test_voters_lists_who_picked_what_to_whoever_sees_results(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Lunch?" "Pizza" "Soup" "Salad"')
    await chat.as_user("bo", "poll vote 1 1")
    await chat.as_user("cy", "poll vote 1 2")
    await chat.as_user("di", "poll vote 1 1")
    listing = await chat.as_user("ed", "poll voters 1")
    assert "only you can see this" in listing
    assert "1. Pizza (2): bo, di" in listing
    assert "2. Soup (1): cy" in listing
    assert "3. Salad (0): nobody" in listing
    await chat.say(":channel random")
    assert "No poll `#1`" in await chat.say("poll voters 1")


async def test_voters_follow_the_results_rule_and_refuse_anonymous_polls(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "Up" "Down" --results closed')
    await chat.as_user("bo", "poll vote 1 1")
    hidden = await chat.as_user("cy", "poll voters 1")
    assert "bo" not in hidden and "hides its results until it closes" in hidden
    await chat.as_user("ana", "poll close 1")
    assert "1. Up (1): bo" in await chat.as_user("cy", "poll voters 1")

    await chat.as_user("ana", 'poll create "Q?" "Up" "Down" --results mods')
    await chat.as_user("bo", "poll vote 2 2")
    assert "bo" not in await chat.as_user("cy", "poll voters 2")
    assert "2. Down (1): bo" in await chat.as_user("mo", "poll voters 2", moderator=True)

    await chat.as_user("ana", 'poll create "Secret?" "Up" "Down" --anonymous')
    await chat.as_user("bo", "poll vote 3 1")
    refused = await chat.as_user("mo", "poll voters 3", moderator=True)
    assert "anonymous" in refused and "bo" not in refused


async def test_members_add_options_to_an_open_poll(chat: Chat, bot: Bot) -> None:
    await chat.as_user("ana", 'poll create "Where to meet?" "Cafe" "Library" --open')
    added = await chat.as_user("bo", 'poll add 1 "Town hall"')
    assert "Added option 3. Town hall to poll #1" in added
    assert "only you can see this" in added
    assert "3. Town hall" in added  # the tracked card, redrawn after the reply
    assert "already has `town HALL` as option 3" in await chat.say('poll add 1 "town HALL"')
    voted = await chat.as_user("cy", "poll vote 1 3")
    assert "Your vote in poll #1: 3. Town hall" in voted
    for n in range(4, 21):
        await chat.say(f'poll add 1 "Place {n}"')
    assert "already has 20 options" in await chat.say('poll add 1 "One more"')
    store = bot.services.store
    assert store is not None
    log = await store.audit_log("console", "local")
    assert [e.detail for e in log if e.action == "poll add"][-1] == "#1 Where to meet?: Town hall"

    await chat.as_user("ana", 'poll create "Closed list?" "A" "B"')
    assert "takes only its creator's options" in await chat.as_user("bo", 'poll add 2 "C"')
    await chat.as_user("ana", "poll close 1")
    assert "is closed; it no longer takes options" in await chat.say('poll add 1 "Late"')
