"""`/slack/events` over HTTP: verify and read a request before Bolt sees it.

Bolt parses the body before it checks the signature, and its parser trusts what it reads: a
malformed timestamp, signature or body became a 500 with a traceback, and any form body that
merely contains the word "payload" (a command such as `/oped poll create "Which payload?"`) was
read as an empty button payload. Here the signature is checked first (401), then the body is
read strictly (400), and Bolt is handed the body as read here, marked as verified. The check is
made once: Bolt's own is off, and `FrontDoorOnly` stands in its place in Bolt's middleware,
refusing any HTTP request that did not come through here (Socket Mode is not signed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

EVENTS_PATH = "/slack/events"
# Slack's rule: a request signed more than five minutes from now is refused.
FRESH_SECONDS = 300
# ASCII digits only: int() would also take " 17", "٣٣٣" or 5,000 digits (and then raise).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# The context key `web_app` sets once it has verified a request's signature.
VERIFIED = "oped_signature_verified"
# Fields of an interactive payload that Bolt reads as objects (or a list of objects).
_OBJECTS = ("user", "team", "channel", "container", "view", "message", "event")


class BadRequest(ValueError):
    """The request body is not one Slack would send; the message says what is wrong."""


def verified(
    secret: str, raw: bytes, timestamp: str, signature: str, now: float | None = None
) -> bool:
    """Whether Slack signed `raw` with `secret` at `timestamp`, within five minutes of `now`."""
    if not secret or not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > FRESH_SECONDS:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def read_body(raw: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The body as text and as read: form fields, or the JSON `payload`. Raises BadRequest."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    if not text.strip():
        raise BadRequest("the body is empty")
    if content_type == "application/json" or text.startswith("{"):
        return text, check_payload(_json(text, "the body"))
    if _BAD_ESCAPE.search(text):
        raise BadRequest("the body has a broken %-escape")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not form-encoded") from None
    payloads = [value for name, value in pairs if name == "payload"]
    if len(payloads) > 1:
        raise BadRequest("the body has more than one payload")
    if payloads:
        return text, check_payload(_json(payloads[0], "payload"))
    return text, dict(pairs)


def check_payload(payload: Any) -> dict[str, Any]:
    """`payload` if it is an object shaped as Bolt expects; else BadRequest."""
    if not isinstance(payload, dict):
        raise BadRequest("the payload is not a JSON object")
    for name in _OBJECTS:
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise BadRequest(f"the payload's {name} is not an object")
    if isinstance(payload.get("view"), dict) and not isinstance(payload["view"].get("type"), str):
        raise BadRequest("the payload's view has no type")
    for name in ("type", "callback_id", "command", "text", "trigger_id", "response_url"):
        if payload.get(name) is not None and not isinstance(payload[name], str):
            raise BadRequest(f"the payload's {name} is not a string")
    actions = payload.get("actions")
    if actions is not None and not (
        isinstance(actions, list) and all(isinstance(action, dict) for action in actions)
    ):
        raise BadRequest("the payload's actions are not a list of objects")
    return payload


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise BadRequest(f"{what} is not JSON") from None


def bolt_request(
    text: str, body: dict[str, Any], query: str, headers: Mapping[str, str]
) -> AsyncBoltRequest:
    """A Bolt request for a body already read (Bolt would read it again, and wrongly)."""
    request = AsyncBoltRequest(body="", query=query, headers=dict(headers))
    request.raw_body = text
    request.body = body
    try:
        request.context = build_async_context(AsyncBoltContext({}), body)
    except Exception:
        # Bolt reads ids out of nested objects; junk where it looks is not a Slack request.
        raise BadRequest("the payload is not shaped as Slack sends it") from None
    return request


class FrontDoorOnly(AsyncMiddleware):
    """In place of Bolt's signature check: lets through what `web_app` verified, and Socket Mode."""

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Refuse an HTTP request that did not pass `web_app`'s check (401); else go on."""
        if req.mode == "socket_mode" or req.context.get(VERIFIED) is True:
            return await next()
        return BoltResponse(status=401, body="invalid request signature")

    @property
    def name(self) -> str:
        """The middleware's name in Bolt's logs."""
        return "FrontDoorOnly"


def web_app(
    app: AsyncApp,
    signing_secret: str,
    *,
    path: str = EVENTS_PATH,
    now: Callable[[], float] = time.time,
) -> web.Application:
    """An aiohttp application serving `app` at `path`, refusing what Slack did not send."""

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not verified(signing_secret, raw, timestamp, signature, now()):
            return web.Response(status=401, text="invalid request signature")
        try:
            text, body = read_body(raw, request.content_type)
            bolt = bolt_request(text, body, request.query_string, request.headers)
        except BadRequest as exc:
            return web.Response(status=400, text=f"malformed request: {exc}")
        bolt.context[VERIFIED] = True
        return await to_aiohttp_response(await app.async_dispatch(bolt))

    application = web.Application()
    application.router.add_post(path, handle)
    return application
