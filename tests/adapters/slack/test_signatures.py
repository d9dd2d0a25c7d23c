"""Request signing: only requests signed by Slack, recently, reach the bot."""

from __future__ import annotations

import time

import pytest

from bot.app import Bot
from tests.adapters.slack.slackfake import FakeSlack, SlackRig, command_body, sign, signed_headers


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
