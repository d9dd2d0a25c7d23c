"""The SQLite driver on aiosqlite: WAL, one group-committing writer, a separate reader.

Durability: `synchronous=FULL` in WAL mode fsyncs the log on every commit, so a returned write
survives a crash of the process *and* of the machine. NORMAL would survive a process kill but
could lose the last commits on power loss, which breaks "acknowledged means kept". Group commit
pays the fsync once per batch instead of once per vote, which is what makes FULL affordable.

Writes: every change is a unit of work (`bot.store.work`) handed to `_write`. Units queue up
while the previous batch commits; the writer task then runs the whole queue (up to `max_batch`)
in one transaction on the writer connection's thread, each unit inside its own savepoint so a
refused one undoes only itself, commits once, and only then resolves each caller's future.
Reads go through `_read` on a second connection, batched the same way in one read transaction,
so they never wait for the writer (WAL) and a burst of reads costs a few thread hops, not one
each. The store methods themselves live in the aggregate mixins, shared with PostgreSQL.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import aiosqlite

from bot.clock import Clock, SystemClock
from bot.store import MAX_BATCH
from bot.store.batch import Batcher, Job, Outcome
from bot.store.debates import DebateStore
from bot.store.home import HomeStore
from bot.store.installs import InstallStore
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.moderation import ModerationStore, WorkspaceCache
from bot.store.polls import DELETED_POLL_KEY, PollStore
from bot.store.schedules import ScheduleStore
from bot.store.work import (
    ConstraintViolated,
    Dialect,
    MakeWork,
    Result,
    Stmt,
    StoreError,
    Work,
    q,
)

__all__ = ["MAX_BATCH", "SqliteStore", "StoreError", "migrate"]

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


class SqliteDialect:
    """SQLite's answers: the writer is one transaction at a time, so no per-voter lock."""

    name = "sqlite"

    def next_poll_id(self) -> Stmt:
        return q(
            "SELECT max(coalesce((SELECT max(id) FROM polls), 0), "
            "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0)) + 1",
            DELETED_POLL_KEY,
        )

    def first_vote(
        self, poll_id: int, voter: str, option: int, name: str | None, stamp: str | None
    ) -> Stmt:
        return q(
            "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
            "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
            "(SELECT 1 FROM poll_votes WHERE poll_id = ? AND voter = ?)",
            poll_id,
            voter,
            option,
            name,
            stamp,
            poll_id,
            voter,
        )

    def lock_voter(self, poll_id: int, voter: str) -> Stmt | None:
        # BEGIN IMMEDIATE already serialises writers across processes, and the schema's
        # triggers refuse a vote on a poll another process closed.
        return None


def execute(conn: sqlite3.Connection, stmt: Stmt) -> Result:
    """Run one statement; a broken constraint or schema guard becomes ConstraintViolated."""
    try:
        if stmt.many:
            cursor = conn.executemany(stmt.sql, stmt.params)
            return Result((), cursor.rowcount)
        cursor = conn.execute(stmt.sql, stmt.params)
        rows = cursor.fetchall()
        return Result(rows, cursor.rowcount)
    except sqlite3.IntegrityError as exc:
        raise ConstraintViolated(str(exc)) from None


def drive(conn: sqlite3.Connection, make: MakeWork[T]) -> T:
    """Run a unit of work to its end on `conn`, synchronously (on the connection's thread)."""
    unit = make()
    try:
        stmt = next(unit)
        while True:
            try:
                result = execute(conn, stmt)
            except ConstraintViolated as exc:
                stmt = unit.throw(exc)
            else:
                stmt = unit.send(result)
    except StopIteration as stop:
        return cast(T, stop.value)


