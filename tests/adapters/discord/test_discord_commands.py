"""Every catalogue command through real discord.py, from raw payload to the HTTP it sends."""

from __future__ import annotations

from discord_harness import Harness


async def test_summary(discord_bot: Harness) -> None:
    calls = await discord_bot.slash("summary", length="tldr")
    print(calls)
    assert calls[0].kind == 4
