"""The PostgreSQL driver on asyncpg: the same units of work, several processes on one database.

Writes: as on SQLite, units that arrive together commit together. The writer takes the queue
(up to `max_batch`) and runs it in one transaction on one pooled connection, then commits once
and only then resolves each caller's future: a vote is acknowledged after its commit. A unit
that may write more than once runs in a savepoint, so a refused one undoes only itself; a vote
(one statement after its checks) runs without one. If a statement fails where no savepoint
guards it, PostgreSQL has aborted the whole transaction, so the batch is rolled back and run
again with a savepoint per unit: nobody was acknowledged yet, and each unit is made afresh.
A deadlock between two processes' batches fails one unit's statement; that unit is retried
inside its savepoint. The first clicks of a batch are sent together, pipelined in one round
trip (see `_attempt`), which is most of what makes a batch cheap.

Across processes: a click locks its (poll, voter) pair for the transaction and re-reads the
poll under a share lock, so two processes never both add a pick, and none votes in a poll that
another just closed. Run claims, deadline closes and report deliveries are conditional writes
that only one process wins; poll ids come from a sequence, never reused; the anonymous-voter
key is one row every process reads.

Reads run batched in one read-only REPEATABLE READ transaction (one snapshot) on a pooled
connection, started after they were asked for, so they see every acknowledged write.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar, cast

import asyncpg

from bot.clock import Clock, SystemClock
from bot.store import MAX_BATCH
from bot.store.batch import Batcher, Job, Outcome
from bot.store.debates import DebateStore
from bot.store.home import HomeStore
from bot.store.installs import InstallStore
from bot.store.moderation import ModerationStore, WorkspaceCache
from bot.store.pg_migrations import PG_MIGRATIONS
from bot.store.polls import PollStore
from bot.store.schedules import ScheduleStore
from bot.store.target import redact
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

log = logging.getLogger(__name__)

T = TypeVar("T")

POOL_SIZE = 4
# Held while migrating, so processes starting together migrate once, one after the other.
MIGRATION_LOCK = 0x0BED_B07
DEADLOCK_RETRIES = 5
# SQLSTATE classes: 23 integrity constraint violation; P0001 raise_exception (schema guards).
_CONSTRAINT = re.compile(r"^(23...|P0001)$")
_RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2...`, leaving quoted text alone."""
    out: list[str] = []
    count = 0
    quote: str | None = None
    for char in sql:
        if quote:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            count += 1
            out.append(f"${count}")
            continue
        out.append(char)
    return "".join(out)


class PostgresDialect:
    """PostgreSQL's answers: a sequence for poll ids, a transaction lock per voter."""

    name = "postgresql"

    def next_poll_id(self) -> Stmt:
        return q("SELECT nextval('poll_ids')")

    def first_vote(
        self, poll_id: int, voter: str, option: int, name: str | None, stamp: str | None
    ) -> Stmt:
        # One round trip for the common click. The lock is taken while the CTE runs, after
        # this statement's snapshot: a pick the same voter committed meanwhile through another
        # process is invisible to NOT EXISTS, but not to the schema guard, which then asks for
        # the unit to run again (serialization_failure), and the rerun sees it.
        # First clicks arriving together are pipelined: one round trip for the whole batch.
        return Stmt(
            "WITH poll AS (SELECT closed_at, pg_advisory_xact_lock(hashtextextended(?, 0)) "
            "FROM polls WHERE id = ? FOR SHARE) "
            "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
            "SELECT CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), "
            "CAST(? AS TEXT) FROM poll WHERE poll.closed_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM poll_votes WHERE poll_id = ? AND voter = ?) RETURNING poll_id, voter",
            (
                f"vote:{poll_id}:{voter}",
                poll_id,
                poll_id,
                voter,
                option,
                name,
                stamp,
                poll_id,
                voter,
            ),
            batch_key=(poll_id, voter),
        )

    def lock_voter(self, poll_id: int, voter: str) -> Stmt | None:
        # Waits for a close of this poll committing meanwhile, then returns its closed_at.
        return q(
            "SELECT closed_at, pg_advisory_xact_lock(hashtextextended(?, 0)) "
            "FROM polls WHERE id = ? FOR SHARE",
            f"vote:{poll_id}:{voter}",
            poll_id,
        )


class _Redo(Exception):
    """A statement failed outside a savepoint: the transaction is aborted, run it again."""


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", "") or "")


