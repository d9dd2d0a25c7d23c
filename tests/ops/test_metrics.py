"""Prometheus metrics counted where each event happens: commands, votes, scheduled runs."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.console import ConsoleSession
from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.metrics import Metrics
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Reply
from bot.scheduler import Scheduler
from bot.store.sqlite import SqliteStore

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
STEP = 0.02  # seconds each command appears to take on the stepping timer


class SteppingTimer:
    """A monotonic timer that moves STEP on every reading: each command lasts exactly STEP."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += STEP
        return self.now


class Poster:
    """Records scheduled posts; refuses the first `refusals` of them."""

    def __init__(self, refusals: int = 0) -> None:
        self.posts: list[Reply] = []
        self.refusals = refusals

    async def post(self, place: Place, reply: Reply) -> str:
        if self.refusals:
            self.refusals -= 1
            raise PostFailed("Slack is down", retryable=True)
        self.posts.append(reply)
        return f"m{len(self.posts)}"

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        return None

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        return None


def samples(metrics: Metrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, parsed back, keyed by name and labels."""
    found = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def store_bot(tmp_path: Path, packs: PackRegistry) -> AsyncIterator[Bot]:
    clock = FakeClock(START)
    store = await SqliteStore.open(tmp_path / "bot.sqlite3", clock=clock)
    services = Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(db_path=tmp_path / "bot.sqlite3"),
        rng=random.Random(7),
        metrics=Metrics(timer=SteppingTimer()),
    )
    yield Bot(services)
    await store.close()


async def as_user(session: ConsoleSession, name: str, line: str, *, mod: bool = False) -> str:
    await session.send(f":user {name}")
    if mod:
        await session.send(":mod on")
    return await session.send(line)


async def test_commands_are_counted_by_name_and_outcome_with_their_latency(
    store_bot: Bot,
) -> None:
    session = ConsoleSession(store_bot)
    metrics = store_bot.services.metrics
    assert "Poll #1" in await as_user(session, "ann", 'poll create "Lunch?" "Pizza" "Tacos"')
    await as_user(session, "ann", "poll vote 1 1")
    await as_user(session, "bob", "poll vote 1 2")
    await as_user(session, "bob", "poll vote 1 2")  # takes bob's vote back: still a vote click
    assert "Error" in await as_user(session, "bob", "poll vote 1 9")  # no option 9
    assert "is for moderators" in await as_user(session, "bob", "admin audit")
    assert "Error" in await as_user(session, "bob", "frobnicate now")
    assert "Error" in await as_user(session, "bob", 'poll create "unclosed')
    await as_user(session, "cat", "claims")

    assert value(metrics, "oped_bot_commands_total", command="poll create", outcome="ok") == 1
    assert value(metrics, "oped_bot_commands_total", command="poll vote", outcome="ok") == 3
    assert value(metrics, "oped_bot_commands_total", command="poll vote", outcome="refused") == 1
    assert value(metrics, "oped_bot_commands_total", command="admin audit", outcome="refused") == 1
    assert value(metrics, "oped_bot_commands_total", command="claims", outcome="ok") == 1
    # A line that names no command is counted under one label, never under what was typed.
    assert value(metrics, "oped_bot_commands_total", command="unknown", outcome="refused") == 2
    labels = {dict(key[1]).get("command") for key in samples(metrics) if key[1]}
    assert "frobnicate now" not in labels and "frobnicate" not in labels
    # Each command lasted exactly STEP on the injected timer.
    count = value(metrics, "oped_bot_command_seconds_count", command="poll vote")
    assert count == 4
    assert value(metrics, "oped_bot_command_seconds_sum", command="poll vote") == pytest.approx(
        4 * STEP
    )
    bucket = "oped_bot_command_seconds_bucket"
    assert value(metrics, bucket, command="poll vote", le="0.025") == 4
    assert value(metrics, bucket, command="poll vote", le="0.01") == 0

    assert value(metrics, "oped_bot_votes_total", kind="poll") == 3


async def test_debate_votes_are_counted_and_refused_votes_are_not(store_bot: Bot) -> None:
    session = ConsoleSession(store_bot)
    metrics = store_bot.services.metrics
    assert "Error" not in await as_user(session, "mod", "debate start P1", mod=True)
    await as_user(session, "ann", "debate vote 1 for")
    await as_user(session, "bob", "debate vote 1 against")
    assert "Error" in await as_user(session, "bob", "debate vote 7 for")  # no debate 7
    assert value(metrics, "oped_bot_votes_total", kind="debate") == 2
    assert value(metrics, "oped_bot_votes_total", kind="poll") == 0


async def test_a_command_that_fails_on_our_side_is_counted_as_failed(store_bot: Bot) -> None:
    session = ConsoleSession(store_bot)
    store = store_bot.services.store
    assert store is not None
    await store.close()  # the database goes away under the bot
    assert "went wrong on our side" in await session.send("poll list")
    metrics = store_bot.services.metrics
    assert value(metrics, "oped_bot_commands_total", command="poll list", outcome="failed") == 1


async def test_scheduled_runs_are_counted_by_outcome(store_bot: Bot) -> None:
    session = ConsoleSession(store_bot)
    assert "Schedule 1" in await as_user(session, "mod", 'admin schedule add "0 9 * * *"', mod=True)
    poster = Poster(refusals=1)
    store_bot.services.posters["console"] = poster
    scheduler = Scheduler(store_bot.services, store_bot.catalogue)
    clock = store_bot.services.clock
    assert isinstance(clock, FakeClock)
    metrics = store_bot.services.metrics

    clock.set(START.replace(hour=9))
    assert [o.state for o in await scheduler.tick()] == ["retry"]
    clock.advance(timedelta(minutes=1))
    assert [o.state for o in await scheduler.tick()] == ["posted"]
    assert await scheduler.tick() == []  # nothing due: nothing counted
    assert len(poster.posts) == 1
    assert value(metrics, "oped_bot_scheduled_runs_total", outcome="retry") == 1
    assert value(metrics, "oped_bot_scheduled_runs_total", outcome="posted") == 1

    schedule = await store_bot.services.store.get_schedule(1)  # type: ignore[union-attr]
    assert schedule is not None
    await scheduler.run_now(schedule)  # `admin schedule run`
    assert value(metrics, "oped_bot_scheduled_runs_total", outcome="posted") == 2


def test_each_bot_has_its_own_registry() -> None:
    one, two = Metrics(), Metrics()
    one.vote("poll")
    assert value(one, "oped_bot_votes_total", kind="poll") == 1
    assert value(two, "oped_bot_votes_total", kind="poll") == 0
