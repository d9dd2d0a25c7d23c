"""Doctor's Discord checks: the adapter's reading of its settings, and whether Discord accepts
the token. Declared by the plug-in (`adapters.discord.plugin`); the core runs them without
importing an SDK. The API base is a parameter so tests can point it at 127.0.0.1.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.doctor import ENV_EXAMPLE, Check, PlatformCheck, unreachable
from bot.runtime import choose_adapters

DISCORD_API = "https://discord.com/api/v10"
TIMEOUT_SECONDS = 10.0


def discord_checks(
    env: Mapping[str, str], offline: bool, api: str = DISCORD_API
) -> list[PlatformCheck]:
    """Doctor's Discord checks: its settings when it is enabled, and its token unless offline."""
    checks: list[PlatformCheck] = []
    if "discord" in choose_adapters(env):
        checks.append(functools.partial(discord_settings, env))
    if not offline and env.get("DISCORD_TOKEN"):
        application = env.get("DISCORD_APPLICATION_ID") or None
        checks.append(functools.partial(discord_token, env["DISCORD_TOKEN"], api, application))
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
