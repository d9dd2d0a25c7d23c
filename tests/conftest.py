"""Shared fixtures: the bundled pack, a bot on a temporary database, an injected clock."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.loader import BUNDLED
from bot.content.registry import PackRegistry
from bot.context import Services

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
