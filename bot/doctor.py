"""`oped-bot doctor`: is this installation ready to run, and if not, what to change.

Each check prints `ok` or `FAIL` with what it saw and, on failure, how to fix it. The core checks
(configuration, credentials present, content packs, database) need no network, except a
PostgreSQL database, which doctor connects to read its schema version. The platform
checks (each adapter's own settings, and whether the platforms accept the tokens) are given by
the caller, from each platform plug-in's `doctor` checks, so the core never imports a platform SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import asyncpg

from bot.config import ConfigError, Settings, format_duration
from bot.content.loader import PackError, check
from bot.logs import Redactor
from bot.platforms import plugins
from bot.probes import PORT_ENV, ProbeConfigError, probe_address
from bot.runtime import choose_adapters, nothing_to_serve
from bot.store.migrations import MIGRATIONS
from bot.store.postgres import schema_version
from bot.store.target import redact
from bot.wording import plural

EXAMPLE_CONFIG = "deploy/oped-bot.example.yaml"
LATEST_SCHEMA = len(MIGRATIONS)
ENV_EXAMPLE = "deploy/.env.example"


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


# A check of one platform's settings or tokens, supplied by the adapters.
PlatformCheck = Callable[[], Awaitable[Check]]


def config(path: Path | None, env: Mapping[str, str]) -> tuple[Check, Settings]:
    """The configuration check, and the settings to check the rest with (defaults if broken)."""
    try:
        settings = Settings.load(path, env)
    except ConfigError as exc:
        return (
            Check(
                "config",
                False,
                "; ".join(exc.problems),
                f"correct the file (every key is explained in {EXAMPLE_CONFIG})",
            ),
            Settings.from_env(env),
        )
    source = str(settings.config_file) if settings.config_file else "no config file, defaults"
    return (
        Check(
            "config",
            True,
            f"{source}; time zone {settings.timezone}, "
            f"grace period {format_duration(settings.grace_period)}, "
            f"log {settings.log_level.lower()} as {settings.log_format}",
        ),
        settings,
    )


def credentials(env: Mapping[str, str], console_input: bool = True) -> Check:
    """Which adapters `oped-bot run` will start, and credentials that are only half there.

    `console_input` says whether standard input could feed the console (a terminal or a pipe);
    doctor inherits the same input as the service it guards. Whether each value is well-formed
    is the adapter's to say (the platform settings checks).
    """
    half = {p.title: p.half_set(env) for p in plugins()}
    if any(half.values()):
        titles = " and ".join(title for title, problems in half.items() if problems)
        return Check(
            "credentials",
            False,
            "; ".join(problem for problems in half.values() for problem in problems),
            f"set the {titles} variables together in the environment or .env (see {ENV_EXAMPLE})",
        )
    adapters = choose_adapters(env)
    if adapters == ["console"] and not console_input:
        head, _, fix = nothing_to_serve().partition(". ")
        return Check("credentials", False, head, fix)
    if adapters == ["console"]:
        return Check("credentials", True, "no platform token: `oped-bot run` starts the console")
    return Check("credentials", True, f"`oped-bot run` starts {' and '.join(adapters)}")


def content(settings: Settings) -> Check:
    """Every pack valid, and the default pack present."""
    packs, errors = check(settings.content_dir)
    ids = [pack.id for pack in packs]
    if settings.default_pack and not errors and settings.default_pack not in ids:
        errors.append(
            PackError(settings.content_dir, "", f"default pack {settings.default_pack!r} missing")
        )
    if errors:
        return Check(
            "content",
            False,
            "; ".join(str(error) for error in errors[:5])
            + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""),
            f"run `oped-bot content check {settings.content_dir}` and fix what it lists",
        )
    # A draft does not stop the bot (it is never served unasked), but it is not usable yet either.
    shown = [
        f"{pack.id} (draft: {plural(len(pack.drafts), 'field')} to fill in)"
        if pack.is_draft
        else pack.id
        for pack in packs
    ]
    return Check("content", True, f"{settings.content_dir}: {', '.join(shown)}")


def database(settings: Settings, latest: int = LATEST_SCHEMA) -> Check:
    """The database folder or file takes a real write, and the file is at the latest schema."""
    path = settings.db_path
    if path.is_dir():
        return Check("database", False, f"{path} is a folder", folder_fix(path))
    folder = path.parent
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return Check(
            "database",
            False,
            f"cannot create or write in {existing} (for {path})",
            "give the bot's user write access there, or point OPED_BOT_DB / database.path "
            "at a writable place",
        )
    if not path.exists():
        try:
            _probe_folder(existing)
        except OSError as exc:
            return Check(
                "database",
                False,
                f"cannot create or write in {existing} (for {path}): {exc.strerror or exc}",
                f"free disk space on the filesystem of {existing}, or point OPED_BOT_DB / "
                "database.path at a writable place",
            )
        return Check("database", True, f"{path} will be created and migrated at first start")
    if not os.access(path, os.R_OK | os.W_OK):
        return Check(
            "database",
            False,
            f"{path} is not readable and writable by this user",
            f"chown or chmod {path} for the bot's user",
        )
    try:
        with contextlib.closing(
            sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        ) as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            integrity = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        return Check(
            "database",
            False,
            f"{path} cannot be read as SQLite ({exc})",
            "restore it from a backup, or move it away to start afresh",
        )
    if integrity != "ok":
        return Check(
            "database",
            False,
            f"{path} failed its integrity check ({integrity})",
            "restore it from a backup",
        )
    if version < latest:
        return Check(
            "database",
            False,
            f"{path} is at schema version {version}, this release needs {latest}",
            "start the bot once (`oped-bot run` migrates at start), then run doctor again",
        )
    if version > latest:
        return Check(
            "database",
            False,
            f"{path} is at schema version {version}, newer than this release knows ({latest})",
            "upgrade oped-bot to the release that wrote this database",
        )
    try:
        _probe_database(path, version)
    except sqlite3.Error as exc:
        return Check(
            "database",
            False,
            f"{path} cannot be written ({exc})",
            f"free disk space on the filesystem of {path}, and check that the bot's user may "
            f"write the file and its folder (SQLite adds -wal and -shm files next to it)",
        )
    return Check("database", True, f"{path}: schema version {version}, writable")


CONNECT_SECONDS = 10.0


async def postgres_database(url: str, latest: int = LATEST_SCHEMA) -> Check:
    """The PostgreSQL server reachable, and its schema (if any) at the latest version."""
    shown = redact(url)
    try:
        conn = await asyncio.wait_for(asyncpg.connect(url), CONNECT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return Check(
            "database",
            False,
            f"cannot connect to {shown} ({type(exc).__name__}: {exc})",
            "start the server, or correct host, port, database and user in OPED_BOT_DB / "
            "database.url (a password goes in the URL of OPED_BOT_DB, PGPASSWORD or ~/.pgpass)",
        )
    try:
        version = await schema_version(conn)
    except asyncpg.PostgresError as exc:
        return Check(
            "database",
            False,
            f"{shown} cannot be read ({exc})",
            "grant the bot's user rights on the database",
        )
    finally:
        await conn.close()
    if version == 0:
        return Check("database", True, f"{shown} is empty; it will be migrated at first start")
    if version < latest:
        return Check(
            "database",
            False,
            f"{shown} is at schema version {version}, this release needs {latest}",
            "start the bot once (`oped-bot run` migrates at start), then run doctor again",
        )
    if version > latest:
        return Check(
            "database",
            False,
            f"{shown} is at schema version {version}, newer than this release knows ({latest})",
            "upgrade oped-bot to the release that wrote this database",
        )
    return Check("database", True, f"{shown}: schema version {version}, reachable")


def folder_fix(path: Path) -> str:
    """What to do when the database path names a folder."""
    return (
        f"point OPED_BOT_DB (or database.path) at a file inside it, such as "
        f"{path / 'oped-bot.sqlite3'}"
    )


# How long the write probe waits for a running bot's write to finish.
PROBE_BUSY_MS = 5000


def _probe_database(path: Path, version: int) -> None:
    """Commit a write that changes nothing: the same schema version, written and synced.

    Readable and permitted is not writable: on a full disk (or a read-only mount) only a
    committed write tells.
    """
    uri = path.resolve().as_uri() + "?mode=rw"
    with contextlib.closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as db:
        db.execute(f"PRAGMA busy_timeout = {PROBE_BUSY_MS}")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(f"PRAGMA user_version = {int(version)}")
            db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def _probe_folder(folder: Path) -> None:
    """Create, write, sync and remove a small file in `folder`; OSError if any step fails."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=".oped-bot-doctor-")
    try:
        os.write(fd, b"\0" * 4096)
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


