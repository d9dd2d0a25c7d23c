"""Wording shared by every reply: counts with the right singular or plural noun."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 vote`, `2 votes`, `0 votes`; `many` for irregular plurals (`entry`, `entries`)."""
    return f"{count} {word if count == 1 else (many or word + 's')}"
