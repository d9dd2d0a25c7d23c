"""The SQLite store on aiosqlite: WAL, one group-committing writer, a separate reader.

Durability: `synchronous=FULL` in WAL mode fsyncs the log on every commit, so a returned write
survives a crash of the process *and* of the machine. NORMAL would survive a process kill but
could lose the last commits on power loss, which breaks "acknowledged means kept". Group commit
pays the fsync once per batch instead of once per vote, which is what makes FULL affordable.

Writes: every change goes through `_write(op)`. Ops queue up while the previous batch commits;
the writer task then runs the whole queue (up to `max_batch`) in one transaction on the writer
connection's thread, each op inside its own savepoint so a refused op undoes only itself, commits
once, and only then resolves each caller's future. Reads go through `_read(op)` on a second
connection, batched the same way in one read transaction, so they never wait for the writer
(WAL) and a burst of reads costs a few thread hops, not one each.

Extending (schedules, admin): append a `Migration` in `bot/store/migrations.py`, then add
methods that call `self._write(fn)` / `self._read(fn)` with a plain function of a
`sqlite3.Connection`; never write on the reader or outside `_write`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import aiosqlite

from bot.clock import Clock, SystemClock
from bot.models import Place, Platform
from bot.schedule.model import Attach, NewSchedule, Run, RunState, Schedule
from bot.schedule.rotation import Rotation
from bot.scope import debate_not_found, poll_not_found, reaches
from bot.store.base import (
    AuditEntry,
    Debate,
    DebateVote,
    DebateVoteOutcome,
    Moderator,
    Phase,
    Poll,
    PollDraft,
    PollVote,
    Refused,
    ResultsMode,
    Side,
    SubjectKind,
    Tally,
    TrackedMessage,
    VoteChange,
    VoteOutcome,
    VotePhase,
)
from bot.store.migrations import MIGRATIONS, Migration

log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[sqlite3.Connection], T]

BUSY_TIMEOUT_MS = 5000
# Moderators and pack choices are read on every request and change rarely, so they are cached:
# changes made through this store drop the entry at once; changes made by another process on
# the same file show within this many seconds.
WORKSPACE_CACHE_SECONDS = 10.0

Value = TypeVar("Value")


class _WorkspaceCache(Generic[Value]):
    """Per-workspace values with a time limit, safe against a change racing a slow read."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, Value]] = {}
        self._generation: dict[tuple[str, str], int] = {}

    def forget(self, key: tuple[str, str]) -> None:
        self._entries.pop(key, None)
        self._generation[key] = self._generation.get(key, 0) + 1

    async def get(self, key: tuple[str, str], load: Callable[[], Awaitable[Value]]) -> Value:
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < WORKSPACE_CACHE_SECONDS:
            return cached[1]
        generation = self._generation.get(key, 0)
        asked = time.monotonic()
        found = await load()
        if self._generation.get(key, 0) == generation:  # nothing changed while we read
            self._entries[key] = (asked, found)
        return found


MAX_BATCH = 1024


class StoreError(Exception):
    """The database cannot be used as it is (newer schema, not WAL-capable...)."""


