"""Token checks for `oped-bot doctor`: ask Discord and Slack whether they accept our tokens.

These live with the adapters because they speak to the platforms; the core's doctor runs them
without importing an SDK. Base URLs are parameters so tests can point them at 127.0.0.1.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.poster import SlackClient, slack_failure
from bot.doctor import ENV_EXAMPLE, Check, PlatformCheck
from bot.runtime import choose_adapters

DISCORD_API = "https://discord.com/api/v10"
SLACK_API = "https://slack.com/api/"
TIMEOUT_SECONDS = 10.0


def settings_checks(env: Mapping[str, str]) -> list[PlatformCheck]:
    """Offline: each enabled adapter's own reading of its environment (modes, ports, shards)."""
    adapters = choose_adapters(env)
    checks: list[PlatformCheck] = []
    if "discord" in adapters:
        checks.append(functools.partial(discord_settings, env))
    if "slack" in adapters:
        checks.append(functools.partial(slack_settings, env))
    return checks


def discord_checks(env: Mapping[str, str], offline: bool) -> list[PlatformCheck]:
    """Doctor's Discord checks: its settings when it is enabled, and its token unless offline."""
    checks: list[PlatformCheck] = []
    if "discord" in choose_adapters(env):
        checks.append(functools.partial(discord_settings, env))
    if not offline and env.get("DISCORD_TOKEN"):
        application = env.get("DISCORD_APPLICATION_ID") or None
        checks.append(
            functools.partial(discord_token, env["DISCORD_TOKEN"], DISCORD_API, application)
        )
    return checks


def slack_checks(env: Mapping[str, str], offline: bool) -> list[PlatformCheck]:
    """Doctor's Slack checks: its settings when it is enabled, and its tokens unless offline."""
    checks: list[PlatformCheck] = []
    if "slack" in choose_adapters(env):
        checks.append(functools.partial(slack_settings, env))
    if offline:
        return checks
    api = env.get("SLACK_API_URL") or SLACK_API
    if env.get("SLACK_BOT_TOKEN"):
        checks.append(functools.partial(slack_bot_token, env["SLACK_BOT_TOKEN"], api))
    if env.get("SLACK_APP_TOKEN"):
        checks.append(functools.partial(slack_app_token, env["SLACK_APP_TOKEN"], api))
    return checks


async def discord_settings(env: Mapping[str, str]) -> Check:
    """The Discord adapter accepts DISCORD_TOKEN and the DISCORD_SHARD_* variables."""
    from adapters.discord.service import DiscordConfigError, shard_options, token

    try:
        token(env)
        sharded, options = shard_options(env)
    except DiscordConfigError as exc:
        return Check("discord settings", False, str(exc), f"see {ENV_EXAMPLE}")
    shards = "one connection"
    if options.get("shard_id") is not None:
        shards = f"shard {options['shard_id']} of {options['shard_count']}"
    elif sharded:
        shards = f"{options.get('shard_count', 'auto')} shards in this process"
    return Check("discord settings", True, shards)


async def slack_settings(env: Mapping[str, str]) -> Check:
    """The Slack adapter accepts its tokens, mode, host and port."""
    from adapters.slack.server import SlackConfig, SlackConfigError

    try:
        config = SlackConfig.from_env(env)
    except SlackConfigError as exc:
        return Check("slack settings", False, str(exc), f"see {ENV_EXAMPLE}")
    if config.oauth is not None:
        return Check(
            "slack settings",
            True,
            f"HTTP mode on {config.host}:{config.port}, installed per workspace through OAuth "
            "(/slack/install)",
        )
    if config.mode == "http":
        return Check("slack settings", True, f"HTTP mode on {config.host}:{config.port}")
    return Check("slack settings", True, "Socket Mode")


def token_checks(env: Mapping[str, str], discord_api: str = DISCORD_API) -> list[PlatformCheck]:
    """Online: a check for each platform token that is set."""
    checks: list[PlatformCheck] = []
    if env.get("DISCORD_TOKEN"):
        checks.append(
            functools.partial(
                discord_token,
                env["DISCORD_TOKEN"],
                discord_api,
                env.get("DISCORD_APPLICATION_ID") or None,
            )
        )
    slack_api = env.get("SLACK_API_URL") or SLACK_API
    if env.get("SLACK_BOT_TOKEN"):
        checks.append(functools.partial(slack_bot_token, env["SLACK_BOT_TOKEN"], slack_api))
    if env.get("SLACK_APP_TOKEN"):
        checks.append(functools.partial(slack_app_token, env["SLACK_APP_TOKEN"], slack_api))
    return checks


