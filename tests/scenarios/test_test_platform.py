"""The in-memory test platform: one line per action, everything shown recorded in order."""

from __future__ import annotations

from pathlib import Path

from adapters.memory import MemoryPlatform
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from tests.store.fixtures import store_bot


async def test_a_poll_told_through_the_test_platform(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        await chat.say('poll create "Lift sanctions?" "Yes" "No" --closes 1h')
        posted = chat.pop()
        assert (posted.kind, posted.message_id) == ("message", "m1")
        assert [b.label for b in posted.buttons] == ["1. Yes", "2. No", "Results"]
        await chat.click("2. No", user="bo")
        confirmation, redraw = chat.pop_all()
        assert confirmation.kind == "private" and confirmation.to == "bo"
        assert (redraw.kind, redraw.message_id) == ("edit", "m1") and "1 voter" in redraw.text
        await chat.say("poll export 1", user="mo", moderator=True)
        answer, *files = chat.pop_all()
        assert answer.kind == "private" and files
        assert {(f.kind, f.to) for f in files} == {("file", "mo")}
        assert files[0].text.startswith("poll-1-results.csv\n")
        await chat.advance(3600)
        announcement, chart, closed = chat.pop_all()
        assert announcement.kind == "message" and "has closed" in announcement.text
        assert chart.kind == "file" and chart.message_id == announcement.message_id
        assert chart.text.startswith("poll-1-results.png\nBar chart of poll #1 results")
        assert (closed.kind, closed.message_id) == ("edit", "m1") and not closed.buttons[:-1]
