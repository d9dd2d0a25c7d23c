"""Drive the real discord.py client offline: a fake Discord on 127.0.0.1 and raw interactions.

All of the test suite's use of discord.py's private names lives here (they are pinned with
discord.py 2.7.1): `Route.BASE` and `DiscordWebSocket.DEFAULT_GATEWAY` point the library at the
fake, `ConnectionState.parse_interaction_create` takes INTERACTION_CREATE payloads shaped as
the Discord documentation shows them, exactly as the gateway would deliver them, and the view
store is read to show what discord.py keeps in memory.

The fake runs its own event loop in a thread, so the only tasks in the test's loop are
discord.py's and the adapter's, and `Harness.drain` can wait for all of them.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import discord
import yarl
from aiohttp import web
from discord import app_commands

from adapters.discord import tree as derived
from adapters.discord.client import DiscordAdapter, OpedClient
from bot.app import Bot
from bot.coalesce import FakeTimer

APP_ID = 1_100_000_000_000_000_001
BOT_ID = 1_100_000_000_000_000_002
GUILD_ID = 1_100_000_000_000_000_003
CHANNEL_ID = 1_100_000_000_000_000_004
MOD_ROLE_ID = 1_100_000_000_000_000_005
TIMESTAMP = "2026-01-05T12:00:00.000000+00:00"
BOT_USER = {
    "id": str(BOT_ID),
    "username": "oped-bot",
    "global_name": None,
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "flags": 0,
}
EPHEMERAL = 64
OPTION_TYPES = {
    discord.AppCommandOptionType.string: 3,
    discord.AppCommandOptionType.integer: 4,
    discord.AppCommandOptionType.boolean: 5,
}

_ids = itertools.count(1_200_000_000_000_000_000)


def snowflake() -> int:
    return next(_ids)


# Discord's limits, written out again here on purpose: the fake must not trust the renderer.
LIMITS = {
    "content": 2000,
    "embeds": 10,
    "title": 256,
    "description": 4096,
    "fields": 25,
    "field_name": 256,
    "field_value": 1024,
    "footer": 2048,
    "total": 6000,
    "rows": 5,
    "per_row": 5,
    "label": 80,
    "custom_id": 100,
}


def limit_violations(message: Mapping[str, Any]) -> list[str]:
    """Every way `message` (a message create or edit body) breaks a Discord limit."""
    found: list[str] = []
    content = message.get("content") or ""
    if len(content) > LIMITS["content"]:
        found.append(f"content {len(content)}")
    embeds = message.get("embeds") or []
    if len(embeds) > LIMITS["embeds"]:
        found.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        title = embed.get("title") or ""
        description = embed.get("description") or ""
        footer = (embed.get("footer") or {}).get("text") or ""
        fields = embed.get("fields") or []
        if not (title or description or fields or footer):
            found.append("empty embed")
        for name, text in (("title", title), ("description", description), ("footer", footer)):
            if len(text) > LIMITS[name]:
                found.append(f"embed {name} {len(text)}")
        if len(fields) > LIMITS["fields"]:
            found.append(f"{len(fields)} fields")
        for item in fields:
            if not 1 <= len(item.get("name", "")) <= LIMITS["field_name"]:
                found.append(f"field name {len(item.get('name', ''))}")
            if not 1 <= len(item.get("value", "")) <= LIMITS["field_value"]:
                found.append(f"field value {len(item.get('value', ''))}")
        total += len(title) + len(description) + len(footer)
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)
    if total > LIMITS["total"]:
        found.append(f"embeds total {total}")
    rows = message.get("components") or []
    if len(rows) > LIMITS["rows"]:
        found.append(f"{len(rows)} rows")
    seen: set[str] = set()
    for row in rows:
        items = row.get("components", [])
        if not 1 <= len(items) <= LIMITS["per_row"]:
            found.append(f"row of {len(items)}")
        for item in items:
            label = item.get("label") or ""
            custom_id = item.get("custom_id") or ""
            if not 1 <= len(label) <= LIMITS["label"]:
                found.append(f"label {len(label)}")
            if not 1 <= len(custom_id) <= LIMITS["custom_id"]:
                found.append(f"custom_id {len(custom_id)}")
            if custom_id in seen:
                found.append(f"duplicate custom_id {custom_id}")
            seen.add(custom_id)
    return found


@dataclass
class Call:
    """One request the fake received."""

    method: str
    path: str
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    response: Any = None

    @property
    def message_id(self) -> int:
        """The id of the message this call created or edited."""
        if self.path.endswith("/callback"):
            return int(self.response["resource"]["message"]["id"])
        return int(self.response["id"])

    @property
    def message(self) -> dict[str, Any]:
        """The message body, unwrapped from an interaction callback if need be."""
        if not isinstance(self.body, dict):
            return {}
        if self.path.endswith("/callback"):
            return dict(self.body.get("data") or {})
        return dict(self.body)

    @property
    def kind(self) -> int | None:
        """The interaction callback type (4 message, 5 deferred, 8 autocomplete...)."""
        return self.body.get("type") if self.path.endswith("/callback") else None

    @property
    def ephemeral(self) -> bool:
        return bool((self.message.get("flags") or 0) & EPHEMERAL)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.message.get("embeds") or [])

    @property
    def text(self) -> str:
        """Every visible string of the message, joined, for assertions."""
        parts = [self.message.get("content") or ""]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for item in embed.get("fields") or []:
                parts += [item["name"], item["value"]]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for row in self.message.get("components") or [] for c in row["components"]]

    @property
    def is_message(self) -> bool:
        """Whether this call posts or edits a message (not a defer, thread or autocomplete)."""
        if self.method == "DELETE" or not isinstance(self.body, dict):
            return False
        if self.path.endswith("/callback"):
            return self.kind in (4, 7)
        return ("/messages" in self.path and not self.path.endswith("/threads")) or (
            self.method == "POST" and self.path.startswith("/webhooks/")
        )


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    code: int
    message: str
    times: int


class FakeDiscord:
    """Discord's REST API and gateway, as far as the adapter uses them, on 127.0.0.1."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.identifies: list[dict[str, Any]] = []
        self.shards = 1
        self.roles: list[dict[str, Any]] = []  # the server's roles, as GET .../roles lists them
        self._failures: list[Failure] = []
        self._originals: dict[str, int] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    # Test controls -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        code: int = 0,
        message: str = "refused",
        times: int = 1,
    ) -> None:
        """Answer the next `times` matching requests with an error, as Discord would."""
        with self._lock:
            self._failures.append(
                Failure(method, re.compile(pattern), status, code, message, times)
            )

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], bool], within: float = 10.0) -> None:
        """Wait (without polling) until `predicate` holds for what the fake has seen."""

        def wait() -> bool:
            with self._changed:
                return self._changed.wait_for(predicate, within)

        assert await asyncio.to_thread(wait), "the fake never saw what the test waited for"

    def mark(self) -> int:
        return len(self.calls)

    def since(self, mark: int) -> list[Call]:
        return self.calls[mark:]

    def dispatch(self, event: str, data: Mapping[str, Any]) -> None:
        """Send a gateway DISPATCH event to every connected shard."""
        frame = {"op": 0, "t": event, "s": next(self._sequence), "d": data}

        async def send() -> None:
            for socket in list(self._sockets):
                await socket.send_json(frame)

        asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)

    # REST ----------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[tuple[str, bytes]] = []
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            for name, value in form.items():
                if name == "payload_json":
                    body = json.loads(str(value))
                elif isinstance(value, web.FileField):
                    files.append((value.filename, value.file.read()))
        elif request.can_read_body:
            body = await request.json()
        call = Call(request.method, path, body, files)
        self.calls.append(call)
        failure = self._failure_for(request.method, path)
        if failure is not None:
            self._notify()
            return reply_json({"code": failure.code, "message": failure.message}, failure.status)
        if call.is_message:
            problems = limit_violations(call.message)
            if problems:
                self.violations.append(f"{request.method} {path}: {problems}")
                return reply_json(
                    {"code": 50035, "message": "Invalid Form Body", "errors": problems}, 400
                )
        result = self._answer(request.method, path, body)
        call.response = result
        self._notify()
        if result is None:
            return web.Response(status=204)
        return reply_json(result)

    def _failure_for(self, method: str, path: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == method and failure.pattern.search(path) and failure.times:
                    failure.times -= 1
                    return failure
        return None

    def _answer(self, method: str, path: str, body: Any) -> Any:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return BOT_USER
        if path == "/oauth2/applications/@me":
            return application()
        if path == "/gateway/bot":
            return {
                "url": self.gateway,
                "shards": self.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            return [registered(command) for command in body]
        if parts[0] == "interactions":
            return self._callback(parts[2], body)
        if parts[0] == "webhooks":
            return self._webhook(method, parts, body)
        if parts[0] == "channels":
            return self._channel(method, parts, body)
        if parts[0] == "guilds" and parts[2:] == ["roles"] and method == "GET":
            return self.roles
        raise AssertionError(f"the fake does not know {method} {path}")

    def _callback(self, token: str, body: dict[str, Any]) -> Any:
        kind = body["type"]
        data = body.get("data") or {}
        interaction = {"id": str(snowflake()), "type": 2}
        if kind in (4, 5):
            message = self._store(
                CHANNEL_ID, {**data, "content": data.get("content") or ""}, webhook=True
            )
            self._originals[token] = int(message["id"])
            interaction.update(
                response_message_id=message["id"],
                response_message_loading=kind == 5,
                response_message_ephemeral=bool((data.get("flags") or 0) & EPHEMERAL),
            )
            return {"interaction": interaction, "resource": {"type": kind, "message": message}}
        return {"interaction": interaction}

    def _webhook(self, method: str, parts: list[str], body: Any) -> Any:
        token = parts[2]
        if len(parts) == 3:  # a follow-up message
            return self._store(CHANNEL_ID, body or {}, webhook=True)
        target = parts[4]
        message_id = self._originals[token] if target == "@original" else int(target)
        if method == "DELETE":
            self.messages.pop(message_id, None)
            return None
        return self._edit(message_id, body or {})

    def _channel(self, method: str, parts: list[str], body: Any) -> Any:
        channel_id = int(parts[1])
        if len(parts) == 2 and method == "GET":
            return text_channel(channel_id)
        if len(parts) == 3 and method == "POST":
            return self._store(channel_id, body or {})
        if len(parts) == 4 and method == "PATCH":
            return self._edit(int(parts[3]), body or {})
        if len(parts) == 5 and parts[4] == "threads":
            return {
                "id": parts[3],
                "type": 11,
                "guild_id": str(GUILD_ID),
                "parent_id": str(channel_id),
                "name": body["name"],
                "owner_id": str(BOT_ID),
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                    "archive_timestamp": TIMESTAMP,
                    "locked": False,
                },
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "flags": 0,
            }
        raise AssertionError(f"the fake does not know {method} /{'/'.join(parts)}")

    def _store(self, channel_id: int, body: dict[str, Any], *, webhook: bool = False) -> Any:
        message_id = snowflake()
        message = message_payload(message_id, channel_id, body, webhook=webhook)
        self.messages[message_id] = message
        return message

    def _edit(self, message_id: int, body: dict[str, Any]) -> Any:
        old = self.messages.get(message_id)
        if old is None:
            raise web.HTTPNotFound(
                body=json.dumps({"code": 10008, "message": "Unknown Message"}).encode(),
                headers={"Content-Type": "application/json"},
            )
        merged = {**old, **{k: v for k, v in body.items() if k != "allowed_mentions"}}
        merged["edited_timestamp"] = TIMESTAMP
        self.messages[message_id] = merged
        return merged

    # Gateway -------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 45000}})
        async for frame in socket:
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await socket.send_json({"op": 11})
            elif payload["op"] == 2:
                shard = payload["d"].get("shard") or [0, 1]
                self._sockets.append(socket)
                await socket.send_json(
                    {
                        "op": 0,
                        "t": "READY",
                        "s": next(self._sequence),
                        "d": {
                            "v": 10,
                            "user": BOT_USER,
                            "guilds": [],
                            "session_id": f"session-{shard[0]}",
                            "resume_gateway_url": self.gateway,
                            "shard": shard,
                            "application": {"id": str(APP_ID), "flags": 0},
                        },
                    }
                )
                self.identifies.append(payload["d"])
                self._notify()
        if socket in self._sockets:
            self._sockets.remove(socket)
        return socket


def reply_json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses JSON only when the content type is exactly `application/json`.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def application() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "oped-bot",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": {**BOT_USER, "id": "1100000000000000009", "username": "owner", "bot": False},
        "verify_key": "0" * 64,
        "flags": 0,
        "team": None,
    }


