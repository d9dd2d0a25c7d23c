"""Run the Slack adapter in Socket Mode or HTTP mode until told to stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import COMMAND, SlackAdapter
from adapters.slack.poster import make_client
from bot.app import Bot
from bot.runtime import AdapterSetupError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
DEFAULT_PORT = 3000

Mode = Literal["socket", "http"]


class SlackConfigError(AdapterSetupError, ValueError):
    """The environment does not say how to reach Slack; the message names what to set."""


@dataclass(frozen=True)
class SlackConfig:
    """Where and how to reach Slack, read from the environment. Holds secrets: never log it."""

    mode: Mode
    bot_token: str
    app_token: str
    signing_secret: str
    host: str
    port: int
    command: str

    def __repr__(self) -> str:  # keeps tokens out of logs and tracebacks
        return f"SlackConfig(mode={self.mode!r}, host={self.host!r}, port={self.port!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig:
        """Read SLACK_* variables; Socket Mode unless SLACK_MODE=http or only a secret is set."""
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        app_token = env.get("SLACK_APP_TOKEN", "").strip()
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        asked = env.get("SLACK_MODE", "").strip().lower()
        if asked not in ("", "socket", "http"):
            raise SlackConfigError(f"SLACK_MODE must be socket or http, not {asked!r}.")
        mode: Mode = (
            "http" if asked == "http" or (not asked and secret and not app_token) else ("socket")
        )
        if not bot_token.startswith("xoxb-"):
            raise SlackConfigError("Set SLACK_BOT_TOKEN to the bot token (it starts with xoxb-).")
        if mode == "socket" and not app_token.startswith("xapp-"):
            raise SlackConfigError(
                "Socket Mode needs SLACK_APP_TOKEN, an app-level token with connections:write "
                "(it starts with xapp-). Or run HTTP mode with --http and SLACK_SIGNING_SECRET."
            )
        if mode == "http" and not secret:
            raise SlackConfigError(
                "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials) "
                "to verify that requests come from Slack."
            )
        try:
            port = int(env.get("SLACK_PORT") or DEFAULT_PORT)
        except ValueError:
            raise SlackConfigError("SLACK_PORT must be a port number.") from None
        if not 1 <= port <= 65535:
            raise SlackConfigError(f"SLACK_PORT must be a port number from 1 to 65535, not {port}.")
        return cls(
            mode=mode,
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=secret,
            host=env.get("SLACK_HOST") or "0.0.0.0",
            port=port,
            command=env.get("SLACK_COMMAND") or COMMAND,
        )


async def serve(
    bot: Bot,
    env: Mapping[str, str],
    stop: asyncio.Event,
    *,
    ready: Callable[[SlackAdapter], None] | None = None,
) -> None:
    """Serve Slack (Socket Mode, or HTTP per SLACK_MODE/SLACK_PORT) until `stop` is set."""
    config = SlackConfig.from_env(env)
    client = make_client(env)
    adapter = SlackAdapter(
        bot, client, signing_secret=config.signing_secret, command=config.command
    )
    adapter.start()
    try:
        if config.mode == "http":
            runner = web.AppRunner(adapter.app.web_app(path=EVENTS_PATH, port=config.port))
            await runner.setup()
            try:
                await web.TCPSite(runner, config.host, config.port).start()
                log.info("Slack HTTP mode on %s:%s%s", config.host, config.port, EVENTS_PATH)
                if ready is not None:
                    ready(adapter)
                await stop.wait()
            finally:
                await runner.cleanup()
        else:
            handler = AsyncSocketModeHandler(adapter.app, config.app_token)
            try:
                await handler.connect_async()  # type: ignore[no-untyped-call]
                log.info("Slack Socket Mode connected")
                if ready is not None:
                    ready(adapter)
                await stop.wait()
            finally:
                await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        await adapter.close()
        log.info("Slack adapter stopped")
