"""The neutral edit coalescer, driven by a hand-moved timer: no test here sleeps."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.coalesce import Coalescer, FakeTimer, Job, LoopTimer

INTERVAL = 1.0


class Edits:
    """Jobs that record `(label, time)` when they run, as a message's redraws would."""

    def __init__(self, timer: FakeTimer | None = None) -> None:
        self.timer = timer
        self.ran: list[tuple[str, float]] = []
        self.started: list[str] = []

    def now(self) -> float:
        return self.timer.now() if self.timer else 0.0

    def job(self, label: str) -> Job:
        async def run() -> None:
            self.ran.append((label, self.now()))

        return run

    def blocked(self, label: str, release: asyncio.Event) -> Job:
        """A job that starts, then holds until `release` is set before it records its run."""

        async def run() -> None:
            self.started.append(label)
            await release.wait()
            self.ran.append((label, self.now()))

        return run

    @property
    def labels(self) -> list[str]:
        return [label for label, _ in self.ran]


@pytest.fixture
def timer() -> FakeTimer:
    return FakeTimer()


@pytest.fixture
def edits(timer: FakeTimer) -> Edits:
    return Edits(timer)


@pytest.fixture
def coalescer(timer: FakeTimer) -> Coalescer[str]:
    return Coalescer(INTERVAL, timer=timer)


