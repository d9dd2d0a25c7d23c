"""One driver per platform: run a neutral step, report what the platform showed as `Seen`.

Each drives the real thing: the test platform, a console session, discord.py against the fake
Discord, and Bolt against the fake Slack. Time moves the same way for all: the clock for
deadlines and schedules, the injected timer for coalesced redraws.
"""

from __future__ import annotations

import re
import zlib
from datetime import timedelta
from typing import Any, Protocol

from adapters.console import ConsolePoster, ConsoleSession
from adapters.memory import MemoryPlatform, Sent
from bot.app import Bot
from bot.clock import FakeClock
from bot.coalesce import FakeTimer
from bot.deadlines import close_due
from bot.scheduler import Scheduler
from bot.textparse import parse
from tests.adapters.discord.discord_harness import (
    MEMBER,
    MODERATOR,
    Call,
    Harness,
    Member,
    command_data,
    interaction,
)
from tests.adapters.slack.slackfake import FakeSlack, SlackRig, buttons, shown_text
from tests.conformance.scenarios import Kind, Seen


class Driver(Protocol):
    """What the scenario runner needs from a platform."""

    async def say(self, line: str, user: str, moderator: bool) -> list[Seen]: ...

    async def click(self, seen: Seen, label: str, user: str) -> list[Seen]: ...

    async def wait(self, seconds: float) -> list[Seen]: ...


async def let_time_pass(bot: Bot, seconds: float) -> None:
    """Move the clock, then close due polls and post due schedules as the running bot would."""
    clock = bot.services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(seconds=seconds))
    await close_due(bot.services, clock.now())
    await Scheduler(bot.services, bot.catalogue).tick(clock.now())


# The test platform ---------------------------------------------------------------------------

_MEMORY_KINDS: dict[str, Kind] = {
    "message": "public",
    "private": "private",
    "edit": "edit",
    "thread": "thread",
    "file": "private",
}


class MemoryDriver:
    """The in-memory test platform, as a test uses it."""

    def __init__(self, bot: Bot) -> None:
        self.platform = MemoryPlatform(bot)

    async def say(self, line: str, user: str, moderator: bool) -> list[Seen]:
        return [
            self._seen(s) for s in await self.platform.say(line, user=user, moderator=moderator)
        ]

    async def click(self, seen: Seen, label: str, user: str) -> list[Seen]:
        sent = await self.platform.click(label, user=user, on=seen.message)
        return [self._seen(s) for s in sent]

    async def wait(self, seconds: float) -> list[Seen]:
        return [self._seen(s) for s in await self.platform.advance(seconds)]

    @staticmethod
    def _seen(sent: Sent) -> Seen:
        labels = tuple(button.label for button in sent.buttons)
        return Seen(_MEMORY_KINDS[sent.kind], sent.text, sent.message_id, labels)


# The console ---------------------------------------------------------------------------------

_BUTTON = re.compile(r"^  \[\d+\] (?P<label>.+?)    \(type: (?P<line>.+)\)$", re.MULTILINE)
_HEADER = re.compile(
    r"^\[(?:posted in #\S+ as (?P<posted>\S+)|(?P<edited>\S+) in #\S+ now reads)\]"
)
_THREAD = re.compile(r"\(a discussion thread opens: (?P<name>.+)\)")