async def execute(conn: Any, stmt: Stmt) -> Result:
    """Run one statement on an asyncpg connection (prepared and cached by asyncpg)."""
    sql = numbered(stmt.sql)
    if stmt.many:
        await conn.executemany(sql, stmt.params)
        return Result((), len(stmt.params))
    head = sql.lstrip()[:6].upper()
    if head == "SELECT" or " RETURNING " in sql:
        rows = await conn.fetch(sql, *stmt.params)
        return Result(rows, len(rows))
    status = str(await conn.execute(sql, *stmt.params))
    tail = status.rsplit(" ", 1)[-1]
    return Result((), int(tail) if tail.isdigit() else 0)


async def drive(conn: Any, make: MakeWork[T], *, guarded: bool) -> T:
    """Run a unit of work on `conn`. Unguarded (no savepoint), any failed statement is a redo."""
    unit = make()
    try:
        stmt = next(unit)
    except StopIteration as stop:
        return cast(T, stop.value)
    return await _carry_on(conn, unit, stmt, guarded=guarded)


async def _carry_on(conn: Any, unit: Work[T], stmt: Stmt, *, guarded: bool) -> T:
    """Run `stmt`, then the rest of `unit`, to its end."""
    try:
        while True:
            try:
                result = await execute(conn, stmt)
            except asyncpg.PostgresError as exc:
                if not guarded:
                    raise _Redo from exc
                if _CONSTRAINT.match(_sqlstate(exc)):
                    stmt = unit.throw(ConstraintViolated(str(exc)))
                    continue
                raise
            stmt = unit.send(result)
    except StopIteration as stop:
        return cast(T, stop.value)


def _resumed(unit: Work[T], result: Result) -> Stmt | T:
    """Send `result` to `unit`: its next statement, or its value if it is done."""
    try:
        return unit.send(result)
    except StopIteration as stop:
        return cast(T, stop.value)


