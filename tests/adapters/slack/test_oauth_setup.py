"""Setting up many workspaces: the environment it needs, what doctor says, a wrong secret."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.slack import health, serve
from adapters.slack.app import SlackAdapter
from adapters.slack.oauth import SCOPES
from adapters.slack.plugin import PLUGIN
from adapters.slack.server import SlackConfig, SlackConfigError
from bot.app import Bot
from bot.logs import Redactor, secrets_from
from bot.store.installs import Install
from bot.store.sealing import Sealer
from tests.adapters.slack.slackfake import (
    BOT_SECRET,
    BOT_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    SECRET,
    FakeSlack,
)

MANY = {
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    "SLACK_SIGNING_SECRET": SECRET,
    "OPED_BOT_SECRET": BOT_SECRET,
}


def without(name: str) -> dict[str, str]:
    return {k: v for k, v in MANY.items() if k != name}


def test_the_client_id_and_secret_without_a_bot_token_mean_many_workspaces() -> None:
    config = SlackConfig.from_env(MANY)
    assert config.mode == "http" and config.oauth is not None
    assert config.oauth.client_id == CLIENT_ID and config.oauth.scopes == SCOPES
    assert config.oauth.redirect_uri is None
    shown = repr(config) + repr(config.oauth)
    for secret in (CLIENT_SECRET, SECRET, BOT_SECRET):
        assert secret not in shown
    custom = SlackConfig.from_env(
        {
            **MANY,
            "SLACK_SCOPES": "commands, chat:write",
            "SLACK_REDIRECT_URI": "https://bot.example.com/slack/oauth_redirect",
        }
    )
    assert custom.oauth is not None and custom.oauth.scopes == ("commands", "chat:write")
    assert custom.oauth.redirect_uri == "https://bot.example.com/slack/oauth_redirect"


def test_one_workspace_is_set_up_as_before() -> None:
    config = SlackConfig.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET})
    assert (config.mode, config.oauth) == ("http", None)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        (without("SLACK_CLIENT_SECRET"), "Set SLACK_CLIENT_SECRET too"),
        (without("SLACK_CLIENT_ID"), "Set SLACK_CLIENT_ID too"),
        (without("OPED_BOT_SECRET"), "needs OPED_BOT_SECRET"),
        (without("SLACK_SIGNING_SECRET"), "needs SLACK_SIGNING_SECRET"),
        ({**MANY, "SLACK_BOT_TOKEN": BOT_TOKEN}, "unset\\s+SLACK_BOT_TOKEN"),
        ({**MANY, "SLACK_MODE": "socket"}, "needs HTTP mode"),
    ],
    ids=["no-client-secret", "no-client-id", "no-oped-secret", "no-signing", "both", "socket"],
)
def test_a_half_set_install_names_what_to_set(env: dict[str, str], names: str) -> None:
    with pytest.raises(SlackConfigError, match=names):
        SlackConfig.from_env(env)


def test_the_plugin_enables_slack_and_redacts_the_client_secret() -> None:
    assert PLUGIN.detect(MANY) and PLUGIN.half_set(MANY) == []
    # Half set: the adapter starts and its config error names the variable, as above.
    assert PLUGIN.detect(without("SLACK_CLIENT_SECRET"))
    assert "SLACK_CLIENT_SECRET" in PLUGIN.secrets
    redact = Redactor(secrets_from(MANY))
    assert CLIENT_SECRET not in redact(f"client secret {CLIENT_SECRET}")
    assert BOT_SECRET not in redact(f"sealing with {BOT_SECRET}")


async def test_doctor_reports_the_install_mode() -> None:
    check = await health.slack_settings({**MANY, "SLACK_PORT": "3100"})
    assert check.ok and "installed per workspace through OAuth" in check.detail
    assert "/slack/install" in check.detail
    bad = await health.slack_settings(without("OPED_BOT_SECRET"))
    assert not bad.ok and "OPED_BOT_SECRET" in bad.detail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env_for(fake: FakeSlack, port: int, secret: str = BOT_SECRET) -> dict[str, str]:
    return {
        **MANY,
        "OPED_BOT_SECRET": secret,
        "SLACK_API_URL": fake.api_url,
        "SLACK_HOST": "127.0.0.1",
        "SLACK_PORT": str(port),
    }


async def test_serve_offers_the_install_page_on_its_port(store_bot: Bot, fake: FakeSlack) -> None:
    port = free_port()
    stop = asyncio.Event()
    ready: asyncio.Future[SlackAdapter] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(store_bot, env_for(fake, port), stop, ready=ready.set_result))
    await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    assert ready.done(), task.exception() if task.done() else "serve did not get ready"
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/slack/install"
            async with session.get(url, allow_redirects=False) as response:
                assert response.status == 200
                assert "Add to Slack" in await response.text()
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_a_wrong_secret_stops_serve_with_what_to_change(
    store_bot: Bot, fake: FakeSlack
) -> None:
    store = store_bot.services.store
    assert store is not None
    sealed = Sealer(BOT_SECRET).seal('{"bot_token": "xoxb-9-sealed"}')
    when = datetime(2026, 1, 5, tzinfo=UTC)
    await store.save_install(
        Install("slack", "", "T1", False, "A1", "B1", "UB", ("commands",), sealed, when)
    )
    stop = asyncio.Event()
    with pytest.raises(SlackConfigError, match="OPED_BOT_SECRET back to the value") as raised:
        await serve(store_bot, env_for(fake, free_port(), "not-the-secret"), stop)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert "not-the-secret" not in str(raised.value) and BOT_SECRET not in str(raised.value)


async def test_the_access_log_leaves_out_the_oauth_code_and_state(
    store_bot: Bot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    stop = asyncio.Event()
    ready: asyncio.Future[SlackAdapter] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(store_bot, env_for(fake, port), stop, ready=ready.set_result))
    await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    assert ready.done(), task.exception() if task.done() else "serve did not get ready"
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/slack/oauth_redirect?code=c0de-4-t0ken&state=st4te"
            async with session.get(url, allow_redirects=False) as response:
                assert response.status != 200  # no such state: refused
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    logged = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/slack/oauth_redirect" in line for line in logged)
    assert not any("c0de-4-t0ken" in line or "st4te" in line for line in logged)