async def start_slow_job(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> asyncio.Event:
    """Start a job "slow" for "m1" that runs until the returned event is set."""
    release = asyncio.Event()
    coalescer.request("m1", edits.blocked("slow", release))
    await timer.advance(0)
    assert edits.started == ["slow"]
    return release


async def test_the_first_request_runs_at_once_but_not_inside_the_request(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    coalescer.request("m1", edits.job("first"))
    assert edits.ran == []  # the caller's own reply goes out before the edit
    assert timer.delays == [0.0]
    await timer.advance(0)
    await coalescer.settle()
    assert edits.ran == [("first", 0.0)]


async def test_a_burst_of_eight_becomes_two_runs_and_the_latest_wins(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    for n in range(8):
        coalescer.request("poll", edits.job(f"click {n}"))
        await coalescer.settle()
    assert edits.ran == [("click 0", 0.0)]
    assert coalescer.waiting == 1
    await timer.advance(INTERVAL - 0.25)
    await coalescer.settle()
    assert edits.labels == ["click 0"]  # still inside the interval
    await timer.advance(0.25)
    await coalescer.settle()
    assert edits.ran == [("click 0", 0.0), ("click 7", INTERVAL)]
    await timer.advance(10 * INTERVAL)
    await coalescer.settle()
    assert len(edits.ran) == 2  # nothing new was asked for
    assert timer.delays == [0.0, INTERVAL]
    assert coalescer.waiting == 0 and timer.scheduled == 0


async def test_after_a_quiet_spell_the_next_request_runs_at_once_again(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    coalescer.request("m1", edits.job("a"))
    await coalescer.settle()
    await timer.advance(5.0)
    coalescer.request("m1", edits.job("b"))
    await coalescer.settle()
    assert edits.ran == [("a", 0.0), ("b", 5.0)]
    assert timer.delays == [0.0, 0.0]


async def test_keys_are_throttled_independently(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    coalescer.request("m1", edits.job("m1 a"))
    coalescer.request("m2", edits.job("m2 a"))
    await coalescer.settle()
    coalescer.request("m1", edits.job("m1 b"))
    await coalescer.settle()
    assert edits.labels == ["m1 a", "m2 a"]
    assert coalescer.waiting == 1
    await timer.advance(INTERVAL)
    await coalescer.settle()
    assert edits.labels == ["m1 a", "m2 a", "m1 b"]


async def test_settle_runs_what_is_due_even_before_the_timer_fires(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    coalescer.request("m1", edits.job("a"))
    await coalescer.settle()  # the timer was never advanced
    assert edits.labels == ["a"]
    assert timer.scheduled == 0  # its call was called off, so it cannot run the key twice
    await timer.advance(0)
    await coalescer.settle()
    assert edits.labels == ["a"]


async def test_a_failing_job_is_logged_and_later_jobs_still_run(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken() -> None:
        raise RuntimeError("message deleted")

    caplog.set_level(logging.ERROR, logger="bot.coalesce")
    coalescer.request("m1", broken)
    coalescer.request("m2", edits.job("other message"))
    await coalescer.settle()
    (record,) = caplog.records
    assert record.getMessage() == "coalesced message edit failed"
    assert "RuntimeError: message deleted" in caplog.text  # with its traceback
    coalescer.request("m1", edits.job("next"))
    await timer.advance(INTERVAL)
    await coalescer.settle()
    assert edits.labels == ["other message", "next"]


async def test_jobs_for_one_key_never_overlap(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    release = await start_slow_job(coalescer, timer, edits)
    await timer.advance(3 * INTERVAL)  # the interval passes while the first job still runs
    coalescer.request("m1", edits.job("b"))
    coalescer.request("m1", edits.job("c"))
    await timer.advance(0)
    assert edits.ran == [] and timer.scheduled == 0  # waits for the running job, not the timer
    release.set()
    await coalescer.settle()
    # Its interval had passed, so the latest job ran straight after.
    assert edits.ran == [("slow", 3 * INTERVAL), ("c", 3 * INTERVAL)]


async def test_a_request_during_a_job_waits_for_the_interval_from_its_start(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    release = await start_slow_job(coalescer, timer, edits)
    await timer.advance(0.25)
    coalescer.request("m1", edits.job("b"))
    release.set()
    await coalescer.settle()
    assert edits.ran == [("slow", 0.25)] and coalescer.waiting == 1
    assert timer.delays == [0.0, INTERVAL - 0.25]
    await timer.advance(INTERVAL - 0.25)
    await coalescer.settle()
    assert edits.ran == [("slow", 0.25), ("b", INTERVAL)]


async def test_close_runs_waiting_jobs_at_once_and_the_latest_wins(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    coalescer.request("m1", edits.job("first"))
    await coalescer.settle()
    coalescer.request("m1", edits.job("second"))  # due in a second ...
    coalescer.request("m1", edits.job("third"))  # ... and folded into the same run
    coalescer.request("m2", edits.job("m2"))  # due now; its timer has not fired
    await coalescer.close()  # time does not move
    assert sorted(edits.ran) == [("first", 0.0), ("m2", 0.0), ("third", 0.0)]
    assert coalescer.waiting == 0 and timer.scheduled == 0
    coalescer.request("m1", edits.job("late"))  # after close nothing waits any more
    await coalescer.settle()
    assert edits.labels[-1] == "late"
    assert timer.scheduled == 0


async def test_close_lets_a_running_job_finish_before_the_waiting_one(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    release = await start_slow_job(coalescer, timer, edits)
    coalescer.request("m1", edits.job("after"))
    closing = asyncio.ensure_future(coalescer.close())
    await timer.advance(0)
    assert edits.ran == [] and not closing.done()
    release.set()
    await asyncio.wait_for(closing, 5)
    assert edits.labels == ["slow", "after"]


async def test_close_gives_up_on_a_job_that_overruns_its_budget(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits, caplog: pytest.LogCaptureFixture
) -> None:
    cancelled = asyncio.Event()

    async def hangs() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    coalescer.request("m1", hangs)
    await timer.advance(0)
    coalescer.request("m1", edits.job("never"))
    with caplog.at_level(logging.WARNING, logger="bot.coalesce"):
        await asyncio.wait_for(coalescer.close(within=0), 5)
    assert cancelled.is_set()
    assert edits.ran == []  # a cancelled job does not start its key's next one
    assert [r.getMessage() for r in caplog.records] == [
        "shutdown: 1 message edit did not finish in time"
    ]
    await coalescer.settle()
    assert edits.ran == [] and coalescer.waiting == 0


async def test_idle_keys_are_forgotten_once_their_interval_is_over(
    coalescer: Coalescer[str], timer: FakeTimer, edits: Edits
) -> None:
    for n in range(200):
        coalescer.request(f"old {n}", edits.job("old"))
    await coalescer.settle()
    await timer.advance(INTERVAL)
    for n in range(200):
        coalescer.request(f"new {n}", edits.job("new"))
    await coalescer.settle()
    assert coalescer.remembered == 200  # only the new keys
    # Keys still inside their interval are remembered, so their throttle still holds.
    coalescer.request("new 0", edits.job("again"))
    await coalescer.settle()
    assert edits.labels.count("again") == 0 and coalescer.waiting == 1


async def test_the_loop_timer_runs_the_first_request_and_close_skips_the_wait() -> None:
    edits = Edits()
    coalescer: Coalescer[str] = Coalescer(60, timer=LoopTimer())
    coalescer.request("m1", edits.job("first"))
    await asyncio.wait_for(coalescer.settle(), 5)
    assert edits.labels == ["first"]
    coalescer.request("m1", edits.job("second"))  # due in 60 s ...
    coalescer.request("m1", edits.job("third"))  # ... and folded into the same run
    await coalescer.settle()
    assert edits.labels == ["first"] and coalescer.waiting == 1
    await asyncio.wait_for(coalescer.close(), 5)  # what an adapter does at shutdown
    assert edits.labels == ["first", "third"]


async def test_the_loop_timer_is_the_default_and_fires_on_its_own() -> None:
    edits = Edits()
    coalescer: Coalescer[str] = Coalescer(0.0)
    assert isinstance(coalescer.timer, LoopTimer)
    done = asyncio.Event()

    async def last() -> None:
        done.set()

    coalescer.request("m1", edits.job("a"))
    coalescer.request("m2", last)
    await asyncio.wait_for(done.wait(), 5)  # nobody settled: the loop's timer started it
    await coalescer.settle()
    assert edits.labels == ["a"]


async def test_the_fake_timer_calls_in_time_order_and_honours_cancel() -> None:
    timer = FakeTimer(start=10.0)
    calls: list[str] = []
    timer.call_later(2.0, lambda: calls.append("late"))
    timer.call_later(1.0, lambda: calls.append("early"))
    timer.call_later(1.0, lambda: calls.append("early, second"))
    timer.call_later(1.5, lambda: calls.append("called off")).cancel()
    await timer.advance(1.0)
    assert calls == ["early", "early, second"] and timer.scheduled == 1
    await timer.advance(1.0)
    assert calls == ["early", "early, second", "late"] and timer.now() == 12.0
