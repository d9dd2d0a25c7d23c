"""The Discord adapter: every catalogue command as a slash command, buttons that survive restarts.

`serve(bot, env, stop)` runs it until `stop` is set. discord.py is imported only when the adapter
is used, so `oped-bot console` never pays for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import Bot


async def serve(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
    """Run the Discord client with `DISCORD_TOKEN` until `stop` is set, then close cleanly."""
    from adapters.discord.service import serve as run

    await run(bot, env, stop)
