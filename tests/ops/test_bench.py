"""`make bench` keeps running as the code under it changes: a small run, end to end."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_vote_benchmark_runs_and_prints_its_figures() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "votes.py"), "--voters", "60", "--rate", "600"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    figures = re.fullmatch(
        r"sqlite: votes_per_s=(\d+) p99_ms=([\d.]+) naive_votes_per_s=(\d+) "
        r"ratio_vs_naive=([\d.]+)",
        last,
    )
    assert figures, last
    assert int(figures.group(1)) > 0 and int(figures.group(3)) > 0
