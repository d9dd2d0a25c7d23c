"""Community poll features through the console: who voted, open options, edits, reminders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.actions import command_line
from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.deadlines import remind_due
from bot.models import Place
from tests.scenarios.chat import Chat
from tests.store.fixtures import RecordingPoster, store_bot


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


async def test_the_creator_edits_a_poll_until_its_first_vote(chat: Chat, bot: Bot) -> None:
    await chat.as_user("ana", 'poll create "Lunch?" "Pizza" "Soup"')
    assert "Only the poll's creator (ana) or a moderator" in await chat.as_user(
        "bo", 'poll edit 1 --question "Dinner?"'
    )
    edited = await chat.as_user("ana", 'poll edit 1 --question "Dinner?" "Pasta" "Curry" "Tacos"')
    assert "Poll #1 now reads" in edited
    assert "Dinner?" in edited and "3. Tacos" in edited  # the card, redrawn
    assert "Options 1 and 2 are the same" in await chat.say('poll edit 1 "Pasta" "pasta"')
    assert "Give a new --question" in await chat.say("poll edit 1")
    await chat.as_user("bo", "poll vote 1 3")
    refused = await chat.as_user("ana", 'poll edit 1 --question "Breakfast?"')
    assert "has votes" in refused and "--closes" in refused
    deadline = await chat.say("poll edit 1 --closes 2h")
    assert "closes Mon 05 Jan 2026 14:00 UTC" in deadline
    assert "closes Mon 05 Jan 2026 15:00 UTC" in await chat.as_user(
        "mo", "poll edit 1 --closes 3h", moderator=True
    )
    store = bot.services.store
    assert store is not None
    actions = [(e.action, e.actor_id) for e in await store.audit_log("console", "local")]
    assert actions == [("poll edit", "mo"), ("poll edit", "ana"), ("poll edit", "ana")]


async def test_a_closed_poll_is_reopened_with_a_new_deadline(chat: Chat, clock: FakeClock) -> None:
    await chat.as_user("ana", 'poll create "Lunch?" "Pizza" "Soup" --closes 1h')
    assert "is still open" in await chat.say("poll reopen 1")
    clock.advance(timedelta(hours=2))  # past the deadline, closed whether swept or not
    assert "is closed" in await chat.as_user("bo", "poll vote 1 1")
    assert "Only the poll's creator" in await chat.say("poll reopen 1")
    assert "poll reopen 1" in await chat.as_user("ana", "poll edit 1 --closes 1h")
    reopened = await chat.say("poll reopen 1 --closes 30m")
    assert "Poll #1 is open again" in reopened and "in 30m" in reopened
    assert "Your vote in poll #1" in await chat.as_user("bo", "poll vote 1 1")
    await chat.as_user("ana", "poll close 1")
    assert "Open, no deadline" in await chat.say("poll reopen 1")


async def test_a_reminder_is_posted_once_before_the_deadline_across_restarts(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    place = Place("console", "local", "general")
    for attempt in range(3):
        async with store_bot(packs, clock, tmp_path / "reminders") as bot:
            poster = RecordingPoster()
            bot.services.posters["console"] = poster
            if attempt == 0:
                chat = Chat(bot)
                line = 'poll create "Lunch?" "Pizza" "Soup" --closes 2h --remind 30m'
                assert "Poll #1" in await chat.as_user("ana", line)
                await chat.as_user("bo", "poll vote 1 1")
                await chat.as_user("cy", "poll vote 1 2")
                clock.advance(timedelta(hours=1))
                assert await remind_due(bot.services, clock.now()) == []
                clock.advance(timedelta(minutes=30))
                (reminded,) = await remind_due(bot.services, clock.now())
                assert reminded.id == 1
                ((where, reply),) = poster.posts
                card = reply.cards[0]
                assert where == place and not reply.ephemeral
                assert "Poll #1 closes in 30m" in (card.title or "")
                assert "Lunch?" in card.body and "2 voters so far" in card.body
                assert "poll vote 1 1" in [command_line(b.action) for b in card.buttons]
            assert await remind_due(bot.services, clock.now()) == []
            assert poster.posts == [] or attempt == 0


async def test_remind_needs_a_deadline_it_comes_before(chat: Chat) -> None:
    assert "needs a deadline: add --closes" in await chat.say(
        'poll create "Q?" "a" "b" --remind 1h'
    )
    too_late = await chat.say('poll create "Q?" "a" "b" --closes 30m --remind 1h')
    assert "--remind 1h" in too_late and "before its deadline" in too_late
    assert "not a duration" in await chat.say('poll create "Q?" "a" "b" --closes 2h --remind soon')


async def test_an_option_starting_with_an_emoji_leads_its_button(chat: Chat) -> None:
    card = await chat.as_user("ana", 'poll create "Lunch?" "🍕 Pizza" "Soup"')
    assert "[1] 🍕 1. Pizza    (type: poll vote 1 1)" in card
    assert "1. 🍕 Pizza" in card  # the option itself keeps its emoji