def registered(command: dict[str, Any]) -> dict[str, Any]:
    return {
        **command,
        "id": str(snowflake()),
        "application_id": str(APP_ID),
        "version": "1",
        "default_member_permissions": command.get("default_member_permissions"),
    }


def text_channel(channel_id: int) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": "general",
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def role(role_id: int, name: str) -> dict[str, Any]:
    """A role as Discord lists a server's roles."""
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": 1,
        "permissions": "0",
        "managed": False,
        "mentionable": True,
        "flags": 0,
    }


def public_thread(thread_id: int, parent_id: int) -> dict[str, Any]:
    """A public thread under `parent_id`, as an interaction's `channel` carries it."""
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(GUILD_ID),
        "parent_id": str(parent_id),
        "name": "discussion",
        "owner_id": str(BOT_ID),
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
        },
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def message_payload(
    message_id: int, channel_id: int, body: Mapping[str, Any], *, webhook: bool = False
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "guild_id": str(GUILD_ID),
        "type": 0,
        "author": BOT_USER,
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "flags": body.get("flags") or 0,
    }
    if webhook:
        message["webhook_id"] = str(APP_ID)
        message["application_id"] = str(APP_ID)
    return message


# Interactions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """Who clicks or types: a server member with permissions and roles."""

    id: int = 1_300_000_000_000_000_001
    name: str = "ana"
    permissions: discord.Permissions = field(
        default_factory=lambda: discord.Permissions(view_channel=True, send_messages=True)
    )
    roles: tuple[int, ...] = ()

    def payload(self) -> dict[str, Any]:
        return {
            "user": {
                "id": str(self.id),
                "username": self.name,
                "global_name": self.name.title(),
                "discriminator": "0",
                "avatar": None,
            },
            "roles": [str(r) for r in self.roles],
            "permissions": str(self.permissions.value),
            "joined_at": TIMESTAMP,
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }


