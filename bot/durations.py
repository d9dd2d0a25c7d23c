"""Deadlines typed by people (`2h`, `1d`, an ISO time) and deadlines shown back to them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.limits import fit

MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(days=90)
# ASCII digits only (re.A): `\d` would otherwise take other scripts' digits.
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$", re.I | re.A)
CLOSES_HELP = "a duration such as 30m, 2h, 1d or 1h30m, or a time such as 2026-03-01T18:00"


def parse_closes(text: str, now: datetime, timezone: str = "UTC") -> datetime:
    """A deadline from `2h`, `1d`, `1h30m` or an ISO time (in `timezone` when it has none)."""
    raw = text.strip()
    # Whole minutes first: timedelta() of a huge count raises OverflowError.
    total = duration_minutes(raw)
    if total is not None:
        if total > MAX_DURATION // timedelta(minutes=1):
            raise UserError(_too_far(raw))
        delta = timedelta(minutes=total)
        moment = now + delta
    else:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise UserError(f"`--closes {fit(raw, 30)}` is not {CLOSES_HELP}.") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
        moment = parsed
        delta = moment - now
    if delta < MIN_DURATION:
        raise UserError(
            f"`--closes {raw}` is {'in the past' if delta <= timedelta(0) else 'too soon'}; "
            "give a deadline at least a minute away."
        )
    if delta > MAX_DURATION:
        raise UserError(_too_far(raw))
    return moment


def duration_minutes(text: str) -> int | None:
    """The minutes in a duration such as `1h30m` or `2d`; None when `text` is not one."""
    match = _DURATION.match(text.replace(" ", ""))
    if not text or not match or not any(match.groups()):
        return None
    weeks, days, hours, minutes = (_count(g) for g in match.groups())
    return ((weeks * 7 + days) * 24 + hours) * 60 + minutes


def _count(digits: str | None) -> int:
    # More digits than any deadline within 90 days needs: any such count is too far.
    if digits and len(digits.lstrip("0")) > 9:
        return 10**9
    return int(digits) if digits else 0


def _too_far(raw: str) -> str:
    return f"`--closes {fit(raw, 30)}` is more than 90 days away; choose a nearer deadline."


def format_time(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or timezone)


def format_remaining(delta: timedelta) -> str:
    """`2d 3h`, `1h 30m`, `5m`, or `under a minute`."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if mins and not days:
        parts.append(f"{mins}m")
    return " ".join(parts)
