"""The shared text syntax used by the console and Slack's /oped."""

from __future__ import annotations

import pytest

from bot.catalogue import Args, Catalogue, Command, Option, coerce
from bot.context import Context
from bot.errors import NotFound, UsageError
from bot.replies import Reply, text
from bot.textparse import parse, split, words


async def _noop(ctx: Context, args: Args) -> Reply:
    return text("ok")


CATALOGUE = Catalogue(
    [
        Command(("quote",), "q", _noop, (Option("query", "words", "id or topic"),)),
        Command(("quote", "search"), "s", _noop, (Option("words", "words", "w", required=True),)),
        Command(
            ("poll", "create"),
            "p",
            _noop,
            (
                Option("question", "text", "q", required=True, max_length=300),
                Option("options", "list", "o", required=True, min_items=2, max_items=20),
                Option("multi", "int", "m", positional=False, min_value=1, max_value=20),
                Option("anonymous", "flag", "a", positional=False),
                Option("results", "choice", "r", positional=False, choices=("live", "closed")),
            ),
        ),
        Command(
            ("admin", "schedule", "add"), "a", _noop, (Option("cron", "text", "c", required=True),)
        ),
    ]
)


def test_split_handles_quotes_prefixes_and_apostrophes() -> None:
    assert split('/oped poll create "Is it?" Yes No') == ["poll", "create", "Is it?", "Yes", "No"]
    assert split("/quote it's") == ["quote", "it's"]
    assert split("  poll create “Smart quotes?” “A b” c ") == [
        "poll",
        "create",
        "Smart quotes?",
        "A b",
        "c",
    ]


def test_longest_path_wins() -> None:
    command, raw = parse("quote search regime change", CATALOGUE)
    assert command.path == ("quote", "search") and raw == {"words": "regime change"}
    command, raw = parse("Quote sanctions", CATALOGUE)
    assert command.path == ("quote",) and raw == {"query": "sanctions"}
    command, raw = parse('admin schedule add "0 9 * * 1"', CATALOGUE)
    assert command.path == ("admin", "schedule", "add") and raw == {"cron": "0 9 * * 1"}


def test_named_options_flags_and_lists() -> None:
    command, raw = parse('poll create "Q?" A "B c" --multi 2 --anonymous --results=LIVE', CATALOGUE)
    assert raw == {
        "question": "Q?",
        "options": ("A", "B c"),
        "multi": "2",
        "anonymous": True,
        "results": "LIVE",
    }
    args = coerce(command, raw)
    assert args.integer("multi") == 2 and args.flag("anonymous") and args.text("results") == "live"
    assert args.items("options") == ("A", "B c")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('poll create "Q?" A B --colour red', "has no option `--colour`"),
        ('poll create "Q?" A B --multi', "`--multi` needs a value"),
        ('poll create "Q?" A B --multi two', "--multi must be a whole number, not `two`"),
        ('poll create "Q?" A B --multi 0', "--multi must be at least 1"),
        ('poll create "Q?" A', "needs at least 2 options; you gave 1"),
        ('poll create "Q?" A B --results never', "--results must be one of live, closed"),
        ("poll create", "needs <question>"),
        ('poll create "' + "x" * 301 + '" A B', "is 301 characters; the limit is 300"),
        ('quote search "open', "is not closed"),
        ('poll create "Q?" A B --anonymous=no', "--anonymous is a switch and takes no value"),
    ],
)
def test_bad_input_is_refused_with_what_to_change(line: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        command, raw = parse(line, CATALOGUE)
        coerce(command, raw)
    assert message in str(caught.value)


def test_usage_is_appended_to_errors() -> None:
    with pytest.raises(UsageError) as caught:
        command, raw = parse("poll create", CATALOGUE)
        coerce(command, raw)
    assert str(caught.value).endswith(
        'Usage: poll create <question> <"options" ...> [--multi <multi>] [--anonymous] '
        "[--results live|closed]"
    )


def test_unknown_command_suggests_close_names() -> None:
    with pytest.raises(NotFound) as caught:
        parse("qoute", CATALOGUE)
    assert caught.value.suggestions == ["quote"]
    with pytest.raises(UsageError):
        parse("", CATALOGUE)


def test_duplicate_commands_are_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Catalogue([CATALOGUE.commands[0], CATALOGUE.commands[0]])


def test_plain_lines_split_like_quoted_ones() -> None:
    # The no-quote fast path must agree with the shlex path on the same words.
    assert split("/oped poll  vote 12\t3 ") == ["poll", "vote", "12", "3"]
    assert split("quote it's   Kim’s") == ["quote", "it's", "Kim’s"]
    assert split(r"quote a\ b") == ["quote", "a b"]
    assert split('quote "it\'s" x') == ["quote", "it's", "x"]


def test_words_know_which_were_quoted() -> None:
    found = words('poll create "Q?" A "--multi" x" y"z --multi 2 --results="closed"')
    assert [(w.text, w.quoted) for w in found] == [
        ("poll", False),
        ("create", False),
        ("Q?", True),
        ("A", False),
        ("--multi", True),
        ("x yz", False),
        ("--multi", False),
        ("2", False),
        ("--results=closed", False),
    ]
    _, raw = parse('poll create "Q?" A "--multi" "--anonymous" --multi 2', CATALOGUE)
    assert raw["options"] == ("A", "--multi", "--anonymous") and raw["multi"] == "2"
    assert "anonymous" not in raw


def test_an_option_given_twice_is_refused() -> None:
    with pytest.raises(UsageError, match="`--multi` is given twice; give it once"):
        parse('poll create "Q?" A B --multi 2 --multi=3', CATALOGUE)


def test_words_followed_by_a_list_stop_at_the_first_quoted_word() -> None:
    command = Command(
        ("admin", "schedule", "add"),
        "a",
        _noop,
        (
            Option("cron", "words", "c", required=True),
            Option("poll", "text", "p", positional=False),
            Option("options", "list", "o"),
        ),
    )
    catalogue = Catalogue([command])
    _, quoted = parse('admin schedule add "0 9 * * 1" --poll "Q?" "A" "B"', catalogue)
    assert quoted == {"cron": "0 9 * * 1", "poll": "Q?", "options": ("A", "B")}
    _, plain = parse('admin schedule add 0 9 * * 1 --poll "Q?" "A" "B"', catalogue)
    assert plain == {"cron": "0 9 * * 1", "poll": "Q?", "options": ("A", "B")}
    _, alone = parse("admin schedule add 0 9 * * 1", catalogue)
    assert alone == {"cron": "0 9 * * 1"}
