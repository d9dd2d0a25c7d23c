"""The one check of user text before it is stored, and the key options are compared by."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.usertext import clean, key, shown


def test_one_line_fields_fold_tabs_and_newlines_and_trim_invisible_edges() -> None:
    assert clean("\ufeff  Talks\tby\r\n2020? \u200b", "The question") == "Talks by 2020?"
    assert clean("Cafe\u0301", "Option 1") == "Café"  # NFC: one é, as most keyboards type it


def test_a_multiline_field_keeps_its_line_breaks_only() -> None:
    assert clean(" One\r\n\n  two\t three \n", "The note", multiline=True) == "One\n\ntwo three"
    with pytest.raises(UserError, match="The note contains a control character \\(U\\+000B\\)"):
        clean("a\vb", "The note", multiline=True)


def test_what_belongs_to_a_visible_character_is_kept() -> None:
    assert clean("❤\ufe0f", "Option 1") == "❤\ufe0f"
    assert clean("👩\u200d💻", "Option 1") == "👩\u200d💻"
    with pytest.raises(UserError, match="Option 1 is empty once invisible"):
        clean("\ufe0f\u200d", "Option 1")
    with pytest.raises(UserError, match=r"Option 1 is empty\. Give it some text\."):
        clean(" \t ", "Option 1")


@pytest.mark.parametrize("char", ["\x00", "\x1f", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused_naming_the_field(char: str) -> None:
    with pytest.raises(
        UserError, match=f"The motion contains a control character \\(U\\+{ord(char):04X}\\)"
    ):
        clean(f"This house{char}", "The motion")


def test_keys_match_what_looks_the_same_and_nothing_else() -> None:
    assert key("A") == key("a") == key("Ａ") == key("A\u200b") == key("\u00adA\u2060")
    assert key("Straße") == key("STRASSE")
    assert key("A B") == key("A  B")
    assert key("A") != key("B") and key("AB") != key("A B")


def test_echoes_show_hidden_characters_by_code() -> None:
    assert shown("A\u200bB\x00") == "AU+200BBU+0000"