MEMBER = Member()
MODERATOR = Member(
    id=1_300_000_000_000_000_002,
    name="mo",
    permissions=discord.Permissions(view_channel=True, send_messages=True, manage_guild=True),
)


def interaction(kind: int, data: Mapping[str, Any], member: Member = MEMBER, **extra: Any) -> Any:
    """An INTERACTION_CREATE payload as Discord documents it."""
    return {
        "id": str(snowflake()),
        "application_id": str(APP_ID),
        "type": kind,
        "data": dict(data),
        "guild_id": str(GUILD_ID),
        "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
        "channel_id": str(CHANNEL_ID),
        "channel": text_channel(CHANNEL_ID),
        "member": member.payload(),
        "token": f"token-{snowflake()}",
        "version": 1,
        "app_permissions": str(discord.Permissions.all_channel().value),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10_485_760,
        **extra,
    }


def sent_from(where: Mapping[str, Any] | None) -> dict[str, Any]:
    """The interaction fields that say which channel (or thread) it came from."""
    return {} if where is None else {"channel_id": str(where["id"]), "channel": dict(where)}


def in_dm(payload: dict[str, Any]) -> dict[str, Any]:
    """The same interaction sent from a direct message with the bot instead of a server."""
    user = payload.pop("member")["user"]
    for key in ("guild_id", "guild", "guild_locale"):
        payload.pop(key, None)
    channel = {"id": payload["channel_id"], "type": 1, "recipients": [user], "flags": 0}
    payload.update(user=user, channel=channel, context=1)
    payload["authorizing_integration_owners"] = {"1": user["id"]}
    return payload


