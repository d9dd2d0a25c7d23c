"""Replies as Block Kit messages, within every Slack limit, with all user text escaped.

Markup is built raw (only `*`, `_`, backticks and `>` as formatting) and escaped once at the end,
so `<!channel>`, `<!here>` and `<@U123>` in any text reach Slack as `&lt;!channel&gt;` and never
ping. Lengths are measured after escaping, because that is what Slack counts.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby
from typing import Any

from bot.actions import command_line
from bot.limits import MARKER, MORE
from bot.replies import Attachment, Button, Card, Field, Reply

# Block Kit limits (docs.slack.dev block reference; PLATFORMS.md).
MAX_BLOCKS = 50
VIEW_BLOCKS_MAX = 100  # a home tab or a modal
MODAL_TITLE_MAX = 24
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_TEXT_MAX = 3000
# Slack accepts 40,000 characters of fallback text; notifications show far less.
FALLBACK_TEXT_MAX = 3000
# A response_url accepts five responses; more messages than that are cut with a marker.
RESPONSES_MAX = 5

Message = dict[str, Any]
Block = dict[str, Any]

_BUTTON_STYLES = {"primary": "primary", "success": "primary", "danger": "danger"}
_ICONS = {"error": ":warning: ", "notice": ":information_source: "}


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup (`&`, `<`, `>`), and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaped text (slash command text) back to what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def fit_escaped(text: str, limit: int) -> str:
    """`text` escaped and cut (with a visible marker) so the escaped form fits `limit`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    if limit < len(MARKER):
        return ""
    # Cutting happens on the raw text so an entity such as `&amp;` is never split.
    cut = text[: _fitting_prefix(text, limit - len(MARKER))]
    # Like bot.limits.fit: prefer a nearby word boundary so a cut reads as a cut.
    space = cut.rfind(" ")
    if space > len(cut) - 20 and space > 0:
        cut = cut[:space]
    return escape(cut.rstrip()) + MARKER


def split_escaped(text: str, limit: int) -> list[str]:
    """`text` escaped and split into pieces of at most `limit`, at line or word breaks."""
    pieces: list[str] = []
    rest = text
    while rest:
        if len(escape(rest)) <= limit:
            pieces.append(escape(rest))
            break
        size = max(1, _fitting_prefix(rest, limit))
        cut = rest.rfind("\n", 0, size)
        if cut < size // 2:
            cut = rest.rfind(" ", 0, size)
        if cut < size // 2:
            cut = size
        pieces.append(escape(rest[:cut].rstrip()))
        rest = rest[cut:].lstrip("\n")
        if rest.startswith(" ") and cut < size:
            rest = rest[1:]
    return [piece for piece in pieces if piece.strip()]


