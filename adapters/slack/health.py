"""Doctor's Slack checks: the adapter's reading of its settings (mode, OAuth, port), and whether
Slack accepts the tokens. Declared by the plug-in (`adapters.slack.plugin`); SLACK_API_URL
points the token checks elsewhere (tests use 127.0.0.1).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.poster import SlackClient, slack_failure
from bot.doctor import ENV_EXAMPLE, Check, PlatformCheck, unreachable
from bot.runtime import choose_adapters

SLACK_API = "https://slack.com/api/"
TIMEOUT_SECONDS = 10.0


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
