"""Persistence: the Store contract, its two drivers, and `open_store` to pick one.

The drivers are imported when a store is opened, so importing the contract (`bot.store.base`)
loads neither database library.
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.store.base import Store
from bot.store.target import is_postgres_url, redact

__all__ = ["describe", "is_postgres_url", "open_store"]

MAX_BATCH = 1024  # writes per group commit, on either engine


async def open_store(
    target: str | Path,
    *,
    clock: Clock | None = None,
    secret: str | None = None,
    max_batch: int = MAX_BATCH,
) -> Store:
    """Open and migrate the store at `target`: a `postgresql://` URL, else a SQLite file path.

    Runtime, `db copy`, the benchmark and the test fixtures all open stores here.
    `secret` keys the voter hashes of anonymous polls (default: a key kept in the database).
    """
    text = str(target)
    if is_postgres_url(text):
        from bot.store.postgres import PostgresStore

        return await PostgresStore.open(text, clock=clock, secret=secret, max_batch=max_batch)
    from bot.store.sqlite import SqliteStore

    return await SqliteStore.open(Path(target), clock=clock, secret=secret, max_batch=max_batch)


def describe(target: str | Path) -> str:
    """`target` as it may be shown in logs and messages (no password)."""
    return redact(str(target))