async def discord_token(
    token: str, api: str = DISCORD_API, application_id: str | None = None
) -> Check:
    """GET /users/@me with the bot token (and the application, to match DISCORD_APPLICATION_ID)."""
    name = "discord token"
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    headers = {"Authorization": f"Bot {token}", "User-Agent": "DiscordBot (oped-bot doctor)"}
    base = api.rstrip("/")
    try:
        async with aiohttp.ClientSession(timeout=timeout, headers=headers) as session:
            status, me = await _get_json(session, f"{base}/users/@me")
            app: dict[str, Any] = {}
            if status == 200 and application_id:
                _, app = await _get_json(session, f"{base}/oauth2/applications/@me")
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return unreachable(name, "Discord", "discord.com", exc)
    if status == 401:
        return Check(
            name,
            False,
            "Discord rejected DISCORD_TOKEN (401 Unauthorized)",
            "Developer Portal > your application > Bot > Reset Token, and put the new token in "
            "DISCORD_TOKEN",
        )
    if status != 200:
        return Check(name, False, f"Discord answered HTTP {status}", "try again in a minute")
    if application_id and str(app.get("id")) != application_id.strip():
        return Check(
            name,
            False,
            f"DISCORD_APPLICATION_ID is {application_id} but the token belongs to application "
            f"{app.get('id', '?')}",
            "copy the Application ID from the same application's General Information page",
        )
    return Check(
        name, True, f"accepted: logged in as {me.get('username', '?')} (id {me.get('id', '?')})"
    )


async def _get_json(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with session.get(url) as response:
        if response.status != 200:
            return response.status, {}
        body = await response.json(content_type=None)
        return response.status, body if isinstance(body, dict) else {}


async def slack_bot_token(token: str, api: str = SLACK_API) -> Check:
    """auth.test with the bot token: the workspace and bot user if Slack accepts it."""
    client = SlackClient(token=token, base_url=api, timeout=int(TIMEOUT_SECONDS))
    return await _ask_slack(
        "slack bot token",
        "SLACK_BOT_TOKEN",
        "api.slack.com/apps > your app > OAuth & Permissions: reinstall to the workspace and "
        "copy the Bot User OAuth Token (xoxb-...) into SLACK_BOT_TOKEN",
        client.auth_test,
        lambda answer: f"accepted: workspace {answer.get('team')} as {answer.get('user')}",
    )


async def slack_app_token(token: str, api: str = SLACK_API) -> Check:
    """apps.connections.open with the app token: Socket Mode can connect if Slack accepts it."""
    client = SlackClient(base_url=api, timeout=int(TIMEOUT_SECONDS))
    return await _ask_slack(
        "slack app token",
        "SLACK_APP_TOKEN",
        "api.slack.com/apps > your app > Basic Information > App-Level Tokens: create one "
        "with connections:write, put it in SLACK_APP_TOKEN, and turn Socket Mode on",
        functools.partial(client.apps_connections_open, app_token=token),
        lambda answer: "accepted: Socket Mode can connect",
    )


async def _ask_slack(
    name: str,
    variable: str,
    fix: str,
    call: Callable[[], Awaitable[AsyncSlackResponse]],
    accepted: Callable[[AsyncSlackResponse], str],
) -> Check:
    try:
        answer = await call()
    except SlackApiError as exc:
        failure = slack_failure(exc)
        if not failure.from_slack:
            # A proxy or an outage answered (text or HTML): the token was never looked at.
            return Check(
                name,
                False,
                f"Slack answered {failure}",
                "check SLACK_API_URL (it must point at Slack's Web API, ending in /api/) and "
                "any proxy between this machine and slack.com; if both are right, Slack is "
                "having trouble: try again in a few minutes",
            )
        return Check(name, False, f"Slack rejected {variable} ({failure})", fix)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return unreachable(name, "Slack", "slack.com", exc)
    return Check(name, True, accepted(answer))


def unreachable(name: str, platform: str, host: str, exc: Exception) -> Check:
    """The check (and the wording `discord sync` shares) for a platform API out of reach."""
    return Check(
        name,
        False,
        f"cannot reach the {platform} API ({type(exc).__name__})",
        f"check the network, DNS and any proxy between this machine and {host}",
    )
