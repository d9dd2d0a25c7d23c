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

from bot.config import Settings
from bot.content.loader import PackInvalid, check
from bot.runtime import build_bot, choose_adapters, environment

PLATFORM_CLIS = {"discord": "adapters.discord.cli", "slack": "adapters.slack.cli"}


def _platform_cli(name: str) -> Any:
    return importlib.import_module(PLATFORM_CLIS[name])


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="oped-bot", description="A discussion bot about an op-ed.")
    commands = top.add_subparsers(dest="command")
    commands.add_parser("run", help="run every adapter whose credentials are set (default)")
    commands.add_parser("console", help="run in this terminal, no token needed")
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
        module.configure(commands.add_parser(name, help=f"run or manage the {name} adapter"))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    if args.command == "content":
        return content_check(args.path or settings.content_dir)
    if args.command in PLATFORM_CLIS:
        return int(_platform_cli(args.command).run(args, settings))
    if args.command in (None, "run"):
        adapters = choose_adapters(environment())
        if adapters != ["console"]:
            print(
                f"Adapters for {', '.join(adapters)} are not wired into `run` yet.", file=sys.stderr
            )
            return 2
        return run_console(settings)
    if args.command == "console":
        return run_console(settings)
    return 2


def content_check(root: Path) -> int:
    """Validate packs under `root`; print each problem and exit non-zero if any."""
    packs, errors = check(root)
    for error in errors:
        print(error, file=sys.stderr)
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
        print(f"  {error}", file=sys.stderr)
    return 2


def run_console(settings: Settings) -> int:
    from adapters import console

    async def go() -> int:
        try:
            bot = await build_bot(settings)
        except PackInvalid as exc:
            return report_broken_pack(exc)
        return await console.run(bot)

    return asyncio.run(go())