async def _on_thread(conn: aiosqlite.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run `fn` on the connection's own thread, in one hop.

    aiosqlite's public methods cost one thread hop per statement; a batch of a thousand votes
    needs a few thousand statements, so the whole batch runs as one function instead.
    `_execute` is aiosqlite's queueing primitive (stable since 0.x; the version is pinned and
    the store contract tests exercise this path).
    """
    raw: sqlite3.Connection = conn._conn
    result = await conn._execute(fn, raw)  # type: ignore[no-untyped-call]
    return cast(T, result)


def _run_batch(jobs: Sequence[Job], conn: sqlite3.Connection) -> list[Outcome]:
    """Run units in one transaction and commit once. Runs on the writer thread.

    A unit that may write more than once runs in a savepoint, so its failure undoes only its
    own writes. A unit flagged single-statement skips the savepoint: SQLite already undoes a
    failed statement on its own, and a vote is one statement after its checks.
    """
    outcomes: list[Outcome] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for make, savepoint in jobs:
            if savepoint:
                conn.execute("SAVEPOINT op")
            try:
                value = drive(conn, make)
            except Exception as exc:
                if savepoint:
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                outcomes.append((False, exc))
            else:
                if savepoint:
                    conn.execute("RELEASE op")
                outcomes.append((True, value))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _run_reads(jobs: Sequence[Job], conn: sqlite3.Connection) -> list[Outcome]:
    """Run read units in one read transaction (one snapshot). Runs on the reader thread.

    The snapshot starts after every unit in the batch was requested, so each read sees every
    write acknowledged before it was asked for.
    """
    outcomes: list[Outcome] = []
    conn.execute("BEGIN")
    try:
        for make, _ in jobs:
            try:
                outcomes.append((True, drive(conn, make)))
            except Exception as exc:
                outcomes.append((False, exc))
    finally:
        conn.execute("COMMIT")
    return outcomes


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply pending migrations, each in its own transaction; return the schema version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(migrations):
        raise StoreError(
            f"the database is at schema version {version}, newer than this code "
            f"({len(migrations)}); upgrade oped-bot or use another OPED_BOT_DB"
        )
    for number, migration in enumerate(migrations[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.statements:
                conn.execute(statement)
            # user_version lives in the database header, so it commits with the schema change.
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("applied store migration %d: %s", number, migration.description)
    return len(migrations)


class SqliteStore(PollStore, DebateStore, ScheduleStore, ModerationStore, HomeStore, InstallStore):
    """The `Store` on one SQLite file. Open with `await SqliteStore.open(path)`."""

    dialect: Dialect = SqliteDialect()

    def __init__(
        self,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        clock: Clock,
        secret: bytes,
        max_batch: int,
        path: Path,
    ) -> None:
        self.path = path
        self.clock = clock
        self._writer_conn = writer
        self._reader = reader
        self._secret = secret
        self._poll_cache = {}
        self._moderators = WorkspaceCache()
        self._pack_choices = WorkspaceCache()
        self._writer = Batcher(
            lambda jobs: _on_thread(writer, partial(_run_batch, jobs)), max_batch, "writer"
        )
        self._readers = Batcher(
            lambda jobs: _on_thread(reader, partial(_run_reads, jobs)), max_batch, "reader"
        )
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        clock: Clock | None = None,
        secret: str | None = None,
        max_batch: int = MAX_BATCH,
    ) -> SqliteStore:
        """Open (creating if needed) and migrate the database at `path`.

        `secret` keys the hashes that stand for voters in anonymous polls; without one, a
        random key is generated once and kept in the database.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await aiosqlite.connect(path, isolation_level=None)
        reader: aiosqlite.Connection | None = None
        try:
            key = await _on_thread(writer, partial(_prepare, secret=secret))
            reader = await aiosqlite.connect(path, isolation_level=None)
            await _on_thread(reader, _prepare_reader)
        except BaseException:
            await writer.close()
            if reader is not None:
                await reader.close()
            raise
        return cls(writer, reader, clock or SystemClock(), key, max_batch, path)

    async def close(self) -> None:
        """Commit what is queued, then close both connections. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._writer.close()
            await self._readers.close()
        finally:
            await self._reader.close()
            await self._writer_conn.close()

    async def ping(self) -> None:
        """A read through the reader: raises StoreError once closed, sqlite3.Error if unwell."""

        def unit() -> Work[None]:
            # sqlite_master is on disk, so this touches the file, where `SELECT 1` would not.
            yield q("SELECT count(*) FROM sqlite_master")

        await self._read(unit)

    @property
    def write_stats(self) -> tuple[int, int]:
        """(transactions, writes) committed so far: how well group commit is batching."""
        return self._writer.batches, self._writer.ops

    async def _write(self, make: MakeWork[T], *, single_statement: bool = False) -> T:
        return await self._writer.submit(make, not single_statement)

    async def _read(self, make: MakeWork[T]) -> T:
        # The reader connection is `query_only`: a unit that tries to write fails.
        return await self._readers.submit(make, False)


def _prepare(conn: sqlite3.Connection, *, secret: str | None) -> bytes:
    """Set the writer's pragmas, migrate, and return the anonymous-voter key."""
    conn.row_factory = sqlite3.Row
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(f"SQLite refused WAL mode (got {mode!r}); use a database on a local disk")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    migrate(conn)
    if secret:
        return secret.encode()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('voter_secret', ?) ON CONFLICT DO NOTHING",
            (secrets.token_hex(32),),
        )
        stored = conn.execute("SELECT value FROM meta WHERE key = 'voter_secret'").fetchone()[0]
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return bytes.fromhex(stored)


def _prepare_reader(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # The reader must never write: every write goes through the group-committing writer.
    conn.execute("PRAGMA query_only = ON")
