"""Several real bot processes on one PostgreSQL database (issue 11).

Three `tests.store.bot_process` processes, each with its own store connection pool, scheduler
and deadline closer, are driven at the same moment: votes are counted exactly, each scheduled
run is posted once, each deadline is closed and announced once, poll ids are never given twice
(deleted ones included), and all processes hash an anonymous voter alike.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from bot.models import Place
from bot.schedule.cron import next_run
from bot.schedule.model import NewSchedule
from bot.store import open_store
from bot.store.base import PollDraft, Tally
from tests.postgres import TestPostgres

ROOT = Path(__file__).resolve().parents[2]
PLACE = Place("console", "local", "general")
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday
PROCESSES = 3
VOTERS_EACH = 400
TIMEOUT = 60.0


class BotProcess:
    """One `tests.store.bot_process`, answering each command with one JSON line."""

    def __init__(self, database: str, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPED_", "PG"))}
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.store.bot_process", database],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=ROOT,
            env=env,
        )
        self._buffer = b""
        assert "ready" in self.answer()

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + TIMEOUT
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, left))
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"no answer from the bot process (see {self._log.name})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return dict(json.loads(line))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


def everyone(bots: list[BotProcess], command: str | list[str]) -> list[dict[str, Any]]:
    """Send each process its command before reading any answer, so they run at once."""
    commands = [command] * len(bots) if isinstance(command, str) else command
    for bot, line in zip(bots, commands, strict=True):
        bot.send(line)
    return [bot.answer() for bot in bots]


async def prepare(url: str) -> tuple[int, int, list[int], int]:
    """A poll to vote in, an anonymous one, three polls with deadlines and a daily schedule."""
    store = await open_store(url, clock=FakeClock(START))
    try:
        poll = await store.create_poll(PollDraft(PLACE, "m", "M", "Talks?", ("a", "b", "c", "d")))
        anonymous = await store.create_poll(
            PollDraft(PLACE, "m", "M", "Secret?", ("a", "b"), anonymous=True)
        )
        deadlines = [
            (
                await store.create_poll(
                    PollDraft(
                        PLACE, "m", "M", f"Due {n}?", ("a", "b"), closes_at=START + timedelta(n)
                    )
                )
            ).id
            for n in (1, 1, 2)
        ]
        cron = "0 9 * * *"
        schedule = await store.create_schedule(
            NewSchedule(
                PLACE, cron, "UTC", "none", False, None, "m", START, next_run(cron, "UTC", START)
            )
        )
        return poll.id, anonymous.id, deadlines, schedule.id
    finally:
        await store.close()


async def tally(url: str, poll_id: int) -> Tally:
    store = await open_store(url)
    try:
        return await store.tally(poll_id)
    finally:
        await store.close()


def test_several_bot_processes_share_one_postgresql(postgres: TestPostgres, tmp_path: Path) -> None:
    url = postgres.fresh()
    poll, anonymous, deadlines, schedule = asyncio.run(prepare(url))
    bots: list[BotProcess] = []
    try:
        bots = [BotProcess(url, tmp_path / f"bot{n}.log") for n in range(PROCESSES)]

        # A burst: every process clicks for its own 400 voters at the same moment.
        answers = everyone(bots, [f"vote {poll} {k * VOTERS_EACH} {VOTERS_EACH}" for k in range(3)])
        assert [a["voted"] for a in answers] == [VOTERS_EACH] * PROCESSES
        voters = range(PROCESSES * VOTERS_EACH)
        expected = tuple(sum(1 for n in voters if 1 + n % 4 == o) for o in range(1, 5))
        assert asyncio.run(tally(url, poll)) == Tally(expected, len(voters))
        # The same burst again: each click now retracts, whichever process takes it.
        everyone(bots, [f"vote {poll} {k * VOTERS_EACH} {VOTERS_EACH}" for k in range(3)])
        assert asyncio.run(tally(url, poll)) == Tally((0, 0, 0, 0), 0)

        # Anonymous: one person through three processes is one hash, so one vote, toggled.
        changes = [bot.send(f"click {anonymous} same-person 1") or bot.answer() for bot in bots]
        assert [c["change"] for c in changes] == ["added", "retracted", "added"]

        # Deadlines and schedules: all three sweep and tick at the same instants.
        seen_posts: list[dict[str, str]] = []
        closed: list[int] = []
        runs: list[tuple[int, str, str]] = []
        for moment in (START + timedelta(days=1, hours=1), START + timedelta(days=2, hours=1)):
            for answer in everyone(bots, f"tick {moment.isoformat()}"):
                seen_posts += answer["posts"]
                closed += answer["closed"]
                runs += [tuple(run) for run in answer["runs"]]
        assert sorted(closed) == sorted(deadlines), "each deadline is closed by one process"
        announced = sorted(p["text"] for p in seen_posts if p["text"].startswith("Poll #"))
        assert announced == [f"Poll #{n} has closed (its deadline passed)" for n in deadlines]
        scheduled = [r for r in runs if r[0] == schedule]
        assert [r[2] for r in scheduled] == ["posted", "posted"], runs
        assert len({r[1] for r in scheduled}) == 2, "one run per due time"
        assert len(seen_posts) == len(deadlines) + 2, seen_posts

        # Ids: created at once by every process, never the same twice, never a deleted one's.
        first = [i for a in everyone(bots, "create 5") for i in a["ids"]]
        newest = max(first)
        bots[0].send(f"delete {newest}")
        assert bots[0].answer() == {"deleted": True}
        second = [i for a in everyone(bots, "create 2") for i in a["ids"]]
        ids = first + second
        assert len(set(ids)) == len(ids) == PROCESSES * 7
        assert min(second) > newest
    finally:
        for bot in bots:
            bot.stop()
    assert all(bot.proc.returncode == 0 for bot in bots)
