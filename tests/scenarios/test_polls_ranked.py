"""Ranked-choice polls through the console: create, rank, re-rank, results by instant runoff."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.actions import command_line
from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.deadlines import close_due
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import RecordingPoster, store_bot

CREATE = 'poll create "Who should lead the talks?" "Pompeo" "Bolton" "Someone new" --ranked'
HERE = Place("console", "local", "general")


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


async def test_a_ranked_poll_takes_rankings_and_shows_the_runoff(chat: Chat) -> None:
    created = await chat.as_user("ana", CREATE)
    assert "Ranked choice" in created and "Poll #1" in created
    for user, ranking in [
        ("bo", "1 2 3"),
        ("cy", "1 3 2"),
        ("di", "2 3 1"),
        ("ed", "3 2 1"),
        ("fa", "3, 2, 1"),
    ]:
        stored = await chat.as_user(user, f"poll rank 1 {ranking}")
        assert "I stored your ranking in poll #1" in stored
    again = await chat.as_user("fa", "poll rank 1 2 > 3 > 1")
    assert "I replaced your ranking in poll #1: 2. Bolton > 3. Someone new > 1. Pompeo." in again
    results = await chat.as_user("gi", "poll results 1")
    assert "Instant-runoff count of 5 ballots:" in results
    assert "Round 1: 1. Pompeo: 2 · 2. Bolton: 2 · 3. Someone new: 1. Out: 3. Someone new." in (
        results
    )
    assert "Round 2: 1. Pompeo: 2 · 2. Bolton: 3." in results
    assert "Winner: 2. Bolton, with 3 of 5 ballots (60%) in round 2." in results
    assert "fewer first preferences, then the later option number" in results


async def test_typing_a_bad_ranking_names_the_fix_and_keeps_the_old_one(chat: Chat) -> None:
    await chat.as_user("ana", CREATE)
    await chat.as_user("bo", "poll rank 1 3 1 2")
    twice = await chat.as_user("bo", "poll rank 1 3 3 2")
    assert "You ranked option 3 twice; rank each option once" in twice
    missing = await chat.as_user("bo", "poll rank 1 2 1")
    assert "you left out 3" in missing and "`poll rank 1 3 2 1`" in missing
    assert "there is no option 7" in await chat.as_user("bo", "poll rank 1 7 1 2")
    voters = await chat.as_user("ana", "poll voters 1")
    assert "bo: 3 > 1 > 2" in voters
    # A plain vote in a ranked poll, and a ranking in a plain one, say what to do instead.
    vote = await chat.as_user("cy", "poll vote 1 2")
    assert "Poll #1 is ranked: rank every option" in vote and "`poll rank 1 3 2 1`" in vote
    await chat.as_user("ana", 'poll create "Plain?" "Yes" "No"')
    assert "is not a ranked poll; vote in it with `poll vote 2" in await chat.as_user(
        "cy", "poll rank 2 1 2"
    )


async def test_ranked_cannot_be_combined_with_multi_or_open(chat: Chat) -> None:
    multi = await chat.as_user("ana", CREATE + " --multi 2")
    assert "A `--ranked` poll has each voter rank every option, so `--multi` does not apply" in (
        multi
    )
    opened = await chat.as_user("ana", CREATE + " --open")
    assert "Leave out `--open` for a ranked poll" in opened
    assert "No open polls" in await chat.as_user("ana", "poll list")


async def test_the_rank_button_opens_a_form_or_says_what_to_type(bot: Bot) -> None:
    created = await bot.handle_text(CREATE, HERE, User("ana", "Ana"))
    labels = [button.label for button in created.cards[0].buttons]
    assert labels == ["Rank", "Results"]
    line = command_line(created.cards[0].buttons[0].action)
    assert line == "poll rank 1"
    opened = await bot.handle_text(line, HERE, User("bo", "Bo"))
    assert opened.ephemeral and opened.form is not None
    assert "`poll rank 1 3 2 1`" in opened.cards[0].body
    assert [pick.label for pick in opened.form.picks] == ["1st choice", "2nd choice", "3rd choice"]
    assert opened.form.picks[0].choices == (
        ("1. Pompeo", "1"),
        ("2. Bolton", "2"),
        ("3. Someone new", "3"),
    )
    submitted = await bot.handle_text(opened.form.line(("2", "1", "3")), HERE, User("bo", "Bo"))
    assert submitted.refresh == ("poll:1",) and not submitted.is_error
    redrawn = await bot.redraw("poll:1", HERE, User("bo", "Bo"))
    assert redrawn is not None
    assert "2. Bolton\n██████████ 100% · 1 vote" in redrawn.cards[0].body
    assert "First preferences; the results show the instant-runoff count." in (
        redrawn.cards[0].body
    )
    # Elsewhere the button finds no poll, as for a vote.
    elsewhere = await bot.handle_text(line, Place("console", "local", "random"), User("bo", "Bo"))
    assert elsewhere.is_error and elsewhere.form is None


async def test_hidden_results_hide_the_runoff_until_the_poll_closes(chat: Chat) -> None:
    await chat.as_user("ana", CREATE + " --results closed")
    await chat.as_user("bo", "poll rank 1 1 2 3")
    await chat.as_user("cy", "poll rank 1 2 1 3")
    hidden = await chat.as_user("di", "poll results 1")
    assert "Round 1" not in hidden and "Results are shown when the poll closes" in hidden
    closed = await chat.as_user("ana", "poll close 1")
    assert "Round 2: 1. Pompeo: 1 · 2. Bolton: 1." in closed
    assert "Tie: 1. Pompeo and 2. Bolton hold the same count in the last round" in closed
    assert "is closed; it no longer takes rankings" in await chat.as_user("di", "poll rank 1 1 2 3")
    assert "Closed" in await chat.as_user("ana", "poll results 1")


async def test_export_lists_each_voters_ranking_but_not_for_anonymous_polls(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "=cmd()" "Down" "Up" --ranked')
    await chat.as_user("bo", "poll rank 1 3 1 2")
    out = await chat.as_user("mo", "poll export 1", moderator=True)
    summary = out.split("--- poll-1-results.csv ---\n", 1)[1].split("\n\n", 1)[0]
    assert next(csv.reader(io.StringIO(summary)))[4] == "first_preferences"
    rankings = out.split("--- poll-1-rankings.csv ---\n", 1)[1].split("\n\n", 1)[0]
    rows = list(csv.reader(io.StringIO(rankings)))
    assert rows[0] == [
        "poll_id",
        "voter_id",
        "voter_name",
        "voted_at",
        "ranking",
        "choice_1",
        "choice_2",
        "choice_3",
    ]
    assert rows[1][:3] == ["1", "bo", "bo"]
    assert rows[1][4:] == ["3 1 2", "Up", "'=cmd()", "Down"]
    await chat.as_user("ana", 'poll create "Secret?" "Up" "Down" --ranked --anonymous')
    assert "stored without your name" in await chat.as_user("bo", "poll rank 2 2 1")
    anonymous = await chat.as_user("mo", "poll export 2", moderator=True)
    assert "poll-2-rankings.csv" not in anonymous and "Voters are left out" in anonymous
    assert "bo" not in anonymous.split("--- poll-2-results.csv ---", 1)[1]


async def test_a_deadline_announces_the_runoff(bot: Bot, clock: FakeClock) -> None:
    poster = RecordingPoster()
    bot.services.posters["console"] = poster
    await bot.handle_text(CREATE + " --closes 1h", HERE, User("ana", "Ana"))
    await bot.handle_text("poll rank 1 3 1 2", HERE, User("bo", "Bo"))
    clock.advance(timedelta(hours=2))
    await close_due(bot.services, clock.now())
    (announced,) = [reply for _, reply in poster.posts]
    body = announced.cards[0].body
    assert "Winner: 3. Someone new, with 1 of 1 ballots (100%) in round 1." in body
