"""Posting and editing Slack messages: the Poster port, and the Web API client it needs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import (
    Message,
    attachment_blocks,
    fit_escaped,
    render_messages,
    render_one,
)
from bot.blocks import Attachment, Reply
from bot.models import Place
from bot.ports import PostFailed

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
# Refusals that will not go away by themselves: a human must invite the bot or fix the channel.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "msg_too_long",
        "invalid_blocks",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "cant_update_message",
        "message_not_found",
        "edit_window_closed",
    }
)
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
THREAD_TEXT_MAX = 3000


def make_client(env: Mapping[str, str], *, rate_limit_retries: int = 2) -> AsyncWebClient:
    """A Web API client for the bot token, at SLACK_API_URL when set, retrying rate limits."""
    base_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
    if not base_url.endswith("/api/"):
        raise ValueError(f"SLACK_API_URL must end with /api/ (it is {base_url!r}).")
    return AsyncWebClient(
        token=env.get("SLACK_BOT_TOKEN") or None,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ],
    )


def post_failed(exc: Exception) -> PostFailed:
    """A Slack or network failure as a PostFailed that says whether a retry may help."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        code = str(exc.response.get("error", "")) if exc.response is not None else ""
        retryable = status == 429 or status >= 500 or code in TRANSIENT_ERRORS
        if code in PERMANENT_ERRORS:
            retryable = False
        return PostFailed(f"Slack refused the message: {code or status}", retryable=retryable)
    if isinstance(exc, (aiohttp.ClientError, TimeoutError)):
        return PostFailed(f"Slack could not be reached: {type(exc).__name__}", retryable=True)
    return PostFailed(f"posting to Slack failed: {type(exc).__name__}", retryable=False)


class SlackPoster:
    """The Poster port for Slack: `chat.postMessage` (with a thread) and `chat.update`."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, place: Place, reply: Reply) -> str:
        """Post `reply` publicly; return the first message's ts. Raises PostFailed."""
        try:
            return await self.post_messages(place, reply)
        except PostFailed:
            raise
        except Exception as exc:
            raise post_failed(exc) from exc

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        """Redraw an earlier message; a reply too long for one message is cut with a marker."""
        message = render_one(reply)
        try:
            await self.client.chat_update(channel=place.channel, ts=message_id, **message)
        except Exception as exc:
            raise post_failed(exc) from exc

    async def post_messages(self, place: Place, reply: Reply) -> str:
        """Post a reply's messages, thread starter and files; return the first message's ts.

        Only a failure of the first message propagates. Once it is up, the post has happened:
        a caller that retried on a later failure would post it twice.
        """
        messages = render_messages(reply)
        first_ts = await self._post(place.channel, messages[0], place.thread)
        try:
            await self._rest(place, reply, messages[1:], first_ts)
        except Exception as exc:
            log.warning(
                "the rest of a post failed (%s); its first message stands", post_failed(exc)
            )
        return first_ts

    async def _rest(self, place: Place, reply: Reply, more: list[Message], first_ts: str) -> None:
        for message in more:
            await self._post(place.channel, message, place.thread)
        if reply.thread and first_ts and not place.thread:
            starter = fit_escaped(
                f"Discussion: {reply.thread}. Argue your side in this thread.", THREAD_TEXT_MAX
            )
            await self.client.chat_postMessage(
                channel=place.channel, thread_ts=first_ts, text=starter
            )
        for attachment in reply.attachments:
            await self.upload(place.channel, attachment, place.thread)

    async def _post(self, channel: str, message: Message, thread_ts: str | None) -> str:
        extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        response = await self.client.chat_postMessage(channel=channel, **message, **extra)
        return str(response.get("ts", ""))

    async def upload(self, channel: str, attachment: Attachment, thread_ts: str | None) -> None:
        """Upload a file; if Slack refuses, show its content inline instead."""
        try:
            await self.client.files_upload_v2(
                channel=channel,
                filename=attachment.filename,
                title=attachment.filename,
                content=attachment.content,
                thread_ts=thread_ts,
            )
        except Exception as exc:
            log.warning("file upload failed (%s); posting it inline", type(exc).__name__)
            blocks = attachment_blocks(attachment)
            for message in render_messages(Reply(()), extra=blocks):
                message["text"] = fit_escaped(attachment.filename, THREAD_TEXT_MAX)
                await self._post(channel, message, thread_ts)
