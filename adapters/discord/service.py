"""Run the Discord client until told to stop; choose sharding from the environment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

import discord

from adapters.discord.client import DiscordAdapter, OpedClient, OpedShardedClient
from bot.app import Bot
from bot.runtime import AdapterSetupError

log = logging.getLogger(__name__)
# The bot never joins a voice channel: the warnings that voice libraries are missing, logged
# at every start, have nothing for a user to act on.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False
CLOSE_WAIT = 10.0  # seconds for the gateway task to end after close()


class DiscordConfigError(AdapterSetupError, ValueError):
    """A Discord setting in the environment is missing or malformed."""


def token(env: Mapping[str, str]) -> str:
    """The bot token; never logged."""
    value = env.get("DISCORD_TOKEN", "").strip()
    if not value:
        raise DiscordConfigError(
            "DISCORD_TOKEN is not set. Copy the bot token from the Discord developer portal "
            "(your application > Bot > Reset Token) into the environment or .env."
        )
    return value


def shard_options(env: Mapping[str, str]) -> tuple[bool, dict[str, Any]]:
    """Sharding from the environment: (use AutoShardedClient, client options).

    Unset: one connection (fine below 2,500 servers). `DISCORD_SHARD_COUNT=auto`: every shard
    Discord recommends, in this process. `DISCORD_SHARD_COUNT=N`: N shards in this process.
    `DISCORD_SHARD_COUNT=N` with `DISCORD_SHARD_ID=I`: this process runs shard I of N only.
    """
    count = env.get("DISCORD_SHARD_COUNT", "").strip().lower()
    shard = env.get("DISCORD_SHARD_ID", "").strip()
    if not count:
        if shard:
            raise DiscordConfigError("DISCORD_SHARD_ID needs DISCORD_SHARD_COUNT as well.")
        return False, {}
    if count == "auto":
        if shard:
            raise DiscordConfigError("DISCORD_SHARD_ID needs a number in DISCORD_SHARD_COUNT.")
        return True, {}
    if not count.isdigit() or int(count) < 1:
        raise DiscordConfigError(f"DISCORD_SHARD_COUNT must be `auto` or a number, not {count!r}.")
    if not shard:
        return True, {"shard_count": int(count)}
    if not shard.isdigit() or int(shard) >= int(count):
        raise DiscordConfigError(
            f"DISCORD_SHARD_ID must be a number from 0 to {int(count) - 1}, not {shard!r}."
        )
    return False, {"shard_id": int(shard), "shard_count": int(count)}


def make_client(
    bot: Bot, env: Mapping[str, str], adapter: DiscordAdapter | None = None, **options: Any
) -> OpedClient:
    """The client for this process, sharded as the environment says."""
    sharded, shard = shard_options(env)
    adapter = adapter or DiscordAdapter(bot)
    kind = OpedShardedClient if sharded else OpedClient
    return kind(adapter, **shard, **options)


async def serve(
    bot: Bot, env: Mapping[str, str], stop: asyncio.Event, client: OpedClient | None = None
) -> None:
    """Run until `stop` is set or the connection fails for good, then close cleanly."""
    secret = token(env)
    client = client or make_client(bot, env)
    async with client:
        runner = asyncio.create_task(client.start(secret), name="discord-gateway")
        waiter = asyncio.create_task(stop.wait(), name="discord-stop")
        try:
            await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            await client.close()
            done, _ = await asyncio.wait({runner}, timeout=CLOSE_WAIT)
            if not done:
                runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
        if runner.cancelled():
            return
        failure = runner.exception()
        if failure is not None and not (stop.is_set() and _is_disconnect(failure)):
            if isinstance(failure, discord.LoginFailure):
                raise DiscordConfigError(
                    "Discord rejected DISCORD_TOKEN. Reset the token in the developer portal "
                    "and update the environment."
                ) from failure
            raise failure


def _is_disconnect(exc: BaseException) -> bool:
    return isinstance(exc, (discord.ConnectionClosed, discord.GatewayNotFound, OSError))
