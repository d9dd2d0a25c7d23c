"""The private glue for the Slack tests: a fake Slack on 127.0.0.1, signed requests, a timer.

The fake serves the Web API (`/api/<method>`), `response_url`s, file uploads and a Socket Mode
WebSocket. It records every call and checks every message it receives against the Block Kit
limits and for unescaped mentions, so each test also checks rendering of what it sends.
The limits are written out here on purpose rather than imported from the renderer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.slack.app import SlackAdapter
from adapters.slack.oauth import SCOPES, OAuthConfig, oauth_parts
from adapters.slack.poster import make_client
from bot.app import Bot
from bot.coalesce import FakeTimer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1-test"
APP_TOKEN = "xapp-1-test"
TEAM = "T0001"
CHANNEL = "C0001"
APP_ID = "A0001"
# The distributed app's credentials, as Basic Information > App Credentials shows them.
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "c1i3nt-s3cr3t-0f-th3-app"
BOT_SECRET = "oped-bot-secret-for-sealing-tokens"


# --- Block Kit limits, as the Slack reference states them ---------------------------------


def check_text(obj: Any, limit: int, where: str, problems: list[str]) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        problems.append(f"{where}: not a text object: {obj!r}")
        return
    text = obj.get("text", "")
    if not 1 <= len(text) <= limit:
        problems.append(f"{where}: text length {len(text)} outside 1..{limit}")


def check_block(block: Mapping[str, Any], where: str, problems: list[str]) -> None:
    kind = block.get("type")
    if len(block.get("block_id", "")) > 255:
        problems.append(f"{where}: block_id longer than 255")
    if kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: section without text or fields")
        if "text" in block:
            check_text(block["text"], 3000, where + ".text", problems)
        fields = block.get("fields", [])
        if len(fields) > 10:
            problems.append(f"{where}: {len(fields)} fields > 10")
        for n, item in enumerate(fields):
            check_text(item, 2000, f"{where}.fields[{n}]", problems)
    elif kind == "header":
        check_text(block.get("text"), 150, where + ".text", problems)
        if block["text"].get("type") != "plain_text":
            problems.append(f"{where}: header text must be plain_text")
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 10:
            problems.append(f"{where}: context with {len(elements)} elements")
        for n, item in enumerate(elements):
            check_text(item, 3000, f"{where}.elements[{n}]", problems)
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= 25:
            problems.append(f"{where}: actions with {len(elements)} elements")
        ids = [element.get("action_id") for element in elements]
        if len(set(ids)) != len(ids):
            problems.append(f"{where}: duplicate action_id in one block")
        for n, element in enumerate(elements):
            check_button(element, f"{where}.elements[{n}]", problems)
    elif kind == "input":
        check_text(block.get("label"), 2000, where + ".label", problems)
        if "hint" in block:
            check_text(block["hint"], 2000, where + ".hint", problems)
        element = block.get("element", {})
        if len(element.get("action_id", "")) > 255:
            problems.append(f"{where}: action_id longer than 255")
        options = element.get("options", [])
        if len(options) > 100:
            problems.append(f"{where}: {len(options)} options > 100")
        for n, option in enumerate(options):
            check_text(option.get("text"), 75, f"{where}.options[{n}]", problems)
            if not 1 <= len(option.get("value", "")) <= 150:
                problems.append(f"{where}.options[{n}]: value length outside 1..150")
    else:
        problems.append(f"{where}: unexpected block type {kind!r}")


def check_button(element: Mapping[str, Any], where: str, problems: list[str]) -> None:
    if element.get("type") != "button":
        problems.append(f"{where}: not a button")
        return
    check_text(element.get("text"), 75, where + ".text", problems)
    if element["text"].get("type") != "plain_text":
        problems.append(f"{where}: button text must be plain_text")
    if not 1 <= len(element.get("action_id", "")) <= 255:
        problems.append(f"{where}: action_id length outside 1..255")
    if len(element.get("value", "")) > 2000:
        problems.append(f"{where}: value longer than 2000")
    if element.get("style") not in (None, "primary", "danger"):
        problems.append(f"{where}: style {element.get('style')!r}")


def check_message(message: Mapping[str, Any], where: str = "message") -> list[str]:
    """Every way `message` breaks a Block Kit limit or could ping someone."""
    problems: list[str] = []
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: no fallback text")
    elif len(text) > 40000:
        problems.append(f"{where}: fallback text longer than 40000")
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if len(blocks) > 50:
        problems.append(f"{where}: {len(blocks)} blocks > 50")
    for n, block in enumerate(blocks):
        check_block(block, f"{where}.blocks[{n}]", problems)
    problems.extend(unescaped(message, where))
    return problems


def check_view(view: Mapping[str, Any], where: str = "view") -> list[str]:
    problems: list[str] = []
    if view.get("type") not in ("modal", "home"):
        problems.append(f"{where}: view type {view.get('type')!r}")
    if view.get("type") != "home":  # a Home tab has no title
        check_text(view.get("title"), 24, where + ".title", problems)
    for key in ("submit", "close"):
        if key in view:
            check_text(view[key], 24, f"{where}.{key}", problems)
    if len(view.get("private_metadata", "")) > 3000:
        problems.append(f"{where}: private_metadata longer than 3000")
    if len(view.get("callback_id", "")) > 255:
        problems.append(f"{where}: callback_id longer than 255")
    blocks = view.get("blocks", [])
    if len(blocks) > 100:
        problems.append(f"{where}: {len(blocks)} blocks > 100")
    for n, block in enumerate(blocks):
        check_block(block, f"{where}.blocks[{n}]", problems)
    problems.extend(unescaped({k: v for k, v in view.items() if k != "private_metadata"}, where))
    return problems


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def unescaped(value: Any, where: str) -> list[str]:
    """The renderer never needs `<`: any raw `<` is unescaped user text (a mention or link)."""
    return [f"{where}: unescaped '<' in {text[:80]!r}" for text in strings(value) if "<" in text]


# --- the fake Slack -------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str = ""


@dataclass
class FakeSlack:
    """Slack's Web API, response_urls, uploads and Socket Mode, on 127.0.0.1."""

    admins: set[str] = field(default_factory=set)
    # user id -> the channels users.conversations lists for them (none if not named)
    members: dict[str, set[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # posts to response_urls, and replies carried in a command's acknowledgement
    responses: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # method -> queued (HTTP status, body, headers) answers served before the normal one; a
    # text body is served as it is (Content-Type from the headers, text/plain by default)
    failures: dict[str, list[tuple[int, dict[str, Any] | str, dict[str, str]]]] = field(
        default_factory=dict
    )
    # method -> an event its calls wait for before they are answered (to overlap requests)
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    # user groups: id -> (handle, member ids); channel -> member ids (served 2 a page)
    usergroups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    url: str = ""
    # OAuth: a code Slack hands the installer's browser -> (team, bot token) it grants
    grants: dict[str, tuple[str, str]] = field(default_factory=dict)
    # bot token -> its workspace, for every token an install handed out
    tokens: dict[str, str] = field(default_factory=lambda: {BOT_TOKEN: TEAM})

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.socket_connected = asyncio.Event()
        self.socket_opened: asyncio.Queue[web.WebSocketResponse] = asyncio.Queue()  # each one
        self.holding = asyncio.Event()  # set once a held call is waiting

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}/respond/{key}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self, method: str, error: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next call of `method` with an error."""
        self.failures.setdefault(method, []).append(
            (status, {"ok": False, "error": error}, headers or {})
        )

    def fail_text(
        self,
        method: str,
        text: str = "upstream connect error or disconnect/reset before headers",
        status: int = 503,
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next call of `method` with a body that is not JSON, as a proxy does."""
        self.failures.setdefault(method, []).append(
            (status, text, {"Content-Type": content_type, **(headers or {})})
        )

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.args for call in self.calls if call.method == method]

    def views(self, user: str) -> list[dict[str, Any]]:
        """The Home views published for `user`, oldest first."""
        found = []
        for args in self.called("views.publish"):
            if args.get("user_id") == user:
                view = args["view"]
                found.append(json.loads(view) if isinstance(view, str) else view)
        return found

    def tokens_used(self, method: str) -> list[str]:
        """The token each call of `method` was made with."""
        return [call.token for call in self.calls if call.method == method]

    def grant(self, code: str, team: str, token: str) -> None:
        """Have Slack answer `oauth.v2.access` for `code` with an install in `team`."""
        self.grants[code] = (team, token)

    def posted(self) -> list[dict[str, Any]]:
        """Everything shown to users: public posts, ephemerals, response_url and ack answers."""
        shown = ("chat.postMessage", "chat.postEphemeral", "response_url", "ack")
        return [call.args for call in self.calls if call.method in shown]

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(dict(await request.post()))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token.startswith("Basic "):  # oauth.v2.access: the app's id and secret
            token = base64.b64decode(token.removeprefix("Basic ")).decode()
        self.calls.append(Call(method, args, token))
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            self.problems.extend(check_message(args, method))
        if method in ("views.open", "views.publish"):
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            self.problems.extend(check_view(view or {}, method))
        if method in self.held:
            self.holding.set()
            await self.held[method].wait()
        queued = self.failures.get(method)
        if queued:
            status, body, headers = queued.pop(0)
            if isinstance(body, str):
                return web.Response(body=body.encode(), status=status, headers=headers)
            return web.json_response(body, status=status, headers=headers)
        return web.json_response(self._answer(method, args, token))

    def _answer(self, method: str, args: Mapping[str, Any], token: str) -> dict[str, Any]:
        if method == "auth.test":
            if token not in self.tokens:
                return {"ok": False, "error": "invalid_auth"}
            team = self.tokens[token]
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "oped-bot",
                "team_id": team,
                "user_id": "UBOT",
                "bot_id": "BBOT" if team == TEAM else f"B{team}",
            }
        if method == "oauth.v2.access":
            return self._oauth_access(args, token)
        if method == "users.info":
            user = str(args.get("user"))
            return {
                "ok": True,
                "user": {"id": user, "name": user, "is_admin": user in self.admins},
            }
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001"}}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "VHOME", "type": "home"}}
        if method == "users.conversations":
            # Paged like Slack: `limit` per page, the next page's start in the cursor.
            channels = sorted(self.members.get(str(args.get("user")), set()))
            start = int(str(args.get("cursor") or "0"))
            size = int(str(args.get("limit") or "100"))
            page = channels[start : start + size]
            more = start + size < len(channels)
            return {
                "ok": True,
                "channels": [{"id": channel, "is_member": True} for channel in page],
                "response_metadata": {"next_cursor": str(start + size) if more else ""},
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users"))}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files):04d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": f["id"]} for f in _files_arg(args)]}
        if method == "usergroups.list":
            listed = [{"id": g, "handle": h} for g, (h, _users) in self.usergroups.items()]
            return {"ok": True, "usergroups": listed}
        if method == "usergroups.users.list":
            group = self.usergroups.get(str(args.get("usergroup")))
            if group is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": group[1]}
        if method == "conversations.members":
            members = self.channel_members.get(str(args.get("channel")))
            if members is None:
                return {"ok": False, "error": "channel_not_found"}
            start = int(str(args.get("cursor") or "0"))
            page = members[start : start + 2]  # small pages, so paging is exercised
            more = str(start + 2) if start + 2 < len(members) else ""
            return {"ok": True, "members": page, "response_metadata": {"next_cursor": more}}
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _oauth_access(self, args: Mapping[str, Any], credentials: str) -> dict[str, Any]:
        """Exchange an install's code for its bot token, once, as Slack does."""
        if credentials != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.grants.pop(str(args.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        team, token = grant
        self.tokens[token] = team
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "commands,chat:write,chat:write.public,users:read,files:write,im:write",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": f"UBOT{team}",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_key"] = request.match_info["key"]
        self.responses.append(body)
        self.calls.append(Call("response_url", body))
        self.problems.extend(check_message(body, "response_url"))
        return web.Response(text="ok")

    def acknowledged(self, body: dict[str, Any]) -> None:
        """Slack shows a message carried in an acknowledgement as it shows a response_url post."""
        self.responses.append(body)
        self.calls.append(Call("ack", body))
        self.problems.extend(check_message(body, "ack"))

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file"]] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1})
        self.socket_connected.set()
        self.socket_opened.put_nowait(socket)
        async for message in socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                await self.socket_messages.put(json.loads(message.data))
        return socket

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Push a Socket Mode envelope to the connected app; return its id."""
        envelope_id = f"env-{next(self._ts)}"
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": True,
            }
        )
        return envelope_id


def _files_arg(args: Mapping[str, Any]) -> list[dict[str, Any]]:
    files = args.get("files", [])
    return json.loads(files) if isinstance(files, str) else list(files)


# --- signed requests ------------------------------------------------------------------------


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """`X-Slack-Signature` exactly as Slack computes it: v0 HMAC-SHA256 over v0:ts:body."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_raw(raw: bytes, timestamp: str, secret: str = SECRET) -> dict[str, str]:
    """Headers signing raw bytes over any timestamp text, as a forger or a broken proxy might."""
    base = b"v0:" + timestamp.encode() + b":" + raw
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest(),
    }


