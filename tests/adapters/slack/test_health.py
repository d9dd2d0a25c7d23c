"""Health, readiness and metrics in Slack: on HTTP mode's own port, and Socket Mode's state."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.slack.app import SlackAdapter
from adapters.slack.poster import make_client
from bot.app import Bot
from bot.metrics import Readiness
from bot.probes import readiness
from tests.adapters.slack.slackfake import (
    APP_TOKEN,
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    SlackRig,
    command_body,
    shown_text,
    signed_headers,
)
from tests.adapters.slack.test_serve import free_port, start


async def slack_dropped(readiness: Readiness) -> bool:
    """Whether the SDK noticed the dropped socket within a few turns of the event loop.

    The fake's close returns once the SDK answered it; the SDK marks its session closed on its
    next turn. Yielding (no timed sleep) lets it.
    """
    for _ in range(50):
        if (await readiness.adapters())["slack"] is False:
            return True
        await asyncio.sleep(0)
    return False


def metric(body: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def test_http_mode_serves_the_probes_on_its_own_port(store_bot: Bot, fake: FakeSlack) -> None:
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "SLACK_MODE": "http",
        "SLACK_HOST": "127.0.0.1",
        "SLACK_PORT": str(port),
    }
    store_bot.services.readiness.expect("slack")  # as `oped-bot run` does
    task, stop, adapter = await start(store_bot, env)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/healthz") as answer:
            assert answer.status == 200
        async with session.get(base + "/readyz") as answer:
            assert answer.status == 200
            assert await answer.json() == {
                "ready": True,
                "database": "ok",
                "adapters": {"slack": "connected"},
            }
        body = command_body(fake, "claims")
        events = base + "/slack/events"
        async with session.post(events, data=body, headers=signed_headers(body)) as answer:
            assert answer.status == 200  # signed requests still reach Slack's handler
        unsigned = {**signed_headers(body), "X-Slack-Signature": "v0=" + "0" * 64}
        async with session.post(events, data=body, headers=unsigned) as answer:
            assert answer.status == 401
        await adapter.drain()
        async with session.get(base + "/metrics") as answer:
            assert answer.status == 200
            text = await answer.text()
        total = "oped_bot_commands_total"
        assert metric(text, total, command="claims", outcome="ok") == 1
        assert metric(text, "oped_bot_command_seconds_count", command="claims") == 1
        # The probes are read-only: no signature asked, nothing else answered there.
        async with session.post(base + "/readyz") as answer:
            assert answer.status == 405
        stop.set()
        await asyncio.wait_for(task, 5)
    assert await store_bot.services.readiness.adapters() == {"slack": False}


async def test_socket_mode_is_ready_while_its_socket_is_up(bot: Bot, fake: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    state = bot.services.readiness
    state.expect("slack")
    assert await state.adapters() == {"slack": False}
    task, stop, _ = await start(bot, env)
    await asyncio.wait_for(fake.socket_connected.wait(), 5)
    assert await state.adapters() == {"slack": True}
    await fake.sockets[-1].close()  # Slack drops the connection (the SDK reconnects later)
    assert await slack_dropped(state)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert await state.adapters() == {"slack": False}


async def test_readiness_reason_names_slack_when_its_socket_is_down(
    bot: Bot, fake: FakeSlack
) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    bot.services.readiness.expect("slack")
    task, stop, _ = await start(bot, env)
    await asyncio.wait_for(fake.socket_connected.wait(), 5)
    assert (await readiness(bot.services))["ready"] is True
    await fake.sockets[-1].close()
    assert await slack_dropped(bot.services.readiness)
    answer = await readiness(bot.services)
    assert answer["ready"] is False and answer["reason"] == "not connected: slack"
    assert json.dumps(answer).count(BOT_TOKEN) == 0
    stop.set()
    await asyncio.wait_for(task, 5)


def api_errors(bot: Bot, kind: str) -> float:
    return metric(
        bot.services.metrics.render().decode(),
        "oped_bot_platform_api_errors_total",
        platform="slack",
        kind=kind,
    )


async def test_failed_slack_calls_are_counted_by_kind(
    bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", "is_archived")  # refused by Slack, with a 200
    assert await rig.command("claims") == 200
    assert "could not post the reply" in shown_text(rig.last_shown())
    assert api_errors(bot, "refused") == 1
    fake.fail_text("chat.postMessage", status=503)  # a proxy's outage page
    assert await rig.command("claims") == 200
    assert api_errors(bot, "server_error") == 1
    # A rate limit the client waits out, then a post that goes through.
    fake.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"})
    assert await rig.command("claims") == 200
    assert api_errors(bot, "rate_limited") == 1
    posted = len(fake.called("chat.postMessage"))
    assert await rig.command("claims") == 200  # all well: nothing more counted
    assert len(fake.called("chat.postMessage")) == posted + 1
    assert (api_errors(bot, "refused"), api_errors(bot, "server_error")) == (1, 1)
    assert api_errors(bot, "network") == 0


async def test_an_unreachable_slack_is_counted_as_a_network_error(bot: Bot) -> None:
    port = free_port()  # nothing listens there
    client = make_client(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"}
    )
    SlackAdapter(bot, client)
    with pytest.raises(aiohttp.ClientConnectionError):
        await client.auth_test()
    assert api_errors(bot, "network") == 1


async def test_an_unreachable_response_url_is_counted_as_a_network_error(
    bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    fields = dict(parse_qsl(command_body(fake, "frobnicate")))
    fields["response_url"] = f"http://127.0.0.1:{free_port()}/respond/cmd"  # nothing listens
    rig.adapter.ack_budget = 0  # a reply too late for the acknowledgement takes the response_url
    status, _ = await rig.post(urlencode(fields))
    await rig.adapter.drain()
    assert status == 200
    # The refusal still reached the user, privately in the channel.
    assert "frobnicate" in shown_text(fake.called("chat.postEphemeral")[-1])
    assert api_errors(bot, "network") == 1
