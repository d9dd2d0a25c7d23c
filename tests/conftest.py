"""Shared fixtures: the bundled pack, a bot on a temporary database, an injected clock."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.loader import BUNDLED
from bot.content.registry import PackRegistry
from bot.context import Services
from tests.postgres import TestPostgres, start

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def packs() -> PackRegistry:
    return PackRegistry.load(BUNDLED)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "bot.sqlite3")


@pytest.fixture
def bot(packs: PackRegistry, clock: FakeClock, settings: Settings) -> Bot:
    return Bot(Services(packs=packs, clock=clock, settings=settings, rng=random.Random(7)))


@pytest.fixture(scope="session")
def postgres() -> Iterator[TestPostgres]:
    """A real PostgreSQL server for the session; fails (never skips) when none can start."""
    # A short folder: the server's socket lives there, and socket paths are short.
    with tempfile.TemporaryDirectory(prefix="oped-pg-") as folder:
        try:
            server, handle = start(Path(folder))
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        try:
            yield server
        finally:
            try:
                server.drop_all()
            finally:
                if handle is not None:
                    handle.cleanup()  # type: ignore[attr-defined]
