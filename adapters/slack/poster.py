"""Posting and editing Slack messages: the Poster port, and the Web API client it needs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import (
    Message,
    attachment_blocks,
    fit_escaped,
    render_messages,
    render_one,
)
from bot.limits import fit
from bot.metrics import ApiErrorKind, api_error_kind
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Attachment, Reply

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
# A rate limit asking for a longer wait is not waited out inside a request: the caller's own
# backoff (the scheduler's, or the user trying again) takes over.
MAX_RATE_LIMIT_WAIT = 30.0
# What a Slack call raises when it fails: Slack's refusal, or the network's.
SLACK_FAILURES = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)


ALT_TXT_MAX = 1000  # files.getUploadURLExternal's limit on an image's alt text


def upload_fields(attachment: Attachment) -> dict[str, Any]:
    """`files_upload_v2`'s arguments for one file; an image carries its alt text."""
    fields: dict[str, Any] = {
        "filename": attachment.filename,
        "title": attachment.filename,
        "content": attachment.content,
    }
    if attachment.is_image and attachment.alt_text:
        fields["alt_txt"] = fit(attachment.alt_text, ALT_TXT_MAX)
    return fields


@dataclass(frozen=True)
class SlackFailure:
    """A failed Slack call as read back, whatever answered: Slack, a proxy, or nobody."""

    reason: str  # Slack's error code, else what answered instead ("HTTP 502", "not a Slack...")
    status: int | None  # the HTTP status, if anything answered
    from_slack: bool  # Slack's own JSON error, as opposed to a proxy's page or a network failure
    retryable: bool

    def __str__(self) -> str:
        return self.reason


def slack_failure(exc: BaseException) -> SlackFailure:
    """Read any failure of a Slack call defensively: its body may be JSON, text, HTML or nothing."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        raw_status = getattr(response, "status_code", None)
        status = raw_status if isinstance(raw_status, int) else None
        data = getattr(response, "data", None)
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, str) and error:
            retryable = error not in PERMANENT_ERRORS and (
                error in TRANSIENT_ERRORS or status == 429 or (status or 0) >= 500
            )
            return SlackFailure(error, status, True, retryable)
        # A proxy's error page, an outage's plain text, an empty 200: not Slack speaking, so
        # whatever stands between us and Slack may well recover.
        answered = f"HTTP {status}" if status is not None else "no status"
        return SlackFailure(f"{answered}, not a Slack API answer", status, False, True)
    if isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError)):
        return SlackFailure(f"Slack could not be reached: {type(exc).__name__}", None, False, True)
    return SlackFailure(type(exc).__name__, None, False, False)


def post_failed(exc: BaseException) -> PostFailed:
    """A Slack or network failure as a PostFailed that says whether a retry may help."""
    failure = slack_failure(exc)
    if isinstance(exc, SlackApiError):
        return PostFailed(f"Slack refused the message: {failure}", retryable=failure.retryable)
    if failure.retryable:
        return PostFailed(str(failure), retryable=True)
    return PostFailed(f"posting to Slack failed: {failure}", retryable=False)


def retry_after(headers: Mapping[str, Any], now: datetime | None = None) -> float:
    """Seconds a 429's Retry-After asks for: a number or an HTTP date; 1 if missing or junk."""
    value: Any = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return 1.0
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return 1.0
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return 1.0
    return max(0.0, seconds)


