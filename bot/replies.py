"""The neutral reply: cards, buttons and files that each adapter renders in its own way.

A reply never carries platform markup. Text from users travels raw; each renderer escapes it and
fits it to its platform's limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "text", "quote", "claim", "counterpoint", "poll", "debate", "notice", "error", "help"
]
Style = Literal["primary", "secondary", "success", "danger"]


@dataclass(frozen=True)
class Field:
    """A named value shown beside or under a card's body."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Button:
    """A button whose `action` is an encoded command (see `bot.actions`)."""

    label: str
    action: str
    style: Style = "secondary"
    # Shown before the label, in the platform's own emoji slot where it has one.
    emoji: str | None = None
    # The channel the command runs in, for a button shown outside any channel (a home page);
    # None runs it where the button is, like every button on a message.
    channel: str | None = None

    @property
    def text(self) -> str:
        """The label with its emoji in front, for platforms without an emoji slot."""
        return f"{self.emoji} {self.label}" if self.emoji else self.label


@dataclass(frozen=True)
class Card:
    """One block of a reply. `kind` lets a renderer style it (quote bar, error colour...)."""

    kind: Kind
    body: str = ""
    title: str | None = None
    fields: tuple[Field, ...] = ()
    footer: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file sent with the reply (CSV exports, result charts)."""

    filename: str
    content: bytes
    mime: str = "text/csv"
    # What an image shows, for screen readers and wherever the image cannot be shown.
    alt_text: str | None = None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True)
class Pick:
    """One question of a `Form`: choose one of `choices`, each a (label, value) pair."""

    label: str
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Form:
    """A form a platform may open instead of showing the reply (a modal, say).

    Submitted, the values picked, in order, are appended to `command` (a command line in the
    shared text syntax), so the answer is just another command and nothing waits in memory.
    Platforms without forms show the reply's cards, which say what to type instead.
    """

    title: str
    command: str
    picks: tuple[Pick, ...]
    # How to type every answer in one line, for a platform that cannot show all the picks.
    hint: str = ""

    def line(self, values: tuple[str, ...]) -> str:
        """The command line a submission with these values runs."""
        return " ".join((self.command, *values))


@dataclass(frozen=True)
class Reply:
    """What the bot answers.

    `ephemeral` replies are shown only to the requester. `refresh` names cards (e.g. `poll:12`)
    whose public message should be redrawn; `track` names the card this reply posts, so the
    adapter can record the message it became. `thread` asks for a discussion thread of that name
    under the posted message. `form`, if set, is opened instead where the platform can.
    """

    cards: tuple[Card, ...]
    ephemeral: bool = False
    attachments: tuple[Attachment, ...] = ()
    refresh: tuple[str, ...] = ()
    track: str | None = None
    thread: str | None = None
    form: Form | None = None

    @property
    def is_error(self) -> bool:
        return any(card.kind == "error" for card in self.cards)


def text(body: str, title: str | None = None, *, ephemeral: bool = False) -> Reply:
    """A one-card plain reply."""
    return Reply((Card("text", body, title),), ephemeral=ephemeral)


def notice(body: str, title: str | None = None, *, ephemeral: bool = True) -> Reply:
    """A one-card notice, ephemeral by default."""
    return Reply((Card("notice", body, title),), ephemeral=ephemeral)


def error(body: str, title: str | None = None) -> Reply:
    """An ephemeral error naming what to change."""
    return Reply((Card("error", body, title),), ephemeral=True)
