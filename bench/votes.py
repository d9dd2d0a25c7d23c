"""Benchmark: 10,000 distinct voters on one poll, group commit against one commit per vote.

Run with `.venv/bin/python bench/votes.py` (or `make bench`) for SQLite; add `--postgres` to
start a throwaway PostgreSQL (from the `pgserver` test extra) and measure it too, or
`--db postgresql://...` to measure a server of yours (it needs the right to create databases).
Every vote goes through the core's whole vote path exactly as a button click does,
`Bot.handle_text("poll vote 1 2", ...)`: parse, rights, handler, store. On each engine the
stores differ only in how a vote reaches the disk; all use the same schema, the engine's
durable settings (SQLite: WAL, `synchronous=FULL`; PostgreSQL: its defaults, fsync and
`synchronous_commit=on`), the same vote rules (`bot.poll_rules.check_vote` and `click`), and each
acknowledges a vote only after it committed:

- core:     the store as shipped, opened by `open_store`. Votes that arrive together commit in
            one transaction (group commit).
- naive:    textbook driver use. Each vote awaits BEGIN, its SELECTs, its write and COMMIT: one
            transaction and one flush to disk per vote (SQLite: on its one connection, in turn;
            PostgreSQL: on a pool, up to its size at once).
- per-vote: the shipped store with batching off (`max_batch=1`): one commit per vote and
            nothing else changed. It isolates what group commit alone is worth.

Runs, each on a fresh database:

- burst: all clicks arrive in the same instant. votes/s = votes / time from the first click to
  the last reply. Latencies here are mostly queueing: the last of 10,000 simultaneous clicks
  waits for the 9,999 before it on one event loop, so p99 is close to the burst's length
  whatever the commit strategy.
- paced: the same voters arrive as a random (Poisson) stream at a fixed offered rate (default
  2,000 clicks/s: 10,000 voters within about five seconds). Latency is measured from each
  click's scheduled arrival to its reply, so a late event loop counts against the result.

Acknowledgement latency is click to reply: the reply is the acknowledgement, and it exists only
after the vote's transaction committed. Every run checks the final counts are exact. The last
line per engine is `<engine>: votes_per_s=<n> p99_ms=<n> naive_votes_per_s=<n>
ratio_vs_naive=<n>`: votes/s from the burst runs (core and naive), p99_ms from the core's paced
run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/votes.py` from any directory
    sys.path.insert(0, str(ROOT))

from bot.app import Bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content.loader import BUNDLED  # noqa: E402
from bot.content.registry import PackRegistry  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.models import Place, User  # noqa: E402
from bot.poll_rules import check_vote, click  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.base import NO_GROUPS, Store, VoteOutcome, Voter  # noqa: E402
from bot.store.polls import POLL_COLUMNS, poll_of  # noqa: E402
from bot.store.postgres import PostgresStore, numbered  # noqa: E402
from bot.store.sqlite import MAX_BATCH, SqliteStore  # noqa: E402

PLACE = Place("discord", "G1", "C1")
OPTIONS = 4

# One textbook query or write: SQL with `?` placeholders and its parameters.
Fetch = Callable[..., Awaitable[list[Any]]]


async def naive_vote(
    store: SqliteStore | PostgresStore,
    fetch: Fetch,
    poll_id: int,
    place: Place,
    user_id: str,
    user_name: str,
    option: int,
    by: Voter,
) -> VoteOutcome:
    """One vote, statement by statement, inside the caller's transaction."""
    rows = await fetch(f"SELECT {POLL_COLUMNS} FROM polls WHERE id = ?", poll_id)
    labels = await fetch(
        "SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position", poll_id
    )
    found = poll_of(rows[0], tuple(r[0] for r in labels)) if rows else None
    poll = check_vote(found, poll_id, place, option, store.clock.now(), by)
    voter = store._voter(poll, user_id)
    lock = store.dialect.lock_voter(poll_id, voter)
    if lock is not None:  # the same guard across processes as the shipped store
        await fetch(lock.sql, *lock.params)
    held = await fetch(
        "SELECT option FROM poll_votes WHERE poll_id = ? AND voter = ? ORDER BY option",
        poll_id,
        voter,
    )
    outcome = click(poll, tuple(int(r[0]) for r in held), option)
    when = store.clock.now().isoformat(timespec="microseconds")
    if outcome.change in ("retracted", "removed"):
        await fetch(
            "DELETE FROM poll_votes WHERE poll_id = ? AND voter = ? AND option = ?",
            poll_id,
            voter,
            option,
        )
    elif outcome.change == "moved":
        await fetch(
            "UPDATE poll_votes SET option = ?, voted_at = ? WHERE poll_id = ? AND voter = ?",
            option,
            when,
            poll_id,
            voter,
        )
    else:
        await fetch(
            "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
            "VALUES (?, ?, ?, ?, ?)",
            poll_id,
            voter,
            option,
            user_name,
            when,
        )
    return outcome


