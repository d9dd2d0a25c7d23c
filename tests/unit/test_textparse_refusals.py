"""Refusals of the shared text syntax, exactly as typed back to people, and the lines it offers
to copy (quotes and backslashes escaped so the copy parses to what was meant)."""

from __future__ import annotations

import pytest

from bot.catalogue import Args, Catalogue, Command, Option
from bot.context import Context
from bot.errors import NotFound, UsageError
from bot.replies import Reply, text
from bot.textparse import parse, sort_words, split


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


def test_an_unquoted_one_word_question_is_offered_quoted() -> None:
    assert refusal("ask Talks Yes No") == (
        "The question `Talks` is not in quotes, so its end is unclear. If it is the whole "
        "question, copy this; otherwise put the whole question in one pair of quotes: "
        'ask "Talks" "Yes" "No"'
    )


def test_the_offered_line_keeps_the_named_options_quoted_as_needed() -> None:
    assert refusal('ask Talks by 2020? Yes No --closes "2026-03-01 18:00"') == (
        "Put the question and each option in quotes, like this: "
        'ask "Talks by 2020?" "Yes" "No" --closes "2026-03-01 18:00"'
    )
    assert refusal("ask Talks by 2020? Yes No --closes 2h") == (
        "Put the question and each option in quotes, like this: "
        'ask "Talks by 2020?" "Yes" "No" --closes 2h'
    )


def test_a_line_of_600_characters_is_offered_and_one_longer_is_not() -> None:
    offered = refusal(f"ask {'x' * 583} Yes No")
    assert offered.endswith(f'ask "{"x" * 583}" "Yes" "No"')
    assert len(offered.rpartition(": ")[2]) == 600
    assert refusal(f"ask {'x' * 584} Yes No") == (
        'Put the question and each option in double quotes: ask "Question?" "Option" "Option"\n'
        + ASK_USAGE
    )


def test_a_question_with_hidden_characters_gets_the_pattern_not_a_copy() -> None:
    assert refusal("ask Talks\u200b Yes No") == (
        'Put the question and each option in double quotes: ask "Question?" "Option" "Option"\n'
        + ASK_USAGE
    )


def test_named_options_are_matched_whatever_their_case_and_need_a_value() -> None:
    _, raw = parse('ask "Q?" a b --CLOSES 2h', CATALOGUE)
    assert raw == {"question": "Q?", "options": ("a", "b"), "closes": "2h"}
    assert refusal('ask "Q?" a b --CLOSES') == f"`--CLOSES` needs a value.\n{ASK_USAGE}"
    assert refusal('ask "Q?" a b --x') == (
        f"`ask` has no option `--x` (its options: --closes).\n{ASK_USAGE}"
    )
    assert refusal("say hi --x") == (
        "`say` has no option `--x` (its options: --closes).\n"
        "Usage: say <words...> [--closes <closes>]"
    )


def test_two_dashes_alone_are_a_word() -> None:
    _, raw = parse("say -- and -x", CATALOGUE)
    assert raw == {"words": "-- and -x"}


def test_empty_lines_and_unclosed_quotes_say_what_to_do() -> None:
    for line in ("", "   /oped  ", "/"):
        assert refusal(line) == "Type a command, or `help` to see them all."
    assert refusal('say "open') == 'A double quote (") is not closed. Close it and try again.'
    assert refusal("say \u2018open") == (
        "A quote (\u2018) is not closed. Close it with \u2019 and try again."
    )


def test_quotes_and_backslashes_inside_words() -> None:
    assert split(r'say "a\"b" "c\\d" "e\f"') == ["say", 'a"b', "c\\d", "e\\f"]
    assert split("say \u201cKim\u201d \u00abde Gaulle\u00bb") == ["say", "Kim", "de Gaulle"]
    assert split("say \u2018Kim\u2019s view\u2019 next") == ["say", "Kim\u2019s view", "next"]
    assert split("say Kim\u2019s \u2018x\u2019") == ["say", "Kim\u2019s", "x"]
    assert split('say "" end') == ["say", "", "end"]
    assert split("say a\\") == ["say", "a\\"]
    assert split('/oped/say "x"') == ["say", "x"]


TAG = Command(("tag",), "t", _noop, (Option("tags", "list", "t"),))
SHOW = Command(("show",), "s", _noop, (Option("id", "text", "i", required=True),))
NOTE = Command(
    ("note",),
    "n",
    _noop,
    (Option("title", "text", "t", required=True), Option("body", "words", "b")),
)
MORE = Catalogue([ASK, SAY, TAG, SHOW, NOTE])


def more_refusal(line: str) -> str:
    with pytest.raises(UsageError) as refused:
        parse(line, MORE)
    return str(refused.value)


def test_a_command_without_named_options_says_so() -> None:
    assert more_refusal("tag a --x") == (
        '`tag` has no option `--x` (its options: none).\nUsage: tag ["tags" ...]'
    )


def test_words_a_command_does_not_take_are_echoed_cut_to_sixty_characters() -> None:
    assert more_refusal("show 12 and more") == "`show` does not take `and more`.\nUsage: show <id>"
    extra = " ".join(["word"] * 20)
    assert more_refusal(f"show 12 {extra}") == (
        f"`show` does not take `{' '.join(['word'] * 11)}…`.\nUsage: show <id>"
    )


def test_an_option_given_twice_is_refused_with_the_usage_line() -> None:
    assert refusal('ask "Q?" a b --closes 2h --closes=3h') == (
        f"`--closes` is given twice; give it once.\n{ASK_USAGE}"
    )


def test_a_text_then_words_command_takes_an_unquoted_line() -> None:
    _, raw = parse("note Hello world again", MORE)
    assert raw == {"title": "Hello", "body": "world again"}


def test_an_unknown_command_is_echoed_cut_to_forty_characters() -> None:
    with pytest.raises(NotFound) as refused:
        parse("frob" + "x" * 60, MORE)
    assert str(refused.value) == f"No command `frob{'x' * 35}…`. Type `help` for the list."


def test_words_from_a_form_sort_like_typed_ones() -> None:
    assert sort_words(ASK, ["Q?", "a", "b", "--closes", "2h"]) == {
        "question": "Q?",
        "options": ("a", "b"),
        "closes": "2h",
    }


def test_escapes_at_the_end_of_a_quote_and_alone() -> None:
    assert split(r'say "end\""') == ["say", 'end"']
    assert split(r"say \" b") == ["say", '"', "b"]


def test_every_named_option_is_listed_when_one_is_unknown() -> None:
    two = Command(
        ("two",),
        "t",
        _noop,
        (
            Option("closes", "text", "c", positional=False),
            Option("multi", "int", "m", positional=False),
        ),
    )
    with pytest.raises(UsageError) as refused:
        parse("two --x", Catalogue([two]))
    assert str(refused.value).startswith(
        "`two` has no option `--x` (its options: --closes, --multi)."
    )


def test_a_backslash_outside_quotes_escapes_the_next_character() -> None:
    assert split("say a\\b") == ["say", "ab"]
