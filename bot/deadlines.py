"""Closing polls on time (even a deadline passed while the bot was down), and their reminders.

A sweep asks the store to close every due poll of the platforms that have a poster; the store
marks each one announced in the same transaction that closes it, so a poll is handed out for
announcement exactly once, even with a restart or a second sweep racing this one. The
announcement is then posted and the poll's tracked messages are redrawn without vote buttons,
both through `bot.delivery`.
If that post fails, the results stay available with `poll results` (at most once beats twice:
a repeated "poll closed" message would be worse than a missing one).

Polls of a platform with no poster running stay open in the store, but refuse votes and show
as closed, until that platform's adapter is back to announce them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot import chart_png, charts, poll_cards, ranked
from bot.replies import Reply
from bot.store.base import Poll, Tally

if TYPE_CHECKING:
    from bot.app import Bot
    from bot.context import Services

log = logging.getLogger(__name__)

SWEEP_SECONDS = 5.0


@dataclass(frozen=True)
class ClosedPoll:
    """One poll a sweep closed, and where its announcement went (None if the post failed)."""

    poll: Poll
    tally: Tally
    announcement_id: str | None


async def close_due(services: Services, now: datetime) -> list[ClosedPoll]:
    """Close every poll whose deadline is at or before `now` and announce each once."""
    store = services.store
    if store is None or not services.posters:
        return []
    closed = []
    for poll in await store.close_due_polls(now, list(services.posters)):
        # Each poll is already marked announced: one failure must not cost the others theirs.
        try:
            closed.append(await _announce(services, poll, now))
        except Exception:
            log.exception("could not announce a closed poll", extra={"poll": poll.id})
    return closed


async def remind_due(services: Services, now: datetime) -> list[Poll]:
    """Post each due reminder once; the store claims it before the post (at most once)."""
    store = services.store
    if store is None or not services.posters:
        return []
    reminded = []
    for poll in await store.claim_reminders(now, list(services.posters)):
        poster = services.posters.get(poll.place.platform)
        if poster is None:
            continue
        try:
            tally = await store.tally(poll.id)
            card = poll_cards.reminder_card(poll, tally, now, services.settings.timezone)
            await poster.post(poll.place, Reply((card,)))
            reminded.append(poll)
        except Exception:
            log.exception("could not post a poll reminder", extra={"poll": poll.id})
    return reminded


async def _announce(services: Services, poll: Poll, now: datetime) -> ClosedPoll:
    store = services.store
    assert store is not None
    tally = await store.tally(poll.id)
    if poll.place.platform not in services.posters:  # its adapter stopped since the sweep began
        log.warning("no poster left to announce a closed poll", extra={"poll": poll.id})
        return ClosedPoll(poll, tally, None)
    delivery = services.delivery
    posted: str | None = None
    runoff = None
    if poll.ranked:
        ballots = await store.poll_ballots(poll.id)
        runoff = ranked.count([ballot.ranking for ballot in ballots], len(poll.options))
    announcement = poll_cards.announcement(
        poll, tally, now, services.settings.timezone, runoff=runoff
    )
    reply = await chart_png.with_chart(
        Reply((announcement,)), charts.public_poll_chart(poll, tally, now)
    )
    try:
        posted = await delivery.post(poll.place, reply)
    except Exception:
        log.exception("could not announce a closed poll", extra={"poll": poll.id})
    # Redrawn like any other change, so the closing edit queues behind a vote's recent one.
    await delivery.refresh((poll.ref,), poll.place)
    await delivery.settle(poll.place.platform)
    return ClosedPoll(poll, tally, posted)


async def run_deadlines(bot: Bot, stop: asyncio.Event, interval: float = SWEEP_SECONDS) -> None:
    """Sweep at start, then again at each deadline (checking at least every `interval` s)."""
    services = bot.services
    while not stop.is_set():
        wait = interval
        try:
            now = services.clock.now()
            await close_due(services, now)
            await remind_due(services, now)
            store = services.store
            platforms = list(services.posters)
            upcoming = await store.next_deadline(platforms) if store and platforms else None
            if upcoming is not None:
                wait = min(interval, max(0.05, (upcoming - now).total_seconds()))
        except Exception:
            log.exception("deadline sweep failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), wait)
