"""One poll to vary in the rule tests: `make(closes_at=..., max_picks=2)`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.models import Place, User
from bot.store.base import Poll

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
PLACE = Place("console", "local", "general")
ANA = User("ana", "Ana")


def make(**changes: object) -> Poll:
    """Poll #12 in PLACE, by Ana, three options, open, single choice: changed as asked."""
    poll = Poll(
        id=12,
        place=PLACE,
        creator_id="ana",
        creator_name="Ana",
        question="Who should negotiate?",
        options=("Pompeo", "Bolton", "Someone new"),
        max_picks=1,
        anonymous=False,
        results="live",
        created_at=NOW,
        closes_at=None,
        closed_at=None,
        closed_by=None,
        announced=False,
    )
    return replace(poll, **changes)  # type: ignore[arg-type]
