"""`serve` in HTTP mode and Socket Mode against the fake Slack; config; `oped-bot slack`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from adapters.slack import serve
from adapters.slack.app import SlackAdapter
from adapters.slack.cli import run, slack_env
from adapters.slack.server import SlackConfig, SlackConfigError
from bot.app import Bot
from bot.cli import parser
from bot.config import Settings
from tests.adapters.slack.slackfake import (
    APP_TOKEN,
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    action_payload,
    command_body,
    signed_headers,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def start(
    bot: Bot, env: dict[str, str]
) -> tuple[asyncio.Task[None], asyncio.Event, SlackAdapter]:
    stop = asyncio.Event()
    ready: asyncio.Future[SlackAdapter] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(bot, env, stop, ready=ready.set_result))
    done, _ = await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    assert ready in done, task.exception() if task.done() else "serve did not get ready"
    return task, stop, ready.result()


async def test_http_mode_serves_slack_events_until_stopped(bot: Bot, fake: FakeSlack) -> None:
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "SLACK_MODE": "http",
        "SLACK_HOST": "127.0.0.1",
        "SLACK_PORT": str(port),
    }
    task, stop, adapter = await start(bot, env)
    assert bot.services.posters["slack"] is adapter.poster
    url = f"http://127.0.0.1:{port}/slack/events"
    body = command_body(fake, "claims")
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=signed_headers(body)) as response:
            assert response.status == 200
        bad = {**signed_headers(body), "X-Slack-Signature": "v0=bad"}
        async with session.post(url, data=body, headers=bad) as response:
            assert response.status == 401
        await adapter.drain()
        assert len(fake.called("chat.postMessage")) == 1
        stop.set()
        await asyncio.wait_for(task, 5)
        assert "slack" not in bot.services.posters
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.post(url, data=body, headers=signed_headers(body))


async def test_socket_mode_takes_commands_and_clicks_and_acks_them(
    bot: Bot, fake: FakeSlack
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    task, stop, adapter = await start(bot, env)
    await asyncio.wait_for(fake.socket_connected.wait(), 5)
    (opened,) = [c for c in fake.calls if c.method == "apps.connections.open"]
    assert opened.token == APP_TOKEN  # the app-level token opens the socket, never the bot token
    payload: dict[str, Any] = dict(parse_qsl(command_body(fake, "summary tldr")))
    envelope = await fake.send_envelope("slash_commands", payload)
    ack = await asyncio.wait_for(fake.socket_messages.get(), 5)
    assert ack["envelope_id"] == envelope
    await adapter.drain()
    (posted,) = fake.called("chat.postMessage")
    assert "summary" in json.dumps(posted).lower()
    click = action_payload(fake, "oped:claims", "claims", message_ts="1700000000.000001")
    envelope = await fake.send_envelope("interactive", click)
    ack = await asyncio.wait_for(fake.socket_messages.get(), 5)
    assert ack["envelope_id"] == envelope
    await adapter.drain()
    # A button's answer is the clicker's alone, as on every platform.
    assert "Claims" in json.dumps(fake.responses[-1])
    stop.set()
    await asyncio.wait_for(task, 5)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_MODE": "http"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_MODE": "carrier-pigeon"}, "SLACK_MODE"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "SLACK_PORT": "http"},
            "SLACK_PORT",
        ),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": "x/"},
            "SLACK_API_URL",
        ),
    ],
)
def test_config_errors_name_the_variable(env: dict[str, str], names: str) -> None:
    with pytest.raises(SlackConfigError, match=names):
        SlackConfig.from_env(env)


def test_config_picks_the_mode_and_hides_secrets() -> None:
    socket_mode = SlackConfig.from_env(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": "s"}
    )
    assert socket_mode.mode == "socket"
    http = SlackConfig.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET})
    assert (http.mode, http.port, http.host) == ("http", 3000, "0.0.0.0")
    for shown in (repr(socket_mode), str(http)):
        assert BOT_TOKEN not in shown and APP_TOKEN not in shown and SECRET not in shown


def test_cli_options_become_the_environment() -> None:
    args = parser().parse_args(["slack", "--http", "--port", "8080", "--host", "127.0.0.1"])
    env = slack_env(args, {"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert (env["SLACK_MODE"], env["SLACK_PORT"], env["SLACK_HOST"]) == (
        "http",
        "8080",
        "127.0.0.1",
    )
    plain = slack_env(parser().parse_args(["slack"]), {})
    assert "SLACK_MODE" not in plain


def test_cli_refuses_to_start_without_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    assert run(parser().parse_args(["slack", "--http"]), settings) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


async def test_oped_bot_slack_http_runs_as_a_process_and_stops_on_sigterm(
    fake: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "OPED_BOT_DB": str(tmp_path / "bot.sqlite3"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "slack",
        "--http",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        seen = b""
        while b"Slack HTTP mode" not in seen:
            line = await asyncio.wait_for(process.stderr.readline(), 20)
            assert line, seen.decode()
            seen += line
        assert BOT_TOKEN.encode() not in seen and SECRET.encode() not in seen
        body = command_body(fake, "summary tldr")
        url = f"http://127.0.0.1:{port}/slack/events"
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body, headers=signed_headers(body)) as response,
        ):
            assert response.status == 200
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
        # Work acknowledged before the signal was finished before the process left.
        assert len(fake.called("chat.postMessage")) == 1
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