def command_data(
    commands: Iterable[derived.AppCommand],
    path: tuple[str, ...],
    options: Mapping[str, Any],
    focused: str | None = None,
) -> dict[str, Any]:
    """The `data` of a chat-input interaction for the Discord command at `path`."""
    found = derived.find(list(commands), path)
    assert isinstance(found, app_commands.Command), f"no Discord command {path}"
    types = {p.display_name: OPTION_TYPES[p.type] for p in found.parameters}
    leaf: list[dict[str, Any]] = []
    for name, value in options.items():
        entry = {"name": name, "type": types[name], "value": value}
        if name == focused:
            entry["focused"] = True
        leaf.append(entry)
    level = leaf
    for depth in range(len(path) - 1, 0, -1):
        kind = 1 if depth == len(path) - 1 else 2
        level = [{"name": path[depth], "type": kind, "options": level}]
    return {"id": str(snowflake()), "name": path[0], "type": 1, "options": level}


def point_at(fake: FakeDiscord, monkeypatch: Any) -> None:
    """Send discord.py's REST calls and gateway connections to the fake."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway))


def waiting_forms(client: discord.Client) -> int:
    """How many modals discord.py keeps in memory waiting for a submission."""
    return len(client._connection._view_store._modals)


def dynamic_item_types(client: discord.Client) -> list[type[Any]]:
    """The DynamicItem classes registered for clicks on any message."""
    return list(client._connection._view_store._dynamic_items.values())


class Harness:
    """One Discord client on the fake, with helpers that type, click and autocomplete."""

    def __init__(self, fake: FakeDiscord, bot: Bot, **adapter_options: Any) -> None:
        self.fake = fake
        self.bot = bot
        self.timer = FakeTimer()  # coalesced edits wait until `settle` moves time
        adapter_options.setdefault("defer_after", 30.0)
        self.adapter = DiscordAdapter(bot, timer=self.timer, **adapter_options)
        self.client = OpedClient(self.adapter, intents=discord.Intents.none())

    async def start(self) -> Harness:
        await self.client.__aenter__()
        await self.client.login("test-token")
        return self

    async def close(self) -> None:
        await self.client.close()

    async def deliver(self, payload: dict[str, Any]) -> list[Call]:
        """Hand a raw INTERACTION_CREATE to discord.py and wait until it is fully handled."""
        mark = self.fake.mark()
        before = asyncio.all_tasks()
        self.client._connection.parse_interaction_create(payload)
        await drain(before)
        return self.fake.since(mark)

    async def slash(
        self,
        path: tuple[str, ...] | str,
        member: Member = MEMBER,
        where: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> list[Call]:
        """Invoke `/path` with options (by catalogue option name), in `where` if given."""
        words = tuple(path.split()) if isinstance(path, str) else path
        data = command_data(self.adapter.commands, words, options)
        return await self.deliver(interaction(2, data, member, **sent_from(where)))

    async def autocomplete(
        self,
        path: tuple[str, ...] | str,
        option: str,
        typed: str,
        member: Member = MEMBER,
        where: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """The choices discord.py sends back while `option` is being typed."""
        words = tuple(path.split()) if isinstance(path, str) else path
        data = command_data(self.adapter.commands, words, {option: typed}, focused=option)
        calls = await self.deliver(interaction(4, data, member, **sent_from(where)))
        answers = [c for c in calls if c.kind == 8]
        assert len(answers) == 1, calls
        return list(answers[0].body["data"]["choices"])

    async def click(
        self,
        message_id: int,
        custom_id: str,
        member: Member = MEMBER,
        where: Mapping[str, Any] | None = None,
    ) -> list[Call]:
        """Click a button on a message the fake holds (as Discord stored it)."""
        message = self.fake.messages[message_id]
        if where is not None:
            message = {**message, "channel_id": where["id"]}
        data = {"custom_id": custom_id, "component_type": 2}
        return await self.deliver(interaction(3, data, member, message=message, **sent_from(where)))

    async def submit_form(
        self, custom_id: str, fields: Mapping[str, str], member: Member = MEMBER
    ) -> list[Call]:
        """Submit a form (modal) with these text inputs, in Discord's label layout."""
        components = [
            {
                "type": 18,
                "id": n,
                "component": {"type": 4, "id": 100 + n, "custom_id": name, "value": value},
            }
            for n, (name, value) in enumerate(fields.items(), 1)
        ]
        data = {"custom_id": custom_id, "components": components}
        return await self.deliver(interaction(5, data, member))

    async def settle(self, seconds: float = 0.0) -> list[Call]:
        """Let `seconds` pass for coalesced edits and return what was sent meanwhile."""
        mark = self.fake.mark()
        before = asyncio.all_tasks()
        await self.timer.advance(seconds)
        await self.adapter.edits.settle()
        await drain(before)
        return self.fake.since(mark)


async def drain(before: set[asyncio.Task[Any]]) -> None:
    """Wait for every task started since `before` (and the ones those start) to finish."""
    current = asyncio.current_task()
    for _ in range(50):
        pending = [
            t for t in asyncio.all_tasks() if t not in before and t is not current and not t.done()
        ]
        if not pending:
            return
        await asyncio.wait(pending, timeout=10)
    raise AssertionError("tasks kept spawning")


def message_calls(calls: Iterable[Call]) -> list[Call]:
    return [c for c in calls if c.is_message]
