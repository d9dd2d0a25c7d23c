"""Render neutral replies as Discord messages that respect every Discord limit.

A reply becomes one or more `Outgoing` messages: embeds (one card may span several), buttons in
rows of five and files. Nothing here talks to Discord, so the limits can be tested exhaustively.
User text is never trusted to stay silent: mentions are defused here as well as by the
client-wide `allowed_mentions`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import discord

from bot.limits import MARKER, fit
from bot.replies import Attachment, Button, Card, Kind, Reply

log = logging.getLogger(__name__)

# Discord's limits (discord-api-docs, checked against discord.py 2.7.1, which does not enforce
# most of them: a breach is a 400 from Discord).
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000  # per message, all embeds together
ROWS_MAX = 5
BUTTONS_PER_ROW = 5
BUTTONS_PER_MESSAGE = ROWS_MAX * BUTTONS_PER_ROW
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
FILES_PER_MESSAGE = 10
THREAD_NAME_MAX = 100
ATTACHMENT_DESCRIPTION_MAX = 1024  # an attachment's alt text
# A reply longer than this many messages is cut: a wall of messages helps nobody.
MESSAGES_MAX = 5

BLANK = "\u200b"  # Discord rejects empty field names and values
CUT_NOTE = f"{MARKER} (cut to fit Discord; the console and `help` show the rest)"
MORE_BUTTONS = "More choices:"

COLOURS: dict[Kind, int] = {
    "text": 0x5865F2,
    "help": 0x5865F2,
    "quote": 0x95A5A6,
    "claim": 0xE67E22,
    "counterpoint": 0x3498DB,
    "poll": 0x2ECC71,
    "debate": 0x9B59B6,
    "notice": 0xF1C40F,
    "error": 0xE74C3C,
}
STYLES: dict[str, discord.ButtonStyle] = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


@dataclass
class Outgoing:
    """One Discord message about to be sent or used as an edit."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)

    @property
    def embed_total(self) -> int:
        return sum(len(embed) for embed in self.embeds)

    def discord_files(self) -> list[discord.File]:
        """Fresh `discord.File` objects (a File can be sent only once), images with alt text."""
        return [
            discord.File(
                io.BytesIO(a.content),
                filename=a.filename,
                description=fit(a.alt_text, ATTACHMENT_DESCRIPTION_MAX) if a.alt_text else None,
            )
            for a in self.files
        ]

    def show_images(self) -> None:
        """Show each image file as the image of an embed of this message, in order.

        An image only attached sits under the message as a file; as an embed's image it is shown
        with the card it belongs to.
        """
        free = [embed for embed in self.embeds if embed.image.url is None]
        for attachment, embed in zip((a for a in self.files if a.is_image), free, strict=False):
            embed.set_image(url=f"attachment://{attachment.filename}")


def neutral(text: str) -> str:
    """Defuse @everyone, @here and user or role mentions in user-provided text."""
    return discord.utils.escape_mentions(text)


def thread_name(name: str) -> str:
    """A thread name Discord accepts (1-100 characters, one line)."""
    cleaned = " ".join(neutral(name).split())
    return fit(cleaned or "Discussion", THREAD_NAME_MAX)


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, at a line or word break if near."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _body(card: Card) -> str:
    body = neutral(card.body)
    if card.kind == "quote" and body:
        body = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
    return body


def card_embeds(card: Card) -> list[discord.Embed]:
    """A card as one embed, or several when its body or fields exceed one embed's limits."""
    colour = COLOURS.get(card.kind, COLOURS["text"])
    title = fit(neutral(card.title), EMBED_TITLE_MAX) if card.title else None
    embeds: list[discord.Embed] = []
    for index, chunk in enumerate(split_text(_body(card), EMBED_DESCRIPTION_MAX)):
        embeds.append(
            discord.Embed(
                colour=colour, title=title if index == 0 else None, description=chunk or None
            )
        )
    for item in card.fields:
        name = fit(neutral(item.name).strip() or BLANK, FIELD_NAME_MAX)
        value = fit(neutral(item.value).strip() or BLANK, FIELD_VALUE_MAX)
        last = embeds[-1]
        if (
            len(last.fields) >= EMBED_FIELDS_MAX
            or len(last) + len(name) + len(value) > EMBED_TOTAL_MAX
        ):
            last = discord.Embed(colour=colour)
            embeds.append(last)
        last.add_field(name=name, value=value, inline=item.inline)
    if card.footer:
        footer = fit(neutral(card.footer), FOOTER_MAX)
        last = embeds[-1]
        if len(last) + len(footer) > EMBED_TOTAL_MAX:
            last = discord.Embed(colour=colour)
            embeds.append(last)
        last.set_footer(text=footer)
    for embed in embeds:
        if not (embed.title or embed.description or embed.fields or embed.footer.text):
            embed.description = BLANK
    return embeds


def usable(buttons: Iterable[Button]) -> list[Button]:
    """Buttons Discord accepts: a custom id of 1-100 characters, each id once per message."""
    seen: set[str] = set()
    kept: list[Button] = []
    for button in buttons:
        if not 0 < len(button.action) <= CUSTOM_ID_MAX:
            log.warning("button dropped: action too long", extra={"action": button.action[:120]})
            continue
        if button.action in seen:
            continue
        seen.add(button.action)
        kept.append(button)
    return kept


def button_label(button: Button) -> str:
    return fit(button.label.strip() or MARKER, BUTTON_LABEL_MAX)


def render(reply: Reply) -> list[Outgoing]:
    """The messages a reply becomes, each within every Discord limit."""
    messages: list[Outgoing] = [Outgoing()]
    for card in reply.cards:
        for embed in card_embeds(card):
            current = messages[-1]
            if (
                len(current.embeds) >= EMBEDS_PER_MESSAGE
                or current.embed_total + len(embed) > EMBED_TOTAL_MAX
            ):
                messages.append(Outgoing())
            messages[-1].embeds.append(embed)
        _place_buttons(messages, usable(card.buttons))
    files = list(reply.attachments)
    for index in range(0, len(files), FILES_PER_MESSAGE):
        chunk = files[index : index + FILES_PER_MESSAGE]
        if index == 0:
            messages[0].files.extend(chunk)
        else:
            messages.append(Outgoing(files=chunk))
    for message in messages:
        message.show_images()
    if not messages[0].embeds and not messages[0].files and not messages[0].buttons:
        messages[0].embeds.append(discord.Embed(description=BLANK))
    if len(messages) > MESSAGES_MAX:
        messages = messages[:MESSAGES_MAX]
        messages[-1].content = CUT_NOTE
    return messages


def _place_buttons(messages: list[Outgoing], buttons: list[Button]) -> None:
    current = messages[-1]
    taken = {button.action for button in current.buttons}
    for button in buttons:
        if button.action in taken:
            continue
        if len(current.buttons) >= BUTTONS_PER_MESSAGE:
            # Overflow buttons still work anywhere: each carries its whole command.
            current = Outgoing(content=MORE_BUTTONS)
            messages.append(current)
            taken = set()
        current.buttons.append(button)
        taken.add(button.action)


def render_one(reply: Reply) -> Outgoing:
    """A reply squeezed into one message, for edits; what does not fit is cut with a marker."""
    messages = render(reply)
    first = messages[0]
    if len(messages) > 1:
        first.content = CUT_NOTE
        overflow = usable([*first.buttons, *(b for m in messages[1:] for b in m.buttons)])
        first.buttons = overflow[:BUTTONS_PER_MESSAGE]
    return first