class ConsoleDriver:
    """A console session; what `oped-bot run` prints for posts and redraws is read back too."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.printed: list[str] = []
        self.timer = FakeTimer()
        poster = ConsolePoster(self.printed.append)
        bot.services.delivery.attach("console", poster, timer=self.timer)
        self.session = ConsoleSession(bot, poster=poster)

    async def say(self, line: str, user: str, moderator: bool) -> list[Seen]:
        await self.session.send(f":user {user}")
        await self.session.send(":mod on" if moderator else ":mod off")
        return await self._shown(await self.session.send(line))

    async def click(self, seen: Seen, label: str, user: str) -> list[Seen]:
        await self.session.send(f":user {user}")
        await self.session.send(":mod off")
        lines = {m["label"]: m["line"] for m in _BUTTON.finditer(seen.text)}
        shown = await self.session.press(lines[label], seen.message)
        return await self._shown(shown)

    async def wait(self, seconds: float) -> list[Seen]:
        await let_time_pass(self.bot, seconds)
        await self.timer.advance(seconds)
        return await self._shown("")

    async def _shown(self, answer: str) -> list[Seen]:
        await self.timer.advance(0)
        await self.bot.services.delivery.settle("console")
        seen = [self._read(answer, self.session.last_posted)] if answer else []
        self.session.last_posted = None
        for text in self.printed:
            header = _HEADER.match(text)
            assert header, text
            kind: Kind = "public" if header["posted"] else "edit"
            seen.append(self._read(text, header["posted"] or header["edited"], kind))
        self.printed.clear()
        return seen + self.threads(seen)

    @staticmethod
    def _read(text: str, message: str | None, kind: Kind | None = None) -> Seen:
        private = "(only you can see this)" in text
        labels = tuple(m["label"] for m in _BUTTON.finditer(text))
        found = kind or ("private" if private else "public")
        return Seen(found, text, message or "", labels)

    def threads(self, seen: list[Seen]) -> list[Seen]:
        """The console prints a thread as a line of the post it opens under."""
        return [
            Seen("thread", m["name"], s.message)
            for s in seen
            if s.kind == "public"
            for m in _THREAD.finditer(s.text)
        ]


# Slack ---------------------------------------------------------------------------------------

SLACK_USERS = {"ana": "U0ANA", "bo": "U0BO", "cy": "U0CY", "di": "U0DI"}


class SlackDriver:
    """Bolt on an AsyncApp served over HTTP, against the fake Slack."""

    def __init__(self, bot: Bot, fake: FakeSlack, rig: SlackRig) -> None:
        self.bot = bot
        self.fake = fake
        self.rig = rig

    async def say(self, line: str, user: str, moderator: bool) -> list[Seen]:
        who = SLACK_USERS[user]
        (self.fake.admins.add if moderator else self.fake.admins.discard)(who)
        mark = len(self.fake.calls)
        await self.rig.command(line, user=who, name=user)
        return self._since(mark)

    async def click(self, seen: Seen, label: str, user: str) -> list[Seen]:
        who = SLACK_USERS[user]
        self.fake.admins.discard(who)
        button = next(b for b in self._buttons(seen) if b["text"]["text"] == label)
        mark = len(self.fake.calls)
        await self.rig.click(
            button["action_id"], button.get("value"), message_ts=seen.message, user=who
        )
        return self._since(mark)

    async def wait(self, seconds: float) -> list[Seen]:
        mark = len(self.fake.calls)
        await let_time_pass(self.bot, seconds)
        await self.rig.timer.advance(seconds)
        await self.rig.adapter.drain()
        return self._since(mark)

    def _buttons(self, seen: Seen) -> list[dict[str, Any]]:
        for call in reversed(self.fake.calls):
            ts = self._ts(call)
            if call.method in ("chat.postMessage", "chat.update") and ts == seen.message:
                return buttons(call.args)
        return []

    def _ts(self, call: Call | Any) -> str:
        if call.method == "chat.update":
            return str(call.args.get("ts", ""))
        posts = [c for c in self.fake.calls if c.method == "chat.postMessage"]
        return f"1700000000.{posts.index(call) + 1:06d}" if call in posts else ""

    def _since(self, mark: int) -> list[Seen]:
        seen: list[Seen] = []
        for call in self.fake.calls[mark:]:
            kind: Kind | None = None
            if call.method == "chat.postMessage":
                kind = "thread" if call.args.get("thread_ts") else "public"
            elif call.method == "chat.update":
                kind = "edit"
            elif call.method == "chat.postEphemeral":
                kind = "private"
            elif call.method in ("response_url", "ack"):  # a reply carried in the ack, or after
                private = call.args.get("response_type") == "ephemeral"
                kind = "private" if private else "public"
            if kind is None:
                continue
            labels = tuple(str(b["text"]["text"]) for b in buttons(call.args))
            seen.append(Seen(kind, shown_text(call.args), self._ts(call), labels))
        return seen


# Discord -------------------------------------------------------------------------------------


def discord_member(user: str, moderator: bool) -> Member:
    """A server member for a scenario's user name; a moderator has Manage Server."""
    if moderator:
        return Member(
            id=MODERATOR.id + zlib.crc32(user.encode()),
            name=user,
            permissions=MODERATOR.permissions,
        )
    return Member(id=MEMBER.id + zlib.crc32(user.encode()), name=user)


class DiscordDriver:
    """discord.py's client on the fake Discord: slash commands and button clicks."""

    def __init__(self, bot: Bot, harness: Harness) -> None:
        self.bot = bot
        self.harness = harness

    async def say(self, line: str, user: str, moderator: bool) -> list[Seen]:
        command, raw = parse(line, self.bot.catalogue)
        options = {
            name: " | ".join(value) if isinstance(value, tuple) else value
            for name, value in raw.items()
            if value is not None
        }
        data = command_data(self.harness.adapter.commands, command.path, options)
        calls = await self.harness.deliver(interaction(2, data, discord_member(user, moderator)))
        # Redraws due now go out on the loop's next turn, as on a real platform.
        return self._seen(calls + await self.harness.settle())

    async def click(self, seen: Seen, label: str, user: str) -> list[Seen]:
        message = self.harness.fake.messages[int(seen.message)]
        components = [c for row in message.get("components") or [] for c in row["components"]]
        button = next(c for c in components if c.get("label") == label)
        calls = await self.harness.click(
            int(seen.message), button["custom_id"], discord_member(user, False)
        )
        return self._seen(calls + await self.harness.settle())

    async def wait(self, seconds: float) -> list[Seen]:
        mark = self.harness.fake.mark()
        await let_time_pass(self.bot, seconds)
        await self.harness.settle(seconds)
        return self._seen(self.harness.fake.since(mark))

    @staticmethod
    def _seen(calls: list[Call]) -> list[Seen]:
        seen: list[Seen] = []
        for call in calls:
            if call.path.endswith("/threads"):
                seen.append(Seen("thread", str((call.body or {}).get("name", "")), ""))
                continue
            if not call.is_message:
                continue
            if call.method == "PATCH" and call.path.startswith("/channels/"):
                kind: Kind = "edit"
            else:
                kind = "private" if call.ephemeral else "public"
            labels = tuple(str(b.get("label", "")) for b in call.buttons)
            seen.append(Seen(kind, call.text, str(call.message_id), labels))
        return seen