def _ts(moment: datetime) -> str:
    """A fixed-width UTC text timestamp, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def _on_thread(conn: aiosqlite.Connection, fn: Op[T]) -> T:
    """Run `fn` on the connection's own thread, in one hop.

    aiosqlite's public methods cost one thread hop per statement; a batch of a thousand votes
    needs a few thousand statements, so the whole batch runs as one function instead.
    `_execute` is aiosqlite's queueing primitive (stable since 0.x; the version is pinned and
    the store contract tests exercise this path).
    """
    raw: sqlite3.Connection = conn._conn
    result = await conn._execute(fn, raw)  # type: ignore[no-untyped-call]
    return cast(T, result)


def _run_batch(
    jobs: Sequence[tuple[Op[Any], bool]], conn: sqlite3.Connection
) -> list[tuple[bool, Any]]:
    """Run ops in one transaction and commit once. Runs on the writer thread.

    An op that may write more than once runs in a savepoint, so its failure undoes only its
    own writes. An op flagged single-statement skips the savepoint: SQLite already undoes a
    failed statement on its own, and a vote is one statement after its checks.
    """
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for op, savepoint in jobs:
            if savepoint:
                conn.execute("SAVEPOINT op")
            try:
                value = op(conn)
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


def _run_reads(
    jobs: Sequence[tuple[Op[Any], bool]], conn: sqlite3.Connection
) -> list[tuple[bool, Any]]:
    """Run read ops in one read transaction (one snapshot). Runs on the reader thread.

    The snapshot starts after every op in the batch was requested, so each read sees every
    write acknowledged before it was asked for.
    """
    outcomes: list[tuple[bool, Any]] = []
    conn.execute("BEGIN")
    try:
        for op, _ in jobs:
            try:
                outcomes.append((True, op(conn)))
            except Exception as exc:
                outcomes.append((False, exc))
    finally:
        conn.execute("COMMIT")
    return outcomes


Runner = Callable[[Sequence[tuple[Op[Any], bool]], sqlite3.Connection], list[tuple[bool, Any]]]


class _Batcher:
    """Runs queued ops on one connection in batches, one thread hop per batch.

    Whatever queued while the last batch ran goes next (for the writer: in one transaction).
    Each caller resumes with its own result or exception once its whole batch is done, which
    for writes means after the commit.
    """

    def __init__(self, conn: aiosqlite.Connection, run: Runner, max_batch: int, name: str) -> None:
        self._conn = conn
        self._run_batch = run
        self._max_batch = max_batch
        self._name = name
        self._pending: deque[tuple[Op[Any], bool, asyncio.Future[Any]]] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self.batches = 0
        self.ops = 0
        self._task = asyncio.create_task(self._run(), name=f"store-{name}")

    async def submit(self, op: Op[T], flag: bool) -> T:
        if self._closing or self._task.done():
            raise StoreError("the store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((op, flag, future))
        self._wake.set()
        return await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                size = min(len(self._pending), self._max_batch)
                batch = [self._pending.popleft() for _ in range(size)]
                jobs = [(op, flag) for op, flag, _ in batch]
                try:
                    outcomes = await _on_thread(self._conn, partial(self._run_batch, jobs))
                except Exception as exc:
                    # The transaction itself failed (for writes: the commit), so nobody in
                    # this batch is acknowledged.
                    log.exception("store %s batch of %d failed", self._name, size)
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self.batches += 1
                self.ops += size
                for (_, _, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.done():
                        continue  # the caller gave up; a write is committed regardless
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
            if self._closing:
                return

    async def close(self) -> None:
        self._closing = True
        self._wake.set()
        await self._task


_POLL_COLUMNS = (
    "id, platform, workspace, channel, thread, creator_id, creator_name, question, max_picks, "
    "anonymous, results, created_at, closes_at, closed_at, closed_by, announced_at"
)
_DEBATE_COLUMNS = (
    "id, platform, workspace, channel, thread, creator_id, creator_name, motion, prompt_id, "
    "phase, created_at, advanced_at, closed_at, closed_by"
)


def _place(row: sqlite3.Row) -> Place:
    return Place(cast(Platform, row["platform"]), row["workspace"], row["channel"], row["thread"])


def _poll(row: sqlite3.Row, options: tuple[str, ...]) -> Poll:
    return Poll(
        id=row["id"],
        place=_place(row),
        creator_id=row["creator_id"],
        creator_name=row["creator_name"],
        question=row["question"],
        options=options,
        max_picks=row["max_picks"],
        anonymous=bool(row["anonymous"]),
        results=cast(ResultsMode, row["results"]),
        created_at=_when(row["created_at"]),
        closes_at=_dt(row["closes_at"]),
        closed_at=_dt(row["closed_at"]),
        closed_by=row["closed_by"],
        announced=row["announced_at"] is not None,
    )


def _debate(row: sqlite3.Row) -> Debate:
    return Debate(
        id=row["id"],
        place=_place(row),
        creator_id=row["creator_id"],
        creator_name=row["creator_name"],
        motion=row["motion"],
        prompt_id=row["prompt_id"],
        phase=cast(Phase, row["phase"]),
        created_at=_when(row["created_at"]),
        advanced_at=_dt(row["advanced_at"]),
        closed_at=_dt(row["closed_at"]),
        closed_by=row["closed_by"],
    )


def _options(conn: sqlite3.Connection, poll_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        "SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
    ).fetchall()
    return tuple(row[0] for row in rows)


def _load_poll(conn: sqlite3.Connection, poll_id: int) -> Poll | None:
    row = conn.execute(f"SELECT {_POLL_COLUMNS} FROM polls WHERE id = ?", (poll_id,)).fetchone()
    return None if row is None else _poll(row, _options(conn, poll_id))


def _load_polls(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Poll]:
    rows = conn.execute(
        f"SELECT {_POLL_COLUMNS} FROM polls WHERE {where} ORDER BY id", tuple(params)
    ).fetchall()
    return [_poll(row, _options(conn, row["id"])) for row in rows]


# The highest poll id ever deleted. SQLite hands out max(id) + 1, so deleting the newest poll
# would give its id to the next one, and the deleted poll's buttons (`poll vote 12 3`), still
# on screen, would vote in a poll nobody saw.
_DELETED_POLL_KEY = "deleted_poll_id_max"


def _next_poll_id(conn: sqlite3.Connection) -> int:
    """An id no poll has had before, deleted ones included."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM polls), 0), "
        "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?), 0)) + 1",
        (_DELETED_POLL_KEY,),
    ).fetchone()
    return int(row[0])


def _load_debate(conn: sqlite3.Connection, debate_id: int) -> Debate | None:
    row = conn.execute(
        f"SELECT {_DEBATE_COLUMNS} FROM debates WHERE id = ?", (debate_id,)
    ).fetchone()
    return None if row is None else _debate(row)


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


