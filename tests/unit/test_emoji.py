"""The leading emoji of an option label: which symbols count, and where the emoji ends."""

from __future__ import annotations

import pytest

from bot.emoji import split_emoji


@pytest.mark.parametrize(
    ("label", "emoji", "rest"),
    [
        ("👍🏻 Light", "👍🏻", "Light"),  # the first skin tone (U+1F3FB)
        ("👍🏿 Dark", "👍🏿", "Dark"),  # the last skin tone (U+1F3FF)
        ("🇦🇩 Andorra", "🇦🇩", "Andorra"),  # a flag starting with the first indicator, A
        ("🇳🇿 New Zealand", "🇳🇿", "New Zealand"),  # a flag ending with the last, Z
        ("🇿🇦 South Africa", "🇿🇦", "South Africa"),
        ("1️⃣ First", "1️⃣", "First"),  # a keycap: not a symbol on its own
        ("#\u20e3 Hash", "#\u20e3", "Hash"),  # a keycap without its variation selector
    ],
)
def test_the_edges_of_skin_tones_and_flags_stay_with_their_emoji(
    label: str, emoji: str, rest: str
) -> None:
    assert split_emoji(label) == (emoji, rest)


@pytest.mark.parametrize(
    "label",
    [
        "ok Pizza",  # letters are not regional indicators
        "yes no",
        "🍕x Pizza",  # a letter does not continue an emoji
        "🍕🍔 Food",  # two emoji side by side are not one emoji
        "🍕🇦 Flag",  # nor is a symbol followed by half a flag
        "🇦",  # half a flag, and nothing after it
        "1 First",  # a digit without its keycap mark
        "1\ufe0f First",
        "X\u20e3 Letter",  # only digits, # and * make keycaps
        "©o x",  # a letter is not half a flag
    ],
)
def test_labels_without_a_single_leading_emoji_are_kept_whole(label: str) -> None:
    assert split_emoji(label) == (None, label)


def test_a_lone_regional_indicator_is_a_symbol_of_its_own() -> None:
    assert split_emoji("🇦 Alone") == ("🇦", "Alone")
