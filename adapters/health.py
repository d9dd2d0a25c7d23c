"""Token checks for `oped-bot doctor`: ask Discord and Slack whether they accept our tokens.

These live with the adapters because they speak to the platforms; the core's doctor runs them
without importing an SDK. Base URLs are parameters so tests can point them at 127.0.0.1.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.doctor import Check, TokenCheck

DISCORD_API = "https://discord.com/api/v10"
SLACK_API = "https://slack.com/api/"
TIMEOUT_SECONDS = 10.0
_UNREACHABLE = "check the network, DNS and any proxy between this machine and {host}"


def token_checks(env: Mapping[str, str], discord_api: str = DISCORD_API) -> list[TokenCheck]:
    """A check for each platform token that is set."""
    checks: list[TokenCheck] = []
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
        return Check(
            name,
            False,
            f"cannot reach the Discord API ({type(exc).__name__})",
            _UNREACHABLE.format(host="discord.com"),
        )
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
    name = "slack bot token"
    client = AsyncWebClient(token=token, base_url=api, timeout=int(TIMEOUT_SECONDS))
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        return Check(
            name,
            False,
            f"Slack rejected SLACK_BOT_TOKEN ({exc.response.get('error', 'error')})",
            "api.slack.com/apps > your app > OAuth & Permissions: reinstall to the workspace and "
            "copy the Bot User OAuth Token (xoxb-...) into SLACK_BOT_TOKEN",
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Check(
            name,
            False,
            f"cannot reach the Slack API ({type(exc).__name__})",
            _UNREACHABLE.format(host="slack.com"),
        )
    return Check(
        name, True, f"accepted: workspace {response.get('team')} as {response.get('user')}"
    )


async def slack_app_token(token: str, api: str = SLACK_API) -> Check:
    """apps.connections.open with the app token: Socket Mode can connect if Slack accepts it."""
    name = "slack app token"
    client = AsyncWebClient(base_url=api, timeout=int(TIMEOUT_SECONDS))
    try:
        await client.apps_connections_open(app_token=token)
    except SlackApiError as exc:
        return Check(
            name,
            False,
            f"Slack rejected SLACK_APP_TOKEN ({exc.response.get('error', 'error')})",
            "api.slack.com/apps > your app > Basic Information > App-Level Tokens: create one "
            "with connections:write, put it in SLACK_APP_TOKEN, and turn Socket Mode on",
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Check(
            name,
            False,
            f"cannot reach the Slack API ({type(exc).__name__})",
            _UNREACHABLE.format(host="slack.com"),
        )
    return Check(name, True, "accepted: Socket Mode can connect")
