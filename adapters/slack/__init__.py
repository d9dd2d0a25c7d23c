"""The Slack adapter: `/oped` with every command, Block Kit cards, Socket Mode and HTTP.

`serve(bot, env, stop)` runs it inside `oped-bot run`; `adapters.slack.cli` is `oped-bot slack`.
Bolt, slack_sdk and aiohttp are imported only when the adapter is used, so `oped-bot console`
never pays for them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from bot.app import Bot


async def serve(
    bot: Bot,
    env: Mapping[str, str],
    stop: asyncio.Event,
    *,
    ready: Callable[[SlackAdapter], None] | None = None,
) -> None:
    """Run the Slack adapter (Socket Mode or HTTP) until `stop` is set, then close cleanly."""
    from adapters.slack.server import serve as run

    await run(bot, env, stop, ready=ready)
