"""Units of work: one store action written once, as SQL both engines accept, run by either driver.

A unit of work is a generator that yields statements and receives their results:

    def rename(poll_id: int, name: str) -> Work[bool]:
        done = yield q("UPDATE polls SET question = ? WHERE id = ?", name, poll_id)
        return done.rowcount == 1

The SQLite driver drives it synchronously on its writer thread (a whole batch in one thread
hop); the PostgreSQL driver drives it with `await` on an asyncpg connection. Either runs it inside
a transaction (writes: the batch's, each unit in a savepoint when it may write more than once),
so a unit sees a consistent state and its writes commit or vanish together. Decisions (what a
click does, whether a debate may advance) are pure functions in the core; a unit only loads what
they need, asks them, and applies the answer with conditional writes.

SQL here uses `?` placeholders (the PostgreSQL driver numbers them), `RETURNING`, and
`ON CONFLICT`, which both engines accept. Where the engines differ, a unit asks the `Dialect`.
A statement refused by a constraint or a schema guard is thrown back into the unit as
`ConstraintViolated`, which it may turn into a `Refused` naming the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from bot.clock import Clock

T = TypeVar("T")


class Row(Protocol):
    """A result row: by column name or position (sqlite3.Row and asyncpg.Record both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...


@dataclass(frozen=True)
class Stmt:
    """One statement and its parameters; `many` runs it once per parameter tuple.

    `batch_key` marks a statement that decides its whole effect by itself, so a driver may
    send the same statement of several units at once (PostgreSQL pipelines them). It returns
    at most one row, starting with the values of `batch_key`, when it changed something.
    """

    sql: str
    params: tuple[Any, ...] = ()
    many: bool = False
    batch_key: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Result:
    """What a statement returned: its rows (RETURNING or SELECT) and how many rows it changed."""

    rows: Sequence[Row] = field(default_factory=tuple)
    rowcount: int = 0

    def one(self) -> Row | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None


Work = Generator[Stmt, Result, T]
# Units are made fresh for every attempt: a driver may run one again (PostgreSQL, after a
# deadlock or a failed statement in a batch without savepoints).
MakeWork = Callable[[], Work[T]]


class ConstraintViolated(Exception):
    """A statement broke a constraint or a schema guard; nothing of it was written."""


class Conflict(Exception):
    """What a decision was based on changed meanwhile (another process); decide again."""


class StoreError(Exception):
    """The database cannot be used as it is (newer schema, not WAL-capable, unreachable...)."""


def q(sql: str, *params: Any) -> Stmt:
    """A statement with positional `?` parameters."""
    return Stmt(sql, params)


def many(sql: str, rows: Sequence[tuple[Any, ...]]) -> Stmt:
    """A statement run once per parameter tuple."""
    return Stmt(sql, tuple(rows), many=True)


class Dialect(Protocol):
    """What differs between engines in the units of work."""

    name: str

    def next_poll_id(self) -> Stmt:
        """A statement returning one row whose first column is an id no poll ever had."""
        ...

    def first_vote(
        self, poll_id: int, voter: str, option: int, name: str | None, stamp: str | None
    ) -> Stmt:
        """Insert the voter's pick unless they hold one (changes one row, or none).

        On an engine where writers run at once, it also takes `lock_voter`'s lock first and
        inserts nothing into a poll closed meanwhile.
        """
        ...

    def lock_voter(self, poll_id: int, voter: str) -> Stmt | None:
        """Serialise clicks by one voter on one poll across processes; None if writes already are.

        When not None, it returns the poll's `closed_at` (no row: the poll is gone), read after
        any concurrent close committed.
        """
        ...


def ts(moment: datetime) -> str:
    """A fixed-width UTC text timestamp, so text order is time order (in both engines)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def opt_ts(moment: datetime | None) -> str | None:
    """`ts`, passing None through."""
    return None if moment is None else ts(moment)


def dt(text: str | None) -> datetime | None:
    """A stored timestamp, or None."""
    return datetime.fromisoformat(text) if text is not None else None


def when(text: str) -> datetime:
    """A stored timestamp that cannot be NULL."""
    return datetime.fromisoformat(text)


def marks(values: Sequence[object]) -> str:
    """`?, ?, ?` for an IN list of `values` (an empty list matches nothing)."""
    return ", ".join("?" for _ in values) if values else "NULL"


class Units:
    """What every aggregate's store methods rely on; each driver provides it.

    `_write` runs a unit in the next group-committed transaction and returns after the commit;
    `_read` runs one in a read snapshot that includes every acknowledged write.
    """

    dialect: Dialect
    clock: Clock

    def _now(self) -> str:
        return ts(self.clock.now())

    async def _write(self, make: MakeWork[T], *, single_statement: bool = False) -> T:
        """Run the unit `make()` in a write transaction; return after its commit.

        `single_statement=True` promises the unit writes with at most one statement and raises
        only before writing, so a driver may skip its savepoint.
        """
        raise NotImplementedError

    async def _read(self, make: MakeWork[T]) -> T:
        """Run the unit `make()` in a read snapshot; it must not write."""
        raise NotImplementedError
