"""Polls end to end through the console, as people would use them (errbot style)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.actions import command_line
from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot

CREATE = 'poll create "Should the U.S. accept a nuclear North Korea?" "Yes" "No" "Unsure"'


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


async def vote_as(chat: Chat, name: str, line: str) -> str:
    return await chat.as_user(name, line)


async def test_create_vote_and_see_live_results(chat: Chat) -> None:
    card = await chat.as_user("ana", CREATE)
    assert "== Poll #1 ==" in card and "Should the U.S. accept a nuclear North Korea?" in card
    assert "[1] 1. Yes    (type: poll vote 1 1)" in card
    assert "[4] Results    (type: poll results 1)" in card
    assert "only you can see this" not in card  # the poll is public
    for name, option in [("bo", 1), ("cy", 2), ("di", 1), ("ed", 3)]:
        out = await vote_as(chat, name, f"poll vote 1 {option}")
        assert "Your vote in poll #1" in out and "only you can see this" in out
    results = await chat.say("poll results 1")
    assert "1. Yes\n█████░░░░░ 50% · 2 votes" in results
    assert "2. No\n███░░░░░░░ 25% · 1 vote" in results
    assert "4 voters" in results


async def test_single_choice_moves_and_retracts(chat: Chat) -> None:
    await chat.as_user("ana", CREATE)
    await chat.as_user("bo", "poll vote 1 1")
    moved = await chat.say("poll vote 1 2")
    assert "You moved your vote in poll #1 from 1. Yes to 2. No." in moved
    back = await chat.say("poll vote 1 2")
    assert "You took back your vote in poll #1" in back
    assert "0 voters" in await chat.say("poll results 1")


async def test_multi_choice_caps_picks(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Priorities?" "Sanctions" "Treaty" "Rights" --multi 2')
    await chat.as_user("bo", "poll vote 1 1")
    assert "Your picks: 1, 3 (up to 2)" in await chat.say("poll vote 1 3")
    refused = await chat.say("poll vote 1 2")
    assert "allows at most 2 picks and you have 1, 3" in refused
    assert "Vote for one of those again to drop it" in refused
    results = await chat.say("poll results 1")
    assert "Pick up to 2 · 1 voter ·" in results
    assert "2. Treaty\n░░░░░░░░░░ 0% · 0 votes" in results


async def test_refusals_write_nothing(chat: Chat, bot: Bot) -> None:
    cases = {
        'poll create "Q?" "Yes" "yes"': "Options 1 and 2 are the same",
        'poll create "Q?" "Yes" ""': "Option 2 is empty",
        'poll create "Q?" "Yes"': "needs at least 2 options; you gave 1",
        'poll create "Q?" '
        + " ".join(f'"o{n}"' for n in range(21)): "at most 20 options; you gave 21",
        f'poll create "{"q" * 301}" "a" "b"': "the limit is 300",
        f'poll create "Q?" "a" "{"b" * 76}"': "the limit is 75",
        'poll create "Q?" "a" "b" --multi 3': "between 1 and the number of options (2)",
        'poll create "Q?" "a" "b" --closes never': "is not a duration such as 30m",
        'poll create "Q?" "a" "b" --results secret': "must be one of live, closed, mods",
    }
    for line, message in cases.items():
        out = await chat.as_user("ana", line)
        assert f"Error: {message}" in out or message in out, (line, out)
        assert "only you can see this" in out
    assert bot.services.store is not None
    assert await bot.services.store.polls_since("console", "local") == []
    await chat.say(CREATE)
    for line, message in {
        "poll vote 1 4": "Poll #1 has options 1 to 3; there is no option 4",
        "poll vote 2 1": "No poll `#2`",
        "poll vote 1 x": "<option-number> must be a whole number",
        "poll results 9": "No poll `#9`",
    }.items():
        out = await chat.say(line)
        assert message in out, (line, out)
    assert "0 voters" in await chat.say("poll results 1")


async def test_only_creator_or_moderator_closes(chat: Chat) -> None:
    await chat.as_user("ana", CREATE)
    await chat.as_user("bo", "poll vote 1 2")
    refused = await chat.say("poll close 1")
    assert "Only the poll's creator (ana) or a moderator can close poll #1." in refused
    closed = await chat.as_user("ana", "poll close 1")
    assert "== Poll #1 has closed (closed by its creator) ==" in closed
    assert "2. No\n██████████ 100% · 1 vote" in closed
    assert "only you can see this" not in closed
    assert "Poll #1 is already closed." in await chat.as_user("mo", "poll close 1", moderator=True)
    assert "no longer takes votes" in await vote_as(chat, "cy", "poll vote 1 1")
    await chat.as_user("ana", 'poll create "Second?" "a" "b"')
    assert "has closed" in await chat.as_user("mo", "poll close 2", moderator=True)


async def test_results_only_after_closing(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "Up" "Down" --results closed')
    card = await chat.as_user("bo", "poll vote 1 1")
    assert "Your vote" in card
    hidden = await chat.as_user("mo", "poll results 1", moderator=True)
    assert "%" not in hidden and "1 voter" in hidden
    assert "Results are shown when the poll closes." in hidden
    export = await chat.say("poll export 1")
    assert "hides its results until it closes" in export
    await chat.as_user("ana", "poll close 1")
    shown = await chat.as_user("bo", "poll results 1")
    assert "1. Up\n██████████ 100% · 1 vote" in shown


async def test_results_only_for_moderators(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "Up" "Down" --results mods')
    await chat.as_user("bo", "poll vote 1 2")
    member = await chat.say("poll results 1")
    assert "%" not in member and "1 voter" in member and "visible to moderators only" in member
    moderator = await chat.as_user("mo", "poll results 1", moderator=True)
    assert "2. Down\n██████████ 100% · 1 vote" in moderator
    closed = await chat.as_user("ana", "poll close 1")
    assert "%" not in closed and "1 voter" in closed
    assert "%" not in await chat.as_user("bo", "poll results 1")


async def test_export_for_moderators_only_and_anonymous_without_voters(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "=cmd()" "Down"')
    await chat.as_user("bo", "poll vote 1 1")
    assert "`poll export` is for moderators" in await chat.say("poll export 1")
    out = await chat.as_user("mo", "poll export 1", moderator=True)
    assert "--- poll-1-results.csv ---" in out and "--- poll-1-votes.csv ---" in out
    votes_csv = out.split("--- poll-1-votes.csv ---\n", 1)[1].split("\n\n", 1)[0]
    rows = list(csv.reader(io.StringIO(votes_csv)))
    assert rows[1][:5] == ["1", "1", "'=cmd()", "bo", "bo"]
    await chat.as_user("ana", 'poll create "Secret?" "Up" "Down" --anonymous')
    await chat.as_user("bo", "poll vote 2 2")
    anonymous = await chat.as_user("mo", "poll export 2", moderator=True)
    assert "poll-2-votes.csv" not in anonymous and "Voters are left out" in anonymous
    assert "bo" not in anonymous.split("--- poll-2-results.csv ---", 1)[1]


async def test_anonymous_vote_confirms_and_blocks_double_votes(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Secret?" "Up" "Down" --anonymous')
    first = await chat.as_user("bo", "poll vote 1 1")
    assert "stored without your name" in first
    assert "You moved your vote" in await chat.say("poll vote 1 2")
    assert "1 voter" in await chat.say("poll results 1")


async def test_list_shows_open_polls_in_this_channel(chat: Chat) -> None:
    assert "No open polls in #general" in await chat.say("poll list")
    await chat.say('poll create "First?" "a" "b"')
    await chat.say('poll create "Timed?" "a" "b" --closes 90m')
    await chat.say(":channel random")
    await chat.say('poll create "Elsewhere?" "a" "b"')
    await chat.say(":channel general")
    listing = await chat.say("poll list")
    assert "#1: First?" in listing and "#2: Timed?" in listing and "Elsewhere" not in listing
    assert "closes Mon 05 Jan 2026 13:30 UTC (in 1h 30m)" in listing


async def test_buttons_are_commands_and_survive_a_new_bot(
    bot: Bot, packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    place = Place("console", "local", "general")
    created = await bot.handle_text(CREATE, place, User("ana", "Ana"))
    assert created.track == "poll:1"
    button = created.cards[0].buttons[1]
    line = command_line(button.action)
    assert line == "poll vote 1 2"
    reply = await bot.handle_text(line, place, User("bo", "Bo"))
    assert reply.ephemeral and reply.refresh == ("poll:1",)
    redrawn = await bot.redraw("poll:1", place, User("bo", "Bo"))
    assert redrawn is not None and "2. No\n██████████ 100% · 1 vote" in redrawn.cards[0].body
    assert await bot.redraw("poll:99", place, User("bo", "Bo")) is None
    choices = await bot.complete("polls", place, User("bo", "Bo"), "nuclear")
    assert [(c.label, c.value) for c in choices] == [
        ("#1: Should the U.S. accept a nuclear North Korea?", "1")
    ]


async def test_hidden_results_ask_no_refresh(bot: Bot) -> None:
    place = Place("console", "local", "general")
    await bot.handle_text('poll create "Q?" "a" "b" --results closed', place, User("a", "A"))
    reply = await bot.handle_text("poll vote 1 1", place, User("b", "B"))
    assert reply.refresh == () and not reply.is_error


async def test_polls_stay_in_their_workspace(bot: Bot) -> None:
    here = Place("slack", "T1", "C1")
    there = Place("slack", "T2", "C1")
    await bot.handle_text(CREATE, here, User("U1", "Ann"))
    reply = await bot.handle_text("poll vote 1 1", there, User("U2", "Bob"))
    assert reply.is_error and "No poll `#1`" in reply.cards[0].body
    assert (await bot.handle_text("poll results 1", there, User("U2", "Bob"))).is_error


async def test_deadline_refuses_late_votes_before_any_sweep(chat: Chat, clock: FakeClock) -> None:
    card = await chat.as_user("ana", 'poll create "Q?" "a" "b" --closes 2h')
    assert "closes Mon 05 Jan 2026 14:00 UTC (in 2h)" in card
    clock.advance(timedelta(hours=2))
    assert "is closed" in await chat.as_user("bo", "poll vote 1 1")
    assert "Closed Mon 05 Jan 2026 14:00 UTC (deadline)" in await chat.say("poll results 1")
    assert "No open polls" in await chat.say("poll list")


async def test_concurrent_clicks_through_the_bot_count_exactly(bot: Bot) -> None:
    place = Place("discord", "G1", "C1")
    await bot.handle_text(CREATE, place, User("U0", "Ann"))
    replies = await asyncio.gather(
        *(
            bot.handle_text(f"poll vote 1 {1 + n % 3}", place, User(f"U{n}", f"N{n}"))
            for n in range(1, 601)
        )
    )
    assert not any(r.is_error for r in replies)
    results = await bot.handle_text("poll results 1", place, User("U0", "Ann"))
    body = results.cards[0].body
    assert re.findall(r"· (\d+) votes", body) == ["200", "200", "200"]
