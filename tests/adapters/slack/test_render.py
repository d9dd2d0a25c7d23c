"""Every renderer against the Block Kit limits, fed over-long content."""

from __future__ import annotations

import json

import pytest

from adapters.slack.modal import build_modal, read_submission
from adapters.slack.render import (
    cap,
    escape,
    fit_escaped,
    render_messages,
    render_one,
    split_escaped,
)
from bot.actions import button
from bot.catalogue import Command, Option
from bot.limits import MARKER
from bot.replies import Attachment, Button, Card, Field, Reply
from tests.adapters.slack.slackfake import buttons, check_message, check_view, shown_text

KINDS = ("text", "quote", "claim", "counterpoint", "poll", "debate", "notice", "error", "help")
MENTIONS = "<!channel> <!here> <@U123> & <#C1|general>"


def huge_card(kind: str) -> Card:
    return Card(
        kind,  # type: ignore[arg-type]
        body=("A long paragraph & more <!here>. " * 400) + "\n" + "x" * 5000,
        title="T" * 400 + MENTIONS,
        fields=tuple(
            Field(f"name {n} " * 40, "value <@U1> " * 300, inline=n % 2 == 0) for n in range(23)
        ),
        footer="footer & <!channel> " * 300,
        buttons=tuple(
            Button("B" * 200 + MENTIONS, f"oped:poll vote 1 {n}", "primary") for n in range(60)
        ),
    )


async def noop(*_: object) -> Reply:
    return Reply(())


def assert_valid(messages: list[dict[str, object]]) -> None:
    for number, message in enumerate(messages):
        assert check_message(message, f"message {number}") == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_card_kind_fits_the_limits_when_overlong(kind: str) -> None:
    reply = Reply(tuple(huge_card(kind) for _ in range(3)))
    messages = render_messages(reply)
    assert len(messages) > 1  # more than 50 blocks: split, not dropped
    assert_valid(messages)
    all_buttons = [b for m in messages for b in buttons(m)]
    assert len(all_buttons) == 180  # every button kept, in rows of at most 25
    assert {b["value"] for b in all_buttons} == {f"poll vote 1 {n}" for n in range(60)}
    text = "\n".join(shown_text(m) for m in messages)
    assert MARKER in text  # cut text says so
    assert "&lt;!channel&gt;" in text and "<!" not in text and "<@" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_one_message_form_cuts_visibly(kind: str) -> None:
    message = render_one(Reply((huge_card(kind), huge_card(kind))))
    assert check_message(message) == []
    assert len(message["blocks"]) == 50
    assert MARKER in shown_text({"blocks": message["blocks"][-1:]})


def test_long_body_is_split_into_sections_without_losing_text() -> None:
    body = "\n".join(f"line {n} with <tags> & ampersands" for n in range(400))
    messages = render_messages(Reply((Card("text", body),)))
    assert_valid(messages)
    sections = [b["text"]["text"] for m in messages for b in m["blocks"]]
    assert "\n".join(sections) == escape(body)


def test_escaping_replaces_exactly_three_characters() -> None:
    assert escape("<!here> & <@U1> \"'*_`") == "&lt;!here&gt; &amp; &lt;@U1&gt; \"'*_`"


@pytest.mark.parametrize("limit", [5, 9, 10, 11, 50])
def test_fit_escaped_never_splits_an_entity(limit: int) -> None:
    text = "&&&&<<<<>>>>" * 10
    out = fit_escaped(text, limit)
    assert len(out) <= limit
    assert out.endswith(MARKER)
    body = out[: -len(MARKER)]
    assert body.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "") == ""


def test_split_escaped_respects_the_limit_for_text_without_breaks() -> None:
    pieces = split_escaped("<" * 10_000, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces) == "&lt;" * 10_000


def test_quote_cards_are_block_quotes_and_user_markup_stays_literal() -> None:
    message = render_one(Reply((Card("quote", "first > line\nsecond <!channel>"),)))
    assert message["blocks"][0]["text"]["text"] == (
        "&gt; first &gt; line\n&gt; second &lt;!channel&gt;"
    )


def test_fallback_text_is_always_set() -> None:
    for reply in (Reply(()), Reply((Card("poll", buttons=(button("Yes", "poll vote 1 1"),)),))):
        message = render_one(reply)
        assert message["text"].strip()


def test_buttons_with_the_same_action_stay_unique_and_keep_their_command() -> None:
    twice = (button("A", "poll vote 1 1"), button("A again", "poll vote 1 1"))
    message = render_one(Reply((Card("poll", "Q", buttons=twice),)))
    assert check_message(message) == []
    assert [b["value"] for b in buttons(message)] == ["poll vote 1 1", "poll vote 1 1"]


def test_button_styles_map_to_slack_styles() -> None:
    styles = ("primary", "secondary", "success", "danger")
    card = Card("poll", "Q", buttons=tuple(button(s, f"help {s}", s) for s in styles))
    found = [b.get("style") for b in buttons(render_one(Reply((card,))))]
    assert found == ["primary", None, "primary", "danger"]


def test_too_many_messages_for_a_response_url_are_capped_with_a_marker() -> None:
    messages = render_messages(Reply(tuple(Card("text", f"card {n}", "T") for n in range(300))))
    assert len(messages) > 5
    kept = cap(messages)
    assert len(kept) == 5
    assert_valid(kept)
    assert MARKER in shown_text(kept[-1]["blocks"][-1])


def test_attachment_fallback_is_escaped_code() -> None:
    from adapters.slack.render import attachment_blocks

    content = ("id,question\n" + "1,<!channel> & co\n" * 2000).encode()
    blocks = attachment_blocks(Attachment("poll-1.csv", content))
    messages = render_messages(Reply(()), extra=blocks)
    for message in messages:
        message["text"] = "poll-1.csv"
    assert_valid(messages)
    assert all(b["text"]["text"].startswith("```") for b in blocks[1:])


def test_modal_from_a_command_fits_the_limits() -> None:
    command = Command(
        ("poll", "create"),
        "Create a poll.",
        noop,
        (
            Option("question", "text", "The question " * 300, required=True, max_length=300),
            Option("options", "list", "The options", required=True, min_items=2, max_items=20),
            Option("multi", "int", "Picks", positional=False, min_value=1, max_value=20),
            Option("anonymous", "flag", "Hide voters <!here>", positional=False),
            Option(
                "results",
                "choice",
                "When to show",
                positional=False,
                choices=tuple(f"choice-{n}-" + "c" * 200 for n in range(150)),
            ),
        ),
    )
    view = build_modal(command, "cb", "A title far longer than twenty-four", {"channel": "C1"})
    assert check_view(view) == []
    assert json.loads(view["private_metadata"]) == {"channel": "C1"}
    raw, errors = read_submission(command, {"state": {"values": {}}})
    assert set(errors) == {"question", "options"}
    assert raw == {"anonymous": False}


@pytest.mark.parametrize("text", ["ab&&", "&<>&<>", "a b c &&&& d", "x" * 20 + "&"])
@pytest.mark.parametrize("limit", range(1, 14))
def test_fit_escaped_fits_every_small_limit(text: str, limit: int) -> None:
    out = fit_escaped(text, limit)
    assert len(out) <= limit
    if out != escape(text):
        assert out.endswith(MARKER)
