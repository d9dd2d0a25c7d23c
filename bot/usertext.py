"""Text people type: the one check before it is stored, and the key two texts are compared by.

Every text argument passes through `clean` (the catalogue calls it for each text, words, choice
and list value, whatever the platform or form), so a NUL byte, a lone surrogate that would
crash UTF-8 encoding at the database, or a question made only of zero-width spaces is refused
once, naming the field, before any handler runs.
"""

from __future__ import annotations

import unicodedata

from bot.errors import UserError
from bot.limits import fit

# Rendered as nothing, or as blank space, yet not whitespace to str.split(): Hangul fillers,
# the combining grapheme joiner and the blank Braille pattern, used to fake empty names.
_BLANK = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800")
# Whitespace a one-line field folds into a space (pasted text); other controls are refused.
_FOLDED = frozenset("\t\n\r")


def invisible(char: str) -> bool:
    """Whether `char` shows nothing on its own: format (Cf) characters, variation selectors."""
    if char in _BLANK:
        return True
    return _selector(char) or unicodedata.category(char) == "Cf"


def clean(text: str, field: str, *, multiline: bool = False) -> str:
    """`text` ready to store: NFC, whitespace tidied, invisible edges trimmed; or UserError.

    One-line fields fold tabs and newlines into single spaces; a multiline field keeps its
    line breaks. Other control characters and lone surrogates are refused, naming `field`.
    """
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            raise UserError(
                f"{field} has a broken character (U+{ord(char):04X}, half of an emoji or "
                "symbol that lost its other half). Retype it and try again."
            )
        if category == "Cc" and char not in _FOLDED:
            raise UserError(
                f"{field} contains a control character (U+{ord(char):04X}) that cannot be "
                "shown. Remove it and try again."
            )
    text = unicodedata.normalize("NFC", text)
    if multiline:
        # A \r before a \n is whitespace, which the line split drops.
        lines = (" ".join(line.split()) for line in text.split("\n"))
        tidy = "\n".join(lines).strip("\n")
    else:
        tidy = " ".join(text.split())
    start, end = 0, len(tidy)
    while start < end and (invisible(tidy[start]) or tidy[start].isspace()):
        start += 1
    # tidy[start] is visible, so every trailing character looked at has one before it.
    while end > start and _trailing_blank(tidy, end - 1):
        end -= 1
    if start == end:
        if tidy:
            raise UserError(
                f"{field} is empty once invisible characters (such as zero-width spaces) are "
                "removed. Give it some text."
            )
        raise UserError(f"{field} is empty. Give it some text.")
    return tidy[start:end]


def _trailing_blank(text: str, index: int) -> bool:
    char = text[index]
    if char.isspace():
        return True
    if not invisible(char):
        return False
    # A variation selector after a visible character is part of it (the emoji form of ❤️).
    before = text[index - 1]
    return not (_selector(char) and not invisible(before) and not before.isspace())


def _selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def readable(name: str, fallback: str) -> str:
    """A name a platform gave us, safe to store: broken and control characters become U+FFFD.

    Unlike `clean` this never refuses: a person cannot retype their display name in a command.
    """
    fixed = "".join(
        "\ufffd" if unicodedata.category(c) in ("Cc", "Cs") and c not in _FOLDED else c
        for c in name
    )
    try:
        return clean(fixed, "name")
    except UserError:
        return fallback


def key(text: str) -> str:
    """What two texts are compared by: NFKC, case-folded, invisible characters and spacing gone.

    `A`, `a`, `A` followed by a zero-width space and the full-width `Ａ` share one key.
    """
    visible = "".join(c for c in unicodedata.normalize("NFKC", text) if not invisible(c))
    folded = unicodedata.normalize("NFKC", visible.casefold())
    return " ".join(folded.split())


def shown(text: str, limit: int = 30) -> str:
    """A short, safe echo of user text for messages: controls and invisibles as U+XXXX."""
    out = "".join(
        f"U+{ord(c):04X}" if invisible(c) or unicodedata.category(c) in ("Cc", "Cs") else c
        for c in text
    )
    return fit(out, limit)


def too_long(field: str, text: str, limit: int, why: str = "") -> str:
    """The refusal for text over its limit, naming the field and how it starts."""
    because = f" ({why})" if why else ""
    return (
        f"{field} is {len(text)} characters; the limit is {limit}{because} "
        f"(it starts `{shown(text, 24)}`). Shorten it and try again."
    )