# How long each markup character becomes once escaped; every other character stays one.
_ESCAPED_WIDTH = {"&": 5, "<": 4, ">": 4}


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` once escaped."""
    head = text[: max(limit, 0)]
    # Every reply passes through here: without markup in reach the answer needs no walk.
    if "&" not in head and "<" not in head and ">" not in head:
        return len(head)
    used = 0
    for index, char in enumerate(text):
        used += _ESCAPED_WIDTH.get(char, 1)
        if used > limit:
            return index
    return len(text)


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object, escaped and fitted; never empty (Slack refuses empty text)."""
    return {"type": "plain_text", "text": fit_escaped(text, limit) or " ", "emoji": True}


def mrkdwn(escaped: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": escaped}


def card_blocks(card: Card) -> list[Block]:
    """One card as blocks: header, body sections, fields, footer context, button rows."""
    blocks: list[Block] = []
    prefix = _ICONS.get(card.kind, "")
    lead = ""
    if card.title and card.kind in ("error", "notice"):
        lead = f"{prefix}*{card.title}*\n"
    elif card.title:
        blocks.append({"type": "header", "text": plain(card.title, HEADER_TEXT_MAX)})
    body = card.body
    if card.kind == "quote" and body:
        body = "\n".join(f"> {line}" if line.strip() else ">" for line in body.splitlines())
    if not lead and prefix and body:
        lead = prefix
    text = lead + body
    blocks.extend(_section(piece) for piece in split_escaped(text.strip("\n"), SECTION_TEXT_MAX))
    blocks.extend(_field_blocks(card.fields))
    if card.footer:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(fit_escaped(card.footer, CONTEXT_TEXT_MAX))]}
        )
    blocks.extend(_button_blocks(card.buttons))
    return blocks


def _section(escaped: str) -> Block:
    return {"type": "section", "text": mrkdwn(escaped)}


def _field_blocks(fields: tuple[Field, ...]) -> list[Block]:
    blocks: list[Block] = []
    inline: list[dict[str, Any]] = []

    def flush() -> None:
        for start in range(0, len(inline), SECTION_FIELDS_MAX):
            blocks.append({"type": "section", "fields": inline[start : start + SECTION_FIELDS_MAX]})
        inline.clear()

    for field in fields:
        name = f"*{_one_line(field.name)}*\n"
        if field.inline:
            head = fit_escaped(name, FIELD_TEXT_MAX // 4)
            value = fit_escaped(field.value, FIELD_TEXT_MAX - len(head)) if field.value else ""
            inline.append(mrkdwn(head + value))
            continue
        flush()
        head = fit_escaped(name, HEADER_TEXT_MAX)
        pieces = split_escaped(field.value, SECTION_TEXT_MAX - len(head)) or [""]
        blocks.append(_section(head + pieces[0]))
        blocks.extend(_section(piece) for piece in pieces[1:])
    flush()
    return blocks


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "-"


def _button_blocks(buttons: tuple[Button, ...]) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(buttons), ACTIONS_ELEMENTS_MAX):
        elements: list[dict[str, Any]] = []
        seen: set[str] = set()
        for button in buttons[start : start + ACTIONS_ELEMENTS_MAX]:
            element = _button(button, seen)
            if element is not None:
                elements.append(element)
        if elements:
            blocks.append({"type": "actions", "elements": elements})
    return blocks


def _button(button: Button, seen: set[str]) -> dict[str, Any] | None:
    line = command_line(button.action)
    if line is None or len(line) > BUTTON_VALUE_MAX:
        return None
    # action_id must be unique within its block; the value carries the command line either way.
    action_id = button.action[:ACTION_ID_MAX]
    number = 2
    while action_id in seen:
        suffix = f"#{number}"
        action_id = button.action[: ACTION_ID_MAX - len(suffix)] + suffix
        number += 1
    seen.add(action_id)
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(button.text, BUTTON_TEXT_MAX),
        "action_id": action_id,
        "value": line,
    }
    style = _BUTTON_STYLES.get(button.style)
    if style:
        element["style"] = style
    return element


def fallback_text(cards: tuple[Card, ...] | list[Card]) -> str:
    """The `text` Slack shows in notifications and to screen readers, escaped and fitted."""
    for card in cards:
        parts = [part for part in (card.title, card.body) if part]
        if parts:
            return fit_escaped(" ".join(": ".join(parts).split()), FALLBACK_TEXT_MAX)
    return "oped-bot"


def attachment_blocks(attachment: Attachment) -> list[Block]:
    """A file shown inline as code blocks, for when an upload is refused.

    An image's bytes would read as noise: what it shows (its alt text) is shown instead.
    """
    if attachment.is_image:
        title = f"*{attachment.filename}* (the image upload failed; here is what it shows)"
        blocks = [_section(fit_escaped(title, SECTION_TEXT_MAX))]
        described = attachment.alt_text or "(no description)"
        blocks.extend(_section(piece) for piece in split_escaped(described, SECTION_TEXT_MAX))
        return blocks
    content = attachment.content.decode("utf-8", errors="replace").rstrip()
    title = f"*{attachment.filename}* (the file upload failed; here is its content)"
    blocks = [_section(fit_escaped(title, SECTION_TEXT_MAX))]
    fence = "```"
    for piece in split_escaped(content, SECTION_TEXT_MAX - 2 * len(fence) - 2):
        blocks.append(_section(f"{fence}\n{piece}\n{fence}"))
    return blocks


