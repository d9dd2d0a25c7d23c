"""Store fixtures, parametrised over every implementation the contract must hold for.

Every test that takes `store` or `opener` runs once on SQLite and once on PostgreSQL (a fresh
database of the session's server, see `tests/postgres.py`); reopening gives the same database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.store.base import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

Opener = Callable[[Path, FakeClock], Awaitable[Store]]


async def open_sqlite(root: Path, clock: FakeClock) -> Store:
    return await SqliteStore.open(root / "store.sqlite3", clock=clock)


ENGINES = ("postgresql", "sqlite")


@pytest.fixture(params=ENGINES)
def opener(request: pytest.FixtureRequest) -> Opener:
    if request.param == "sqlite":
        return open_sqlite
    url = request.getfixturevalue("postgres").fresh()

    async def open_postgres(root: Path, clock: FakeClock) -> Store:
        return await PostgresStore.open(url, clock=clock)

    return open_postgres


@pytest.fixture
async def store(opener: Opener, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await opener(tmp_path, clock)
    yield opened
    await opened.close()
