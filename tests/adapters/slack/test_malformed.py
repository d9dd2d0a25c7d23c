"""Malformed requests to /slack/events get 400 or 401, never a 500 or a traceback."""

from __future__ import annotations

import logging
import time
from urllib.parse import quote_from_bytes

import pytest

from tests.adapters.slack.slackfake import FakeSlack, SlackRig, command_body, signed_raw


def quote(raw: bytes) -> bytes:
    return quote_from_bytes(raw, safe="").encode()


def handled(fake: FakeSlack) -> list[str]:
    return [call.method for call in fake.calls if call.method != "auth.test"]


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == [], [r.getMessage() for r in loud]


@pytest.mark.parametrize(
    "timestamp",
    ["", "abc", "-1", "-300", "1e9", "12.5", " 17", "9" * 40, "1" * 5000, "٣٣٣"],
)
async def test_a_malformed_timestamp_gets_401(
    timestamp: str, rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    raw = command_body(fake, "claims").encode()
    # Signed correctly over the malformed value: the value itself is what is refused.
    status, _ = await rig.post(raw, signed_raw(raw, timestamp))
    await rig.adapter.drain()
    assert status == 401
    assert handled(fake) == []
    assert_quiet(caplog)


@pytest.mark.parametrize(
    "signature",
    ["", "v0=", "v0=zz", "v0=" + "g" * 64, "garbage", "v0=" + "0" * 6400, "v0=ÿÿ"],
)
async def test_a_missing_or_garbled_signature_gets_401(
    signature: str, rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    raw = command_body(fake, "claims").encode()
    headers = {**signed_raw(raw, str(int(time.time()))), "X-Slack-Signature": signature}
    if not signature:
        del headers["X-Slack-Signature"]
    status, _ = await rig.post(raw, headers)
    await rig.adapter.drain()
    assert status == 401
    assert handled(fake) == []
    assert_quiet(caplog)


BAD_BODIES: dict[str, bytes] = {
    "payload not JSON": b"payload=%7Bnot+json",
    "payload a list": b"payload=%5B1%2C2%5D",
    "payload a string": b"payload=%22hello%22",
    "payload null": b"payload=null",
    "payload a number": b"payload=42",
    "payload empty": b"payload=",
    "payload invalid UTF-8": b"payload=%FF%FE%7B%7D",
    "payload twice": b"payload=%7B%7D&payload=%7B%7D",
    "body invalid UTF-8": b"text=\xff\xfe&command=%2Foped",
    "bad percent encoding": b"payload=%E0%A4%A&x=%%%",
    "JSON body not an object": b"[1, 2, 3]",
    "JSON body broken": b"{not json",
    "empty body": b"",
    "actions not a list": b"payload=" + quote(b'{"type":"block_actions","actions":7}'),
    "user not an object": b"payload=" + quote(b'{"type":"block_actions","user":1}'),
    "type not a string": b"payload=" + quote(b'{"type":5}'),
    "view without a type": b"payload=" + quote(b'{"type":"view_submission","view":{}}'),
    "authorizations junk": b"payload=" + quote(b'{"type":"x","authorizations":5}'),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
async def test_a_malformed_body_gets_400_when_signed_and_401_when_not(
    case: str, rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    raw = BAD_BODIES[case]
    signed = signed_raw(raw, str(int(time.time())))
    status, text = await rig.post(raw, signed)
    assert status == 400, text
    status, _ = await rig.post(raw, {**signed, "X-Slack-Signature": "v0=" + "0" * 64})
    assert status == 401
    await rig.adapter.drain()
    assert handled(fake) == []
    assert_quiet(caplog)


async def test_a_command_whose_text_says_payload_is_still_a_command(
    rig: SlackRig, fake: FakeSlack
) -> None:
    # Bolt's own parser takes any form body containing "payload" for a button payload.
    status = await rig.command("claims payload")
    assert status == 200
    (shown,) = fake.posted()
    assert "payload" in str(shown)
