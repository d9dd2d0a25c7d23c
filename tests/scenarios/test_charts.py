"""Result charts on the console: saved beside the database, their path printed, never a leak."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console import ConsolePoster
from bot import chart_png
from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.deadlines import close_due
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import RecordingPoster, store_bot
from tests.unit.test_charts import png_size

PLACE = Place("console", "local", "general")
CREATE = 'poll create "Lift sanctions?" "🍕 Yes" "No $5" "Unsure"'
SAVED = re.compile(r"--- chart saved: (\S+) ---")


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


def saved(output: str) -> Path:
    found = SAVED.search(output)
    assert found, output
    return Path(found.group(1))


async def votes(chat: Chat, *picks: int) -> None:
    for n, option in enumerate(picks):
        await chat.as_user(f"voter{n}", f"poll vote 1 {option}")


async def test_results_chart_is_saved_beside_the_database_and_its_path_printed(
    chat: Chat, tmp_path: Path
) -> None:
    await chat.as_user("ana", CREATE)
    await votes(chat, 1, 1, 2)
    out = await chat.say("poll results 1 --chart")
    assert "1. 🍕 Yes\n███████░░░ 67% · 2 votes" in out  # the text results are still there
    path = saved(out)
    assert path == (tmp_path / "charts" / "poll-1-results.png").resolve()
    assert png_size(path.read_bytes())[0] > 0
    # What the picture shows, in words, under its path; the emoji is kept there.
    assert "1. 🍕 Yes: 2 votes, 67% of voters." in out
    assert "2. No $5: 1 vote, 33% of voters." in out


async def test_results_without_the_flag_draw_nothing(chat: Chat, tmp_path: Path) -> None:
    await chat.as_user("ana", CREATE)
    await votes(chat, 1)
    out = await chat.say("poll results 1")
    assert "chart" not in out
    assert not (tmp_path / "charts").exists()


async def test_multi_choice_chart_and_text_both_count_voters(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Which?" "A" "B" "C" --multi 2')
    await chat.as_user("bo", "poll vote 1 1")
    await chat.as_user("bo", "poll vote 1 2")
    await chat.as_user("cy", "poll vote 1 1")
    out = await chat.say("poll results 1 --chart")
    assert "1. A\n██████████ 100% · 2 votes" in out
    assert "% of 2 voters; each could pick up to 2" in out  # the text
    assert "Bars show % of 2 voters; each could pick up to 2" in out  # the chart's alt text
    assert "1. A: 2 votes, 100% of voters." in out
    saved(out)


async def test_hidden_results_draw_no_chart(chat: Chat, tmp_path: Path) -> None:
    await chat.as_user("ana", 'poll create "Q?" "A" "B" --results closed')
    await votes(chat, 1, 2)
    out = await chat.as_user("bo", "poll results 1 --chart")
    assert "No chart: the counts are hidden from you" in out
    assert "of voters" not in out and "chart saved" not in out
    assert not (tmp_path / "charts").exists()


async def test_mods_only_results_chart_for_a_moderator_only(chat: Chat) -> None:
    await chat.as_user("ana", 'poll create "Q?" "A" "B" --results mods')
    await votes(chat, 1, 2)
    refused = await chat.as_user("bo", "poll results 1 --chart")
    assert "No chart" in refused and "chart saved" not in refused
    shown = await chat.as_user("mo", "poll results 1 --chart", moderator=True)
    saved(shown)
    assert "(only you can see this)" in shown


async def test_a_poll_without_votes_gets_no_chart(chat: Chat, tmp_path: Path) -> None:
    await chat.as_user("ana", CREATE)
    out = await chat.say("poll results 1 --chart")
    assert "No chart yet: nobody has voted in poll #1." in out
    assert not (tmp_path / "charts").exists()


async def test_closing_by_hand_announces_with_the_chart(chat: Chat) -> None:
    await chat.as_user("ana", CREATE)
    await votes(chat, 2)
    out = await chat.as_user("ana", "poll close 1")
    assert "Poll #1 has closed (closed by its creator)" in out
    assert saved(out).name == "poll-1-results.png"
    assert "2. No $5: 1 vote, 100% of voters." in out


async def test_closing_a_mods_only_poll_announces_no_chart(chat: Chat, tmp_path: Path) -> None:
    await chat.as_user("ana", 'poll create "Q?" "A" "B" --results mods')
    await votes(chat, 1)
    out = await chat.as_user("ana", "poll close 1")
    assert "has closed" in out and "chart" not in out
    assert not (tmp_path / "charts").exists()


async def test_closing_an_empty_poll_announces_no_chart(chat: Chat) -> None:
    await chat.as_user("ana", CREATE)
    out = await chat.as_user("ana", "poll close 1")
    assert "has closed" in out and "chart" not in out


async def test_a_deadline_announcement_carries_the_chart(
    bot: Bot, clock: FakeClock, tmp_path: Path
) -> None:
    printed: list[str] = []
    bot.services.posters["console"] = ConsolePoster(printed.append, tmp_path / "charts")
    await bot.handle_text('poll create "Q?" "Up" "Down" --closes 1h', PLACE, User("ana", "Ana"))
    await bot.handle_text("poll vote 1 2", PLACE, User("bo", "Bo"))
    clock.advance(timedelta(hours=2))
    (closed,) = await close_due(bot.services, clock.now())
    assert closed.announcement_id is not None
    (announcement,) = [p for p in printed if "has closed" in p]
    path = saved(announcement)
    assert path.parent == (tmp_path / "charts").resolve()
    assert png_size(path.read_bytes())[1] > 0
    assert "2. Down: 1 vote, 100% of voters." in announcement


@pytest.mark.parametrize(("mode", "charted"), [("live", True), ("closed", True), ("mods", False)])
async def test_a_deadline_announcement_respects_result_visibility(
    bot: Bot, clock: FakeClock, mode: str, charted: bool
) -> None:
    poster = RecordingPoster()
    bot.services.posters["console"] = poster
    ana = User("ana", "Ana")
    await bot.handle_text(f'poll create "Q?" "A" "B" --closes 1h --results {mode}', PLACE, ana)
    await bot.handle_text("poll vote 1 1", PLACE, User("bo", "Bo"))
    clock.advance(timedelta(hours=2))
    await close_due(bot.services, clock.now())
    ((_, announcement),) = poster.posts
    images = [a for a in announcement.attachments if a.is_image]
    assert len(images) == (1 if charted else 0)
    if charted:
        assert images[0].alt_text and "1. A: 1 vote, 100% of voters." in images[0].alt_text


async def test_an_unwritable_charts_folder_is_named_with_what_to_do(
    chat: Chat, tmp_path: Path
) -> None:
    (tmp_path / "charts").write_text("a file where the folder should be")
    await chat.as_user("ana", CREATE)
    await votes(chat, 1)
    out = await chat.say("poll results 1 --chart")
    assert "could not be saved in" in out and "Make that folder writable" in out
    assert "1. 🍕 Yes: 1 vote, 100% of voters." in out  # the words are still shown


async def debate_with_votes(chat: Chat) -> None:
    await chat.as_user("mo", 'debate start "This house would talk."', moderator=True)
    for name, side in [("a", "for"), ("b", "against"), ("c", "against"), ("d", "undecided")]:
        await chat.as_user(name, f"debate vote 1 {side}")
    await chat.as_user("mo", "debate advance 1", moderator=True)
    for name, side in [("a", "for"), ("b", "for"), ("c", "against"), ("d", "for")]:
        await chat.as_user(name, f"debate vote 1 {side}")


async def test_closing_a_debate_shows_the_chart_of_both_votes(chat: Chat, tmp_path: Path) -> None:
    await debate_with_votes(chat)
    out = await chat.as_user("mo", "debate close 1", moderator=True)
    assert "== Debate #1 results ==" in out and "Swing: For +50.0 pts" in out
    path = saved(out)
    assert path == (tmp_path / "charts" / "debate-1-results.png").resolve()
    assert png_size(path.read_bytes())[0] > 0
    assert "For: opening 25.0% (1), closing 75.0% (3), swing +50.0 pts." in out
    assert "(only you can see this)" not in out


async def test_debate_results_shows_a_closed_debate_again_with_its_chart(
    chat: Chat, tmp_path: Path
) -> None:
    await debate_with_votes(chat)
    refused = await chat.as_user("e", "debate results 1")
    assert "Debate #1 is still in its closing vote" in refused and "`debate close 1`" in refused
    assert not (tmp_path / "charts").exists()
    await chat.as_user("mo", "debate close 1", moderator=True)
    (tmp_path / "charts" / "debate-1-results.png").unlink()
    out = await chat.as_user("e", "debate results 1")  # anyone in the channel, privately
    assert "== Debate #1 results ==" in out and "(only you can see this)" in out
    assert "Winner: For, gaining +50.0 pts" in out
    assert saved(out).exists()
    assert "Result: For, gaining +50.0 pts" in out  # the alt text agrees with the card


async def test_a_debate_nobody_voted_in_closes_without_a_chart(chat: Chat) -> None:
    await chat.as_user("mo", 'debate start "This house would talk."', moderator=True)
    out = await chat.as_user("mo", "debate close 1", moderator=True)
    assert "== Debate #1 results ==" in out and "chart" not in out
    assert "chart" not in await chat.say("debate results 1")


async def test_debate_results_from_another_channel_is_not_found(chat: Chat) -> None:
    await debate_with_votes(chat)
    await chat.as_user("mo", "debate close 1", moderator=True)
    await chat.say(":channel elsewhere")
    out = await chat.say("debate results 1")
    assert "No debate `#1`" in out and "chart" not in out


async def test_a_chart_that_cannot_be_drawn_is_said_and_the_results_still_shown(
    chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(chart: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart_png, "render", broken)
    await chat.as_user("ana", CREATE)
    await votes(chat, 1)
    out = await chat.say("poll results 1 --chart")
    assert "1. 🍕 Yes\n██████████ 100% · 1 vote" in out
    assert "The chart could not be drawn this time; the numbers are above." in out
    closed = await chat.as_user("ana", "poll close 1")  # the announcement goes out without it
    assert "has closed" in closed and "chart" not in closed
    assert not (tmp_path / "charts").exists()
