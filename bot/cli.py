"""The `oped-bot` command line: the composition root that wires the core to its adapters.

Platform adapters are imported lazily by module name, so the core never depends on an SDK and
`oped-bot console` works without one. Each platform's CLI module, named by its plug-in (see
`bot.platforms`), exposes `configure(parser)` and `run(args, settings) -> int`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot import logs, runtime
from bot.config import ConfigError, Settings, load_env_file
from bot.content.loader import PackInvalid, check
from bot.platforms import load, plugins
from bot.probes import ProbeConfigError
from bot.runtime import (
    AdapterUnavailable,
    DatabaseUnavailable,
    choose_adapters,
    console_has_input,
    environment,
    nothing_to_serve,
)
from bot.store import describe
from bot.store.work import StoreError
from bot.wording import plural

PLATFORM_CLIS = {p.name: p.cli for p in plugins() if p.cli}


def _platform_cli(name: str) -> Any:
    return importlib.import_module(PLATFORM_CLIS[name])


def parser(platforms: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; only the CLIs of `platforms` (default: all) are imported."""
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
    console = commands.add_parser(
        "console", parents=[options], help="run in this terminal, no token needed"
    )
    console.add_argument(
        "--pack",
        metavar="PATH|ID",
        default=None,
        help="serve only this pack (a pack folder, or a pack id in the content folder); "
        "drafts included, to try one before `admin pack use`",
    )
    doctor_cmd = commands.add_parser(
        "doctor", parents=[options], help="check config, content, database and tokens"
    )
    doctor_cmd.add_argument(
        "--offline", action="store_true", help="skip the token checks that call the platforms"
    )
    content = commands.add_parser("content", help="content pack tools")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check_cmd = content_commands.add_parser("check", help="validate content packs")
    check_cmd.add_argument(
        "path", nargs="?", type=Path, default=None, help="a pack or a folder of packs"
    )
    new_cmd = content_commands.add_parser(
        "new",
        parents=[options],
        help="draft a pack from an article's text (scraped or pasted)",
        description="Clean an article's text and write article.md and a draft pack.yaml "
        "to fill in. Everything removed or changed is reported.",
    )
    new_cmd.add_argument("article", type=Path, metavar="ARTICLE.txt", help="the article's text")
    new_cmd.add_argument(
        "--id", required=True, dest="pack_id", metavar="SLUG", help="the new pack's id"
    )
    new_cmd.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="the folder of packs to write it in (default: the content folder)",
    )
    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    copy_cmd = db_commands.add_parser(
        "copy",
        parents=[options],
        help="copy every row into an empty database (e.g. SQLite up to PostgreSQL)",
        description="Copy polls, votes, debates, schedules, runs, rotation, moderators, audit, "
        "tracked messages and the anonymous-voter key into an empty database, then check every "
        "table's row count. The target is migrated first; a non-empty one is refused.",
    )
    copy_cmd.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="PATH|URL",
        help="the database to copy (default: the configured one, OPED_BOT_DB)",
    )
    copy_cmd.add_argument(
        "--to", dest="target", required=True, metavar="URL|PATH", help="an empty database"
    )
    for name in PLATFORM_CLIS:
        if platforms is not None and name not in platforms:
            # Listed, not built: its CLI would import the platform's SDK for nothing.
            commands.add_parser(name, parents=[options], help=f"run or manage the {name} adapter")
            continue
        try:
            module = _platform_cli(name)
        except ImportError:
            continue  # that adapter is not installed or not built
        module.configure(
            commands.add_parser(name, parents=[options], help=f"run or manage the {name} adapter")
        )
    return top


