"""Socket Mode: a connection Slack closes, drops or asks to refresh is opened again."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiohttp import web

from bot.app import Bot
from tests.adapters.slack.slackfake import APP_TOKEN, BOT_TOKEN, FakeSlack, command_body
from tests.adapters.slack.test_serve import start


async def drop(socket: web.WebSocketResponse, how: str) -> None:
    if how == "closed":  # a close frame, as when Slack rotates its servers
        await socket.close()
    elif how == "refresh":  # Slack's own notice that the connection is going away
        await socket.send_json({"type": "disconnect", "reason": "refresh_requested"})
    else:  # the network went away: no close frame, the TCP connection just ends
        transport = socket._req.transport if socket._req is not None else None
        assert transport is not None
        transport.abort()


@pytest.mark.parametrize("how", ["closed", "refresh", "dropped"])
async def test_a_lost_socket_mode_connection_reconnects_and_serves_again(
    bot: Bot, fake: FakeSlack, how: str
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    task, stop, adapter = await start(bot, env)
    first = await asyncio.wait_for(fake.socket_opened.get(), 5)
    await drop(first, how)
    await asyncio.wait_for(fake.socket_opened.get(), 5)  # a new connection, asked for anew
    assert len(fake.called("apps.connections.open")) == 2
    payload: dict[str, Any] = dict(parse_qsl(command_body(fake, "summary tldr")))
    envelope = await fake.send_envelope("slash_commands", payload)
    ack = await asyncio.wait_for(fake.socket_messages.get(), 5)
    assert ack["envelope_id"] == envelope
    await adapter.drain()
    assert len(fake.called("chat.postMessage")) == 1
    assert await bot.services.readiness.adapters() == {"slack": True}
    stop.set()
    await asyncio.wait_for(task, 5)
