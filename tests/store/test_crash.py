"""SIGKILL in the middle of a burst of votes loses no acknowledged vote and counts none twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.models import Place
from bot.store.base import PollDraft
from bot.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
PLACE = Place("console", "local", "general")
KILL_AFTER = 1500


def run_until_killed(db: Path, poll_id: int) -> list[str]:
    """Start the voter, SIGKILL it once KILL_AFTER acks are out; every ack it printed."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.store.crash_voter", str(db), str(poll_id)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acked: list[str] = []
    try:
        for line in child.stdout:
            acked.append(line.strip())
            if len(acked) >= KILL_AFTER:
                os.kill(child.pid, signal.SIGKILL)
                break
        else:
            raise AssertionError(f"the voter died on its own: {child.stderr.read()}")  # type: ignore[union-attr]
        # Acks printed between our read and the kill are acknowledged too.
        acked.extend(line.strip() for line in child.stdout if line.strip())
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return acked


async def test_sigkill_mid_burst_keeps_every_acknowledged_vote(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    store = await SqliteStore.open(db)
    poll = await store.create_poll(PollDraft(PLACE, "ana", "Ana", "Q?", ("a", "b", "c")))
    await store.close()

    acked = run_until_killed(db, poll.id)
    assert len(acked) >= KILL_AFTER and len(set(acked)) == len(acked)

    store = await SqliteStore.open(db)  # recovers the WAL left by the killed process
    try:
        tally = await store.tally(poll.id)
        votes = await store.poll_votes(poll.id)
    finally:
        await store.close()
    stored = [v.voter_id for v in votes]
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged votes were lost"
    assert len(stored) == len(set(stored)), "someone counts twice"
    assert tally.voters == len(stored) == sum(tally.counts)
    # Votes that committed without their ack reaching us may exist; nothing else may.
    assert all(v.option == 1 + int(v.voter_id.split("-")[1]) % 3 for v in votes if v.voter_id)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
