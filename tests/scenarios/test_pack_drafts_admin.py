"""A draft pack is never put in front of a channel by a moderator command until it passes."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.loader import BUNDLED
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.store.sqlite import SqliteStore
from tests.scenarios.chat import Chat
from tests.unit.test_pack_drafts import draft_pack


@dataclass
class Room:
    chat: Chat
    db: Path

    async def as_mod(self, line: str) -> str:
        return await self.chat.as_user("mona", line, moderator=True)

    def rows(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table, through a separate connection."""
        with sqlite3.connect(self.db) as conn:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {
                n: sorted(conn.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names
            }


@pytest.fixture
async def room(tmp_path: Path) -> AsyncIterator[Room]:
    content = tmp_path / "content"
    shutil.copytree(BUNDLED / "north-korea-talks", content / "north-korea-talks")
    draft_pack(content)
    db = tmp_path / "bot.sqlite3"
    clock = FakeClock()
    store = await SqliteStore.open(db, clock=clock)
    services = Services(
        packs=PackRegistry.load(content),
        store=store,
        clock=clock,
        settings=Settings(db_path=db, content_dir=content),
        rng=random.Random(3),
    )
    yield Room(Chat(Bot(services)), db)
    await store.close()


@pytest.mark.parametrize(
    "line",
    [
        "admin pack use my-draft",
        "admin pack use my-draft --workspace",
        'admin schedule add "0 9 * * 1" --pack my-draft',
    ],
)
async def test_a_draft_pack_is_refused_naming_content_check_and_nothing_is_written(
    room: Room, line: str
) -> None:
    before = room.rows()
    out = await room.as_mod(line)
    assert "Error:" in out
    assert "`my-draft` is a draft: 5 fields still to fill in" in out
    assert "`oped-bot content check" in out and "my-draft" in out
    assert room.rows() == before
    # The finished pack is still accepted.
    assert "now uses `north-korea-talks`" in await room.as_mod("admin pack use north-korea-talks")


async def test_pack_list_marks_a_draft(room: Room) -> None:
    listed = await room.as_mod("admin pack list")
    assert "`my-draft`" in listed and "draft: not usable until `content check` passes" in listed
