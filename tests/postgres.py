"""A real PostgreSQL for the tests: the `pgserver` wheel's server, or `OPED_BOT_TEST_POSTGRES`.

Each test gets a database of its own, made with `CREATE DATABASE ... TEMPLATE` from one that
was migrated once per session, so a fresh, migrated database costs a file copy, not a migration.
If no server can be had, the tests that need one fail and say why: never a silent skip.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store.postgres import PostgresStore

ENV = "OPED_BOT_TEST_POSTGRES"


def blocking(work: Callable[[], Awaitable[None]]) -> None:
    """Run `work` to its end on a loop of its own, callable from sync and async tests alike."""

    async def main() -> None:
        await work()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` instead (query, e.g. a socket `host=`, kept)."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class TestPostgres:
    """One server: hands out fresh migrated databases and drops them at the end."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, url: str, *, own: bool = False) -> None:
        self.url = url
        # A server the tests started themselves holds nothing else: it is tuned for speed and
        # thrown away whole, instead of dropping each database.
        self.own = own
        self._prefix = f"oped_test_{os.getpid()}"
        self._template = f"{self._prefix}_template"
        self._numbers = itertools.count(1)
        self._made: list[str] = []

    def prepare(self) -> None:
        """Make and migrate the template database."""
        blocking(self._prepare)

    async def _prepare(self) -> None:
        if self.own:
            # Durability across power loss is not under test here; a fresh database per test
            # costs a file copy instead of a flush to disk.
            await self._admin("ALTER SYSTEM SET fsync = off")
            await self._admin("ALTER SYSTEM SET synchronous_commit = off")
            await self._admin("SELECT pg_reload_conf()")
        await self._admin(f'DROP DATABASE IF EXISTS "{self._template}"')
        await self._admin(f'CREATE DATABASE "{self._template}"')
        store = await PostgresStore.open(with_database(self.url, self._template))
        await store.close()

    def fresh(self) -> str:
        """The URL of a new, migrated, empty database."""
        name = f"{self._prefix}_{next(self._numbers)}"
        blocking(lambda: self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        self._made.append(name)
        return with_database(self.url, name)

    def empty(self) -> str:
        """The URL of a new database with no schema at all."""
        name = f"{self._prefix}_{next(self._numbers)}"
        blocking(lambda: self._admin(f'CREATE DATABASE "{name}"'))
        self._made.append(name)
        return with_database(self.url, name)

    def drop_all(self) -> None:
        """Drop every database this session made (a server of its own is simply removed)."""
        if self.own:
            return

        async def drop() -> None:
            for name in [*self._made, self._template]:
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        blocking(drop)

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


def start(folder: Path) -> tuple[TestPostgres, object | None]:
    """The server to test on and, when this call started it, the handle that stops it.

    Raises RuntimeError naming what to do when no server can be had.
    """
    url = os.environ.get(ENV)
    handle: object | None = None
    if not url:
        try:
            import pgserver

            handle = pgserver.get_server(folder, cleanup_mode="stop")
            url = str(handle.get_uri())  # type: ignore[attr-defined]
        except Exception as exc:
            raise RuntimeError(
                f"PostgreSQL could not be started for the tests ({type(exc).__name__}: {exc}). "
                "Install the test extra (`pip install -e '.[test]'` brings pgserver), or set "
                f"{ENV} to a postgresql:// URL of a server where the tests may create databases."
            ) from exc
    server = TestPostgres(url, own=handle is not None)
    try:
        server.prepare()
    except Exception as exc:
        raise RuntimeError(
            f"PostgreSQL at {ENV if os.environ.get(ENV) else 'pgserver'} refused the test "
            f"setup ({type(exc).__name__}: {exc}); the tests need a role that may create "
            "databases."
        ) from exc
    return server, handle
