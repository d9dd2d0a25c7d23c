"""Edges: direct messages, and edits still waiting when the bot shuts down."""

from __future__ import annotations

from typing import Any

from adapters.discord.coalesce import Coalescer, LoopScheduler
from bot.app import Bot
from tests.adapters.discord.discord_harness import (
    MODERATOR,
    Harness,
    command_data,
    in_dm,
    interaction,
    message_calls,
)


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


async def test_shutdown_runs_edits_that_were_still_waiting() -> None:
    scheduler = LoopScheduler()
    edits: Coalescer[str] = Coalescer(scheduler, interval=60)
    ran: list[str] = []

    def job(label: str) -> Any:
        async def run() -> None:
            ran.append(label)

        return run

    edits.request("message", "poll:1", job("first"))
    await scheduler.flush()
    assert ran == ["first"]
    edits.request("message", "poll:1", job("second"))  # due in 60 s ...
    edits.request("message", "poll:1", job("third"))  # ... and folded into the same edit
    await scheduler.flush()  # what `client.close()` does before disconnecting
    assert ran == ["first", "third"]