class RateLimitRetry(AsyncRetryHandler):
    """Waits out a 429 for as long as Retry-After asks, however it is written, up to a cap.

    slack_sdk's own handler raises on a Retry-After that is not an integer and would sleep
    for an hour if told to, inside a user's request.
    """

    def __init__(
        self,
        max_retry_count: int = 2,
        *,
        max_wait: float = MAX_RATE_LIMIT_WAIT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait
        self.sleep = sleep
        self.on_wait = on_wait  # told of each 429 waited out, which the caller never sees

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and retry_after(response.headers) <= self.max_wait
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Sleep as long as Slack asked, then try again."""
        state.next_attempt_requested = True
        if self.on_wait is not None:
            self.on_wait()
        await self.sleep(retry_after(response.headers) if response is not None else 1.0)
        state.increment_current_attempt()


class SlackClient(AsyncWebClient):
    """An AsyncWebClient that turns a Web API answer that is not JSON into a SlackApiError.

    slack_sdk keeps a text/plain body as a string, and then either raises AttributeError from
    its own check (a 200) or hands callers a response whose `.get` fails (an error status).
    """

    # Told of each failed call (for the platform API error metric); set by the adapter.
    on_failure: Callable[[ApiErrorKind], None] | None = None

    async def _request(
        self, *, http_verb: str, api_url: str, req_args: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            answer: dict[str, Any] = await super()._request(
                http_verb=http_verb, api_url=api_url, req_args=req_args
            )
        except (TimeoutError, aiohttp.ClientError):
            self.failed("network")
            raise
        data = answer.get("data")
        status = answer.get("status_code")
        if isinstance(status, int) and status >= 400:
            self.failed(api_error_kind(status))
        elif isinstance(data, dict) and data.get("ok") is False:
            self.failed("rate_limited" if data.get("error") == "ratelimited" else "refused")
        if not isinstance(data, dict | bytes):
            # Empty data fails the client's own check as a SlackApiError with this status.
            answer = {**answer, "data": {}}
        return answer

    def failed(self, kind: ApiErrorKind) -> None:
        """Report one failed call to whoever counts them."""
        if self.on_failure is not None:
            self.on_failure(kind)


def make_client(
    env: Mapping[str, str],
    *,
    rate_limit_retries: int = 2,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncWebClient:
    """A Web API client for the bot token, at SLACK_API_URL when set, retrying rate limits."""
    base_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
    if not base_url.endswith("/api/"):
        raise ValueError(f"SLACK_API_URL must end with /api/ (it is {base_url!r}).")
    client = SlackClient(
        token=env.get("SLACK_BOT_TOKEN") or None,
        base_url=base_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler()],
    )
    client.retry_handlers.append(
        RateLimitRetry(
            max_retry_count=rate_limit_retries,
            sleep=sleep,
            on_wait=lambda: client.failed("rate_limited"),
        )
    )
    return client


class Clients(Protocol):
    """The Web API client holding a workspace's own bot token."""

    async def for_team(self, team: str) -> AsyncWebClient:
        """The client for workspace `team`; NotInstalled if the bot has no token there."""
        ...


class NotInstalled(Exception):
    """The bot holds no token for a workspace: the app is not installed there (any more)."""


class OneWorkspace:
    """One workspace, one token: the bot token from SLACK_BOT_TOKEN serves every request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def for_team(self, team: str) -> AsyncWebClient:
        """The one client, whatever the workspace."""
        return self.client


class SlackPoster:
    """The Poster port for Slack: `chat.postMessage` (with a thread) and `chat.update`.

    Each call uses the token of the place's own workspace (`clients`), including the posts
    the scheduler and the deadlines make outside any request.
    """

    def __init__(self, client: AsyncWebClient, clients: Clients | None = None) -> None:
        self.client = client
        self.clients: Clients = clients or OneWorkspace(client)

    async def _client(self, place: Place) -> AsyncWebClient:
        try:
            return await self.clients.for_team(place.workspace)
        except NotInstalled as exc:
            raise PostFailed(str(exc), retryable=False) from exc

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
        client = await self._client(place)
        try:
            await client.chat_update(channel=place.channel, ts=message_id, **message)
        except Exception as exc:
            raise post_failed(exc) from exc

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        """Start the thread under a posted message with a first reply naming the discussion."""
        if place.thread or not message_id:
            return  # Slack threads do not nest: a post inside a thread is already in one
        starter = fit_escaped(
            f"Discussion: {name}. Argue your side in this thread.", THREAD_TEXT_MAX
        )
        client = await self._client(place)
        try:
            await client.chat_postMessage(channel=place.channel, thread_ts=message_id, text=starter)
        except Exception as exc:
            raise post_failed(exc) from exc

    async def post_messages(self, place: Place, reply: Reply) -> str:
        """Post a reply's messages and files; return the first message's ts.

        Only a failure of the first message propagates. Once it is up, the post has happened:
        a caller that retried on a later failure would post it twice.
        """
        messages = render_messages(reply)
        client = await self._client(place)
        first_ts = await _post(client, place.channel, messages[0], place.thread)
        try:
            for message in messages[1:]:
                await _post(client, place.channel, message, place.thread)
            for attachment in reply.attachments:
                await upload(client, place.channel, attachment, place.thread)
        except Exception as exc:
            log.warning(
                "the rest of a post failed (%s); its first message stands", post_failed(exc)
            )
        return first_ts


async def _post(
    client: AsyncWebClient, channel: str, message: Message, thread_ts: str | None
) -> str:
    extra: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
    response = await client.chat_postMessage(channel=channel, **message, **extra)
    return str(response.get("ts", ""))


async def upload(
    client: AsyncWebClient, channel: str, attachment: Attachment, thread_ts: str | None
) -> None:
    """Upload a file; if Slack refuses, show its content inline instead."""
    try:
        await client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, **upload_fields(attachment)
        )
    except Exception as exc:
        log.warning("file upload failed (%s); posting it inline", type(exc).__name__)
        blocks = attachment_blocks(attachment)
        for message in render_messages(Reply(()), extra=blocks):
            message["text"] = fit_escaped(attachment.filename, THREAD_TEXT_MAX)
            await _post(client, channel, message, thread_ts)
