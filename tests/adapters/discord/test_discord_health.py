"""Readiness follows the Discord gateway: ready once it is, not while it is disconnected."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.discord.service import make_client, serve
from bot.app import Bot
from bot.ports import PostFailed
from tests.adapters.discord.discord_harness import FakeDiscord, Harness
from tests.adapters.discord.test_discord_poster import PLACE, PROMPT, poster


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


def errors(bot: Bot, kind: str) -> float:
    for family in text_string_to_metric_families(bot.services.metrics.render().decode()):
        for sample in family.samples:
            if sample.name == "oped_bot_platform_api_errors_total" and sample.labels == {
                "platform": "discord",
                "kind": kind,
            }:
                return sample.value
    return 0.0


async def test_refused_discord_calls_are_counted_as_platform_api_errors(
    discord_bot: Harness,
) -> None:
    fake = discord_bot.fake
    fake.fail("POST", r"/messages$", 403, code=50001, message="Missing Access")
    with pytest.raises(PostFailed):
        await poster(discord_bot).post(PLACE, PROMPT)
    with pytest.raises(PostFailed):
        await poster(discord_bot).update(PLACE, "1200000000000000099", PROMPT)  # never existed
    assert errors(discord_bot.bot, "refused") == 2
    await poster(discord_bot).post(PLACE, PROMPT)  # accepted: nothing more counted
    assert errors(discord_bot.bot, "refused") == 2
    assert errors(discord_bot.bot, "network") == 0


async def test_a_refused_interaction_answer_is_counted(discord_bot: Harness) -> None:
    fake = discord_bot.fake
    fake.fail("POST", r"/callback$", 404, code=10062, message="Unknown interaction")
    await discord_bot.slash("summary", length="tldr")
    # The answer was refused; the private note about it that followed was taken.
    assert len([c for c in fake.calls if c.path.endswith("/callback")]) == 2
    assert errors(discord_bot.bot, "refused") == 1