def signed_headers(
    body: str, *, timestamp: int | None = None, secret: str = SECRET
) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign(body, stamp, secret),
    }


_TRIGGERS = itertools.count(1)


def trigger_id() -> str:
    """A fresh trigger_id: Slack gives each command, click and submission its own."""
    return f"13345224609.738474920.{next(_TRIGGERS):031x}"


def command_body(
    fake: FakeSlack,
    text: str,
    *,
    user: str = "U0001",
    name: str = "alice",
    channel: str = CHANNEL,
    key: str = "cmd",
    markup: bool = False,
    team: str = TEAM,
) -> str:
    """A `/oped` request body, form-encoded with the fields Slack sends.

    Slack escapes what the user typed (`&`, `<`, `>`); `markup=True` sends `text` as is, the way
    Slack sends its own markup for a picked user or channel (`<@U1|ann>`).
    """
    if not markup:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": name,
            "command": "/oped",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": fake.response_url(key),
            "trigger_id": trigger_id(),
        }
    )


def action_payload(
    fake: FakeSlack,
    action_id: str,
    value: str | None,
    *,
    message_ts: str,
    user: str = "U0001",
    channel: str = CHANNEL,
    ephemeral: bool = False,
    thread_ts: str | None = None,
    team: str = TEAM,
) -> dict[str, Any]:
    """A `block_actions` payload for one button click (on a message in a thread if given)."""
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": "b1",
        "text": {"type": "plain_text", "text": "x", "emoji": True},
        "type": "button",
        "action_ts": "1700000001.000001",
    }
    if value is not None:
        action["value"] = value
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    message: dict[str, Any] = {"type": "message", "ts": message_ts, "text": "poll"}
    if thread_ts is not None:
        container["thread_ts"] = message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": container,
        "trigger_id": trigger_id(),
        "team": {"id": team, "domain": "fake"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "message": message,
        "response_url": fake.response_url("action"),
        "actions": [action],
    }


