"""Store fixtures, parametrised over every implementation the contract must hold for.

PostgreSQL will join `IMPLEMENTATIONS` with an opener of its own; every test in
`test_contract.py` then runs against it unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.store.base import Store
from bot.store.sqlite import SqliteStore

Opener = Callable[[Path, FakeClock], Awaitable[Store]]


async def open_sqlite(root: Path, clock: FakeClock) -> Store:
    return await SqliteStore.open(root / "store.sqlite3", clock=clock)


IMPLEMENTATIONS: dict[str, Opener] = {"sqlite": open_sqlite}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def opener(request: pytest.FixtureRequest) -> Opener:
    return IMPLEMENTATIONS[request.param]


@pytest.fixture
async def store(opener: Opener, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    opened = await opener(tmp_path, clock)
    yield opened
    await opened.close()