class SqliteStore:
    """The `Store` on one SQLite file. Open with `await SqliteStore.open(path)`."""

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
        # Open polls as the writer last saw them; touched only on the writer thread. A poll
        # closed behind its back (another process) is still refused by the schema's triggers.
        self._poll_cache: dict[int, Poll] = {}
        self._moderators: _WorkspaceCache[frozenset[str]] = _WorkspaceCache()
        self._pack_choices: _WorkspaceCache[dict[str, str]] = _WorkspaceCache()
        self._writer = _Batcher(writer, _run_batch, max_batch, "writer")
        self._readers = _Batcher(reader, _run_reads, max_batch, "reader")
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
        # sqlite_master is on disk, so this touches the file, where `SELECT 1` would not.
        await self._read(lambda conn: conn.execute("SELECT count(*) FROM sqlite_master").fetchone())

    @property
    def write_stats(self) -> tuple[int, int]:
        """(transactions, writes) committed so far: how well group commit is batching."""
        return self._writer.batches, self._writer.ops

    async def _write(self, op: Op[T], *, single_statement: bool = False) -> T:
        """Run `op` in the next group-committed transaction; return after the commit.

        `op` runs on the writer thread. If it raises, its writes are undone and the exception
        reaches this caller only; the rest of the batch commits. Pass `single_statement=True`
        only for ops that write with at most one statement (see `_run_batch`).
        """
        return await self._writer.submit(op, not single_statement)

    async def _read(self, op: Op[T]) -> T:
        """Run `op` on the reader connection, batched with concurrent reads in one snapshot.

        `op` must not write (the reader is `query_only`) and sees every acknowledged write.
        """
        return await self._readers.submit(op, False)

    def _now(self) -> str:
        return _ts(self.clock.now())

    def _writer_poll(self, conn: sqlite3.Connection, poll_id: int) -> Poll | None:
        poll = self._poll_cache.get(poll_id)
        if poll is None:
            poll = _load_poll(conn, poll_id)
            if poll is not None and poll.closed_at is None:
                if len(self._poll_cache) >= 1024:
                    self._poll_cache.clear()
                self._poll_cache[poll_id] = poll
        return poll

    def _voter(self, poll: Poll, user_id: str) -> str:
        """The stored voter key: the user id, or for anonymous polls a keyed hash of it."""
        if not poll.anonymous:
            return user_id
        message = f"{poll.id}:{poll.place.platform}:{user_id}".encode()
        return "h:" + hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # Polls

    async def create_poll(self, draft: PollDraft) -> Poll:
        created = self._now()

        def op(conn: sqlite3.Connection) -> Poll:
            place = draft.place
            cursor = conn.execute(
                "INSERT INTO polls (id, platform, workspace, channel, thread, creator_id, "
                "creator_name, question, max_picks, anonymous, results, created_at, closes_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _next_poll_id(conn),
                    place.platform,
                    place.workspace,
                    place.channel,
                    place.thread,
                    draft.creator_id,
                    draft.creator_name,
                    draft.question,
                    draft.max_picks,
                    int(draft.anonymous),
                    draft.results,
                    created,
                    _ts(draft.closes_at) if draft.closes_at else None,
                ),
            )
            poll_id = cast(int, cursor.lastrowid)
            try:
                conn.executemany(
                    "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
                    [(poll_id, n, label) for n, label in enumerate(draft.options, 1)],
                )
            except sqlite3.IntegrityError:
                raise Refused("Two options are the same; make each option different.") from None
            poll = _load_poll(conn, poll_id)
            assert poll is not None
            return poll

        return await self._write(op)

    async def get_poll(self, poll_id: int) -> Poll | None:
        return await self._read(lambda conn: _load_poll(conn, poll_id))

    async def open_polls(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Poll]:
        now = self._now()
        where = (
            "platform = ? AND workspace = ? AND closed_at IS NULL "
            "AND (closes_at IS NULL OR closes_at > ?)"
        )
        params: list[Any] = [platform, workspace, now]
        if channel is not None:
            where += " AND channel = ?"
            params.append(channel)
        return await self._read(lambda conn: _load_polls(conn, where, params))

    async def cast_vote(
        self, poll_id: int, place: Place, user_id: str, user_name: str, option: int
    ) -> VoteOutcome:
        now = self.clock.now()
        stamp = _ts(now)

        def op(conn: sqlite3.Connection) -> VoteOutcome:
            poll = self._writer_poll(conn, poll_id)
            # Checked before any write, in the vote's own transaction: a refusal writes nothing.
            if poll is None or not reaches(place, poll.place):
                raise poll_not_found(poll_id)
            if not poll.is_open(now):
                raise Refused(f"Poll #{poll_id} is closed; it no longer takes votes.")
            if not 1 <= option <= len(poll.options):
                raise Refused(
                    f"Poll #{poll_id} has options 1 to {len(poll.options)}; there is no option "
                    f"{option}. Pick a number from 1 to {len(poll.options)}."
                )
            voter = self._voter(poll, user_id)
            name = None if poll.anonymous else user_name
            when = None if poll.anonymous else stamp
            if not poll.multi:
                # The common click, a first vote, costs one statement: insert unless voted.
                # When it inserts nothing, at most one of the writes below follows, so the op
                # still writes with one statement (see `single_statement`).
                first = conn.execute(
                    "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
                    "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM poll_votes WHERE poll_id = ? AND voter = ?)",
                    (poll_id, voter, option, name, when, poll_id, voter),
                )
                if first.rowcount == 1:
                    return VoteOutcome(poll, option, "added", (), (option,))
            previous = tuple(
                row[0]
                for row in conn.execute(
                    "SELECT option FROM poll_votes WHERE poll_id = ? AND voter = ? ORDER BY option",
                    (poll_id, voter),
                )
            )
            change: VoteChange
            if option in previous:
                conn.execute(
                    "DELETE FROM poll_votes WHERE poll_id = ? AND voter = ? AND option = ?",
                    (poll_id, voter, option),
                )
                change = "removed" if poll.multi else "retracted"
                picks = tuple(p for p in previous if p != option)
            elif previous and not poll.multi:
                conn.execute(
                    "UPDATE poll_votes SET option = ?, voter_name = ?, voted_at = ? "
                    "WHERE poll_id = ? AND voter = ?",
                    (option, name, when, poll_id, voter),
                )
                change = "moved"
                picks = (option,)
            else:
                if len(previous) >= poll.max_picks:
                    held = ", ".join(str(p) for p in previous)
                    raise Refused(
                        f"Poll #{poll_id} allows at most {poll.max_picks} picks and you have "
                        f"{held}. Vote for one of those again to drop it, then pick {option}."
                    )
                conn.execute(
                    "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (poll_id, voter, option, name, when),
                )
                change = "added"
                picks = tuple(sorted((*previous, option)))
            return VoteOutcome(poll, option, change, previous, picks)

        try:
            return await self._write(op, single_statement=True)
        except sqlite3.IntegrityError as exc:
            # The schema's own guards; the checks above normally refuse first.
            raise Refused(f"Poll #{poll_id} refused that vote ({exc}).") from None

    async def tally(self, poll_id: int) -> Tally:
        def op(conn: sqlite3.Connection) -> Tally:
            size = conn.execute(
                "SELECT count(*) FROM poll_options WHERE poll_id = ?", (poll_id,)
            ).fetchone()[0]
            counts = [0] * size
            for option, count in conn.execute(
                "SELECT option, count(*) FROM poll_votes WHERE poll_id = ? GROUP BY option",
                (poll_id,),
            ):
                counts[option - 1] = count
            voters = conn.execute(
                "SELECT count(DISTINCT voter) FROM poll_votes WHERE poll_id = ?", (poll_id,)
            ).fetchone()[0]
            return Tally(tuple(counts), voters)

        return await self._read(op)

    async def poll_votes(self, poll_id: int) -> list[PollVote]:
        def op(conn: sqlite3.Connection) -> list[PollVote]:
            anonymous = conn.execute(
                "SELECT anonymous FROM polls WHERE id = ?", (poll_id,)
            ).fetchone()
            if anonymous is None:
                return []
            rows = conn.execute(
                "SELECT option, voter, voter_name, voted_at FROM poll_votes WHERE poll_id = ? "
                "ORDER BY option, voted_at, voter",
                (poll_id,),
            ).fetchall()
            if anonymous[0]:
                return [PollVote(row[0], None, None, None) for row in rows]
            return [PollVote(row[0], row[1], row[2], _dt(row[3])) for row in rows]

        return await self._read(op)

    async def polls_since(
        self, platform: str, workspace: str, since: datetime | None = None
    ) -> list[Poll]:
        where = "platform = ? AND workspace = ?"
        params: list[Any] = [platform, workspace]
        if since is not None:
            where += " AND created_at >= ?"
            params.append(_ts(since))
        return await self._read(lambda conn: _load_polls(conn, where, params))

    async def close_poll(self, poll_id: int, closed_by: str) -> Poll:
        now = self.clock.now()

        def op(conn: sqlite3.Connection) -> Poll:
            poll = _load_poll(conn, poll_id)
            if poll is None:
                raise poll_not_found(poll_id)
            if poll.closed_at is not None:
                raise Refused(f"Poll #{poll_id} is already closed.")
            # A poll past its deadline closed at the deadline, even if nobody has swept it yet.
            self._poll_cache.pop(poll_id, None)
            closed = min(now, poll.closes_at) if poll.closes_at else now
            conn.execute(
                "UPDATE polls SET closed_at = ?, closed_by = ?, announced_at = ? WHERE id = ?",
                (_ts(closed), closed_by, _ts(now), poll_id),
            )
            fresh = _load_poll(conn, poll_id)
            assert fresh is not None
            return fresh

        return await self._write(op)

    async def close_due_polls(self, now: datetime, platforms: Collection[str]) -> list[Poll]:
        chosen = sorted(set(platforms))
        if not chosen:
            return []
        marks = ", ".join("?" for _ in chosen)
        where = (
            f"closed_at IS NULL AND closes_at IS NOT NULL AND closes_at <= ? "
            f"AND platform IN ({marks})"
        )

        def op(conn: sqlite3.Connection) -> list[Poll]:
            due = _load_polls(conn, where, [_ts(now), *chosen])
            for poll in due:
                self._poll_cache.pop(poll.id, None)
                conn.execute(
                    "UPDATE polls SET closed_at = closes_at, closed_by = 'deadline', "
                    "announced_at = ? WHERE id = ?",
                    (_ts(now), poll.id),
                )
            return [p for p in (_load_poll(conn, poll.id) for poll in due) if p is not None]

        return await self._write(op)

    async def next_deadline(self, platforms: Collection[str]) -> datetime | None:
        chosen = sorted(set(platforms))
        marks = ", ".join("?" for _ in chosen)
        sql = (
            "SELECT min(closes_at) FROM polls WHERE closed_at IS NULL "
            f"AND closes_at IS NOT NULL AND platform IN ({marks})"
        )

        def op(conn: sqlite3.Connection) -> datetime | None:
            return _dt(conn.execute(sql, chosen).fetchone()[0])

        return await self._read(op)

    # Debates

    async def create_debate(
        self, place: Place, creator_id: str, creator_name: str, motion: str, prompt_id: str | None
    ) -> Debate:
        created = self._now()

        def op(conn: sqlite3.Connection) -> Debate:
            cursor = conn.execute(
                "INSERT INTO debates (platform, workspace, channel, thread, creator_id, "
                "creator_name, motion, prompt_id, phase, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'before', ?)",
                (
                    place.platform,
                    place.workspace,
                    place.channel,
                    place.thread,
                    creator_id,
                    creator_name,
                    motion,
                    prompt_id,
                    created,
                ),
            )
            debate = _load_debate(conn, cast(int, cursor.lastrowid))
            assert debate is not None
            return debate

        return await self._write(op)

    async def get_debate(self, debate_id: int) -> Debate | None:
        return await self._read(lambda conn: _load_debate(conn, debate_id))

    async def open_debates(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Debate]:
        sql = (
            f"SELECT {_DEBATE_COLUMNS} FROM debates "
            "WHERE platform = ? AND workspace = ? AND phase != 'closed'"
        )
        params: list[Any] = [platform, workspace]
        if channel is not None:
            sql += " AND channel = ?"
            params.append(channel)
        sql += " ORDER BY id"

        def op(conn: sqlite3.Connection) -> list[Debate]:
            return [_debate(row) for row in conn.execute(sql, params)]

        return await self._read(op)

    async def cast_debate_vote(
        self, debate_id: int, place: Place, user_id: str, user_name: str, side: Side
    ) -> DebateVoteOutcome:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> DebateVoteOutcome:
            debate = _load_debate(conn, debate_id)
            if debate is None or not reaches(place, debate.place):
                raise debate_not_found(debate_id)
            if debate.phase == "closed":
                raise Refused(f"Debate #{debate_id} is closed; it no longer takes votes.")
            phase: VotePhase = debate.phase
            row = conn.execute(
                "SELECT side FROM debate_votes WHERE debate_id = ? AND voter = ? AND phase = ?",
                (debate_id, user_id, phase),
            ).fetchone()
            conn.execute(
                "INSERT INTO debate_votes (debate_id, voter, phase, side, voter_name, voted_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (debate_id, voter, phase) DO UPDATE SET "
                "side = excluded.side, voter_name = excluded.voter_name, "
                "voted_at = excluded.voted_at",
                (debate_id, user_id, phase, side, user_name, stamp),
            )
            previous = cast(Side, row[0]) if row else None
            return DebateVoteOutcome(debate, phase, side, previous)

        return await self._write(op)

    async def advance_debate(self, debate_id: int) -> Debate:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> Debate:
            debate = _load_debate(conn, debate_id)
            if debate is None:
                raise debate_not_found(debate_id)
            if debate.phase == "after":
                raise Refused(
                    f"Debate #{debate_id} is already in its closing vote. "
                    f"End it with `debate close {debate_id}`."
                )
            if debate.phase == "closed":
                raise Refused(f"Debate #{debate_id} is closed.")
            conn.execute(
                "UPDATE debates SET phase = 'after', advanced_at = ? WHERE id = ?",
                (stamp, debate_id),
            )
            fresh = _load_debate(conn, debate_id)
            assert fresh is not None
            return fresh

        return await self._write(op)

    async def close_debate(self, debate_id: int, closed_by: str) -> Debate:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> Debate:
            debate = _load_debate(conn, debate_id)
            if debate is None:
                raise debate_not_found(debate_id)
            if debate.phase == "closed":
                raise Refused(f"Debate #{debate_id} is already closed.")
            conn.execute(
                "UPDATE debates SET phase = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
                (stamp, closed_by, debate_id),
            )
            fresh = _load_debate(conn, debate_id)
            assert fresh is not None
            return fresh

        return await self._write(op)

    async def debate_votes(self, debate_id: int) -> list[DebateVote]:
        def op(conn: sqlite3.Connection) -> list[DebateVote]:
            rows = conn.execute(
                "SELECT voter, voter_name, phase, side FROM debate_votes WHERE debate_id = ? "
                "ORDER BY voter, phase DESC",
                (debate_id,),
            )
            return [
                DebateVote(row[0], row[1], cast(VotePhase, row[2]), cast(Side, row[3]))
                for row in rows
            ]

        return await self._read(op)

    # Moderation, audit, tracked messages

    async def audit(
        self,
        platform: str,
        workspace: str,
        actor_id: str,
        actor_name: str,
        action: str,
        detail: str,
    ) -> None:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO audit_log (at, platform, workspace, actor_id, actor_name, action, "
                "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stamp, platform, workspace, actor_id, actor_name, action, detail),
            )

        await self._write(op)

    async def audit_log(
        self, platform: str, workspace: str, limit: int = 50, *, before: int | None = None
    ) -> list[AuditEntry]:
        def op(conn: sqlite3.Connection) -> list[AuditEntry]:
            # Paging by id rather than offset: lines written meanwhile do not shift the pages.
            rows = conn.execute(
                "SELECT id, at, platform, workspace, actor_id, actor_name, action, detail "
                "FROM audit_log WHERE platform = ? AND workspace = ? AND id < ? "
                "ORDER BY id DESC LIMIT ?",
                (platform, workspace, before if before is not None else 2**63 - 1, max(0, limit)),
            )
            return [AuditEntry(r[0], _when(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows]

        return await self._read(op)

    async def add_moderator(
        self,
        platform: str,
        workspace: str,
        subject_id: str,
        *,
        kind: SubjectKind = "user",
        name: str = "",
        added_by: str = "",
    ) -> bool:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO moderators (platform, workspace, subject_id, kind, name, added_by, "
                "added_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (platform, workspace, subject_id, kind, name, added_by, stamp),
            )
            return cursor.rowcount == 1

        try:
            return await self._write(op)
        finally:
            self._forget_moderators(platform, workspace)

    async def remove_moderator(self, platform: str, workspace: str, subject_id: str) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "DELETE FROM moderators WHERE platform = ? AND workspace = ? AND subject_id = ?",
                (platform, workspace, subject_id),
            )
            return cursor.rowcount == 1

        try:
            return await self._write(op)
        finally:
            self._forget_moderators(platform, workspace)

    def _forget_moderators(self, platform: str, workspace: str) -> None:
        self._moderators.forget((platform, workspace))

    async def moderator_ids(self, platform: str, workspace: str) -> frozenset[str]:
        def op(conn: sqlite3.Connection) -> frozenset[str]:
            rows = conn.execute(
                "SELECT subject_id FROM moderators WHERE platform = ? AND workspace = ?",
                (platform, workspace),
            )
            return frozenset(row[0] for row in rows)

        return await self._moderators.get((platform, workspace), lambda: self._read(op))

    async def list_moderators(self, platform: str, workspace: str) -> list[Moderator]:
        def op(conn: sqlite3.Connection) -> list[Moderator]:
            rows = conn.execute(
                "SELECT subject_id, kind, name, added_by, added_at FROM moderators "
                "WHERE platform = ? AND workspace = ? ORDER BY added_at, subject_id",
                (platform, workspace),
            )
            return [Moderator(r[0], cast(SubjectKind, r[1]), r[2], r[3], _when(r[4])) for r in rows]

        return await self._read(op)

    async def remember_message(self, ref: str, place: Place, message_id: str) -> None:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO tracked_messages (ref, platform, workspace, channel, thread, "
                "message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    ref,
                    place.platform,
                    place.workspace,
                    place.channel,
                    place.thread,
                    message_id,
                    stamp,
                ),
            )

        await self._write(op)

    async def messages_for(self, ref: str) -> list[TrackedMessage]:
        def op(conn: sqlite3.Connection) -> list[TrackedMessage]:
            rows = conn.execute(
                "SELECT platform, workspace, channel, thread, message_id FROM tracked_messages "
                "WHERE ref = ? ORDER BY id",
                (ref,),
            )
            return [
                TrackedMessage(Place(cast(Platform, r[0]), r[1], r[2], r[3]), r[4]) for r in rows
            ]

        return await self._read(op)

    # --- Schedules, prompt rotation, reports, pack choices, admin (issue 6) -------------------
    # Kept apart from the poll and debate methods above; every write goes through `_write`.

    async def create_schedule(self, new: NewSchedule) -> Schedule:
        def op(conn: sqlite3.Connection) -> Schedule:
            place = new.place
            cursor = conn.execute(
                "INSERT INTO schedules (platform, workspace, channel, cron, tz, attach, thread, "
                "pack, created_by, created_at, next_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    place.platform,
                    place.workspace,
                    place.channel,
                    new.cron,
                    new.tz,
                    new.attach,
                    int(new.thread),
                    new.pack,
                    new.created_by,
                    _ts(new.created_at),
                    _ts(new.next_due),
                ),
            )
            found = _load_schedule(conn, cast(int, cursor.lastrowid))
            assert found is not None
            return found

        return await self._write(op)

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        return await self._read(lambda conn: _load_schedule(conn, schedule_id))

    async def list_schedules(self, platform: str, workspace: str) -> list[Schedule]:
        return await self._read(
            lambda conn: _load_schedules(
                conn, "platform = ? AND workspace = ?", (platform, workspace)
            )
        )

    async def due_schedules(self, now: datetime, platforms: Collection[str]) -> list[Schedule]:
        chosen = sorted(set(platforms))
        marks = ", ".join("?" for _ in chosen)
        where = f"paused_at IS NULL AND next_due <= ? AND platform IN ({marks})"
        return await self._read(lambda conn: _load_schedules(conn, where, (_ts(now), *chosen)))

    async def advance_schedule(
        self, schedule_id: int, expected: datetime, next_due: datetime
    ) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE schedules SET next_due = ? WHERE id = ? AND next_due = ?",
                (_ts(next_due), schedule_id, _ts(expected)),
            )
            return cursor.rowcount == 1

        return await self._write(op)

    async def pause_schedule(self, schedule_id: int, reason: str) -> bool:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE schedules SET paused_at = ?, paused_reason = ? "
                "WHERE id = ? AND paused_at IS NULL",
                (stamp, reason, schedule_id),
            )
            return cursor.rowcount == 1

        return await self._write(op)

    async def resume_schedule(self, schedule_id: int, next_due: datetime) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE schedules SET paused_at = NULL, paused_reason = '', failures = 0, "
                "next_due = ? WHERE id = ? AND paused_at IS NOT NULL",
                (_ts(next_due), schedule_id),
            )
            return cursor.rowcount == 1

        return await self._write(op)

    async def delete_schedule(self, schedule_id: int) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))
            return cursor.rowcount == 1

        return await self._write(op)

    async def count_schedule_failure(self, schedule_id: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "UPDATE schedules SET failures = failures + 1 WHERE id = ? RETURNING failures",
                (schedule_id,),
            ).fetchone()
            return 0 if row is None else int(row[0])

        return await self._write(op)

    async def clear_schedule_failures(self, schedule_id: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE schedules SET failures = 0 WHERE id = ?", (schedule_id,))

        await self._write(op)

    async def claim_run(
        self,
        schedule_id: int,
        due_at: datetime,
        owner: str,
        now: datetime,
        lease_until: datetime,
        *,
        manual: bool = False,
    ) -> Run | None:
        def op(conn: sqlite3.Connection) -> Run | None:
            # The primary key (schedule_id, due_at) is the exactly-once guarantee: a second
            # claim of the same run, from this process or another, inserts nothing.
            cursor = conn.execute(
                "INSERT INTO schedule_runs (schedule_id, due_at, state, owner, lease_until, "
                "manual, claimed_at, updated_at) "
                "SELECT id, ?, 'claimed', ?, ?, ?, ?, ? FROM schedules WHERE id = ? "
                "ON CONFLICT DO NOTHING",
                (
                    _ts(due_at),
                    owner,
                    _ts(lease_until),
                    int(manual),
                    _ts(now),
                    _ts(now),
                    schedule_id,
                ),
            )
            if cursor.rowcount != 1:
                return None
            return _load_run(conn, schedule_id, due_at)

        return await self._write(op)

    async def update_run(self, run: Run, *, expect_state: RunState, expect_owner: str) -> bool:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE schedule_runs SET state = ?, owner = ?, attempts = ?, lease_until = ?, "
                "next_attempt_at = ?, prompt_id = ?, attachment = ?, message_id = ?, error = ?, "
                "updated_at = ? WHERE schedule_id = ? AND due_at = ? AND state = ? AND owner = ?",
                (
                    run.state,
                    run.owner,
                    run.attempts,
                    _ts(run.lease_until) if run.lease_until else None,
                    _ts(run.next_attempt_at) if run.next_attempt_at else None,
                    run.prompt_id,
                    run.attachment,
                    run.message_id,
                    run.error,
                    stamp,
                    run.schedule_id,
                    _ts(run.due_at),
                    expect_state,
                    expect_owner,
                ),
            )
            return cursor.rowcount == 1

        return await self._write(op)

    async def runs_to_resume(self, now: datetime, platforms: Collection[str]) -> list[Run]:
        chosen = sorted(set(platforms))
        marks = ", ".join("?" for _ in chosen)
        stamp = _ts(now)

        def op(conn: sqlite3.Connection) -> list[Run]:
            rows = conn.execute(
                f"SELECT r.* FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id "
                f"WHERE s.platform IN ({marks}) AND ("
                "(r.state IN ('claimed', 'posting') AND r.lease_until <= ?) "
                "OR (r.state = 'retry' AND r.next_attempt_at <= ?)) "
                "ORDER BY r.due_at, r.schedule_id",
                (*chosen, stamp, stamp),
            ).fetchall()
            return [_run(row) for row in rows]

        return await self._read(op)

    async def schedule_runs(self, schedule_id: int, limit: int = 5) -> list[Run]:
        def op(conn: sqlite3.Connection) -> list[Run]:
            rows = conn.execute(
                "SELECT * FROM schedule_runs WHERE schedule_id = ? "
                "ORDER BY claimed_at DESC, due_at DESC LIMIT ?",
                (schedule_id, max(0, limit)),
            ).fetchall()
            return [_run(row) for row in rows]

        return await self._read(op)

    async def next_schedule_event(self, platforms: Collection[str]) -> datetime | None:
        chosen = sorted(set(platforms))
        marks = ", ".join("?" for _ in chosen)

        def op(conn: sqlite3.Connection) -> datetime | None:
            row = conn.execute(
                f"SELECT min(t) FROM ("
                f"SELECT min(next_due) AS t FROM schedules "
                f"WHERE paused_at IS NULL AND platform IN ({marks}) "
                f"UNION ALL SELECT min(CASE r.state WHEN 'retry' THEN r.next_attempt_at "
                f"ELSE r.lease_until END) FROM schedule_runs r "
                f"JOIN schedules s ON s.id = r.schedule_id "
                f"WHERE r.state IN ('claimed', 'posting', 'retry') AND s.platform IN ({marks}))",
                (*chosen, *chosen),
            ).fetchone()
            return _dt(row[0])

        return await self._read(op)

    async def load_rotation(
        self, platform: str, workspace: str, channel: str, pack: str
    ) -> Rotation | None:
        def op(conn: sqlite3.Connection) -> Rotation | None:
            row = conn.execute(
                "SELECT prompt_order, position FROM prompt_rotations "
                "WHERE platform = ? AND workspace = ? AND channel = ? AND pack = ?",
                (platform, workspace, channel, pack),
            ).fetchone()
            if row is None:
                return None
            return Rotation(tuple(json.loads(row[0])), int(row[1]))

        return await self._read(op)

    async def save_rotation(
        self, platform: str, workspace: str, channel: str, pack: str, rotation: Rotation
    ) -> None:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO prompt_rotations (platform, workspace, channel, pack, prompt_order, "
                "position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, workspace, channel, pack) DO UPDATE SET "
                "prompt_order = excluded.prompt_order, position = excluded.position, "
                "updated_at = excluded.updated_at",
                (
                    platform,
                    workspace,
                    channel,
                    pack,
                    json.dumps(list(rotation.order)),
                    rotation.position,
                    stamp,
                ),
            )

        await self._write(op)

    async def add_report(self, platform: str, workspace: str, text: str) -> None:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO pending_reports (platform, workspace, created_at, text) "
                "VALUES (?, ?, ?, ?)",
                (platform, workspace, stamp, text),
            )

        await self._write(op)

    async def take_reports(self, platform: str, workspace: str, taken_by: str) -> list[str]:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> list[str]:
            # Marked delivered in the same transaction that reads them, so each is shown once.
            rows = conn.execute(
                "UPDATE pending_reports SET delivered_at = ?, delivered_to = ? "
                "WHERE platform = ? AND workspace = ? AND delivered_at IS NULL "
                "RETURNING id, text",
                (stamp, taken_by, platform, workspace),
            ).fetchall()
            return [str(row[1]) for row in sorted(rows, key=lambda row: int(row[0]))]

        return await self._write(op)

    async def set_pack_choice(
        self, platform: str, workspace: str, channel: str | None, pack: str, chosen_by: str
    ) -> None:
        stamp = self._now()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO pack_choices (platform, workspace, channel, pack, chosen_by, "
                "chosen_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, workspace, channel) DO UPDATE SET pack = excluded.pack, "
                "chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at",
                (platform, workspace, channel or "", pack, chosen_by, stamp),
            )

        try:
            await self._write(op)
        finally:
            self._pack_choices.forget((platform, workspace))

    async def pack_choice(self, platform: str, workspace: str, channel: str) -> str | None:
        choices = await self.pack_choices(platform, workspace)
        # The channel's own choice wins over the workspace default (stored under '').
        return choices.get(channel) or choices.get("")

    async def pack_choices(self, platform: str, workspace: str) -> dict[str, str]:
        def op(conn: sqlite3.Connection) -> dict[str, str]:
            rows = conn.execute(
                "SELECT channel, pack FROM pack_choices WHERE platform = ? AND workspace = ? "
                "ORDER BY channel",
                (platform, workspace),
            )
            return {str(r[0]): str(r[1]) for r in rows}

        found = await self._pack_choices.get((platform, workspace), lambda: self._read(op))
        return dict(found)  # callers may not change the cached map

    async def delete_poll(self, poll_id: int) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            self._poll_cache.pop(poll_id, None)  # the writer's cache must not outlive the poll
            conn.execute("DELETE FROM tracked_messages WHERE ref = ?", (f"poll:{poll_id}",))
            cursor = conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
            if cursor.rowcount != 1:
                return False
            conn.execute(
                f"INSERT INTO meta (key, value) VALUES ('{_DELETED_POLL_KEY}', ?) "
                "ON CONFLICT (key) DO UPDATE SET "
                "value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
                (str(poll_id),),
            )
            return True

        return await self._write(op)

    async def claim_delivery(self, key: str, keep_until: datetime) -> bool:
        now, until = self._now(), _ts(keep_until)

        def op(conn: sqlite3.Connection) -> bool:
            conn.execute("DELETE FROM deliveries WHERE expires_at <= ?", (now,))
            cursor = conn.execute(
                "INSERT INTO deliveries (key, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (key, until),
            )
            return cursor.rowcount == 1

        return await self._write(op)


