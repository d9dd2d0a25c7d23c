"""Odd but signed Slack requests: the user still hears back, and nothing raises."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from bot.app import Bot
from tests.adapters.slack.slackfake import (
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    SlackRig,
    action_payload,
    payload_body,
    shown_text,
)
from tests.adapters.slack.test_modal import state
from tests.adapters.slack.test_serve import start


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == [], [r.getMessage() for r in loud]


@pytest.mark.parametrize(
    "metadata",
    ["not json", "[1, 2]", '"C0001"', "null", "{}", '{"team": "T0001"}', '{"channel": ["C1"]}'],
)
async def test_a_form_whose_metadata_lost_its_channel_says_so_in_the_form(
    metadata: str,
    store_bot: Bot,
    poll_rig: SlackRig,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    status, body = await poll_rig.submit(state(), metadata)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    (message,) = answer["errors"].values()
    assert "poll new" in message  # what to do: open the form again
    assert fake.called("chat.postMessage") == []
    assert store_bot.services.store is not None
    assert await store_bot.services.store.get_poll(1) is None
    assert_quiet(caplog)


@pytest.mark.parametrize(
    "view_state",
    [
        {"values": "junk"},
        {"values": {"question": "junk", "options": {"value": 5}}},
        {"values": {"question": {"value": {"value": 7}}}},
        "junk",
    ],
)
async def test_a_form_with_junk_state_is_answered_in_the_form(
    view_state: Any, poll_rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0001"},
        "user": {"id": "U0001", "team_id": "T0001"},
        "view": {
            "type": "modal",
            "callback_id": "oped_poll_create",
            "private_metadata": '{"team": "T0001", "channel": "C0001"}',
            "state": view_state,
        },
    }
    status, body = await poll_rig.post(payload_body(payload))
    await poll_rig.adapter.drain()
    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    assert fake.called("chat.postMessage") == []
    assert_quiet(caplog)


async def test_a_click_without_a_channel_is_answered(
    rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    payload = action_payload(fake, "oped:claims", "claims", message_ts="1.1")
    del payload["channel"]
    del payload["container"]["channel_id"]
    status, _ = await rig.post(payload_body(payload))
    await rig.adapter.drain()
    assert status == 200
    (shown,) = fake.posted()
    assert shown_text(shown)
    assert_quiet(caplog)


async def test_a_reply_the_response_url_refuses_goes_out_as_an_ephemeral_message(
    rig: SlackRig, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    payload = action_payload(fake, "oped:claims", "claims list", message_ts="1.1")
    payload["response_url"] = "http://127.0.0.1:9/respond/gone"  # nobody listens there
    status, _ = await rig.post(payload_body(payload))
    await rig.adapter.drain()
    assert status == 200
    shown = fake.called("chat.postEphemeral") + fake.called("chat.postMessage")
    assert shown
    assert_quiet(caplog)


@pytest.mark.parametrize(
    "payload",
    [
        "junk",
        [1, 2],
        {"type": "block_actions", "actions": 5},
        {"type": "block_actions", "user": 5, "actions": [{"action_id": "oped:claims"}]},
        {"type": "view_submission", "view": "junk"},
        {"authorizations": 5},
    ],
)
async def test_socket_mode_envelopes_with_junk_payloads_are_acked_and_dropped(
    payload: Any, bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:

    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    task, stop, adapter = await start(bot, env)
    await asyncio.wait_for(fake.socket_connected.wait(), 5)
    envelope = await fake.send_envelope("interactive", payload)
    ack = await asyncio.wait_for(fake.socket_messages.get(), 5)
    assert ack["envelope_id"] == envelope
    await adapter.drain()
    assert [
        c.method for c in fake.calls if c.method not in ("apps.connections.open", "auth.test")
    ] == []
    stop.set()
    await asyncio.wait_for(task, 5)
    assert_quiet(caplog)
