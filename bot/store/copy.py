"""`oped-bot db copy`: move every row from one database to another (SQLite up to PostgreSQL).

Both ends are opened with `open_store` first, so both are at this release's schema version and
have the same tables and columns (the migrations move in step). The target must be empty: no
row in any table, except the anonymous-voter key it made for itself when it was opened, which
the source's key then replaces, so anonymous voters keep their hashes. Rows go over parents
first, in one transaction on the target; then the target's id counters are moved past the
highest id copied (and past the highest poll id ever deleted), so ids continue where they left
off, and every table's row count is compared.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bot.store import open_store
from bot.store.polls import DELETED_POLL_KEY
from bot.store.target import is_postgres_url, redact
from bot.store.work import StoreError

# Parents before children, so foreign keys hold at every step.
TABLES: tuple[str, ...] = (
    "meta",
    "polls",
    "poll_options",
    "poll_votes",
    "poll_ballots",
    "debates",
    "debate_votes",
    "moderators",
    "audit_log",
    "tracked_messages",
    "schedules",
    "schedule_runs",
    "prompt_rotations",
    "pending_reports",
    "pack_choices",
    "deliveries",
    "home_viewers",
    # OAuth states are left behind: each lives ten minutes, for one browser's install.
    "installations",
)
# Tables whose `id` PostgreSQL hands out from an identity column.
IDENTITY_TABLES = ("debates", "audit_log", "tracked_messages", "schedules", "pending_reports")
OWN_KEY = "voter_secret"

Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Copied:
    """Rows per table, as counted on both ends after the copy."""

    counts: dict[str, int]

    def lines(self) -> list[str]:
        """One line per table, for the command's report."""
        return [f"{table:<18} {count:>8}" for table, count in self.counts.items()]


async def copy_database(source: str, target: str) -> Copied:
    """Copy every row of `source` into the empty `target`; StoreError naming what is wrong."""
    _check_ends(source, target)
    for end in (source, target):
        store = await open_store(end)
        await store.close()
    tables: dict[str, tuple[list[str], Rows]] = {}
    for table in TABLES:
        tables[table] = await _read(source, table)
    await _write(target, tables)
    counts = {table: len(rows) for table, (_, rows) in tables.items()}
    found = {table: await _count(target, table) for table in TABLES}
    wrong = [f"{t}: {counts[t]} read, {found[t]} written" for t in TABLES if found[t] != counts[t]]
    if wrong:
        raise StoreError("the copy does not match its source: " + "; ".join(wrong))
    return Copied(counts)


def _check_ends(source: str, target: str) -> None:
    if source == target:
        raise StoreError("--from and --to name the same database; give two different ones")
    if not is_postgres_url(source) and not Path(source).is_file():
        # Opening it would make an empty database there, and copy nothing.
        raise StoreError(f"--from {source}: there is no database file there")


async def _read(where: str, table: str) -> tuple[list[str], Rows]:
    if is_postgres_url(where):
        conn = await asyncpg.connect(where)
        try:
            statement = await conn.prepare(f"SELECT * FROM {table}")
            columns = [str(a.name) for a in statement.get_attributes()]
            return columns, [tuple(record) for record in await statement.fetch()]
        finally:
            await conn.close()
    return _read_sqlite(where, table)


def _read_only(path: str) -> sqlite3.Connection:
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def _read_sqlite(path: str, table: str) -> tuple[list[str], Rows]:
    with closing(_read_only(path)) as db:
        cursor = db.execute(f"SELECT * FROM {table}")
        return [d[0] for d in cursor.description], [tuple(row) for row in cursor.fetchall()]


def _count_sqlite(path: str, table: str) -> int:
    with closing(_read_only(path)) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def _count(where: str, table: str) -> int:
    if is_postgres_url(where):
        conn = await asyncpg.connect(where)
        try:
            return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
        finally:
            await conn.close()
    return _count_sqlite(where, table)


def _refuse_if_used(where: str, counts: dict[str, int], meta_keys: Sequence[str]) -> None:
    held = {table: count for table, count in counts.items() if table != "meta" and count}
    extra = [key for key in meta_keys if key != OWN_KEY]
    if held or extra:
        what = ", ".join(f"{table}: {count}" for table, count in held.items()) or "settings"
        raise StoreError(
            f"{redact(where)} already holds data ({what}); db copy only fills an empty "
            "database. Give --to a new, empty one."
        )


async def _write(target: str, tables: dict[str, tuple[list[str], Rows]]) -> None:
    if is_postgres_url(target):
        await _write_postgres(target, tables)
    else:
        _write_sqlite(Path(target), tables)


async def _write_postgres(target: str, tables: dict[str, tuple[list[str], Rows]]) -> None:
    conn = await asyncpg.connect(target)
    try:
        async with conn.transaction():
            # Locks out a bot started on the target meanwhile, and a second copy.
            await conn.execute(f"LOCK TABLE {', '.join(TABLES)} IN EXCLUSIVE MODE")
            counts = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}")) for t in TABLES}
            keys = [str(r[0]) for r in await conn.fetch("SELECT key FROM meta")]
            _refuse_if_used(target, counts, keys)
            await conn.execute("DELETE FROM meta")
            # The schema's guards refuse a vote in a closed poll or a past debate phase; copied
            # votes were cast while those were open. They are back on before the commit.
            guarded = ("poll_votes", "poll_ballots", "debate_votes")
            for table in guarded:
                await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for table, (columns, rows) in tables.items():
                if rows:
                    await conn.copy_records_to_table(table, records=rows, columns=columns)
            for table in guarded:
                await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            for table in IDENTITY_TABLES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            # Poll ids continue past every poll ever made, deleted ones included.
            await conn.execute(
                "SELECT setval('poll_ids', greatest(coalesce((SELECT max(id) FROM polls), 0), "
                "coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = $1), 0)) + 1, "
                "false)",
                DELETED_POLL_KEY,
            )
    finally:
        await conn.close()


def _write_sqlite(target: Path, tables: dict[str, tuple[list[str], Rows]]) -> None:
    with closing(sqlite3.connect(target, isolation_level=None)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN IMMEDIATE")
        try:
            counts = {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in TABLES}
            keys = [str(r[0]) for r in db.execute("SELECT key FROM meta")]
            _refuse_if_used(str(target), counts, keys)
            db.execute("DELETE FROM meta")
            # The guards refuse a vote in a closed poll or a past debate phase; copied votes were
            # cast while those were open. SQLite cannot switch a trigger off, so they are dropped
            # and made again, in this same transaction.
            triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            guards = triggers.fetchall()
            for name, _ in guards:
                db.execute(f"DROP TRIGGER {name}")
            for table, (columns, rows) in tables.items():
                if rows:
                    names = ", ".join(columns)
                    marks = ", ".join("?" for _ in columns)
                    db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            for _, sql in guards:
                db.execute(sql)
            # SQLite hands out max(id) + 1, and polls also look at the deleted-poll mark copied
            # with meta, so ids continue on their own.
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