def view_payload(
    values: dict[str, dict[str, Any]],
    metadata: str,
    *,
    user: str = "U0001",
    callback_id: str = "oped_poll_create",
) -> dict[str, Any]:
    """A `view_submission` payload for the poll modal with the given input states."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": trigger_id(),
        "view": {
            "id": "V0001",
            "team_id": TEAM,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
            "hash": "156772938.1827394",
            "app_id": APP_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


def home_opened_event(user: str = "U0001", tab: str = "home") -> dict[str, Any]:
    """An Events API `app_home_opened` callback, as Slack sends it over HTTP."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user,
            "tab": tab,
            "event_ts": f"1700000002.{next(_TRIGGERS):06d}",
        },
        "type": "event_callback",
        "event_id": f"Ev{next(_TRIGGERS):08d}",
        "event_time": 1700000002,
    }


def home_action_payload(
    fake: FakeSlack, element: Mapping[str, Any], block_id: str, *, user: str = "U0001"
) -> dict[str, Any]:
    """A `block_actions` payload for a button pressed on the Home tab: no channel, no message."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "VHOME"},
        "trigger_id": trigger_id(),
        "team": {"id": TEAM, "domain": "fake"},
        "enterprise": None,
        "is_enterprise_install": False,
        "view": {"id": "VHOME", "team_id": TEAM, "type": "home", "blocks": []},
        "actions": [
            {
                "action_id": element["action_id"],
                "block_id": block_id,
                "text": element["text"],
                "value": element.get("value"),
                "type": "button",
                "action_ts": "1700000003.000001",
            }
        ],
    }


def payload_body(payload: Mapping[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


# --- the adapter, served over HTTP -------------------------------------------------------------


class SlackRig:
    """A SlackAdapter on a real AsyncApp, served over HTTP, talking to a FakeSlack."""

    def __init__(self, bot: Bot, fake: FakeSlack, oauth: OAuthConfig | None = None) -> None:
        """One workspace on BOT_TOKEN; with `oauth`, every workspace that installs the app."""
        self.bot = bot
        self.fake = fake
        self.timer = FakeTimer()
        self.home_timer = FakeTimer()  # Home refreshes, apart from message redraws
        env = {"SLACK_API_URL": fake.api_url}
        if oauth is None:
            env["SLACK_BOT_TOKEN"] = BOT_TOKEN
        client = make_client(env)
        parts = None
        if oauth is not None:
            assert bot.services.store is not None
            parts = oauth_parts(oauth, bot.services.store, bot.services.clock, client)
        self.adapter = SlackAdapter(
            bot,
            client,
            signing_secret=SECRET,
            timer=self.timer,
            home_timer=self.home_timer,
            oauth=None if parts is None else parts.settings,
            clients=None if parts is None else parts.clients,
        )
        self.adapter.start()
        self.server = TestServer(self.adapter.web_app(), host="127.0.0.1")
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        await self.server.start_server()
        self.session = aiohttp.ClientSession()

    async def close(self) -> None:
        await self.adapter.close()
        if self.session is not None:
            await self.session.close()
        await self.server.close()

    async def __aenter__(self) -> SlackRig:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def post(
        self, body: str | bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, str]:
        """POST a raw body to /slack/events, signed unless headers are given."""
        assert self.session is not None
        url = str(self.server.make_url("/slack/events"))
        raw = body.encode() if isinstance(body, str) else body
        sent = dict(headers) if headers is not None else signed_raw(raw, str(int(time.time())))
        async with self.session.post(url, data=raw, headers=sent) as response:
            text = await response.text()
            if response.status == 200 and response.content_type == "application/json":
                answer = json.loads(text)
                if "text" in answer or "blocks" in answer:
                    self.fake.acknowledged(answer)
            return response.status, text

    async def command(self, text: str, **kwargs: Any) -> int:
        """Send `/oped <text>`, then wait for the work done after the ack."""
        status, _ = await self.post(command_body(self.fake, text, **kwargs))
        await self.adapter.drain()
        return status

    async def click(
        self, action_id: str, value: str | None, *, message_ts: str, **kwargs: Any
    ) -> int:
        payload = action_payload(self.fake, action_id, value, message_ts=message_ts, **kwargs)
        status, _ = await self.post(payload_body(payload))
        await self.adapter.drain()
        return status

    async def event(self, payload: Mapping[str, Any]) -> int:
        """POST an Events API callback as JSON, signed, then wait for the work it started."""
        raw = json.dumps(payload).encode()
        headers = {**signed_raw(raw, str(int(time.time()))), "Content-Type": "application/json"}
        status, _ = await self.post(raw, headers)
        await self.adapter.drain()
        return status

    async def submit(
        self, values: dict[str, dict[str, Any]], metadata: str, **kwargs: Any
    ) -> tuple[int, str]:
        status, text = await self.post(payload_body(view_payload(values, metadata, **kwargs)))
        await self.adapter.drain()
        return status, text

    async def get(
        self, path: str, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """GET `path` (the install page, the OAuth redirect): status, headers and text."""
        assert self.session is not None
        url = str(self.server.make_url(path))
        async with self.session.get(url, headers=headers, allow_redirects=False) as response:
            return response.status, dict(response.headers), await response.text()

    def last_shown(self) -> dict[str, Any]:
        return self.fake.posted()[-1]


def shown_text(message: Mapping[str, Any]) -> str:
    """All the text of a message, as one string, for assertions."""
    return "\n".join(strings({k: v for k, v in message.items() if k != "_key"}))


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def oauth_config(**changes: Any) -> OAuthConfig:
    """The distributed app's OAuth settings, as SlackConfig reads them from the environment."""
    base: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "scopes": SCOPES,
        "redirect_uri": None,
        "secret": BOT_SECRET,
    }
    base.update(changes)
    return OAuthConfig(**base)
