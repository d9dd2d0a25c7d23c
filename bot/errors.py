"""Errors a user can act on. Anything else is a bug and is logged, not shown."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class UserError(Exception):
    """A refusal shown to the user as an ephemeral error; `str(e)` names what to change."""


class UsageError(UserError):
    """The command text did not parse; carries the command's usage line."""

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base}\nUsage: {self.usage}" if self.usage else base


class NotFound(UserError):
    """An unknown id, topic or term; suggests close matches."""

    def __init__(self, what: str, asked: str, known: Iterable[str], hint: str = "") -> None:
        matches = suggest(asked, known)
        message = f"No {what} `{asked}`."
        if matches:
            message += " Did you mean " + ", ".join(f"`{m}`" for m in matches) + "?"
        if hint:
            message += " " + hint
        super().__init__(message)
        self.suggestions = matches


class Forbidden(UserError):
    """The user lacks the rights for this command."""


def suggest(asked: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for `asked` among `known`, case-insensitive, best first."""
    by_lower: dict[str, str] = {}
    for item in known:
        by_lower.setdefault(item.lower(), item)
    lowered = asked.lower()
    found = difflib.get_close_matches(lowered, list(by_lower), n=n, cutoff=0.6)
    prefixed = [k for k in by_lower if k.startswith(lowered) and k not in found] if lowered else []
    return [by_lower[k] for k in (found + prefixed)[:n]]
