"""`oped-bot slack`: Socket Mode by default, `--http --port N` for HTTP mode at /slack/events."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from adapters.slack.server import SlackConfig, SlackConfigError, serve
from bot.config import Settings
from bot.content.loader import PackInvalid
from bot.runtime import build_bot, environment


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the Slack options to `oped-bot slack`."""
    parser.description = (
        "Run the bot on Slack. Socket Mode (SLACK_BOT_TOKEN + SLACK_APP_TOKEN) needs no public "
        "URL; --http serves /slack/events and verifies SLACK_SIGNING_SECRET."
    )
    parser.add_argument(
        "--http", action="store_true", help="serve /slack/events over HTTP instead of Socket Mode"
    )
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default 3000)")
    parser.add_argument("--host", default=None, help="HTTP address to bind (default 0.0.0.0)")


def slack_env(args: argparse.Namespace, env: dict[str, str]) -> dict[str, str]:
    """The environment with the command-line choices applied on top."""
    env = dict(env)
    # A port only means something in HTTP mode, so asking for one asks for HTTP.
    if args.http or (args.port is not None and not env.get("SLACK_MODE")):
        env["SLACK_MODE"] = "http"
    if args.port is not None:
        env["SLACK_PORT"] = str(args.port)
    if args.host:
        env["SLACK_HOST"] = args.host
    return env


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve Slack until SIGINT or SIGTERM; the exit status."""
    env = slack_env(args, environment())
    try:
        SlackConfig.from_env(env)
    except SlackConfigError as exc:
        print(f"oped-bot slack: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_main(env, settings))


async def _main(env: dict[str, str], settings: Settings) -> int:
    try:
        bot = await build_bot(settings)
    except PackInvalid as exc:
        from bot.cli import report_broken_pack

        return report_broken_pack(exc)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await serve(bot, env, stop)
    finally:
        await _close(bot)
    return 0


async def _close(bot: Any) -> None:
    store = bot.services.store
    if store is not None:
        await store.close()
