"""`oped-bot slack`: Socket Mode by default, `--http --port N` for HTTP mode at /slack/events."""

from __future__ import annotations

import argparse
import sys

from adapters.slack.server import SlackConfig, SlackConfigError
from bot.config import Settings
from bot.runtime import environment


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
    """Serve Slack until SIGINT or SIGTERM, with the scheduler and deadlines; the exit status."""
    from bot.cli import run as run_adapters

    env = slack_env(args, environment())
    try:
        SlackConfig.from_env(env)  # say what is missing before opening anything
    except SlackConfigError as exc:
        print(f"oped-bot slack: {exc}", file=sys.stderr)
        return 2
    # The shared runner: signals, background loops, draining and closing the store.
    return run_adapters(settings, env, ["slack"])
