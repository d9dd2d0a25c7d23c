"""The one delivery path: privacy, tracking, threads and coalesced redraws, for any platform."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.clock import FakeClock
from bot.coalesce import FakeTimer
from bot.content.registry import PackRegistry
from bot.models import Place, User
from bot.ports import PostFailed
from bot.replies import Card, Reply
from tests.store.fixtures import RecordingPoster, store_bot

HERE = Place("console", "local", "general")
ANA = User("ana", "Ana")


class NoThreads(RecordingPoster):
    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        raise PostFailed("the bot may not open threads here.", retryable=False)


class Answers:
    """A Responder that keeps what it was asked to show, numbering public answers a1, a2..."""

    def __init__(self) -> None:
        self.privately: list[Reply] = []
        self.publicly: list[Reply] = []

    async def private(self, reply: Reply) -> None:
        self.privately.append(reply)

    async def public(self, reply: Reply) -> str | None:
        self.publicly.append(reply)
        return f"a{len(self.publicly)}"


class Refusing(Answers):
    async def public(self, reply: Reply) -> str | None:
        raise PostFailed("not here.", retryable=True)


async def test_a_scheduled_post_is_tracked_and_a_refused_thread_is_explained_in_the_channel(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        poster = NoThreads()
        bot.services.delivery.attach("console", poster)
        prompt = Reply((Card("debate", "Motion"),), track="debate:1", thread="Motion")
        assert await bot.services.delivery.post(HERE, prompt) == "m1"
        assert bot.services.store is not None
        (tracked,) = await bot.services.store.messages_for("debate:1")
        assert (tracked.place, tracked.message_id) == (HERE, "m1")
        (_, note) = poster.posts[1]
        assert "could not open the discussion thread" in note.cards[0].body
        assert "may not open threads here" in note.cards[0].body
        assert not note.ephemeral


async def test_a_click_answers_privately_unless_it_posts_a_new_card_and_redraws_the_card(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        poster = RecordingPoster()
        timer = FakeTimer()
        delivery = bot.services.delivery
        delivery.attach("console", poster, interval=1.0, timer=timer)
        created = await bot.handle_text('poll create "Q?" "Up" "Down"', HERE, ANA)
        creator = Answers()
        await delivery.answer(created, HERE, creator)
        assert creator.publicly == [created] and creator.privately == []
        shown = await bot.handle_text("poll results 1", HERE, ANA)
        clicker = Answers()
        await delivery.answer(replace(shown, ephemeral=False), HERE, clicker, button=True)
        assert clicker.publicly == [] and len(clicker.privately) == 1
        vote = await bot.handle_text("poll vote 1 2", HERE, User("bo", "Bo"))
        await delivery.answer(vote, HERE, Answers(), button=True)
        await timer.advance(0)
        await delivery.settle("console")
        ((where, message_id, card),) = poster.updates
        assert (where, message_id) == (HERE, "a1")  # the message the poll became
        assert "1 vote" in card.cards[0].body


async def test_a_refused_answer_is_explained_privately_and_the_card_still_redrawn(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        poster = RecordingPoster()
        delivery = bot.services.delivery
        delivery.attach("console", poster, timer=FakeTimer())
        await bot.handle_text('poll create "Q?" "Up" "Down"', HERE, ANA)
        vote = await bot.handle_text("poll vote 1 2", HERE, User("bo", "Bo"))
        refused = Refusing()
        await delivery.answer(replace(vote, ephemeral=False), HERE, refused, clicked="card")
        (error,) = refused.privately
        assert error.is_error and "I could not post the reply: not here." in error.cards[0].body
        await delivery.settle("console")
        assert [message_id for _, message_id, _ in poster.updates] == ["card"]
