"""Edges: direct messages, and edits still waiting when the bot shuts down."""

from __future__ import annotations

from typing import Any

from bot.app import Bot
from tests.adapters.discord.discord_harness import (
    MODERATOR,
    Harness,
    command_data,
    in_dm,
    interaction,
    message_calls,
)
from tests.adapters.discord.test_discord_polls import create_poll, edits, poll_id, voter


async def test_commands_work_in_a_direct_message_without_rights(discord_bot: Harness) -> None:
    seen: list[Any] = []

    async def capture(request: Any) -> Any:
        seen.append(request)
        return await Bot.handle(discord_bot.bot, request)

    discord_bot.bot.handle = capture  # type: ignore[method-assign]
    data = command_data(discord_bot.adapter.commands, ("summary",), {"length": "tldr"})
    calls = await discord_bot.deliver(in_dm(interaction(2, data, MODERATOR)))
    (answer,) = message_calls(calls)
    assert answer.kind == 4 and "tldr summary" in answer.text
    (request,) = seen
    assert request.place.workspace == "dm"
    # Manage Server means nothing outside a server.
    assert not request.user.is_moderator and request.user.roles == frozenset()


async def test_shutdown_sends_the_edit_that_was_still_waiting(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    vote = f"oped:poll vote {poll_id(posted)}"
    await discord_bot.click(posted.message_id, f"{vote} 1", voter(1))
    assert len(edits(await discord_bot.settle())) == 1
    await discord_bot.click(posted.message_id, f"{vote} 2", voter(2))  # due in 1.5 s ...
    await discord_bot.click(posted.message_id, f"{vote} 2", voter(3))  # ... folded into it
    assert edits(await discord_bot.settle()) == []
    assert discord_bot.adapter.edits.waiting == 1
    mark = discord_bot.fake.mark()
    await discord_bot.close()  # time has not moved: closing sends it anyway
    (last,) = edits(discord_bot.fake.since(mark))
    assert "3 votes" in last.text or "3 voters" in last.text
    assert discord_bot.adapter.edits.waiting == 0