class NaiveSqliteStore(SqliteStore):
    """Textbook aiosqlite: each vote awaits its statements one by one, then commits.

    Votes take turns (a lock), as they must when each one is its own transaction on one
    connection.
    """

    lock: asyncio.Lock

    async def cast_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        option: int,
        *,
        by: Voter = NO_GROUPS,
    ) -> VoteOutcome:
        db = self._writer_conn

        async def fetch(sql: str, *params: Any) -> list[Any]:
            async with db.execute(sql, params) as cursor:
                return list(await cursor.fetchall())

        async with self.lock:
            await db.execute("BEGIN IMMEDIATE")
            try:
                outcome = await naive_vote(
                    self, fetch, poll_id, place, user_id, user_name, option, by
                )
            except BaseException:
                await db.rollback()
                raise
            await db.commit()
        return outcome


class NaivePostgresStore(PostgresStore):
    """Textbook asyncpg: each vote takes a pooled connection and commits its own transaction."""

    async def cast_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        option: int,
        *,
        by: Voter = NO_GROUPS,
    ) -> VoteOutcome:
        async with self._pool.acquire() as conn, conn.transaction():

            async def fetch(sql: str, *params: Any) -> list[Any]:
                return list(await conn.fetch(numbered(sql), *params))

            return await naive_vote(self, fetch, poll_id, place, user_id, user_name, option, by)