async def _guarded(conn: Any, make: MakeWork[Any]) -> Outcome:
    """Run a unit in its own savepoint, retrying it after a deadlock with another process."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            async with conn.transaction():  # nested: a savepoint
                return True, await drive(conn, make, guarded=True)
        except asyncpg.PostgresError as exc:
            if _sqlstate(exc) in _RETRYABLE and attempt + 1 < DEADLOCK_RETRIES:
                continue
            return False, exc
        except Exception as exc:
            return False, exc
    raise AssertionError("unreachable")  # pragma: no cover


async def _attempt(conn: Any, jobs: Sequence[Job], *, all_guarded: bool) -> list[Outcome]:
    """Run the batch in one transaction; units without a savepoint may share a round trip.

    Consecutive unguarded units whose first statement is the same `batch_key` statement send
    it together (pipelined), then each goes on in turn. That is the same as running them one
    after another: such a statement decides its effect by itself, and what a unit does next
    it reads afresh.
    """
    outcomes: list[Outcome | None] = [None] * len(jobs)
    waiting: list[tuple[int, Work[Any], Stmt]] = []

    async def flush() -> None:
        if not waiting:
            return
        first = waiting[0][2]
        try:
            rows = await conn.fetchmany(
                numbered(first.sql), [stmt.params for _, _, stmt in waiting]
            )
        except asyncpg.PostgresError as exc:
            raise _Redo from exc
        changed: dict[tuple[Any, ...], list[Any]] = {}
        for row in rows:
            changed.setdefault(tuple(row)[: len(first.batch_key or ())], []).append(row)
        batch = list(waiting)
        waiting.clear()
        for index, unit, stmt in batch:
            mine = changed.get(stmt.batch_key or (), [])
            result = Result((mine.pop(0),), 1) if mine else Result((), 0)
            outcomes[index] = await _settle(conn, unit, result)

    async with conn.transaction():
        for index, (make, savepoint) in enumerate(jobs):
            if savepoint or all_guarded:
                await flush()
                outcomes[index] = await _guarded(conn, make)
                continue
            unit = make()
            try:
                stmt = next(unit)
            except StopIteration as stop:
                outcomes[index] = (True, stop.value)
                continue
            except Exception as exc:  # refused before any statement
                outcomes[index] = (False, exc)
                continue
            if stmt.batch_key is not None and (not waiting or waiting[0][2].sql == stmt.sql):
                waiting.append((index, unit, stmt))
                continue
            await flush()
            outcomes[index] = await _settle(conn, unit, stmt)
        await flush()
    return [outcome for outcome in outcomes if outcome is not None]


async def _settle(conn: Any, unit: Work[Any], start: Stmt | Result) -> Outcome:
    """Finish an unguarded unit from a statement to run or a result to hand it."""
    try:
        if isinstance(start, Result):
            step = _resumed(unit, start)
            if not isinstance(step, Stmt):
                return True, step
            start = step
        return True, await _carry_on(conn, unit, start, guarded=False)
    except _Redo:
        raise
    except asyncpg.PostgresError as exc:
        raise _Redo from exc
    except Exception as exc:  # refused before writing: the transaction is intact
        return False, exc


class PostgresStore(
    PollStore, DebateStore, ScheduleStore, ModerationStore, HomeStore, InstallStore
):
    """The `Store` on a PostgreSQL database. Open with `await PostgresStore.open(url)`."""

    dialect: Dialect = PostgresDialect()

    def __init__(
        self, pool: Any, clock: Clock, secret: bytes, max_batch: int, url: str, version: int
    ) -> None:
        self.url = url
        self.schema_version = version
        self.clock = clock
        self._pool = pool
        self._secret = secret
        self._poll_cache = {}
        self._moderators = WorkspaceCache()
        self._pack_choices = WorkspaceCache()
        self._writer = Batcher(self._run_writes, max_batch, "pg-writer")
        self._readers = Batcher(self._run_reads, max_batch, "pg-reader")
        self._closed = False

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        secret: str | None = None,
        max_batch: int = MAX_BATCH,
    ) -> PostgresStore:
        """Connect, migrate (once, whichever process gets there first) and load the voter key."""
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreError(f"cannot connect to {redact(url)} ({exc})") from None
        try:
            async with pool.acquire() as conn:
                version = await migrate(conn)
                key = await _voter_key(conn, secret)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            await pool.close()
            raise StoreError(f"cannot prepare {redact(url)} ({exc})") from None
        except BaseException:
            await pool.close()
            raise
        return cls(pool, clock or SystemClock(), key, max_batch, url, version)

    async def close(self) -> None:
        """Commit what is queued, then close the pool. Closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._writer.close()
            await self._readers.close()
        finally:
            await self._pool.close()

    async def ping(self) -> None:
        """A read through the readers' pool: raises StoreError once closed, asyncpg's if unwell."""

        def unit() -> Work[None]:
            # A table of ours, so a server that lost the database fails here.
            yield q("SELECT count(*) FROM schema_migrations")

        await self._read(unit)

    @property
    def write_stats(self) -> tuple[int, int]:
        """(transactions, writes) committed so far: how well group commit is batching."""
        return self._writer.batches, self._writer.ops

    async def _run_writes(self, jobs: Sequence[Job]) -> list[Outcome]:
        async with self._pool.acquire() as conn:
            try:
                return await _attempt(conn, jobs, all_guarded=False)
            except _Redo:
                return await _attempt(conn, jobs, all_guarded=True)

    async def _run_reads(self, jobs: Sequence[Job]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        async with (
            self._pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            for make, _ in jobs:
                try:
                    outcomes.append((True, await drive(conn, make, guarded=True)))
                except Exception as exc:
                    outcomes.append((False, exc))
        return outcomes

    async def _write(self, make: MakeWork[T], *, single_statement: bool = False) -> T:
        return await self._writer.submit(make, not single_statement)

    async def _read(self, make: MakeWork[T]) -> T:
        return await self._readers.submit(make, False)


async def schema_version(conn: Any) -> int:
    """The schema version recorded in the database (0 for an empty one)."""
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_migrations"))


async def migrate(conn: Any) -> int:
    """Apply pending migrations, each in its own transaction; return the schema version."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        version = await schema_version(conn)
        if version > len(PG_MIGRATIONS):
            raise StoreError(
                f"the database is at schema version {version}, newer than this code "
                f"({len(PG_MIGRATIONS)}); upgrade oped-bot or use another OPED_BOT_DB"
            )
        for number, migration in enumerate(PG_MIGRATIONS[version:], start=version + 1):
            async with conn.transaction():
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
                    number,
                    migration.description,
                )
            log.info("applied store migration %d: %s", number, migration.description)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return len(PG_MIGRATIONS)


async def _voter_key(conn: Any, secret: str | None) -> bytes:
    if secret:
        return secret.encode()
    # Every process reads the one stored key, whichever inserted it first.
    await conn.execute(
        "INSERT INTO meta (key, value) VALUES ('voter_secret', $1) ON CONFLICT DO NOTHING",
        secrets.token_hex(32),
    )
    stored = await conn.fetchval("SELECT value FROM meta WHERE key = 'voter_secret'")
    return bytes.fromhex(str(stored))
