"""Turn Discord's refusals into words a member or moderator can act on."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord

from bot.metrics import Metrics, api_error_kind
from bot.ports import PostFailed

# What the bot needs in a channel; the invite link asks for exactly these.
NEEDED = (
    "View Channel, Send Messages, Embed Links, Attach Files, Create Public Threads and "
    "Send Messages in Threads"
)


def explain(exc: BaseException) -> str:
    """Why Discord refused, and what to do about it."""
    if isinstance(exc, discord.Forbidden):
        return (
            "the bot is missing a permission in this channel. Ask a server admin to give it "
            f"{NEEDED} here."
        )
    if isinstance(exc, discord.NotFound):
        return "the channel or message no longer exists (it may have been deleted)."
    if isinstance(exc, discord.HTTPException) and exc.status == 429:
        return "Discord is rate-limiting the bot. Wait a minute and try again."
    if isinstance(exc, discord.DiscordServerError) or (
        isinstance(exc, discord.HTTPException) and exc.status >= 500
    ):
        return "Discord had a server error. Try again shortly."
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError)):
        return "the bot could not reach Discord. Try again shortly."
    if isinstance(exc, discord.HTTPException):
        return f"Discord refused it ({exc.status}: {exc.text or 'no detail'})."
    return "something unexpected went wrong."


def retryable(exc: BaseException) -> bool:
    """Whether trying again later may succeed (rate limits, server errors, network trouble)."""
    if isinstance(exc, (discord.Forbidden, discord.NotFound)):
        return False
    if isinstance(exc, discord.HTTPException):
        return exc.status == 429 or exc.status >= 500
    return isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError, OSError))


def post_failed(lead: str, exc: BaseException) -> PostFailed:
    """A `PostFailed` for the scheduler, worded for the moderators who will read it."""
    return PostFailed(f"{lead}: {explain(exc)}", retryable=retryable(exc))


def api_trace(metrics: Metrics) -> aiohttp.TraceConfig:
    """Counts each failed request to Discord's API, interaction answers included.

    discord.py sends every REST call (and, through the same session, interaction callbacks and
    follow-ups) with one aiohttp session, so a trace on it sees each request exactly once,
    including those it retries by itself after a rate limit or a server error.
    """

    async def ended(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        if params.response.status >= 400:
            metrics.platform_api_error("discord", api_error_kind(params.response.status))

    async def failed(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestExceptionParams
    ) -> None:
        metrics.platform_api_error("discord", "network")

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(ended)
    trace.on_request_exception.append(failed)
    return trace