@dataclass(frozen=True)
class Run:
    name: str
    voters: int
    seconds: float
    latencies: list[float]
    commits: int

    @property
    def votes_per_s(self) -> float:
        return self.voters / self.seconds

    def ms(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return 1000.0 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Arrivals: given the click coroutine, start every click and return each one's latency.
Arrivals = Callable[[int, Callable[[int], Awaitable[None]]], Awaitable[list[float]]]


async def burst(voters: int, click: Callable[[int], Awaitable[None]]) -> list[float]:
    """Every click in the same instant."""
    latencies = [0.0] * voters

    async def timed(n: int) -> None:
        began = time.perf_counter()
        await click(n)
        latencies[n] = time.perf_counter() - began

    await asyncio.gather(*(timed(n) for n in range(voters)))
    return latencies


def paced(rate: float) -> Arrivals:
    """Clicks as a Poisson stream at `rate` per second, timed from their scheduled arrival."""

    async def arrive(voters: int, click: Callable[[int], Awaitable[None]]) -> list[float]:
        loop = asyncio.get_running_loop()
        draw = random.Random(1)
        latencies = [0.0] * voters
        tasks: list[asyncio.Task[None]] = []

        async def timed(n: int, due: float) -> None:
            await click(n)
            latencies[n] = loop.time() - due

        started = asyncio.Event()

        def start(n: int, due: float) -> None:
            tasks.append(loop.create_task(timed(n, due)))
            if len(tasks) == voters:
                started.set()

        due = loop.time() + 0.05
        for n in range(voters):
            due += draw.expovariate(rate)
            loop.call_at(due, start, n, due)
        await started.wait()
        await asyncio.gather(*tasks)
        return latencies

    return arrive


class Engine:
    """Where the runs happen: a fresh database per run, and how each kind of store opens."""

    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def fresh(self, run: str) -> str:
        return str(self.folder / f"{run}.sqlite3")

    async def open(self, kind: str, target: str, max_batch: int) -> Store:
        if kind == "naive":
            store = await NaiveSqliteStore.open(target)
            store.lock = asyncio.Lock()
            return store
        return await open_store(target, max_batch=1 if kind == "per-vote" else max_batch)


class PostgresEngine(Engine):
    name = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self._numbers = itertools.count(1)

    async def fresh(self, run: str) -> str:
        name = f"oped_bench_{next(self._numbers)}_{run.replace('-', '_')}"
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return urlunsplit(urlsplit(self.url)._replace(path=f"/{name}"))

    async def open(self, kind: str, target: str, max_batch: int) -> Store:
        if kind == "naive":
            return await NaivePostgresStore.open(target)
        return await open_store(target, max_batch=1 if kind == "per-vote" else max_batch)


async def measure(
    engine: Engine, kind: str, name: str, voters: int, arrivals: Arrivals, max_batch: int
) -> Run:
    store = await engine.open(kind, await engine.fresh(name), max_batch)
    assert isinstance(store, SqliteStore | PostgresStore)
    services = Services(packs=PackRegistry.load(BUNDLED), store=store, settings=Settings())
    bot = Bot(services)
    try:
        options = " ".join(f'"Option {n}"' for n in range(1, OPTIONS + 1))
        created = await bot.handle_text(f'poll create "Bench?" {options}', PLACE, User("m", "M"))
        assert not created.is_error and created.track, created
        poll_id = int(created.track.partition(":")[2])
        users = [User(f"U{n:05d}", f"Voter {n}") for n in range(voters)]
        picks = [random.Random(n).randint(1, OPTIONS) for n in range(voters)]

        async def click(n: int) -> None:
            reply = await bot.handle_text(f"poll vote {poll_id} {picks[n]}", PLACE, users[n])
            if reply.is_error:
                raise RuntimeError(reply.cards[0].body)

        commits = store.write_stats[0]
        began = time.perf_counter()
        latencies = await arrivals(voters, click)
        seconds = time.perf_counter() - began
        # The naive stores commit outside the batcher: one commit per vote, by construction.
        commits = voters if kind == "naive" else store.write_stats[0] - commits
        # Exact counts: every voter once, on the option they picked.
        tally = await store.tally(poll_id)
        expected = tuple(picks.count(n) for n in range(1, OPTIONS + 1))
        if tally.voters != voters or tally.counts != expected:
            raise RuntimeError(f"{name}: counted {tally}, expected {expected}")
        return Run(name, voters, seconds, latencies, commits)
    finally:
        await store.close()


def report(run: Run) -> None:
    print(
        f"  {run.name:<12} {run.voters:>6} votes in {run.seconds:6.2f} s = "
        f"{run.votes_per_s:>7,.0f} votes/s, {run.commits:>6} commits; "
        f"ack latency p50 {run.ms(0.5):8.1f} ms, p99 {run.ms(0.99):8.1f} ms"
    )


async def bench(engine: Engine, voters: int, rate: float, max_batch: int) -> str:
    """Every run on one engine; returns its summary line."""
    print(f"{engine.name}: {voters} distinct voters, one poll, through Bot.handle_text")
    print("burst: every click in the same instant")
    core = await measure(engine, "core", "core", voters, burst, max_batch)
    report(core)
    naive = await measure(engine, "naive", "naive", voters, burst, max_batch)
    report(naive)
    per_vote = await measure(engine, "per-vote", "per-vote", voters, burst, max_batch)
    report(per_vote)
    print(f"paced: Poisson arrivals at {rate:,.0f} clicks/s offered")
    core_paced = await measure(engine, "core", "core-paced", voters, paced(rate), max_batch)
    report(core_paced)
    naive_paced = await measure(engine, "naive", "naive-paced", voters, paced(rate), max_batch)
    report(naive_paced)
    print(
        f"group commit against the per-vote commit of the same store path: "
        f"{core.votes_per_s / per_vote.votes_per_s:.1f}x"
    )
    return (
        f"{engine.name}: votes_per_s={core.votes_per_s:.0f} p99_ms={core_paced.ms(0.99):.1f} "
        f"naive_votes_per_s={naive.votes_per_s:.0f} "
        f"ratio_vs_naive={core.votes_per_s / naive.votes_per_s:.1f}"
    )


@asynccontextmanager
async def own_postgres(folder: Path) -> AsyncIterator[str]:
    """A throwaway PostgreSQL 16 from the pgserver wheel (the test extra), stopped at the end."""
    try:
        import pgserver
    except ImportError:
        raise SystemExit(
            "--postgres needs the pgserver wheel: pip install -e '.[test]', or pass --db URL"
        ) from None
    server = await asyncio.to_thread(pgserver.get_server, folder, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        await asyncio.to_thread(server.cleanup)


async def main(args: argparse.Namespace) -> int:
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="oped-bench-") as tmp:
        folder = Path(tmp)
        if not args.skip_sqlite:
            lines.append(await bench(Engine(folder), args.voters, args.rate, args.max_batch))
        if args.db:
            engine = PostgresEngine(args.db)
            lines.append(await bench(engine, args.voters, args.rate, args.max_batch))
        elif args.postgres:
            async with own_postgres(folder / "pg") as url:
                engine = PostgresEngine(url)
                lines.append(await bench(engine, args.voters, args.rate, args.max_batch))
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Group commit against one commit per vote.")
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=2_000.0, help="paced clicks per second")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH, help="writes per commit")
    parser.add_argument("--db", metavar="URL", help="also measure this PostgreSQL server")
    parser.add_argument(
        "--postgres", action="store_true", help="also measure a throwaway PostgreSQL (pgserver)"
    )
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
