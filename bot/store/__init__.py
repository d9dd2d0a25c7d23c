"""Persistence: the Store contract, its two drivers, and `open_store` to pick one."""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.store.base import Store
from bot.store.postgres import PostgresStore, is_postgres_url, redact
from bot.store.sqlite import MAX_BATCH, SqliteStore

__all__ = ["describe", "is_postgres_url", "open_store"]


async def open_store(
    target: str | Path,
    *,
    clock: Clock | None = None,
    secret: str | None = None,
    max_batch: int = MAX_BATCH,
) -> Store:
    """Open and migrate the store at `target`: a `postgresql://` URL, else a SQLite file path.

    Runtime, `doctor`, `db copy`, the benchmark and the test fixtures all open stores here.
    `secret` keys the voter hashes of anonymous polls (default: a key kept in the database).
    """
    text = str(target)
    if is_postgres_url(text):
        return await PostgresStore.open(text, clock=clock, secret=secret, max_batch=max_batch)
    return await SqliteStore.open(Path(target), clock=clock, secret=secret, max_batch=max_batch)


def describe(target: str | Path) -> str:
    """`target` as it may be shown in logs and messages (no password)."""
    return redact(str(target))
