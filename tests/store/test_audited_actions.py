"""An action and its audit line are one write: a crash right after the action's commit can no
longer leave a closed poll or a debate moved on with no line saying who did it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.models import Place, User
from bot.store.base import Store
from bot.store.sqlite import SqliteStore
from tests.store.tables import all_rows

HERE = Place("console", "local", "general")
MOD = User("mod", "Mo", is_moderator=True)


class Crash(BaseException):
    """The process dying: nothing catches it on the way out."""


class DiesAfterFirstWrite:
    """A store whose process dies just after its first write committed."""

    WRITES = frozenset({"close_poll", "create_debate", "advance_debate", "close_debate", "audit"})

    def __init__(self, store: Store) -> None:
        self._store = store
        self.armed = True

    def __getattr__(self, name: str) -> object:
        method = getattr(self._store, name)
        if name not in self.WRITES or not self.armed:
            return method

        async def write(*args: object, **kwargs: object) -> object:
            result = await method(*args, **kwargs)
            raise Crash()
            return result  # pragma: no cover

        return write


@pytest.mark.parametrize(
    ("setup", "command", "action"),
    [
        ('poll create "Talks?" "Yes" "No"', "poll close 1", "poll close"),
        ("", 'debate start "This house would talk."', "debate start"),
        ('debate start "This house would talk."', "debate advance 1", "debate advance"),
        ('debate start "This house would talk."', "debate close 1", "debate close"),
    ],
)
async def test_a_crash_after_an_audited_action_leaves_its_line_too(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path, setup: str, command: str, action: str
) -> None:
    db = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(db, clock=clock)
    dying = DiesAfterFirstWrite(store)
    services = Services(packs=packs, store=dying, clock=clock, settings=Settings(db_path=db))  # type: ignore[arg-type]
    bot = Bot(services)
    try:
        dying.armed = False
        if setup:
            assert not (await bot.handle_text(setup, HERE, MOD)).is_error
        before = all_rows(db)
        dying.armed = True
        with pytest.raises(Crash):
            await bot.handle_text(command, HERE, MOD)
    finally:
        await store.close()
    after = all_rows(db)
    assert after != before, "the action itself was committed"
    assert [row[6] for row in after["audit_log"] if row[6] == action] == [action]
