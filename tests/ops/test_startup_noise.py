"""Start-up says only what a person can act on; `discord sync` offline is one clear paragraph.

Real processes: `oped-bot run` with the real Discord adapter (pointed at the fake Discord
through `sitecustomize`, as the Discord tests point it with monkeypatch) and the real Slack
adapter in HTTP mode against the fake Slack, and `oped-bot discord sync` against the fake or a
closed port.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.discord.discord_harness import FakeDiscord
from tests.adapters.slack.slackfake import BOT_TOKEN, SECRET, FakeSlack
from tests.ops.conftest import clean_env

SITECUSTOMIZE = """
import os
import discord, yarl
discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
"""
TOKEN = "MTA4NjY4NzQ1MjE4NjQ3NDU2MA.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB"
# Warnings about things this bot does not use (voice, the guild cache, a second token).
NOISE = ("PyNaCl", "voice will NOT be supported", "Guilds intent", "will be unused")


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    server = FakeDiscord()
    server.start()
    yield server
    server.stop()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the socket is closed


def env_for(tmp_path: Path, api: str, gateway: str, **extra: str) -> dict[str, str]:
    inject = tmp_path / "inject"
    inject.mkdir(exist_ok=True)
    (inject / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return clean_env(
        PYTHONPATH=str(inject),
        FAKE_DISCORD_API=api,
        FAKE_DISCORD_GATEWAY=gateway,
        DISCORD_TOKEN=TOKEN,
        OPED_BOT_DB=str(tmp_path / "bot.sqlite3"),
        **extra,
    )


def sync(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "discord", "sync"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_without_network_is_one_clear_paragraph(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/v10"
    result = sync(tmp_path, env_for(tmp_path, api, "ws://127.0.0.1:1/gateway"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Besides INFO log lines (logging in), only the paragraph.
    assert [line for line in result.stderr.splitlines() if " INFO " not in line] == [
        "oped-bot discord sync: cannot reach the Discord API (ClientConnectorError); check the "
        "network, DNS and any proxy between this machine and discord.com, then run it again."
    ]
    assert TOKEN not in result.stderr


def test_sync_says_nothing_it_need_not(tmp_path: Path, fake: FakeDiscord) -> None:
    result = sync(tmp_path, env_for(tmp_path, fake.base, fake.gateway))
    assert result.returncode == 0, result.stderr
    assert "Registered" in result.stdout
    for noise in NOISE:
        assert noise not in result.stderr


async def test_start_up_logs_carry_no_warning_a_user_cannot_act_on(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    slack = FakeSlack()
    await slack.start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = env_for(
        tmp_path,
        fake.base,
        fake.gateway,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_MODE="http",
        SLACK_HOST="127.0.0.1",
        SLACK_PORT=str(port),
        SLACK_API_URL=slack.api_url,
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    seen = b""
    try:
        assert process.stderr is not None
        while b"Slack HTTP mode" not in seen:
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, seen.decode()
            seen += line
        await fake.wait_for(lambda: len(fake.identifies) == 1)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0, seen.decode()
        seen += await process.stderr.read()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await slack.close()
    log = seen.decode()
    assert "adapters=discord,slack" in log
    for noise in NOISE:
        assert noise not in log, log