# --- Schedules (issue 6): row readers -----------------------------------------------------------


def _schedule(row: sqlite3.Row) -> Schedule:
    return Schedule(
        id=row["id"],
        place=Place(cast(Platform, row["platform"]), row["workspace"], row["channel"]),
        cron=row["cron"],
        tz=row["tz"],
        attach=cast(Attach, row["attach"]),
        thread=bool(row["thread"]),
        pack=row["pack"],
        created_by=row["created_by"],
        created_at=_when(row["created_at"]),
        next_due=_when(row["next_due"]),
        paused=row["paused_at"] is not None,
        paused_reason=row["paused_reason"],
        failures=row["failures"],
    )


def _load_schedule(conn: sqlite3.Connection, schedule_id: int) -> Schedule | None:
    row = conn.execute("SELECT * FROM schedules WHERE id = ?", (schedule_id,)).fetchone()
    return None if row is None else _schedule(row)


def _load_schedules(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Schedule]:
    rows = conn.execute(f"SELECT * FROM schedules WHERE {where} ORDER BY id", tuple(params))
    return [_schedule(row) for row in rows.fetchall()]


def _run(row: sqlite3.Row) -> Run:
    return Run(
        schedule_id=row["schedule_id"],
        due_at=_when(row["due_at"]),
        state=cast(RunState, row["state"]),
        owner=row["owner"],
        attempts=row["attempts"],
        lease_until=_dt(row["lease_until"]),
        next_attempt_at=_dt(row["next_attempt_at"]),
        prompt_id=row["prompt_id"],
        attachment=row["attachment"],
        message_id=row["message_id"],
        error=row["error"],
        manual=bool(row["manual"]),
        updated_at=_dt(row["updated_at"]),
    )


def _load_run(conn: sqlite3.Connection, schedule_id: int, due_at: datetime) -> Run | None:
    row = conn.execute(
        "SELECT * FROM schedule_runs WHERE schedule_id = ? AND due_at = ?",
        (schedule_id, _ts(due_at)),
    ).fetchone()
    return None if row is None else _run(row)


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
