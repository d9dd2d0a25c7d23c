"""Autocomplete: named sources of suggestions, shared by slash-command autocomplete and help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.context import Context

MAX_CHOICES = 25  # the tightest platform's ceiling; plenty elsewhere


@dataclass(frozen=True)
class Choice:
    """One suggestion: what the user sees and what the command receives."""

    label: str
    value: str


Completer = Callable[["Context", str], Awaitable[list[Choice]]]


def rank(typed: str, choices: Iterable[Choice]) -> list[Choice]:
    """Choices matching what was typed: prefix matches first, then substring matches."""
    needle = typed.strip().lower()
    pool = list(choices)
    if not needle:
        return pool[:MAX_CHOICES]
    starts = [
        c for c in pool if c.value.lower().startswith(needle) or c.label.lower().startswith(needle)
    ]
    inside = [c for c in pool if c not in starts and needle in c.label.lower()]
    return (starts + inside)[:MAX_CHOICES]
