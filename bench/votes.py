"""Benchmark: 10,000 distinct voters on one poll, group commit against one commit per vote.

Run with `.venv/bin/python bench/votes.py` (or `make bench`). Every vote goes through the core's
whole vote path exactly as a button click does, `Bot.handle_text("poll vote 1 2", ...)`: parse,
rights, handler, store. The stores differ only in how a vote reaches the disk; all use the same
schema, WAL and `synchronous=FULL`, and each acknowledges a vote only after it committed:

- core:     the store as shipped. Votes that arrive together commit in one transaction (group
            commit) on the writer thread, in one thread hop per batch.
- naive:    textbook aiosqlite. Each vote, in turn, awaits BEGIN, its SELECTs, its INSERT and
            COMMIT on one connection: one transaction and one fsync per vote.
- per-vote: the shipped store's own one-hop write path with batching off, i.e. one commit per
            vote and nothing else changed. It isolates what group commit alone is worth.

Runs, each on a fresh database file:

- burst: all clicks arrive in the same instant. votes/s = votes / time from the first click to
  the last reply. Latencies here are mostly queueing: the last of 10,000 simultaneous clicks
  waits for the 9,999 before it on one event loop, so p99 is close to the burst's length
  whatever the commit strategy.
- paced: the same voters arrive as a random (Poisson) stream at a fixed offered rate (default
  2,000 clicks/s: 10,000 voters within about five seconds). Latency is measured from each
  click's scheduled arrival to its reply, so a late event loop counts against the result.

Acknowledgement latency is click to reply: the reply is the acknowledgement, and it exists only
after the vote's transaction committed. Every run checks the final counts are exact. The last
line is `votes_per_s=<n> p99_ms=<n> naive_votes_per_s=<n> ratio_vs_naive=<n>`: votes/s from
the burst runs (core and naive), p99_ms from the core's paced run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/votes.py` from any directory
    sys.path.insert(0, str(ROOT))

from bot.app import Bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content.loader import BUNDLED  # noqa: E402
from bot.content.registry import PackRegistry  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.models import Place, User  # noqa: E402
from bot.scope import reaches  # noqa: E402
from bot.store.base import Refused, VoteOutcome  # noqa: E402
from bot.store.sqlite import (  # noqa: E402
    _POLL_COLUMNS,
    MAX_BATCH,
    Op,
    SqliteStore,
    _on_thread,
    _poll,
    _run_batch,
)

PLACE = Place("discord", "G1", "C1")
OPTIONS = 4


class NaiveStore(SqliteStore):
    """Textbook aiosqlite: each vote awaits its statements one by one, then commits.

    Votes take turns (a lock), as they must when each one is its own transaction on one
    connection. Same checks, same SQL, same schema and durability as the shipped store.
    """

    lock: asyncio.Lock

    async def cast_vote(
        self, poll_id: int, place: Place, user_id: str, user_name: str, option: int
    ) -> VoteOutcome:
        db = self._writer_conn
        async with self.lock:
            await db.execute("BEGIN IMMEDIATE")
            try:
                outcome = await self._naive_vote(db, poll_id, place, user_id, user_name, option)
            except BaseException:
                await db.rollback()
                raise
            await db.commit()
        return outcome

    async def _naive_vote(
        self,
        db: aiosqlite.Connection,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        option: int,
    ) -> VoteOutcome:
        async with db.execute(f"SELECT {_POLL_COLUMNS} FROM polls WHERE id = ?", (poll_id,)) as c:
            row = await c.fetchone()
        async with db.execute(
            "SELECT label FROM poll_options WHERE poll_id = ? ORDER BY position", (poll_id,)
        ) as c:
            options = tuple(r[0] for r in await c.fetchall())
        if row is None:
            raise Refused(f"No poll #{poll_id}.")
        poll = _poll(row, options)
        if not reaches(place, poll.place) or not poll.is_open(self.clock.now()):
            raise Refused(f"Poll #{poll_id} does not take this vote.")
        if not 1 <= option <= len(options):
            raise Refused(f"Poll #{poll_id} has no option {option}.")
        voter = self._voter(poll, user_id)
        async with db.execute(
            "SELECT option FROM poll_votes WHERE poll_id = ? AND voter = ? ORDER BY option",
            (poll_id, voter),
        ) as c:
            previous = tuple(r[0] for r in await c.fetchall())
        when = self.clock.now().isoformat(timespec="microseconds")
        if option in previous:
            await db.execute(
                "DELETE FROM poll_votes WHERE poll_id = ? AND voter = ? AND option = ?",
                (poll_id, voter, option),
            )
            return VoteOutcome(poll, option, "retracted", previous, ())
        if previous and not poll.multi:
            await db.execute(
                "UPDATE poll_votes SET option = ?, voted_at = ? WHERE poll_id = ? AND voter = ?",
                (option, when, poll_id, voter),
            )
            return VoteOutcome(poll, option, "moved", previous, (option,))
        await db.execute(
            "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (poll_id, voter, option, user_name, when),
        )
        return VoteOutcome(poll, option, "added", previous, tuple(sorted((*previous, option))))


class PerVoteStore(SqliteStore):
    """The shipped store's own write path with group commit off: one commit per write."""

    lock: asyncio.Lock

    async def _write(self, op: Op[Any], *, single_statement: bool = False) -> Any:
        async with self.lock:
            ((ok, value),) = await _on_thread(
                self._writer_conn, partial(_run_batch, [(op, not single_statement)])
            )
        if not ok:
            raise value
        return value


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


