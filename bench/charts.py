"""Benchmark: drawing result charts, the first one (which imports matplotlib) and the next ones.

Run with `.venv/bin/python bench/charts.py [--runs N]`. It draws a 4-option poll and a debate,
through the same `bot.chart_png.render` the bot calls in a worker thread, and prints the first
draw (import and font set-up included), the median and p90 of the following draws, and the
PNG sizes, ending with `charts: first_ms=<n> poll_median_ms=<n> debate_median_ms=<n>`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from bot import chart_png, charts, debates
from bot.models import Place
from bot.store.base import Debate, DebateVote, Poll, Side, Tally

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
PLACE = Place("console", "local", "general")


def samples() -> tuple[charts.Chart, charts.Chart]:
    poll = Poll(
        1, PLACE, "ana", "Ana", "Should the U.S. accept a nuclear North Korea?",
        ("Yes", "No", "Unsure", "🍕 Something else entirely"), 2, False, "live", NOW,
        None, None, None, False,
    )  # fmt: skip
    poll_chart = charts.poll_chart(poll, Tally((12, 7, 3, 1), 18))
    debate = Debate(
        1, PLACE, "mo", "Mo", "This house would lift sanctions now.", None, "closed",
        NOW, NOW, NOW, "mo",
    )  # fmt: skip
    sides: tuple[Side, ...] = ("for", "against", "undecided")
    votes = [DebateVote(f"v{n}", f"v{n}", "before", sides[n % 3]) for n in range(30)]
    votes += [DebateVote(f"v{n}", f"v{n}", "after", sides[n % 2]) for n in range(30)]
    debate_chart = charts.debate_chart(debate, debates.tally(votes))
    assert poll_chart is not None and debate_chart is not None
    return poll_chart, debate_chart


def timed(chart: charts.Chart) -> tuple[float, int]:
    start = time.perf_counter()
    png = chart_png.render(chart)
    return (time.perf_counter() - start) * 1000, len(png)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    poll_chart, debate_chart = samples()
    first, _ = timed(poll_chart)
    poll_ms, poll_size = zip(*(timed(poll_chart) for _ in range(runs)), strict=True)
    debate_ms, debate_size = zip(*(timed(debate_chart) for _ in range(runs)), strict=True)
    for name, times, size in (("poll", poll_ms, poll_size), ("debate", debate_ms, debate_size)):
        p90 = sorted(times)[int(0.9 * (len(times) - 1))]
        print(
            f"{name}: median {statistics.median(times):.0f} ms, p90 {p90:.0f} ms, "
            f"{size[0] // 1024} KiB, {runs} draws"
        )
    print(
        f"charts: first_ms={first:.0f} poll_median_ms={statistics.median(poll_ms):.0f} "
        f"debate_median_ms={statistics.median(debate_ms):.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
