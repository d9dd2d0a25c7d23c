"""A voter process for the crash test: casts waves of votes forever, printing each ack.

Run as `python -m tests.store.crash_voter DB POLL_ID`. A voter id is printed (and flushed) only
after the store acknowledged that vote, i.e. after its transaction committed.
"""

from __future__ import annotations

import asyncio
import sys

from bot.models import Place
from bot.store.sqlite import SqliteStore

PLACE = Place("console", "local", "general")
WAVE = 250


async def main(path: str, poll_id: int) -> None:
    store = await SqliteStore.open(path)

    async def vote(n: int) -> None:
        await store.cast_vote(poll_id, PLACE, f"voter-{n}", f"Voter {n}", 1 + n % 3)
        sys.stdout.write(f"voter-{n}\n")
        sys.stdout.flush()

    start = 0
    while True:  # until killed
        await asyncio.gather(*(vote(start + k) for k in range(WAVE)))
        start += WAVE


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
