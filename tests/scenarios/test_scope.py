"""Polls and debates stay in their channel: from another one, an id is as unknown as a made-up one.

Ids are sequential, so anyone could type `poll results 4` anywhere; a poll in a private channel
must reveal nothing there, and take no vote, close, export or audit line from there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.deadlines import close_due
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import RecordingPoster, store_bot
from tests.store.tables import all_rows

QUESTION = "Should the U.S. accept a nuclear North Korea?"
CREATE = f'poll create "{QUESTION}" "Yes" "No" "Unsure"'

# Everything a member or moderator could try on poll #1 and debate #1 by id; `{id}` is the id.
MEMBER_LINES = ("poll results {id}", "poll vote {id} 1", "poll close {id}", "debate vote {id} for")
MODERATOR_LINES = (
    "poll results {id}",
    "poll vote {id} 2",
    "poll close {id}",
    "poll export {id}",
    "debate vote {id} against",
    "debate advance {id}",
    "debate close {id}",
    "admin poll close {id}",
    "admin poll delete {id}",
    "admin debate advance {id}",
    "admin debate close {id}",
)


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


async def open_both(chat: Chat) -> None:
    """Poll #1 by ana and debate #1 by mo, with one vote each, in #general."""
    assert "== Poll #1 ==" in await chat.as_user("ana", CREATE)
    assert "Debate #1" in await chat.as_user("mo", "debate start P1", moderator=True)
    assert "Your vote in poll #1" in await chat.as_user("bo", "poll vote 1 1")
    assert "Your opening vote on debate #1" in await chat.say("debate vote 1 for")


async def test_from_another_channel_an_id_is_not_found_and_nothing_is_written(
    chat: Chat, tmp_path: Path
) -> None:
    await open_both(chat)
    before = all_rows(tmp_path / "bot.sqlite3")
    await chat.say(":channel random")
    for line in MEMBER_LINES:
        # ana made the poll: being its creator does not reach it from elsewhere either
        shown = await chat.as_user("ana", line.format(id=1))
        missing = await chat.as_user("ana", line.format(id=2))
        assert shown == missing.replace("#2", "#1"), line
        assert "No poll `#1`" in shown or "No debate `#1`" in shown, line
        assert QUESTION not in shown and "North Korea" not in shown, line
    for line in MODERATOR_LINES:
        shown = await chat.as_user("mo", line.format(id=1), moderator=True)
        missing = await chat.as_user("mo", line.format(id=2), moderator=True)
        assert shown == missing.replace("#2", "#1"), line
        assert "No poll `#1`" in shown or "No debate `#1`" in shown, line
    assert "No open polls in #random" in await chat.say("poll list")
    assert "No open debates in #random" in await chat.say("debate list")
    assert all_rows(tmp_path / "bot.sqlite3") == before


async def test_suggestions_list_only_this_channels_polls_and_debates(bot: Bot) -> None:
    general = Place("console", "local", "general")
    random = Place("console", "local", "random")
    mod = User("mo", "Mo", is_moderator=True)
    await bot.handle_text(CREATE, general, mod)
    await bot.handle_text("debate start P1", general, mod)
    assert await bot.complete("polls", random, mod, "") == []
    assert await bot.complete("debates", random, mod, "") == []
    assert [c.value for c in await bot.complete("polls", general, mod, "")] == ["1"]
    assert [c.value for c in await bot.complete("debates", general, mod, "")] == ["1"]


async def test_in_its_own_channel_everything_still_works(chat: Chat, bot: Bot) -> None:
    await open_both(chat)
    await chat.say(":channel random")
    await chat.as_user("cy", "poll vote 1 2")  # refused: not counted below
    await chat.say(":channel general")
    assert "Your vote in poll #1: 2. No" in await chat.as_user("cy", "poll vote 1 2")
    results = await chat.say("poll results 1")
    assert QUESTION in results and "2 voters" in results
    assert "exported as CSV" in await chat.as_user("mo", "poll export 1", moderator=True)
    assert "has closed" in await chat.as_user("ana", "poll close 1")
    assert "closing vote" in await chat.as_user("mo", "debate advance 1", moderator=True)
    assert "Your closing vote on debate #1" in await chat.as_user("cy", "debate vote 1 against")
    closed = await chat.as_user("mo", "debate close 1", moderator=True)
    assert "Debate #1 results" in closed
    store = bot.services.store
    assert store is not None
    assert [e.action for e in await store.audit_log("console", "local")] == [
        "debate close",
        "debate advance",
        "poll close",
        "poll export",
        "debate start",
    ]


async def test_workspace_wide_moderator_views_stay_workspace_wide(chat: Chat) -> None:
    await open_both(chat)
    await chat.say(":channel random")
    exported = await chat.as_user("mo", "admin export polls", moderator=True)
    assert "1 poll," in exported
    audit = await chat.say("admin audit")
    assert "debate start" in audit


async def test_a_card_is_redrawn_only_for_a_message_in_its_own_channel(bot: Bot) -> None:
    # Before this rule, `debate advance 1` typed elsewhere posted and tracked the card there;
    # such a message must not keep receiving the live counts.
    general = Place("console", "local", "general")
    random = Place("console", "local", "random")
    mod = User("mo", "Mo", is_moderator=True)
    await bot.handle_text(CREATE, general, mod)
    await bot.handle_text("debate start P1", general, mod)
    for ref in ("poll:1", "debate:1"):
        assert await bot.redraw(ref, random, mod) is None, ref
        drawn = await bot.redraw(ref, general, mod)
        assert drawn is not None and "#1" in (drawn.cards[0].title or ""), ref
        in_thread = await bot.redraw(ref, Place("console", "local", "general", "t1"), mod)
        assert in_thread == drawn, ref


async def test_a_deadline_redraws_only_the_messages_in_the_polls_channel(
    bot: Bot, clock: FakeClock
) -> None:
    general = Place("console", "local", "general")
    poster = RecordingPoster()
    bot.services.posters["console"] = poster
    await bot.handle_text(f"{CREATE} --closes 1h", general, User("ana", "Ana"))
    await bot.remember_message("poll:1", general, "card")
    await bot.remember_message("poll:1", Place("console", "local", "random"), "stray")
    clock.advance(timedelta(hours=1))
    assert len(await close_due(bot.services, clock.now())) == 1
    assert [(place, message_id) for place, message_id, _ in poster.updates] == [(general, "card")]
