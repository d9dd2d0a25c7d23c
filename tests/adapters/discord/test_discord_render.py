"""The renderer against every Discord limit, with content far beyond them."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from adapters.discord import render as r
from adapters.discord.views import make_view
from bot.catalogue import Args, Catalogue, Command
from bot.context import Context
from bot.limits import MARKER
from bot.replies import Attachment, Button, Card, Field, Reply
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import limit_violations, message_calls

LONG = " ".join(f"word{n}" for n in range(5000))  # ~40,000 characters


def payload(outgoing: r.Outgoing) -> dict[str, Any]:
    """The message body discord.py would send for `outgoing`."""
    view = make_view(outgoing.buttons)
    return {
        "content": outgoing.content,
        "embeds": [e.to_dict() for e in outgoing.embeds],
        "components": view.to_components() if view else [],
    }


def monster() -> Reply:
    """Everything too long or too many at once."""
    fields = tuple(Field("n" * 300 + str(i), "v" * 3000, inline=i % 2 == 0) for i in range(60))
    buttons = tuple(Button("L" * 200 + str(i), f"oped:poll vote 1 {i}") for i in range(40))
    cards = (
        Card("text", LONG, title="T" * 1000, footer="F" * 5000),
        Card("claim", "short", title="fields", fields=fields, buttons=buttons),
        Card("quote", "line one\n\nline two " * 300, footer="speaker"),
        *(Card("notice", f"card {n} " + "x" * 3000) for n in range(15)),
        Card("text", ""),
    )
    files = tuple(Attachment(f"f{n}.csv", b"a,b\n") for n in range(12))
    return Reply(cards, attachments=files)


REPLIES = {
    "monster": monster(),
    "empty": Reply(()),
    "blank card": Reply((Card("text"),)),
    "only fields": Reply((Card("text", fields=(Field("", ""),)),)),
    "one field too long": Reply((Card("text", "x", fields=(Field("a", "b" * 5000),)),)),
    "duplicate buttons": Reply(
        (
            Card("poll", "a", buttons=(Button("A", "oped:x"), Button("B", "oped:x"))),
            Card("poll", "b", buttons=(Button("C", "oped:x"), Button("", "oped:y"))),
        )
    ),
    "bad button id": Reply((Card("poll", "a", buttons=(Button("A", "oped:" + "9" * 200),)),)),
    "mentions": Reply((Card("text", "@everyone <@&12345678901234567> @here", title="@here"),)),
}


@pytest.mark.parametrize("name", list(REPLIES))
async def test_every_message_fits_discord(name: str) -> None:
    reply = REPLIES[name]
    messages = r.render(reply)
    assert 1 <= len(messages) <= r.MESSAGES_MAX
    for outgoing in [*messages, r.render_one(reply)]:
        assert limit_violations(payload(outgoing)) == []
        assert len(outgoing.files) <= r.FILES_PER_MESSAGE
        view = make_view(outgoing.buttons)
        assert view is None or len(view.to_components()) <= r.ROWS_MAX


async def test_long_content_is_split_or_cut_visibly() -> None:
    messages = r.render(monster())
    first = messages[0]
    assert first.embeds[0].title is not None and first.embeds[0].title.endswith(MARKER)
    medium = " ".join(f"word{n}" for n in range(2000))  # ~15,000 characters
    parts = r.render(Reply((Card("text", medium),)))
    assert len(parts) == 4  # an embed holds 4096 and a message 6000: split, not cut
    assert " ".join(e.description or "" for m in parts for e in m.embeds).split() == medium.split()
    (cut,) = r.render(REPLIES["one field too long"])
    value = cut.embeds[0].fields[0].value
    assert value is not None and len(value) == r.FIELD_VALUE_MAX and value.endswith(MARKER)
    assert messages[-1].content == r.CUT_NOTE  # more than five messages' worth: cut, visibly


async def test_buttons_overflow_into_a_second_message() -> None:
    reply = Reply(
        (Card("poll", "q", buttons=tuple(Button(f"{i}", f"oped:v {i}") for i in range(40))),)
    )
    first, second = r.render(reply)
    assert len(first.buttons) == 25
    assert second.content == r.MORE_BUTTONS and len(second.buttons) == 15
    one = r.render_one(reply)
    assert len(one.buttons) == 25


async def test_defused_mentions_and_quote_bars() -> None:
    (out,) = r.render(REPLIES["mentions"])
    text = payload(out)["embeds"][0]["description"]
    assert "@everyone" not in text and "@\u200beveryone" in text
    assert "<@&12345678901234567>" not in text
    (quote,) = r.render(Reply((Card("quote", "one\ntwo"),)))
    assert quote.embeds[0].description == "> one\n> two"


def test_split_text_keeps_every_word_in_order() -> None:
    pieces = r.split_text(LONG, 4096)
    assert all(len(p) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == LONG.split()
    assert r.split_text("", 10) == [""]
    assert r.split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_thread_names_fit() -> None:
    assert r.thread_name("a\n" * 200).startswith("a a")
    assert len(r.thread_name("word " * 100)) <= 100
    assert r.thread_name("   ") == "Discussion"
    assert "@everyone" not in r.thread_name("@everyone talk")


async def test_a_huge_reply_reaches_discord_in_valid_messages(start_bot: StartBot) -> None:
    async def huge(ctx: Context, args: Args) -> Reply:
        return monster()

    harness = await start_bot(catalogue=Catalogue([Command(("huge",), "Too much.", huge)]))
    calls = await harness.slash("huge")
    sent = message_calls(calls)
    assert sent[0].kind == 4
    assert [c.method for c in sent[1:]] == ["POST"] * (len(sent) - 1)  # follow-ups
    assert len(sent) == r.MESSAGES_MAX
    assert sum(len(c.files) for c in sent) == 10  # files beyond the cut are not sent
    # the fake answered 400 to anything over a limit; the fixture asserts there was none
    for call in sent:
        assert call.message["allowed_mentions"] == {"parse": []}


def test_colours_by_kind() -> None:
    for kind, colour in r.COLOURS.items():
        (out,) = r.render(Reply((Card(kind, "x"),)))  # type: ignore[arg-type]
        assert out.embeds[0].colour == discord.Colour(colour)
