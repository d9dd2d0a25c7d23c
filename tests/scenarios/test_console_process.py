"""The console as a real process: piped input, any working directory, exit 0 at end of input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_piped_console_from_another_directory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPED_"))}
    env["OPED_BOT_DB"] = str(tmp_path / "bot.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="summary tldr\n:user ana\nquote sanctions\nexplain KCNA\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "(tldr summary)" in result.stdout
    assert "You are now ana" in result.stdout
    assert "Korean Central News Agency" in result.stdout
    assert ">" not in result.stdout.split("\n", 1)[0], "no prompt is printed when stdin is piped"


def test_a_chart_from_the_console_process_on_a_fresh_home(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPED_"))}
    env = {k: v for k, v in env.items() if not k.startswith(("MPL", "XDG_"))}
    (tmp_path / "home").mkdir()
    env["HOME"] = str(tmp_path / "home")
    env["OPED_BOT_DB"] = str(tmp_path / "db" / "bot.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input='poll create "Talks?" "Yes" "No"\npoll vote 1 1\npoll results 1 --chart\n',
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    chart = tmp_path / "db" / "charts" / "poll-1-results.png"
    assert f"--- chart saved: {chart} ---" in result.stdout
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "1. Yes: 1 vote, 100% of voters." in result.stdout
