"""One bot process on a shared database, driven line by line for the multi-process tests.

Run as `python -m tests.store.bot_process DATABASE`. It opens the store through `open_store`,
wires the real core (Bot, Scheduler, deadline closer) with a poster that reports each post,
prints `{"ready": pid}` and then answers each command on stdin with one JSON line:

    vote POLL FIRST COUNT     voters uFIRST.. click at once, voter n on option 1 + n % 4
    click POLL USER OPTION    one click; answers what it did (added, retracted...)
    create COUNT              COUNT polls created at once; answers their ids
    delete POLL               deletes a poll
    tick ISO                  the clock set to ISO; one scheduler tick and one deadline sweep
    quit                      closes the store and exits

Time comes from the injected clock, set by `tick`, never from sleeping.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from datetime import datetime

from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.loader import BUNDLED
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.deadlines import close_due
from bot.models import Place, User
from bot.replies import Reply
from bot.scheduler import Scheduler
from bot.store import open_store

PLACE = Place("console", "local", "general")
OPTIONS = 4


class ReportingPoster:
    """Reports each post on stdout (with the command's answer), numbering its messages."""

    def __init__(self) -> None:
        self.posts: list[dict[str, str]] = []

    async def post(self, place: Place, reply: Reply) -> str:
        card = reply.cards[-1]
        self.posts.append({"channel": place.channel, "text": card.title or card.body[:60]})
        return f"{os.getpid()}-{len(self.posts)}"

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        pass

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        pass


def say(**answer: object) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


async def main(database: str) -> None:
    clock = FakeClock()
    store = await open_store(database, clock=clock)
    poster = ReportingPoster()
    services = Services(
        packs=PackRegistry.load(BUNDLED),
        store=store,
        clock=clock,
        settings=Settings(),
        rng=random.Random(os.getpid()),
        posters={"console": poster},
    )
    bot = Bot(services)
    scheduler = Scheduler(services, bot.catalogue)
    say(ready=os.getpid())
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command, *args = line.split()
            if command == "vote":
                poll, first, count = (int(a) for a in args)

                async def click(n: int, poll: int = poll) -> bool:
                    reply = await bot.handle_text(
                        f"poll vote {poll} {1 + n % OPTIONS}",
                        PLACE,
                        User(f"u{n}", f"Voter {n}"),
                    )
                    return not reply.is_error

                done = await asyncio.gather(*(click(n) for n in range(first, first + count)))
                say(voted=sum(done))
            elif command == "click":
                outcome = await store.cast_vote(int(args[0]), PLACE, args[1], args[1], int(args[2]))
                say(change=outcome.change)
            elif command == "create":

                async def create() -> int:
                    reply = await bot.handle_text(
                        'poll create "Next?" "A" "B"', PLACE, User("mod", "Mod")
                    )
                    assert reply.track is not None, reply
                    return int(reply.track.partition(":")[2])

                say(ids=list(await asyncio.gather(*(create() for _ in range(int(args[0]))))))
            elif command == "delete":
                say(deleted=await store.delete_poll(int(args[0])))
            elif command == "tick":
                now = datetime.fromisoformat(args[0])
                clock.set(now)
                poster.posts.clear()
                outcomes = await scheduler.tick(now)
                closed = await close_due(services, now)
                say(
                    runs=[[o.schedule_id, o.due_at.isoformat(), o.state] for o in outcomes],
                    closed=[c.poll.id for c in closed],
                    posts=poster.posts,
                )
            elif command == "quit":
                break
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
