"""`oped-bot console` starts without a platform SDK, HTTP stack, database driver, plotting
library or encryption library it does not need until it draws a chart or seals a token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.ops.conftest import clean_env

UNWANTED = (
    "aiohttp",
    "discord",
    "slack_bolt",
    "slack_sdk",
    "asyncpg",
    "matplotlib",
    "cryptography",
)


def imported_by_console(tmp_path: Path, typed: str) -> tuple[set[str], str]:
    """The top-level packages a console session imports while it answers `typed`, and its output."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "console"],
        input=typed,
        env=clean_env(OPED_BOT_DB=str(tmp_path / "bot.sqlite3")),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    imported = {
        line.rpartition("|")[2].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return imported, done.stdout


def test_the_console_imports_no_platform_sdk_and_no_http_stack(tmp_path: Path) -> None:
    imported, shown = imported_by_console(tmp_path, "help\n")
    assert "summary" in shown  # it did answer
    assert sorted(imported & set(UNWANTED)) == []


def test_metrics_are_not_imported_before_the_first_command(tmp_path: Path) -> None:
    imported, _ = imported_by_console(tmp_path, "")
    assert sorted(imported & {*UNWANTED, "prometheus_client"}) == []
    imported, _ = imported_by_console(tmp_path, "help\n")
    assert "prometheus_client" in imported  # the first command is counted
