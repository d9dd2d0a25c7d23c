"""Cron expressions in IANA time zones: validation and the next due time.

DST rules (the same as Debian cron, which cronsim mimics for five-field expressions):

- A *fixed-time* job, one whose minute and hour fields are both given (`0 9 * * *`,
  `30 2 * * 1-5`), follows the wall clock: 09:00 stays 09:00 local on both sides of a change.
  On spring-forward day a time that does not exist (02:30 in New York) runs once, at the first
  minute after the gap (03:00 local). On fall-back day a time that happens twice (01:30) runs
  once, at its first occurrence (the summer-time one).
- A job with a wildcard minute or hour (`*/15 * * * *`, `0 * * * *`) follows elapsed time:
  it runs in both passes of a repeated hour and not at all in a skipped one.

Every due time returned is timezone-aware UTC, strictly after the time asked about.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo

from cronsim import CronSim, CronSimError

from bot.errors import NotFound, UserError
from bot.limits import fit

ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_EXAMPLE = "Example: `0 9 * * 1-5` is 09:00 on weekdays (minute hour day-of-month month weekday)."
_FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))  # day-of-week 0 and 7 are both Sunday
_NUMBER = re.compile(r"[0-9]+")


def parse_cron(expression: str) -> str:
    """The expression normalised (single spaces, aliases expanded); UserError if it is not valid."""
    words = expression.split()
    if len(words) == 1 and words[0].lower() in ALIASES:
        words = ALIASES[words[0].lower()].split()
    if len(words) != len(_FIELDS):
        raise UserError(
            f"`{fit(' '.join(words), 60)}` has {len(words)} field{'' if len(words) == 1 else 's'}; "
            f"a schedule needs 5. {_EXAMPLE}"
        )
    normal = " ".join(words).upper()
    shown = fit(" ".join(expression.split()), 60)
    for word, name, span in zip(normal.split(), _FIELDS, _RANGES, strict=True):
        _check_field(shown, word, name, span)
    try:
        sim = CronSim(normal, datetime(2000, 1, 1))
        next(sim)
    except CronSimError as exc:
        # cronsim says only "Bad minute"; name the field as written, and the values it takes.
        field = next((n for n in _FIELDS if n in str(exc).lower()), None)
        where = f"the {field} field is not valid" if field else str(exc)
        raise UserError(f"`{shown}` is not a valid schedule: {where}. {_EXAMPLE}") from None
    except StopIteration:
        raise UserError(f"`{expression.strip()}` never comes round. {_EXAMPLE}") from None
    return normal


def _check_field(shown: str, word: str, name: str, span: tuple[int, int]) -> None:
    """Refuse numbers outside a field's range and steps of 0 or beyond it, naming the field."""
    low, high = span
    size = high - low + 1
    for part in word.split(","):
        base, slash, step = part.partition("/")
        if slash and (not _NUMBER.fullmatch(step) or not 1 <= _small(step) <= size):
            raise UserError(
                f"`{shown}`: the step `/{fit(step, 12)}` in the {name} field must be a "
                f"whole number from 1 to {size}. {_EXAMPLE}"
            )
        # In `1#2` (the second Monday) the number after # counts weeks, not days.
        for number in _NUMBER.findall(base.partition("#")[0]):
            if not low <= _small(number) <= high:
                raise UserError(
                    f"`{shown}`: {fit(number, 12)} is outside the {name} field, which takes "
                    f"{low} to {high}. {_EXAMPLE}"
                )


def _small(digits: str) -> int:
    """The number, or one past any field's range when it has too many digits to be one."""
    return int(digits) if len(digits.lstrip("0")) <= 3 else 1000


# Names that resolve on some hosts but mean "whatever this machine says", not a place.
_NOT_PLACES = frozenset({"localtime", "posixrules", "factory"})


@functools.cache
def _zones() -> dict[str, str]:
    names = zoneinfo.available_timezones()
    return {n.lower(): n for n in names if n.lower() not in _NOT_PLACES}


def time_zone_names() -> list[str]:
    """Every IANA time zone name this machine knows, sorted."""
    return sorted(_zones().values())


def parse_tz(name: str) -> str:
    """The canonical IANA name (`europe/london` -> `Europe/London`); NotFound if unknown."""
    asked = name.strip()
    canonical = _zones().get(asked.lower())
    if canonical is None:
        raise NotFound(
            "time zone",
            asked,
            _zones().values(),
            "Use an IANA name such as Europe/London, America/New_York or UTC.",
        )
    return canonical


def zone(name: str) -> tzinfo:
    """The tzinfo for a time zone name (validated with `parse_tz`)."""
    return zoneinfo.ZoneInfo(parse_tz(name))


def upcoming(cron: str, tz: str, after: datetime) -> Iterator[datetime]:
    """Due times strictly after `after`, in order, as UTC."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    expression = parse_cron(cron)
    local_zone = zone(tz)
    sim = CronSim(expression, after.astimezone(local_zone))
    for due in sim:
        found = due.astimezone(UTC)
        # Starting inside the second pass of a repeated hour, cronsim's wall-clock mode can
        # offer the first pass's time again, which is already in the past.
        if found > after:
            yield found


def next_run(cron: str, tz: str, after: datetime) -> datetime:
    """The first due time strictly after `after`, as UTC."""
    for due in upcoming(cron, tz, after):
        return due
    raise UserError(f"`{cron}` never comes round. {_EXAMPLE}")


def runs_between(cron: str, tz: str, start: datetime, end: datetime) -> list[datetime]:
    """Due times in (start, end], oldest first."""
    found: list[datetime] = []
    for due in upcoming(cron, tz, start):
        if due > end:
            break
        found.append(due)
    return found


def explain(cron: str) -> str:
    """The expression in words (`At 09:00 on Monday through Friday`)."""
    try:
        return CronSim(parse_cron(cron), datetime(2000, 1, 1)).explain()
    except Exception:  # explain is cosmetic; never let it break a listing
        return cron
