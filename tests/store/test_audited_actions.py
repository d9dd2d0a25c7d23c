"""An action and its audit line are one write: a crash right after the action's commit can no
longer leave a closed poll or a debate moved on with no line saying who did it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.models import Place, User
from bot.store.base import Store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore
from tests.store.conftest import ENGINES
from tests.store.tables import Tables, all_rows

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


@dataclass
class Engine:
    """A store on one engine, and raw access to its database behind the store's back."""

    store: Store
    sql: Callable[[str], Awaitable[None]]
    rows: Callable[[], Awaitable[Tables]]
    refuse_audit: str


SQLITE_REFUSAL = (
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
)
POSTGRES_REFUSAL = (
    "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit refused'; END $$; "
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
)


@pytest.fixture(params=ENGINES)
async def engine(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[Engine]:
    if request.param == "sqlite":
        db = tmp_path / "store.sqlite3"
        store: Store = await SqliteStore.open(db, clock=clock)

        async def sqlite_sql(text: str) -> None:
            with sqlite3.connect(db) as conn:
                conn.execute(text)

        async def sqlite_rows() -> Tables:
            return all_rows(db)

        yield Engine(store, sqlite_sql, sqlite_rows, SQLITE_REFUSAL)
        await store.close()
        return
    url = request.getfixturevalue("postgres").fresh()
    store = await PostgresStore.open(url, clock=clock)

    async def postgres_sql(text: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(text)
        finally:
            await conn.close()

    async def postgres_rows() -> Tables:
        conn = await asyncpg.connect(url)
        try:
            names = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
            found: Tables = {}
            for (name,) in names:
                rows = await conn.fetch(f'SELECT * FROM "{name}"')
                found[name] = sorted((tuple(row) for row in rows), key=repr)
            return found
        finally:
            await conn.close()

    yield Engine(store, postgres_sql, postgres_rows, POSTGRES_REFUSAL)
    await store.close()


SCHEDULE = 'admin schedule add "0 9 * * *"'

ADMIN_ACTIONS = [
    ("", "admin moderators add ursula", "admin moderators add"),
    ("admin moderators add ursula", "admin moderators remove ursula", "admin moderators remove"),
    ("", "admin pack use north-korea-talks", "admin pack use"),
    ("", SCHEDULE, "admin schedule add"),
    (SCHEDULE, "admin schedule pause 1", "admin schedule pause"),
    (f"{SCHEDULE}\nadmin schedule pause 1", "admin schedule resume 1", "admin schedule resume"),
    (SCHEDULE, "admin schedule remove 1", "admin schedule remove"),
    ('poll create "Talks?" "Yes" "No"', "admin poll delete 1", "admin poll delete"),
]


@pytest.mark.parametrize(("setup", "command", "action"), ADMIN_ACTIONS)
async def test_an_admin_action_whose_audit_line_fails_is_not_committed_either(
    engine: Engine, packs: PackRegistry, clock: FakeClock, setup: str, command: str, action: str
) -> None:
    services = Services(packs=packs, store=engine.store, clock=clock, settings=Settings())
    bot = Bot(services)
    for line in filter(None, setup.split("\n")):
        assert not (await bot.handle_text(line, HERE, MOD)).is_error, line
    await engine.sql(engine.refuse_audit)
    before = await engine.rows()
    reply = await bot.handle_text(command, HERE, MOD)
    assert reply.is_error and "Nothing was changed" in reply.cards[0].body
    assert await engine.rows() == before, "the action was committed without its audit line"


@pytest.mark.parametrize(("setup", "command", "action"), ADMIN_ACTIONS)
async def test_an_admin_action_writes_exactly_one_audit_line_naming_who_did_it(
    engine: Engine, packs: PackRegistry, clock: FakeClock, setup: str, command: str, action: str
) -> None:
    services = Services(packs=packs, store=engine.store, clock=clock, settings=Settings())
    bot = Bot(services)
    for line in filter(None, setup.split("\n")):
        assert not (await bot.handle_text(line, HERE, MOD)).is_error, line
    before = len(await engine.store.audit_log("console", "local", 200))
    assert not (await bot.handle_text(command, HERE, MOD)).is_error
    log = await engine.store.audit_log("console", "local", 200)
    assert len(log) == before + 1
    assert (log[0].actor_id, log[0].actor_name, log[0].action) == ("mod", "Mo", action)
