"""How people's text is echoed back in refusals: cut to a readable length, hidden characters
spelled out, and the too-long refusal naming the field, the limit and the reason."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.usertext import clean, invisible, shown, too_long


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


def test_refusals_of_broken_control_and_invisible_only_text_in_full() -> None:
    with pytest.raises(UserError) as broken:
        clean("Kim\ud83d", "The question")
    assert str(broken.value) == (
        "The question has a broken character (U+D83D, half of an emoji or symbol that lost its "
        "other half). Retype it and try again."
    )
    with pytest.raises(UserError) as control:
        clean("a\x1bb", "Option 3")
    assert str(control.value) == (
        "Option 3 contains a control character (U+001B) that cannot be shown. "
        "Remove it and try again."
    )
    with pytest.raises(UserError) as hidden:
        clean("\u200b\u2060", "The motion")
    assert str(hidden.value) == (
        "The motion is empty once invisible characters (such as zero-width spaces) are removed. "
        "Give it some text."
    )


def test_a_multiline_field_drops_blank_edge_lines_and_nothing_else() -> None:
    assert clean("\n\nXavier\r\nsaid X\n\n", "The note", multiline=True) == "Xavier\nsaid X"


def test_a_lone_variation_selector_after_a_space_is_trimmed() -> None:
    assert clean("Yes \ufe0f", "Option 1") == "Yes"
    assert clean("Yes\u200b\ufe0f", "Option 1") == "Yes"


def test_variation_selectors_are_invisible_and_their_neighbours_are_not() -> None:
    selectors = ["\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef"]
    neighbours = ["\ufdff", "\ufe10", "\U000e00ff", "\U000e01f0"]
    assert [invisible(c) for c in selectors] == [True] * 4
    assert [invisible(c) for c in neighbours] == [False] * 4
    # After a visible character a selector is part of it and kept; alone it is trimmed.
    assert [clean(f"A{c}", "Option 1") for c in selectors] == [f"A{c}" for c in selectors]
    assert [clean(f"A {c}", "Option 1") for c in selectors] == ["A"] * 4