def _command_word(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` names, if any, skipping options and the value of --config."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--config":
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    word = _command_word(argv)
    # `oped-bot console` must not pay for every platform's SDK (nor `run` for unused ones).
    helping = word is None and any(a in ("-h", "--help") for a in argv)
    args = parser(None if helping else [word] if word in PLATFORM_CLIS else []).parse_args(argv)
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
    if args.command == "content" and args.content_command == "new":
        return content_new(args.article, args.pack_id, args.out or settings.content_dir)
    if args.command == "content":
        return content_check(args.path or settings.content_dir)
    if args.command == "db":
        return db_copy(str(args.source or settings.database), args.target)
    if args.command in PLATFORM_CLIS:
        return int(_platform_cli(args.command).run(args, settings))
    if args.command in (None, "run"):
        return run(settings, env)
    if args.command == "console":
        if args.pack is not None:
            folder = pack_folder(args.pack, settings.content_dir)
            if folder is None:
                print(
                    f"The console cannot start: --pack {args.pack}: no pack folder there or in "
                    f"{settings.content_dir} (a pack is a folder with pack.yaml; "
                    "`oped-bot content new ARTICLE.txt --id SLUG` drafts one).",
                    file=sys.stderr,
                )
                return 2
            # The pack's folder becomes the whole content folder, so every channel serves it
            # whatever pack a channel chose before.
            settings = replace(settings, content_dir=folder, default_pack=None)
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
    from bot.doctor import EXAMPLE_CONFIG  # doctor imports database drivers: only when needed

    print(f"Every key is explained in {EXAMPLE_CONFIG}.", file=sys.stderr)
    return 2


def run(settings: Settings, env: dict[str, str], names: list[str] | None = None) -> int:
    """`oped-bot run` (or, with names, only those adapters) until stopped; the exit status."""
    if not names and choose_adapters(env) == ["console"] and not console_has_input(sys.stdin):
        say(f"The bot cannot start: {nothing_to_serve()}")
        return 2
    names = names or choose_adapters(env)
    if names == ["console"] and sys.stdin.isatty() and settings.log_level == "INFO":
        # Start-up chatter would land between the prompts; warnings still show.
        logs.setup("WARNING", settings.log_format, logs.secrets_from(env))
    try:
        return asyncio.run(runtime.run(settings, env, names))
    except (AdapterUnavailable, DatabaseUnavailable, ProbeConfigError) as exc:
        say(f"The bot cannot start: {exc}")
        return 2
    except PackInvalid as exc:
        return report_broken_pack(exc)


def run_doctor(config_path: Path | None, env: dict[str, str], *, offline: bool) -> int:
    """`oped-bot doctor`: print each check; non-zero if any failed."""
    from bot import doctor  # it imports every database driver; the other commands need none

    platform_checks: list[doctor.PlatformCheck] = []
    fallback = [p.name for p in plugins() if p.fallback]
    if not offline or choose_adapters(env) != fallback:
        for found in plugins():
            if found.doctor is None:
                continue
            try:
                checks_of = load(found.doctor)
            except ImportError as exc:
                print(_redacted(f"FAIL platforms: the adapters cannot be imported ({exc})"))
                return 1
            platform_checks += checks_of(env, offline)
    checks = asyncio.run(
        doctor.diagnose(
            config_path, env, platform_checks, console_input=console_has_input(sys.stdin)
        )
    )
    return doctor.report(checks, sys.stdout, logs.secrets_from(env))


def pack_folder(value: str, content_dir: Path) -> Path | None:
    """The pack folder `--pack` names: a path to one, else a pack id under `content_dir`."""
    for candidate in (Path(value), content_dir / value):
        if (candidate / "pack.yaml").is_file():
            return candidate
    return None


def content_check(root: Path) -> int:
    """Validate packs under `root`; print each problem and exit non-zero if any."""
    from bot.content.draft import draft_summary, unfinished  # the drafting tools load slowly

    packs, errors = check(root)
    for error in errors:
        say(str(error))
    drafts = [pack for pack in packs if pack.is_draft]
    for pack in drafts:
        for problem in unfinished(pack):
            print(problem, file=sys.stderr)
        print(draft_summary(pack), file=sys.stderr)
    for pack in packs:
        if pack.is_draft:
            continue
        print(
            f"ok {pack.id}: {len(pack.paragraphs)} paragraphs, {len(pack.claims)} claims, "
            f"{len(pack.quotes)} quotes, {len(pack.counterpoints)} counterpoints, "
            f"{len(pack.prompts)} prompts, {len(pack.glossary)} terms"
        )
    return 1 if errors or drafts else 0


def content_new(article: Path, pack_id: str, out: Path) -> int:
    """`oped-bot content new`: draft a pack from an article and report what was done."""
    from bot.content.draft import DraftRefused, draft  # the drafting tools load slowly

    try:
        text = article.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"Nothing drafted: {article} does not exist.", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"Nothing drafted: {article} is not UTF-8 text; save it as UTF-8.", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Nothing drafted: {article} cannot be read ({exc.strerror}).", file=sys.stderr)
        return 2
    try:
        made = draft(text, pack_id, out, article.name)
    except DraftRefused as exc:
        print(f"Nothing drafted: {exc}.", file=sys.stderr)
        return 2
    cleaned, pack, folder = made.cleaned, made.pack, made.folder
    print(
        f"Drafted {folder} from {article.name}: article.md ({len(pack.paragraphs)} paragraphs) "
        "and pack.yaml."
    )
    found = [
        f"{name} {cleaned.guesses[name]!r}"
        for name in ("title", "author", "affiliation", "outlet", "published")
        if name in cleaned.guesses
    ]
    missing = [
        name for name in ("title", "author", "outlet", "published") if name not in cleaned.guesses
    ]
    if found:
        print("Guessed from the text (check them): " + "; ".join(found) + ".")
    if missing:
        print("Not in the text, left as drafts: " + ", ".join(missing) + ".")
    print("Removed:")
    for line in cleaned.removals() or ["nothing: the text had no page debris"]:
        print(f"  - {line}")
    print("Changed:")
    for line in cleaned.changes():
        print(f"  - {line}")
    print(
        f"Proposed {plural(len(pack.quotes), 'candidate quote')} (verbatim, with their "
        f"paragraph) and {plural(len(pack.glossary), 'glossary term')}: keep the good ones."
    )
    print(
        f"Next: fill in the {len(pack.drafts)} DRAFT: fields (`oped-bot content check {folder}` "
        f"lists them), try it with `oped-bot console --pack {folder}`, then `admin content "
        f"reload` and `admin pack use {pack.id}`."
    )
    return 0


def report_broken_pack(exc: PackInvalid) -> int:
    """Explain why the bot will not start on a broken pack."""
    print("The bot cannot start: a content pack is broken.", file=sys.stderr)
    for error in exc.errors:
        say(f"  {error}")
    return 2


def db_copy(source: str, target: str) -> int:
    """`oped-bot db copy`: copy `source` into the empty `target` and report what moved."""
    # The PostgreSQL driver is slow to import; only `db copy` and doctor need it here.
    import asyncpg

    from bot.store.copy import copy_database

    try:
        copied = asyncio.run(copy_database(source, target))
    except (StoreError, OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
        print(f"db copy: nothing was copied: {exc}", file=sys.stderr)
        return 1
    print(f"Copied {describe(source)} to {describe(target)}; rows per table, checked on both:")
    for line in copied.lines():
        print(f"  {line}")
    return 0


def run_console(settings: Settings) -> int:
    """`oped-bot console`: the console adapter alone, whatever tokens are set."""
    return run(settings, environment(), ["console"])
