"""What a button's command line leaves out, for a form to ask (Add option's `poll add 12`)."""

from __future__ import annotations

from bot.catalogue import Catalogue, Command, Option
from bot.features.polls import COMMANDS as POLL_COMMANDS
from bot.textparse import left_out


async def _noop(*_: object) -> None:
    return None


NOTE = Command(
    ("note", "add"),
    "Add a note.",
    _noop,  # type: ignore[arg-type]
    (
        Option("id", "int", "Which", required=True),
        Option("title", "text", "Its title", required=True),
        Option("body", "words", "Its body", required=True),
        Option("tags", "list", "Its tags", required=True),
        Option("aside", "text", "An aside"),
    ),
)
CATALOGUE = Catalogue([NOTE])


def test_the_add_option_button_asks_for_the_option() -> None:
    found = left_out("poll add 12", Catalogue(POLL_COMMANDS))
    assert found is not None
    command, missing = found
    assert command.path == ("poll", "add")
    assert [option.name for option in missing] == ["option"]


def test_a_line_with_everything_asks_for_nothing() -> None:
    assert left_out('poll add 12 "Someone new"', Catalogue(POLL_COMMANDS)) is None


def test_only_required_text_and_words_not_given_are_asked_for() -> None:
    found = left_out("note add 3", CATALOGUE)
    assert found is not None
    assert found[0] is NOTE
    # The list and the optional aside are not asked for: a form line holds one text.
    assert [option.name for option in found[1]] == ["title", "body"]
    found = left_out("note add 3 Hello", CATALOGUE)
    assert found is not None
    assert [option.name for option in found[1]] == ["body"]


def test_a_line_that_is_no_command_asks_for_nothing() -> None:
    assert left_out("frobnicate 12", CATALOGUE) is None
    assert left_out("note add 3 --nope x", CATALOGUE) is None  # the parser refuses it
