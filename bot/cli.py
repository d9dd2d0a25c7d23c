"""The `oped-bot` command line: the composition root that wires the core to its adapters.

Platform adapters are imported lazily by module name, so the core never depends on an SDK and
`oped-bot console` works without one. Each platform module (`adapters.discord.cli`,
`adapters.slack.cli`) exposes `configure(parser)` and `run(args, settings) -> int`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import doctor, logs, runtime
from bot.config import ConfigError, Settings, load_env_file
from bot.content.loader import PackInvalid, check
from bot.runtime import (
    NOTHING_TO_SERVE,
    AdapterUnavailable,
    DatabaseUnavailable,
    choose_adapters,
    console_has_input,
    environment,
)

PLATFORM_CLIS = {"discord": "adapters.discord.cli", "slack": "adapters.slack.cli"}


def _platform_cli(name: str) -> Any:
    return importlib.import_module(PLATFORM_CLIS[name])


def parser() -> argparse.ArgumentParser:
    # --config is accepted before or after the sub-command; SUPPRESS keeps a later default from
    # overwriting an earlier value.
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="YAML config file (default: $OPED_BOT_CONFIG, else ./oped-bot.yaml if present)",
    )
    top = argparse.ArgumentParser(
        prog="oped-bot", description="A discussion bot about an op-ed.", parents=[options]
    )
    commands = top.add_subparsers(dest="command")
    commands.add_parser(
        "run", parents=[options], help="run every adapter whose credentials are set (default)"
    )
    commands.add_parser("console", parents=[options], help="run in this terminal, no token needed")
    doctor_cmd = commands.add_parser(
        "doctor", parents=[options], help="check config, content, database and tokens"
    )
    doctor_cmd.add_argument(
        "--offline", action="store_true", help="skip the token checks that call Discord and Slack"
    )
    content = commands.add_parser("content", help="content pack tools")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check_cmd = content_commands.add_parser("check", help="validate content packs")
    check_cmd.add_argument(
        "path", nargs="?", type=Path, default=None, help="a pack or a folder of packs"
    )
    for name in PLATFORM_CLIS:
        try:
            module = _platform_cli(name)
        except ImportError:
            continue  # that adapter is not installed or not built
        module.configure(
            commands.add_parser(name, parents=[options], help=f"run or manage the {name} adapter")
        )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        load_env_file()
    except ConfigError as exc:
        say(f"The bot cannot start: {'; '.join(exc.problems)}")
        return 2
    env = environment()
    config_path: Path | None = getattr(args, "config", None)
    if args.command == "doctor":
        return run_doctor(config_path, env, offline=args.offline)
    try:
        settings = Settings.load(config_path, env)
    except ConfigError as exc:
        return report_bad_config(exc)
    logs.setup(settings.log_level, settings.log_format, logs.secrets_from(env))
    if args.command == "content":
        return content_check(args.path or settings.content_dir)
    if args.command in PLATFORM_CLIS:
        return int(_platform_cli(args.command).run(args, settings))
    if args.command in (None, "run"):
        return run(settings, env)
    if args.command == "console":
        return run_console(settings)
    return 2


def _redacted(text: str) -> str:
    return logs.Redactor(logs.secrets_from(environment()))(text)


def say(text: str) -> None:
    """Print an error for the user on stderr, redacted as log lines are (no token ever shown)."""
    print(_redacted(text), file=sys.stderr)


def report_bad_config(exc: ConfigError) -> int:
    """Explain why the bot will not start on a bad config file."""
    print("The bot cannot start: the configuration is not valid.", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    print(f"Every key is explained in {doctor.EXAMPLE_CONFIG}.", file=sys.stderr)
    return 2


def run(settings: Settings, env: dict[str, str], names: list[str] | None = None) -> int:
    """`oped-bot run` (or, with names, only those adapters) until stopped; the exit status."""
    if not names and choose_adapters(env) == ["console"] and not console_has_input(sys.stdin):
        say(f"The bot cannot start: {NOTHING_TO_SERVE}")
        return 2
    names = names or choose_adapters(env)
    if names == ["console"] and sys.stdin.isatty() and settings.log_level == "INFO":
        # Start-up chatter would land between the prompts; warnings still show.
        logs.setup("WARNING", settings.log_format, logs.secrets_from(env))
    try:
        return asyncio.run(runtime.run(settings, env, names))
    except (AdapterUnavailable, DatabaseUnavailable) as exc:
        say(f"The bot cannot start: {exc}")
        return 2
    except PackInvalid as exc:
        return report_broken_pack(exc)


def run_doctor(config_path: Path | None, env: dict[str, str], *, offline: bool) -> int:
    """`oped-bot doctor`: print each check; non-zero if any failed."""
    platform_checks: list[doctor.PlatformCheck] = []
    if not offline or choose_adapters(env) != ["console"]:
        try:
            from adapters import health
        except ImportError as exc:
            print(_redacted(f"FAIL platforms: the adapters cannot be imported ({exc})"))
            return 1
        platform_checks = health.settings_checks(env)
        if not offline:
            platform_checks += health.token_checks(env)
    checks = asyncio.run(
        doctor.diagnose(
            config_path, env, platform_checks, console_input=console_has_input(sys.stdin)
        )
    )
    return doctor.report(checks, sys.stdout, logs.secrets_from(env))


def content_check(root: Path) -> int:
    """Validate packs under `root`; print each problem and exit non-zero if any."""
    packs, errors = check(root)
    for error in errors:
        say(str(error))
    for pack in packs:
        print(
            f"ok {pack.id}: {len(pack.paragraphs)} paragraphs, {len(pack.claims)} claims, "
            f"{len(pack.quotes)} quotes, {len(pack.counterpoints)} counterpoints, "
            f"{len(pack.prompts)} prompts, {len(pack.glossary)} terms"
        )
    return 1 if errors else 0


def report_broken_pack(exc: PackInvalid) -> int:
    """Explain why the bot will not start on a broken pack."""
    print("The bot cannot start: a content pack is broken.", file=sys.stderr)
    for error in exc.errors:
        say(f"  {error}")
    return 2


def run_console(settings: Settings) -> int:
    """`oped-bot console`: the console adapter alone, whatever tokens are set."""
    return run(settings, environment(), ["console"])
