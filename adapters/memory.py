"""The test platform: the whole bot in memory, every outgoing message, edit, thread and file kept.

In the spirit of errbot's test backend: `say` a line as someone, `click` a button on what was
shown, `advance` the clock (deadlines, schedules and coalesced redraws follow), then `pop` what
the platform was asked to show. It goes through the same `bot.delivery` as every platform, so a
scenario written against it holds for the others (the conformance suite checks that it does).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from adapters.console import render
from bot.actions import command_line
from bot.app import Bot
from bot.clock import FakeClock
from bot.coalesce import FakeTimer
from bot.deadlines import close_due
from bot.delivery import EDIT_INTERVAL
from bot.models import Place, User
from bot.replies import Button, Reply
from bot.scheduler import Scheduler

NAME = "memory"

Kind = Literal["message", "private", "edit", "thread", "file"]


@dataclass(frozen=True)
class Sent:
    """One thing the platform was asked to show, as a person would read it."""

    kind: Kind
    place: Place
    message_id: str  # the message posted, edited or threaded; "" for a private answer
    text: str
    buttons: tuple[Button, ...] = ()
    to: str | None = None  # the one person a private answer or file is for


class MemoryPoster:
    """The `Poster` port: posts, edits and threads are recorded, numbered m1, m2..."""

    def __init__(self, sent: list[Sent]) -> None:
        self.sent = sent
        self._count = 0

    async def post(self, place: Place, reply: Reply) -> str:
        """Record `reply` as a message in `place` (and its files); return its id."""
        self._count += 1
        message_id = f"m{self._count}"
        self.sent.append(Sent("message", place, message_id, render(reply), _buttons(reply)))
        self.sent.extend(_files(reply, place, message_id, None))
        return message_id

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        """Record a redraw of an earlier message."""
        self.sent.append(Sent("edit", place, message_id, render(reply), _buttons(reply)))

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        """Record a thread opened under a message."""
        self.sent.append(Sent("thread", place, message_id, name))


class MemoryGroups:
    """The `Groups` port: roles come with each request; channel members are what a test sets."""

    knows_members = True

    def __init__(self) -> None:
        self.members: set[str] | None = None  # None: everyone is a member of the channel

    async def role_names(self, place: Place, ids: Collection[str]) -> dict[str, str]:
        """Roles are typed as names here, so there is nothing to look up."""
        return {}

    async def find_roles(self, place: Place, names: Collection[str]) -> dict[str, tuple[str, str]]:
        """Nothing to find: the plug-in reads typed names already."""
        return {}

    async def member_roles(
        self, place: Place, user_id: str, among: frozenset[str]
    ) -> frozenset[str]:
        """Nothing beyond the roles each request carries."""
        return frozenset()

    async def in_channel(self, place: Place, user_id: str) -> bool:
        """Whether the test made `user_id` a member of the channel (everyone, unless it did)."""
        return self.members is None or user_id in self.members


class MemoryResponder:
    """The `Responder` for one request: private answers go to the requester alone."""

    def __init__(self, poster: MemoryPoster, place: Place, user: User) -> None:
        self.poster = poster
        self.place = place
        self.user = user

    async def private(self, reply: Reply) -> None:
        """Record an answer only `user` sees."""
        sent = self.poster.sent
        sent.append(Sent("private", self.place, "", render(reply), _buttons(reply), self.user.id))
        sent.extend(_files(reply, self.place, "", self.user.id))

    async def public(self, reply: Reply) -> str | None:
        """Post the answer in the channel."""
        return await self.poster.post(self.place, reply)


class MemoryPlatform:
    """One in-memory workspace with one channel, driven by a test."""

    def __init__(
        self,
        bot: Bot,
        *,
        channel: str = "general",
        interval: float = EDIT_INTERVAL,
    ) -> None:
        clock = bot.services.clock
        if not isinstance(clock, FakeClock):
            raise TypeError("The test platform moves time itself: give the bot a FakeClock.")
        self.bot = bot
        self.clock = clock
        self.place = Place(NAME, "local", channel)
        self.timer = FakeTimer()
        self.sent: list[Sent] = []
        self.poster = MemoryPoster(self.sent)
        self.groups = MemoryGroups()
        self._read = 0
        bot.services.delivery.attach(NAME, self.poster, interval=interval, timer=self.timer)
        bot.services.groups[NAME] = self.groups

    async def say(
        self, line: str, *, user: str = "ana", moderator: bool = False, roles: Iterable[str] = ()
    ) -> list[Sent]:
        """Type `line` as `user` (with these role names); what was shown because of it."""
        mark = len(self.sent)  # a command may post, too (`admin schedule run`)
        who = User(user, user, is_moderator=moderator, roles=_roles(roles))
        reply = await self.bot.handle_text(line, self.place, who)
        await self._answer(reply, who)
        return self.sent[mark:]

    async def click(
        self,
        label: str,
        *,
        user: str = "ana",
        moderator: bool = False,
        on: str | None = None,
        roles: Iterable[str] = (),
    ) -> list[Sent]:
        """Click the button `label` on message `on` (else the latest message that has one)."""
        message_id, button = self._button(label, on)
        mark = len(self.sent)
        who = User(user, user, is_moderator=moderator, roles=_roles(roles))
        line = command_line(button.action) or ""
        reply = await self.bot.handle_text(line, self.place, who)
        await self._answer(reply, who, clicked=message_id)
        return self.sent[mark:]

    async def advance(self, seconds: float) -> list[Sent]:
        """Let time pass: deadlines close, schedules post, waiting redraws go out."""
        mark = len(self.sent)
        self.clock.advance(timedelta(seconds=seconds))
        now = self.clock.now()
        services = self.bot.services
        if services.store is not None:
            await close_due(services, now)
            await Scheduler(services, self.bot.catalogue).tick(now)
        await self.timer.advance(seconds)
        await services.delivery.settle(NAME)
        return self.sent[mark:]

    def pop(self) -> Sent:
        """The oldest thing shown that the test has not read yet."""
        if self._read >= len(self.sent):
            raise LookupError("Nothing more was shown.")
        self._read += 1
        return self.sent[self._read - 1]

    def pop_all(self) -> list[Sent]:
        """Everything shown that the test has not read yet."""
        unread, self._read = self.sent[self._read :], len(self.sent)
        return unread

    async def _answer(self, reply: Reply, who: User, clicked: str | None = None) -> None:
        responder = MemoryResponder(self.poster, self.place, who)
        delivery = self.bot.services.delivery
        await delivery.answer(
            reply, self.place, responder, button=clicked is not None, clicked=clicked
        )
        # Redraws due now go out on the loop's next turn, as on a real platform.
        await self.timer.advance(0)
        await delivery.settle(NAME)

    def _button(self, label: str, on: str | None) -> tuple[str, Button]:
        for sent in reversed(self.sent):
            if sent.kind not in ("message", "edit") or (on is not None and sent.message_id != on):
                continue
            for button in sent.buttons:
                if button.label == label:
                    return sent.message_id, button
            if on is not None:
                break  # the latest state of that message has no such button
        where = f"message {on}" if on else "any message"
        raise LookupError(f"No button {label!r} on {where}.")


def _roles(names: Iterable[str]) -> frozenset[str]:
    """Role names as this platform's ids: typed names, case folded (see `typed_name`)."""
    return frozenset(name.removeprefix("@").casefold() for name in names)


def _buttons(reply: Reply) -> tuple[Button, ...]:
    return tuple(button for card in reply.cards for button in card.buttons)


def _files(reply: Reply, place: Place, message_id: str, to: str | None) -> Iterable[Sent]:
    for attachment in reply.attachments:
        # An image is told by what it shows: its bytes would read as noise.
        shown = attachment.alt_text if attachment.is_image else None
        text = f"{attachment.filename}\n{shown or attachment.content.decode('utf-8', 'replace')}"
        yield Sent("file", place, message_id, text, to=to)
