"""Every bad input gets a clear refusal, writes nothing and never becomes an incident.

Each line is typed in the console against a real SQLite file; the database is compared before
and after, row by row, through a separate connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot

INCIDENT = "Something went wrong on our side"


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read through a separate connection."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


async def refused(chat: Chat, db: Path, line: str) -> str:
    """What the console shows for `line`, asserting it was a refusal that wrote nothing."""
    before = snapshot(db)
    out = await chat.as_user("mona", line, moderator=True)
    assert INCIDENT not in out, out
    assert "only you can see this" in out, out
    assert snapshot(db) == before
    return out


async def test_ids_beyond_64_bits_are_refused_with_the_range(chat: Chat, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    await chat.say('poll create "Q?" "A" "B"')
    biggest = 2**63 - 1
    for line in [f"poll vote {biggest + 1} 1", "poll results 99999999999999999999"]:
        out = await refused(chat, db, line)
        assert f"<poll> must be at most {biggest} (a whole number from 1 to {biggest})" in out
    out = await refused(chat, db, f"poll results -{'9' * 5000}")
    assert "<poll> must be at least 1 (a whole number from 1 to" in out
    # On the limit itself the number reaches the store and is simply not found.
    assert f"No poll `#{biggest}`" in await refused(chat, db, f"poll results {biggest}")
    for line in ["poll vote 1 21", "poll vote 1 ١"]:
        out = await refused(chat, db, line)
        assert "<option> must be" in out
    assert "Your vote in poll #1" in await chat.say("poll vote 1 1")


@pytest.mark.parametrize(
    ("closes", "complaint"),
    [
        ("99999999999d", "is more than 90 days away"),
        ("9" * 30 + "w", "is more than 90 days away"),
        ("1e400h", "is not a duration such as 30m"),
        ("9999-12-31T23:59", "is more than 90 days away"),
        ("10000-01-01", "is not a duration such as 30m"),
        ("0001-01-01T00:00", "is in the past"),
        ("90d1m", "is more than 90 days away"),
        ("59s", "is not a duration"),
        ("١h", "is not a duration"),
    ],
)
async def test_huge_deadlines_are_refused_clearly(
    chat: Chat, tmp_path: Path, closes: str, complaint: str
) -> None:
    out = await refused(
        chat, tmp_path / "bot.sqlite3", f'poll create "Q?" "A" "B" --closes {closes}'
    )
    assert complaint in out


@pytest.mark.parametrize(
    ("cron", "complaint"),
    [
        ("*/99999999999999999999999 * * * *", "the step `/99999999999…` in the minute field must"),
        ("*/0 * * * *", "the step `/0` in the minute field must be a whole number from 1 to 60"),
        ("0 */25 * * *", "the step `/25` in the hour field must be a whole number from 1 to 24"),
        ("0-99 * * * *", "99 is outside the minute field, which takes 0 to 59"),
        ("0 9 32 * *", "32 is outside the day-of-month field, which takes 1 to 31"),
        ("0 9 * 13 *", "13 is outside the month field, which takes 1 to 12"),
        ("0 9 * * 8", "8 is outside the day-of-week field, which takes 0 to 7"),
        ("0 9 0 * *", "0 is outside the day-of-month field"),
        ("0 9 15W * *", "the day-of-month field is not valid"),
    ],
)
async def test_absurd_cron_fields_are_refused_naming_the_field(
    chat: Chat, tmp_path: Path, cron: str, complaint: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", f'admin schedule add "{cron}"')
    assert complaint in out


async def test_cron_fields_on_their_limits_are_accepted(chat: Chat) -> None:
    for cron in ["*/60 23 31 12 7", "59 0 1 1 0", "0-59/1 * * * 1#2", "*/1 */24 * * *"]:
        assert "Schedule added" in await chat.as_user(
            "mona", f'admin schedule add "{cron}"', moderator=True
        )
