"""A leading emoji on an option label, split off so platforms can show it as the button's emoji."""

from __future__ import annotations

import unicodedata


def split_emoji(label: str) -> tuple[str | None, str]:
    """A leading emoji of an option and the rest (`🍕 Pizza` -> `🍕`, `Pizza`); None if none.

    The emoji is one symbol (Unicode category So) with its variation selector, skin tone and
    zero-width-joined parts, a flag (two regional indicators) or a keycap (`1️⃣`), followed by
    a space.
    """
    if not label or not (unicodedata.category(label[0]) == "So" or _keycap(label)):
        return None, label
    end = 2 if _regional(label[0]) and len(label) > 1 and _regional(label[1]) else 1
    while end < len(label) and _continues(label[end - 1], label[end]):
        end += 1
    rest = label[end:]
    if not rest.startswith(" ") or not rest.strip():
        return None, label
    return label[:end], rest.strip()


_ZWJ = "\u200d"
_EMOJI_PARTS = frozenset({"\ufe0f", "\u20e3", _ZWJ})


def _continues(before: str, char: str) -> bool:
    """Whether `char` is still part of the emoji that `before` ends."""
    if char in _EMOJI_PARTS or "\U0001f3fb" <= char <= "\U0001f3ff":  # skin tones
        return True
    return before == _ZWJ and unicodedata.category(char) == "So"


def _keycap(label: str) -> bool:
    """Whether `label` starts with a keycap: a digit, # or * with the enclosing keycap mark."""
    return label[0] in "0123456789#*" and (label[1:2] == "\u20e3" or label[1:3] == "\ufe0f\u20e3")


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"
