"""Deadlines close polls on time, across restarts, and announce each result exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.deadlines import close_due, run_deadlines
from bot.models import Place, User
from bot.replies import Reply
from tests.store.fixtures import RecordingPoster, store_bot

PLACE = Place("console", "local", "general")
ANA = User("ana", "Ana")


class FailingPoster(RecordingPoster):
    async def post(self, place: Place, reply: Reply) -> str:
        raise RuntimeError("platform down")


async def test_a_due_poll_is_closed_announced_and_redrawn_once(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        poster = RecordingPoster()
        bot.services.posters["console"] = poster
        created = await bot.handle_text('poll create "Q?" "Up" "Down" --closes 2h', PLACE, ANA)
        await bot.remember_message(created.track or "", PLACE, "msg-1")
        await bot.handle_text("poll vote 1 2", PLACE, User("bo", "Bo"))
        assert await close_due(bot.services, clock.now()) == []
        clock.advance(timedelta(hours=2))
        (closed,) = await close_due(bot.services, clock.now())
        assert closed.poll.id == 1 and closed.announcement_id == "m1"
        assert closed.tally.counts == (0, 1)
        ((place, announcement),) = poster.posts
        assert place == PLACE and not announcement.ephemeral
        card = announcement.cards[0]
        assert card.title == "Poll #1 has closed (its deadline passed)"
        assert "2. Down\n██████████ 100% · 1 vote" in card.body
        ((where, message_id, redraw),) = poster.updates
        assert (where, message_id) == (PLACE, "msg-1")
        assert [b.label for b in redraw.cards[0].buttons] == ["Results"]
        assert "Closed Mon 05 Jan 2026 14:00 UTC" in (redraw.cards[0].footer or "")
        clock.advance(timedelta(minutes=1))
        assert await close_due(bot.services, clock.now()) == []
        assert len(poster.posts) == 1


async def test_a_deadline_passed_while_down_is_announced_at_start_once(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        await bot.handle_text('poll create "Q?" "Up" "Down" --closes 30m', PLACE, ANA)
        await bot.handle_text("poll vote 1 1", PLACE, User("bo", "Bo"))
    clock.advance(timedelta(hours=5))  # the bot was down when the deadline passed
    for start in range(3):  # three restarts, one announcement
        async with store_bot(packs, clock, tmp_path) as bot:
            poster = RecordingPoster()
            bot.services.posters["console"] = poster
            closed = await close_due(bot.services, clock.now())
            assert len(closed) == (1 if start == 0 else 0)
            assert len(poster.posts) == (1 if start == 0 else 0)
            if start == 0:
                card = poster.posts[0][1].cards[0]
                assert "1. Up\n██████████ 100% · 1 vote" in card.body
                assert closed[0].poll.closed_at == closed[0].poll.created_at + timedelta(minutes=30)


async def test_polls_wait_for_their_platform_to_be_announced(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        slack = Place("slack", "T1", "C1")
        await bot.handle_text('poll create "Q?" "a" "b" --closes 1h', slack, ANA)
        console = RecordingPoster()
        bot.services.posters["console"] = console
        clock.advance(timedelta(hours=2))
        assert await close_due(bot.services, clock.now()) == []
        # Meanwhile the poll refuses votes, because its deadline passed.
        late = await bot.handle_text("poll vote 1 1", slack, User("U2", "Bo"))
        assert late.is_error and "is closed" in late.cards[0].body
        bot.services.posters["slack"] = slack_poster = RecordingPoster()
        assert [c.poll.id for c in await close_due(bot.services, clock.now())] == [1]
        assert len(slack_poster.posts) == 1 and console.posts == []


async def test_a_failed_announcement_is_not_repeated(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        bot.services.posters["console"] = FailingPoster()
        await bot.handle_text('poll create "Q?" "a" "b" --closes 1h', PLACE, ANA)
        await bot.handle_text('poll create "R?" "a" "b" --closes 1h', PLACE, ANA)
        clock.advance(timedelta(hours=1))
        closed = await close_due(bot.services, clock.now())
        assert [c.poll.id for c in closed] == [1, 2]  # one failure does not stop the next
        assert all(c.announcement_id is None and c.poll.closed_at for c in closed)
        assert await close_due(bot.services, clock.now()) == []
        results = await bot.handle_text("poll results 1", PLACE, ANA)
        assert "Closed Mon 05 Jan 2026 13:00 UTC" in (results.cards[0].footer or "")


async def test_the_runner_sweeps_at_start_and_stops_when_told(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        await bot.handle_text('poll create "Q?" "a" "b" --closes 1h', PLACE, ANA)
        clock.advance(timedelta(hours=1))
        posted = asyncio.Event()

        class Signalling(RecordingPoster):
            async def post(self, place: Place, reply: Reply) -> str:
                posted.set()
                return await super().post(place, reply)

        poster = Signalling()
        bot.services.posters["console"] = poster
        stop = asyncio.Event()
        runner = asyncio.create_task(run_deadlines(bot, stop, interval=3600))
        await asyncio.wait_for(posted.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(runner, timeout=10)
        assert len(poster.posts) == 1


async def test_no_poster_no_sweep(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        await bot.handle_text('poll create "Q?" "a" "b" --closes 1h', PLACE, ANA)
        clock.advance(timedelta(hours=1))
        assert await close_due(bot.services, clock.now()) == []
        store = bot.services.store
        assert store is not None
        poll = await store.get_poll(1)
        assert poll is not None and poll.closed_at is None and not poll.is_open(clock.now())