async def measure(
    kind: type[SqliteStore],
    name: str,
    voters: int,
    arrivals: Arrivals,
    folder: Path,
    max_batch: int = MAX_BATCH,
) -> Run:
    path = folder / f"{name}.sqlite3"
    store = await kind.open(path, max_batch=max_batch)
    if isinstance(store, NaiveStore | PerVoteStore):
        store.lock = asyncio.Lock()
    services = Services(packs=PackRegistry.load(BUNDLED), store=store, settings=Settings(path))
    bot = Bot(services)
    try:
        options = " ".join(f'"Option {n}"' for n in range(1, OPTIONS + 1))
        created = await bot.handle_text(f'poll create "Bench?" {options}', PLACE, User("m", "M"))
        assert not created.is_error and created.track, created
        poll_id = int(created.track.partition(":")[2])
        users = [User(f"U{n:05d}", f"Voter {n}") for n in range(voters)]
        picks = [random.Random(n).randint(1, OPTIONS) for n in range(voters)]

        async def click(n: int) -> None:
            reply = await bot.handle_text(
                f"poll vote {poll_id} {picks[n]}", PLACE, users[n], source="button"
            )
            if reply.is_error:
                raise RuntimeError(reply.cards[0].body)

        commits = store.write_stats[0]
        began = time.perf_counter()
        latencies = await arrivals(voters, click)
        seconds = time.perf_counter() - began
        # The naive stores commit outside the batcher: one commit per vote, by construction.
        commits = store.write_stats[0] - commits if kind is SqliteStore else voters
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


async def main(voters: int, rate: float, max_batch: int) -> int:
    print(
        f"{voters} distinct voters, one poll, through Bot.handle_text; "
        "SQLite WAL, synchronous=FULL, fresh file per run"
    )
    with tempfile.TemporaryDirectory(prefix="oped-bench-") as tmp:
        folder = Path(tmp)
        print("burst: every click in the same instant")
        core = await measure(SqliteStore, "core", voters, burst, folder, max_batch)
        report(core)
        naive = await measure(NaiveStore, "naive", voters, burst, folder)
        report(naive)
        per_vote = await measure(PerVoteStore, "per-vote", voters, burst, folder)
        report(per_vote)
        print(f"paced: Poisson arrivals at {rate:,.0f} clicks/s offered")
        core_paced = await measure(
            SqliteStore, "core-paced", voters, paced(rate), folder, max_batch
        )
        report(core_paced)
        naive_paced = await measure(NaiveStore, "naive-paced", voters, paced(rate), folder)
        report(naive_paced)
    ratio = core.votes_per_s / naive.votes_per_s
    print(
        f"group commit against the per-vote commit of the same store path: "
        f"{core.votes_per_s / per_vote.votes_per_s:.1f}x"
    )
    print(
        f"votes_per_s={core.votes_per_s:.0f} p99_ms={core_paced.ms(0.99):.1f} "
        f"naive_votes_per_s={naive.votes_per_s:.0f} ratio_vs_naive={ratio:.1f}"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Group commit against one commit per vote.")
    parser.add_argument("--voters", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=2_000.0, help="paced clicks per second")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH, help="writes per commit")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.voters, args.rate, args.max_batch)))