def render_messages(reply: Reply, extra: list[Block] | None = None) -> list[Message]:
    """A reply as one or more messages of at most 50 blocks each, each with fallback text."""
    pairs: list[tuple[Card | None, Block]] = [
        (card, block) for card in reply.cards for block in card_blocks(card)
    ]
    pairs.extend((None, block) for block in extra or [])
    if not pairs:
        return [{"text": fallback_text(reply.cards), "blocks": []}]
    messages: list[Message] = []
    for start in range(0, len(pairs), MAX_BLOCKS):
        chunk = pairs[start : start + MAX_BLOCKS]
        cards = [card for card, _ in chunk if card is not None] or list(reply.cards)
        messages.append(
            {"text": fallback_text(cards), "blocks": [block for _, block in chunk]},
        )
    return messages


def render_one(reply: Reply) -> Message:
    """A reply as exactly one message, cut with a visible marker if it needs more blocks."""
    pairs = [block for card in reply.cards for block in card_blocks(card)]
    if len(pairs) > MAX_BLOCKS:
        pairs = [*pairs[: MAX_BLOCKS - 1], _truncated_marker()]
    return {"text": fallback_text(reply.cards), "blocks": pairs}


def cap(messages: list[Message], limit: int = RESPONSES_MAX) -> list[Message]:
    """At most `limit` messages; the last one kept says that the rest was cut."""
    if len(messages) <= limit:
        return messages
    kept = messages[:limit]
    last = dict(kept[-1])
    blocks = list(last["blocks"])
    last["blocks"] = [*blocks[: MAX_BLOCKS - 1], _truncated_marker()]
    return [*kept[:-1], last]


def _truncated_marker() -> Block:
    return {"type": "context", "elements": [mrkdwn(escape(MARKER + MORE))]}


# A home tab has no channel: a button there names the one its command runs in in its block_id.
HOME_BLOCK = "oped-home:"


def home_view(reply: Reply) -> dict[str, Any]:
    """A reply as an App Home view of at most 100 blocks, cut with a visible marker."""
    blocks: list[Block] = []
    for card in reply.cards:
        blocks.extend(card_blocks(replace(card, buttons=())))
        for channel, group in groupby(card.buttons, key=lambda button: button.channel or ""):
            for block in _button_blocks(tuple(group)):
                # Numbered, as block_ids must be unique within a view.
                block["block_id"] = f"{HOME_BLOCK}{channel}:{len(blocks)}"
                blocks.append(block)
    return {"type": "home", "blocks": _fit_view(blocks)}


def home_channel(block_id: str) -> str | None:
    """The channel a home tab's button runs its command in, or None if it is not one."""
    if not block_id.startswith(HOME_BLOCK):
        return None
    return block_id[len(HOME_BLOCK) :].partition(":")[0] or None


def modal_view(reply: Reply, title: str = "oped-bot") -> dict[str, Any]:
    """A reply shown in a modal: a home tab's button has no channel to answer in privately.

    Buttons are left out: in a modal they would have no channel to run in either.
    """
    blocks = [block for card in reply.cards for block in card_blocks(replace(card, buttons=()))]
    return {
        "type": "modal",
        "title": plain(title, MODAL_TITLE_MAX),
        "close": plain("Close", MODAL_TITLE_MAX),
        "blocks": _fit_view(blocks or [_section(" ")]),
    }


def _fit_view(blocks: list[Block]) -> list[Block]:
    if len(blocks) <= VIEW_BLOCKS_MAX:
        return blocks
    return [*blocks[: VIEW_BLOCKS_MAX - 1], _truncated_marker()]
