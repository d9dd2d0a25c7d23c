"""Refusals of the shared text syntax, exactly as typed back to people, and the lines it offers
to copy (quotes and backslashes escaped so the copy parses to what was meant)."""

from __future__ import annotations

import pytest

from bot.blocks import Reply, text
from bot.catalogue import Args, Catalogue, Command, Option
from bot.context import Context
from bot.errors import UsageError
from bot.textparse import parse, split


async def _noop(ctx: Context, args: Args) -> Reply:
    return text("ok")


ASK = Command(
    ("ask",),
    "a",
    _noop,
    (
        Option("question", "text", "q", required=True),
        Option("options", "list", "o", required=True),
        Option("closes", "text", "c", positional=False),
    ),
)
SAY = Command(
    ("say",),
    "s",
    _noop,
    (Option("words", "words", "w", required=True), Option("closes", "text", "c", positional=False)),
)
CATALOGUE = Catalogue([ASK, SAY])
ASK_USAGE = 'Usage: ask <question> <"options" ...> [--closes <closes>]'


def refusal(line: str) -> str:
    with pytest.raises(UsageError) as refused:
        parse(line, CATALOGUE)
    return str(refused.value)


def test_a_stray_word_after_a_value_is_refused_with_the_quoted_fix() -> None:
    assert refusal('ask "Q?" "a" "b" --closes 2026-03-01 18:00') == (
        "`18:00` follows `--closes 2026-03-01`. If it is part of that value, put the value in "
        'quotes (--closes "2026-03-01 18:00"); otherwise move `18:00` before the options that '
        f"start with --.\n{ASK_USAGE}"
    )


def test_a_word_after_a_value_is_fine_where_it_cannot_become_a_list_item() -> None:
    _, raw = parse("say --closes 2026-03-01 18:00 hello", CATALOGUE)
    assert raw == {"closes": "2026-03-01", "words": "18:00 hello"}
    _, quoted = parse('ask "Q?" "a" --closes 2026-03-01 "b"', CATALOGUE)
    assert quoted == {"closes": "2026-03-01", "question": "Q?", "options": ("a", "b")}


@pytest.mark.parametrize("line", ['ask "Q?" "a" "b" --closes=', 'ask "Q?" "a" "b" --closes " "'])
def test_an_empty_value_is_refused_not_taken_as_absent(line: str) -> None:
    assert refusal(line) == (
        "`--closes` has an empty value. Give one (--closes <closes>) or leave the option out."
    )


def test_the_line_offered_to_copy_escapes_quotes_and_backslashes() -> None:
    message = refusal(r"ask Is a\\b a\"c? Yes No")
    offered = message.removeprefix("Put the question and each option in quotes, like this: ")
    assert offered == r'ask "Is a\\b a\"c?" "Yes" "No"'
    # The offered line reads back as the question and options that were meant.
    assert split(offered) == ["ask", r'Is a\b a"c?', "Yes", "No"]
