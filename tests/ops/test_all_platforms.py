"""One `oped-bot run` process serving Discord and Slack at once, stopped by SIGTERM.

Slack is the real adapter in HTTP mode against the fake Slack Web API on 127.0.0.1. Discord
cannot be reached offline in a separate process, so a stand-in adapter module is swapped in
through `sitecustomize`; it honours the same `serve(bot, env, stop)` contract, proves it shares
the Slack adapter's Bot, and logs the token to show the logs redact it.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

from tests.adapters.slack.slackfake import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    command_body,
    signed_headers,
)
from tests.ops.conftest import clean_env

DISCORD_TOKEN = "MTA4NjY4NzQ1MjE4NjQ3NDU2MA.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB"

SITECUSTOMIZE = """
import bot.runtime
bot.runtime.ADAPTER_MODULES["discord"] = "stand_in_discord"
bot.runtime.ADAPTER_REQUIRES["discord"] = ()
"""

STAND_IN = """
import asyncio, logging, pathlib

async def serve(bot, env, stop):
    notes = pathlib.Path(env["STAND_IN_NOTES"])
    logging.getLogger("stand_in_discord").info("connecting with %s", env["DISCORD_TOKEN"])
    while "slack" not in bot.services.posters:  # the Slack adapter registers on the same Bot
        await asyncio.sleep(0.01)
    notes.write_text("shared bot\\n")
    await stop.wait()
    await asyncio.sleep(0.2)  # finishing acknowledged work
    with notes.open("a") as out:
        out.write("stopped\\n")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_discord_and_slack_in_one_process_stop_together(tmp_path: Path) -> None:
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (inject / "stand_in_discord.py").write_text(STAND_IN)
    notes = tmp_path / "discord-notes.txt"
    port = free_port()
    fake = FakeSlack()
    await fake.start()
    env = clean_env(
        PYTHONPATH=str(inject),
        STAND_IN_NOTES=str(notes),
        DISCORD_TOKEN=DISCORD_TOKEN,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_MODE="http",
        SLACK_HOST="127.0.0.1",
        SLACK_PORT=str(port),
        SLACK_API_URL=fake.api_url,
        OPED_BOT_DB=str(tmp_path / "bot.sqlite3"),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stderr=asyncio.subprocess.PIPE
    )
    seen = b""
    try:
        assert process.stderr is not None
        while b"Slack HTTP mode" not in seen:
            line = await asyncio.wait_for(process.stderr.readline(), 20)
            assert line, seen.decode()
            seen += line
        for _ in range(500):
            if notes.exists():
                break
            await asyncio.sleep(0.01)
        assert notes.read_text() == "shared bot\n"
        body = command_body(fake, "claims")
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=signed_headers(body)
            ) as response,
        ):
            assert response.status == 200
        began = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
        elapsed = time.monotonic() - began
        seen += await process.stderr.read()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.close()
    log = seen.decode()
    assert elapsed < 5
    assert "adapters=discord,slack" in log
    assert notes.read_text() == "shared bot\nstopped\n"
    assert len(fake.called("chat.postMessage")) == 1  # acknowledged before SIGTERM, then posted
    assert "signal=SIGTERM" in log and "stopped status=0" in log
    assert "connecting with [redacted]" in log
    for secret in (DISCORD_TOKEN, BOT_TOKEN, SECRET):
        assert secret not in log
