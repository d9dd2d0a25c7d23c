"""`oped-bot run` orchestration, driven with fake adapters honouring `serve(bot, env, stop)`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot import runtime
from bot.app import Bot
from bot.config import Settings


class Recorder:
    """Fake adapters and loops that note what they saw and did."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.bots: list[Bot] = []
        self.changed = asyncio.Condition()

    async def note(self, event: str) -> None:
        async with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def adapter(self, name: str, work: float = 0.0) -> runtime.Serve:
        """Serves until stopped, then takes `work` seconds to finish acknowledged writes."""

        async def serve(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
            self.bots.append(bot)
            await self.note(f"{name} up")
            await stop.wait()
            await asyncio.sleep(work)
            await self.note(f"{name} flushed")

        return serve

    def loop(self, name: str) -> runtime.Loop:
        async def run(stop: asyncio.Event) -> None:
            await self.note(f"{name} up")
            await stop.wait()
            await self.note(f"{name} done")

        return run


async def started(recorder: Recorder, count: int) -> None:
    async with recorder.changed:
        await recorder.changed.wait_for(
            lambda: len([e for e in recorder.events if e.endswith(" up")]) >= count
        )


async def test_every_adapter_shares_one_bot_and_stops_together(bot: Bot) -> None:
    rec = Recorder()
    stop = asyncio.Event()
    task = asyncio.create_task(
        runtime.serve_all(
            bot,
            {},
            {"discord": rec.adapter("discord"), "slack": rec.adapter("slack", 0.05)},
            {"scheduler": rec.loop("scheduler")},
            stop,
        )
    )
    await started(rec, 3)
    assert not task.done()
    stop.set()
    assert await task == 0
    assert rec.bots == [bot, bot]
    assert sorted(rec.events) == sorted(
        [
            "discord up",
            "slack up",
            "scheduler up",
            "discord flushed",
            "slack flushed",
            "scheduler done",
        ]
    )


async def test_a_failing_adapter_stops_the_others_and_fails_the_run(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder()

    async def broken(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
        await started(rec, 1)
        raise ConnectionError("gateway closed with 4004")

    code = await runtime.serve_all(
        bot, {}, {"discord": broken, "slack": rec.adapter("slack")}, {}, asyncio.Event()
    )
    assert code == 1
    assert rec.events == ["slack up", "slack flushed"]
    failure = next(r for r in caplog.records if r.getMessage() == "stopped by an error")
    assert failure.levelno == logging.ERROR and failure.__dict__["task"] == "adapter:discord"


async def test_a_platform_adapter_returning_early_is_a_failure(bot: Bot) -> None:
    async def quits(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
        return None

    assert await runtime.serve_all(bot, {}, {"slack": quits}, {}, asyncio.Event()) == 1


async def test_the_console_ending_is_a_normal_exit(bot: Bot) -> None:
    rec = Recorder()

    async def console(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
        await started(rec, 1)  # end of input once the loop is up

    code = await runtime.serve_all(
        bot, {}, {"console": console}, {"deadlines": rec.loop("deadlines")}, asyncio.Event()
    )
    assert code == 0
    assert rec.events == ["deadlines up", "deadlines done"]


async def test_a_crashed_loop_stops_the_process(bot: Bot) -> None:
    rec = Recorder()

    async def crashes(stop: asyncio.Event) -> None:
        raise RuntimeError("scheduler bug")

    code = await runtime.serve_all(
        bot, {}, {"discord": rec.adapter("discord")}, {"scheduler": crashes}, asyncio.Event()
    )
    assert code == 1
    assert rec.events[-1] == "discord flushed"


async def test_an_adapter_that_will_not_stop_is_cancelled_after_the_drain(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    cancelled = asyncio.Event()

    async def stubborn(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stop = asyncio.Event()
    stop.set()
    loop = asyncio.get_running_loop()
    began = loop.time()
    code = await runtime.serve_all(bot, {}, {"discord": stubborn}, {}, stop, drain_seconds=0.1)
    assert code == 0
    assert cancelled.is_set()
    assert loop.time() - began < 1
    assert any(r.getMessage() == "did not stop in time; cancelled" for r in caplog.records)


async def test_run_opens_the_data_folder_and_closes_the_store(tmp_path: Path) -> None:
    rec = Recorder()
    settings = Settings(db_path=tmp_path / "deep" / "data" / "bot.sqlite3")

    async def one_shot(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
        rec.bots.append(bot)

    code = await runtime.run(settings, {}, ["console"], {"console": one_shot})
    assert code == 0
    assert (tmp_path / "deep" / "data").is_dir()
    store = rec.bots[0].services.store
    if store is not None:  # once build_bot opens the store, run must have closed it
        assert getattr(store, "_closed", True)


def test_choose_adapters() -> None:
    assert runtime.choose_adapters({}) == ["console"]
    assert runtime.choose_adapters({"DISCORD_TOKEN": "t"}) == ["discord"]
    assert runtime.choose_adapters({"SLACK_BOT_TOKEN": "b"}) == ["console"]
    assert runtime.choose_adapters({"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a"}) == ["slack"]
    assert runtime.choose_adapters(
        {"DISCORD_TOKEN": "t", "SLACK_BOT_TOKEN": "b", "SLACK_SIGNING_SECRET": "s"}
    ) == ["discord", "slack"]
    assert runtime.choose_adapters({"DISCORD_TOKEN": ""}) == ["console"]


def test_an_adapter_that_cannot_be_imported_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(runtime.ADAPTER_MODULES, "discord", "adapters.not_built_yet")
    with pytest.raises(runtime.AdapterUnavailable) as caught:
        runtime.load_adapter("discord")
    message = str(caught.value)
    assert "The discord adapter is enabled by its credentials but cannot be loaded" in message
    assert "adapters.not_built_yet" in message and "unset the adapter's tokens" in message


def test_a_missing_sdk_is_a_clear_error_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(runtime.ADAPTER_REQUIRES, "slack", ("slack_sdk_gone",))
    with pytest.raises(runtime.AdapterUnavailable, match="importing slack_sdk_gone failed"):
        runtime.load_adapter("slack")


def test_every_adapter_module_exposes_serve() -> None:
    for name in runtime.ADAPTER_MODULES:
        assert callable(runtime.load_adapter(name))
