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


def test_the_console_imports_no_platform_sdk_and_no_http_stack(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "console"],
        input="help\n",
        env=clean_env(OPED_BOT_DB=str(tmp_path / "bot.sqlite3")),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "summary" in done.stdout  # it did answer
    imported = {
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert sorted(m for m in imported if m.split(".")[0] in UNWANTED) == []