async def diagnose(
    config_path: Path | None,
    env: Mapping[str, str],
    platform_checks: Iterable[PlatformCheck] = (),
    latest_schema: int = LATEST_SCHEMA,
    console_input: bool = True,
) -> list[Check]:
    """Run the core checks, then the platform checks the caller chose."""
    config_check, settings = config(config_path, env)
    checks = [config_check, credentials(env, console_input), content(settings)]
    if settings.db_url is not None:
        checks.append(await postgres_database(settings.db_url, latest_schema))
    else:
        checks.append(database(settings, latest_schema))
    if env.get(PORT_ENV, "").strip():
        checks.append(health_port(env))
    for platform_check in platform_checks:
        checks.append(await platform_check())
    return checks


def health_port(env: Mapping[str, str]) -> Check:
    """OPED_BOT_HTTP_PORT is a port `oped-bot run` can serve the probes on."""
    try:
        address = probe_address(env)
    except ProbeConfigError as exc:
        return Check("health port", False, str(exc), f"fix {PORT_ENV} in the environment or .env")
    assert address is not None  # only asked when the variable is set
    host, port = address
    return Check("health port", True, f"/healthz, /readyz and /metrics on {host}:{port}")


def report(checks: Sequence[Check], out: TextIO, secrets: Iterable[str] = ()) -> int:
    """Print each check as `ok`/`FAIL` with its fix, redacted as logs are; 1 if any failed."""
    redact = Redactor(secrets)
    for item in checks:
        out.write(redact(f"{'ok  ' if item.ok else 'FAIL'} {item.name}: {item.detail}") + "\n")
        if not item.ok and item.fix:
            out.write(redact(f"     fix: {item.fix}") + "\n")
    failed = [item.name for item in checks if not item.ok]
    out.write(
        f"{plural(len(failed), 'problem')}: {', '.join(failed)}\n" if failed else "all good\n"
    )
    return 1 if failed else 0


def unreachable(name: str, platform: str, host: str, exc: Exception) -> Check:
    """The check for a platform API out of reach (its wording is shared with platform CLIs)."""
    return Check(
        name,
        False,
        f"cannot reach the {platform} API ({type(exc).__name__})",
        f"check the network, DNS and any proxy between this machine and {host}",
    )
