"""How people's text is echoed back in refusals: cut to a readable length, hidden characters
spelled out, and the too-long refusal naming the field, the limit and the reason."""

from __future__ import annotations

from bot.usertext import shown, too_long


def test_an_echo_is_cut_to_thirty_characters_by_default() -> None:
    assert shown("x" * 30) == "x" * 30
    assert shown("x" * 31) == "x" * 29 + "…"


def test_an_echo_spells_out_what_cannot_be_seen() -> None:
    assert shown("a\u200bb\x00", 60) == "aU+200BbU+0000"


def test_too_long_names_the_field_the_limit_and_how_it_starts() -> None:
    assert too_long("The question", "q" * 301, 300) == (
        f"The question is 301 characters; the limit is 300 (it starts `{'q' * 23}…`). "
        "Shorten it and try again."
    )
    assert too_long("Option 2", "short one", 5, "the longest label") == (
        "Option 2 is 9 characters; the limit is 5 (the longest label) (it starts `short one`). "
        "Shorten it and try again."
    )
