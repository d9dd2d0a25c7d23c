"""The same scenarios on every platform: the test platform, the console, Discord and Slack.

Each platform is driven for real (discord.py against the fake Discord, Bolt against the fake
Slack) and what it showed is read back in neutral terms, so the platforms provably behave alike:
the same answers are private, the same cards are tracked, threaded and redrawn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from tests.adapters.discord.discord_harness import FakeDiscord, Harness, point_at
from tests.adapters.slack.slackfake import FakeSlack, SlackRig
from tests.conformance.drivers import (
    ConsoleDriver,
    DiscordDriver,
    Driver,
    MemoryDriver,
    SlackDriver,
)
from tests.conformance.scenarios import SCENARIOS, Click, Say, Seen, Step
from tests.store.fixtures import store_bot

PLATFORMS = ("memory", "console", "discord", "slack")


@pytest.fixture(params=PLATFORMS)
async def driver(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    packs: PackRegistry,
    clock: FakeClock,
    tmp_path: Path,
) -> AsyncIterator[Driver]:
    async with AsyncExitStack() as stack:
        bot = await stack.enter_async_context(store_bot(packs, clock, tmp_path))
        if request.param == "memory":
            yield MemoryDriver(bot)
        elif request.param == "console":
            yield ConsoleDriver(bot)
        elif request.param == "slack":
            fake = FakeSlack()
            await fake.start()
            stack.push_async_callback(fake.close)
            rig = await stack.enter_async_context(SlackRig(bot, fake))
            yield SlackDriver(bot, fake, rig)
            assert fake.problems == []
        else:
            server = FakeDiscord()
            server.start()
            stack.callback(server.stop)
            point_at(server, monkeypatch)
            harness = await Harness(server, bot).start()
            stack.push_async_callback(harness.close)
            yield DiscordDriver(bot, harness)
            assert server.violations == []


async def play(driver: Driver, steps: tuple[Step, ...]) -> None:
    """Run the steps in order, checking what each one showed."""
    history: list[Seen] = []
    for number, step in enumerate(steps, 1):
        action = step.action
        if isinstance(action, Say):
            seen = await driver.say(action.line, action.user, action.moderator)
        elif isinstance(action, Click):
            target = next(
                s
                for s in reversed(history)
                if s.kind in ("public", "edit") and action.label in s.buttons
            )
            seen = await driver.click(target, action.label, action.user)
        else:
            seen = await driver.wait(action.seconds)
        said = f"step {number} ({action}) showed {[(s.kind, s.text[:80]) for s in seen]}"
        for kind, words in step.shows:
            assert any(s.kind == kind and words in s.text for s in seen), (
                f"{said}: no {kind} {words!r}"
            )
        for kind in step.hides:
            assert not any(s.kind == kind for s in seen), f"{said}: a {kind} message"
        history += seen


@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def test_every_platform_plays_the_scenario_alike(driver: Driver, scenario: str) -> None:
    await play(driver, SCENARIOS[scenario])
