"""Readiness follows the Discord gateway: ready once it is, not while it is disconnected."""

from __future__ import annotations

import asyncio

from adapters.discord.service import make_client, serve
from bot.app import Bot
from tests.adapters.discord.discord_harness import FakeDiscord


async def test_discord_is_ready_once_the_gateway_is_and_not_after_a_disconnect(
    fake: FakeDiscord, bot: Bot
) -> None:
    readiness = bot.services.readiness
    readiness.expect("discord")  # as `oped-bot run` does
    env = {"DISCORD_TOKEN": "t"}
    # No guilds to wait for: the fake sends none.
    client = make_client(bot, env, guild_ready_timeout=0.0)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(bot, env, stop, client=client))
    await asyncio.wait_for(client.wait_until_ready(), 10)
    # on_ready runs in its own task after the wait is released: let it.
    assert await state(bot, True)
    assert await readiness.adapters() == {"discord": True}
    # discord.py's own dispatch, as its gateway loop does when the connection drops and resumes.
    client.dispatch("disconnect")
    assert await state(bot, False)
    client.dispatch("resumed")
    assert await state(bot, True)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert await readiness.adapters() == {"discord": False}


async def state(bot: Bot, wanted: bool) -> bool:
    """Whether Discord's readiness becomes `wanted` within a few turns of the loop.

    discord.py runs each event handler in a task of its own; yielding (no timed sleep) lets it.
    """
    for _ in range(50):
        if (await bot.services.readiness.adapters())["discord"] is wanted:
            return True
        await asyncio.sleep(0)
    return False
