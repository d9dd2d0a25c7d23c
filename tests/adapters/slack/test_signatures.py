"""Request signing: only requests signed by Slack, recently, reach the bot."""

from __future__ import annotations

import time

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.app import SlackAdapter
from adapters.slack.events import web_app
from adapters.slack.poster import make_client
from bot.app import Bot
from tests.adapters.slack.slackfake import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    SlackRig,
    command_body,
    sign,
    signed_headers,
)


def handled(fake: FakeSlack) -> list[str]:
    return [call.method for call in fake.calls if call.method != "auth.test"]


async def test_a_correctly_signed_request_is_served(rig: SlackRig, fake: FakeSlack) -> None:
    body = command_body(fake, "claims")
    status, _ = await rig.post(body, signed_headers(body))
    await rig.adapter.drain()
    assert status == 200
    assert "chat.postMessage" in handled(fake)


@pytest.mark.parametrize(
    "case",
    [
        "bad signature",
        "other secret",
        "body changed",
        "missing signature",
        "missing timestamp",
        "stale",
        "from the future",
        "not v0",
    ],
)
async def test_badly_signed_requests_get_401_and_do_nothing(
    case: str, bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    body = command_body(fake, "claims")
    now = int(time.time())
    headers = signed_headers(body, timestamp=now)
    if case == "bad signature":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif case == "other secret":
        headers = signed_headers(body, timestamp=now, secret="not-the-secret")
    elif case == "body changed":
        body = body.replace("claims", "source")
    elif case == "missing signature":
        del headers["X-Slack-Signature"]
    elif case == "missing timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif case == "stale":
        # Signed correctly, but captured and replayed six minutes later.
        headers = signed_headers(body, timestamp=now - 360)
    elif case == "from the future":
        headers = signed_headers(body, timestamp=now + 360)
    elif case == "not v0":
        headers["X-Slack-Signature"] = "v1=" + sign(body, now)[3:]
    status, _ = await rig.post(body, headers)
    await rig.adapter.drain()
    assert status == 401
    assert handled(fake) == []


async def test_button_payloads_are_verified_too(rig: SlackRig, fake: FakeSlack) -> None:
    from tests.adapters.slack.slackfake import action_payload, payload_body

    body = payload_body(action_payload(fake, "oped:claims", "claims", message_ts="1.1"))
    status, _ = await rig.post(body, {**signed_headers(body), "X-Slack-Signature": "v0=00"})
    assert status == 401
    status, _ = await rig.post(body)
    await rig.adapter.drain()
    assert status == 200
    assert "response_url" in handled(fake)


def _adapter(bot: Bot, fake: FakeSlack) -> SlackAdapter:
    client = make_client({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url})
    return SlackAdapter(bot, client, signing_secret=SECRET)


async def test_the_signature_is_checked_once_by_the_front_door(bot: Bot, fake: FakeSlack) -> None:
    """Bolt's second check is off: the front door's verdict, on its own clock, is the only one."""
    adapter = _adapter(bot, fake)
    stamp = int(time.time()) - 3600  # an hour ago by the wall clock; now by the front door's
    server = TestServer(web_app(adapter.app, SECRET, now=lambda: float(stamp)), host="127.0.0.1")
    await server.start_server()
    try:
        body = command_body(fake, "claims")
        async with aiohttp.ClientSession() as session:
            url = server.make_url("/slack/events")
            headers = signed_headers(body, timestamp=stamp)
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 200
            bad = {**headers, "X-Slack-Signature": "v0=" + "0" * 64}
            async with session.post(url, data=body, headers=bad) as response:
                assert response.status == 401
        await adapter.drain()
        assert handled(fake) == ["users.info", "chat.postMessage"]
    finally:
        await adapter.close()
        await server.close()


async def test_an_http_request_that_skipped_the_front_door_is_refused(
    bot: Bot, fake: FakeSlack
) -> None:
    """Only `web_app` checks signatures, so Bolt refuses HTTP requests that did not pass it."""
    adapter = _adapter(bot, fake)
    try:
        body = command_body(fake, "claims")
        request = AsyncBoltRequest(body=body, headers=signed_headers(body))
        response = await adapter.app.async_dispatch(request)
        await adapter.drain()
        assert response.status == 401
        assert handled(fake) == []
    finally:
        await adapter.close()
