"""Oxford-style debates end to end through the console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


async def test_a_whole_debate(chat: Chat, packs: PackRegistry) -> None:
    motion = packs.default.prompt("P3")
    assert motion is not None
    started = await chat.as_user("mo", "debate start P3", moderator=True)
    assert "== Debate #1 (Oxford style) ==" in started and motion.motion in started
    assert "[1] For    (type: debate vote 1 for)" in started
    assert f"(a discussion thread opens: {motion.motion[:99]}" in started
    for name, side in [("a", "against"), ("b", "against"), ("c", "undecided"), ("d", "for")]:
        out = await chat.as_user(name, f"debate vote 1 {side}")
        assert "Your opening vote on debate #1" in out and "only you can see this" in out
    changed = await chat.as_user("a", "debate vote 1 undecided")
    assert "You changed your opening vote on debate #1 from Against to Undecided." in changed
    assert "`debate advance` is for moderators" in await chat.as_user("a", "debate advance 1")
    advanced = await chat.as_user("mo", "debate advance 1", moderator=True)
    assert "Closing vote" in advanced and "4 opening votes, 0 closing votes" in advanced
    for name, side in [("a", "for"), ("b", "for"), ("c", "for"), ("e", "against")]:
        out = await chat.as_user(name, f"debate vote 1 {side}")
        assert "Your closing vote on debate #1" in out
    result = await chat.as_user("mo", "debate close 1", moderator=True)
    assert "== Debate #1 results ==" in result
    assert "Opening vote (4 voters): For 25.0% (1) · Against 25.0% (1) · Undecided 50.0% (2)" in (
        result
    )
    assert "Closing vote (4 voters): For 75.0% (3) · Against 25.0% (1) · Undecided 0.0% (0)" in (
        result
    )
    assert "Swing: For +50.0 pts · Against ±0.0 pts · Undecided −50.0 pts" in result
    assert "Winner: For, gaining +50.0 pts" in result
    assert "Changed their minds (3 of 3): Undecided → For: 2" in result
    assert "Against → For: 1" in result
    assert "here 1 voted only before, 1 only after" in result
    assert "only you can see this" not in result
    assert "no longer takes votes" in await chat.as_user("f", "debate vote 1 for")


async def test_custom_motion_and_random_motion(chat: Chat, packs: PackRegistry) -> None:
    custom = await chat.as_user(
        "mo", 'debate start "This house would lift all sanctions tomorrow."', moderator=True
    )
    assert "This house would lift all sanctions tomorrow." in custom
    motions = {p.motion for p in packs.default.prompts if p.kind == "oxford"}
    drawn = await chat.say("debate start")
    assert any(m in drawn for m in motions)
    listing = await chat.say("debate list")
    assert "#1: This house would lift all sanctions tomorrow." in listing and "#2:" in listing


async def test_debate_refusals(chat: Chat) -> None:
    assert "`debate start` is for moderators" in await chat.say("debate start P1")
    await chat.say(":mod on")
    question = await chat.say("debate start P8")
    assert "P8 is a discussion question, not a motion" in question
    assert "No motion `P99`" in await chat.say("debate start P99")
    long = await chat.say(f'debate start "{"x" * 301}"')
    assert "the limit is 300" in long
    assert "No debate `#4`" in await chat.say("debate vote 4 for")
    await chat.say("debate start P1")
    assert "must be one of for, against, undecided" in await chat.say("debate vote 1 maybe")
    await chat.say("debate advance 1")
    assert "already in its closing vote" in await chat.say("debate advance 1")
    await chat.say("debate close 1")
    assert "Debate #1 is already closed." in await chat.say("debate close 1")
    assert "Debate #1 is closed." in await chat.say("debate advance 1")
    assert "No open debates" in await chat.say("debate list")


async def test_closing_without_a_closing_vote_says_so(chat: Chat) -> None:
    await chat.as_user("mo", "debate start P2", moderator=True)
    await chat.as_user("a", "debate vote 1 for")
    result = await chat.as_user("mo", "debate close 1", moderator=True)
    assert "Winner: No winner: nobody voted in the closing vote" in result


async def test_cards_track_refresh_and_redraw(bot: Bot) -> None:
    place = Place("discord", "G1", "C1")
    mod = User("M1", "Mo", is_moderator=True)
    started = await bot.handle_text("debate start P1", place, mod)
    assert started.track == "debate:1" and started.thread is not None
    assert len(started.thread) <= 100
    vote = await bot.handle_text("debate vote 1 for", place, User("U1", "Ann"))
    assert vote.ephemeral and vote.refresh == ("debate:1",)
    card = await bot.redraw("debate:1", place, mod)
    assert card is not None and "1 opening vote ·" in (card.cards[0].footer or "")
    advanced = await bot.handle_text("debate advance 1", place, mod)
    assert advanced.track == "debate:1" and advanced.refresh == ("debate:1",)
    closed = await bot.handle_text("debate close 1", place, mod)
    assert closed.refresh == ("debate:1",)
    final = await bot.redraw("debate:1", place, mod)
    assert final is not None and final.cards[0].title == "Debate #1 results"
    assert final.cards[0].buttons == ()
    assert await bot.complete("debates", place, mod, "") == []


async def test_moderator_actions_are_audited(bot: Bot) -> None:
    place = Place("slack", "T1", "C1")
    mod = User("U9", "Mo", is_moderator=True)
    await bot.handle_text("debate start P1", place, mod)
    await bot.handle_text("debate advance 1", place, mod)
    await bot.handle_text("debate close 1", place, mod)
    store = bot.services.store
    assert store is not None
    log = await store.audit_log("slack", "T1")
    assert [e.action for e in log] == ["debate close", "debate advance", "debate start"]
    assert log[0].actor_name == "Mo" and log[0].detail.startswith("#1 This house believes")


async def test_debates_stay_in_their_workspace(bot: Bot) -> None:
    # Ids are global; a moderator of another workspace must not steer this one's debate.
    here = Place("slack", "T1", "C1")
    there = Place("slack", "T2", "C1")
    mod = User("U9", "Mo", is_moderator=True)
    await bot.handle_text("debate start P1", here, mod)
    for line in ("debate vote 1 for", "debate advance 1", "debate close 1"):
        reply = await bot.handle_text(line, there, mod)
        assert reply.is_error and "No debate `#1`" in reply.cards[0].body, line
    store = bot.services.store
    assert store is not None
    debate = await store.get_debate(1)
    assert debate is not None and debate.phase == "before"
    assert await store.debate_votes(1) == []
    assert await store.audit_log("slack", "T2") == []
