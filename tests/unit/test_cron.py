"""Cron arithmetic in IANA time zones, including both DST changes on three continents."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import NotFound, UserError
from bot.schedule.cron import explain, next_run, parse_cron, parse_tz, runs_between, upcoming

NEW_YORK = "America/New_York"
LONDON = "Europe/London"
SYDNEY = "Australia/Sydney"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def daily(cron: str, tz: str, start: datetime, days: int) -> list[datetime]:
    found: list[datetime] = []
    for due in upcoming(cron, tz, start):
        found.append(due)
        if len(found) == days:
            return found
    raise AssertionError("ran out of due times")


# Parsing ---------------------------------------------------------------------------------


def test_parse_normalises_spacing_case_and_aliases() -> None:
    assert parse_cron("  0   9 * *   mon-fri ") == "0 9 * * MON-FRI"
    assert parse_cron("@daily") == "0 0 * * *"
    assert parse_cron("@WEEKLY") == "0 0 * * 0"


@pytest.mark.parametrize(
    ("expression", "complaint"),
    [
        ("0 9 * *", "has 4 fields; a schedule needs 5"),
        ("0 0 9 * * *", "has 6 fields"),  # seconds are not offered
        ("61 9 * * *", "61 is outside the minute field, which takes 0 to 59"),
        ("0 24 * * *", "24 is outside the hour field, which takes 0 to 23"),
        ("0 9 * * 8", "8 is outside the day-of-week field, which takes 0 to 7"),
        ("0 9 32 * *", "32 is outside the day-of-month field, which takes 1 to 31"),
        ("0 9 30 2 *", "the day-of-month field is not valid"),  # 30 February never comes
        ("every morning", "has 2 fields"),
        ("", "has 0 fields"),
        ("@reboot", "`@reboot` has 1 field; a schedule needs 5"),
        ("\t*\t", "`*` has 1 field; a schedule needs 5"),
    ],
)
def test_bad_cron_is_a_user_error_with_an_example(expression: str, complaint: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_cron(expression)
    assert complaint in str(caught.value)
    assert "0 9 * * 1-5" in str(caught.value)


def test_time_zone_names_are_checked_and_canonicalised() -> None:
    assert parse_tz("europe/london") == LONDON
    assert parse_tz(" UTC ") == "UTC"
    with pytest.raises(NotFound) as caught:
        parse_tz("Europe/Londn")
    assert "Europe/London" in str(caught.value)
    for bad in ("Mars/Base", "../etc/passwd", "", "localtime"):
        with pytest.raises(NotFound):
            parse_tz(bad)


def test_next_run_refuses_bad_zone_and_naive_time() -> None:
    with pytest.raises(NotFound):
        next_run("0 9 * * *", "Nowhere/Town", utc(2026, 1, 1))
    with pytest.raises(ValueError):
        next_run("0 9 * * *", "UTC", datetime(2026, 1, 1))


def test_explain_reads_well_and_never_breaks() -> None:
    assert explain("0 9 * * 1-5") == "At 09:00 on Monday through Friday"
    assert explain("not a cron") == "not a cron"


# Plain arithmetic --------------------------------------------------------------------------


def test_next_run_is_strictly_after_and_utc() -> None:
    due = next_run("0 9 * * *", "UTC", utc(2026, 1, 5, 9, 0))
    assert due == utc(2026, 1, 6, 9, 0)
    assert due.tzinfo is UTC
    assert next_run("0 9 * * *", "UTC", utc(2026, 1, 5, 8, 59, 59, 500000)) == utc(2026, 1, 5, 9)


def test_weekdays_skip_the_weekend() -> None:
    friday_after_nine = utc(2026, 1, 9, 10)
    assert next_run("0 9 * * 1-5", "UTC", friday_after_nine) == utc(2026, 1, 12, 9)


def test_runs_between_is_half_open() -> None:
    found = runs_between("0 * * * *", "UTC", utc(2026, 1, 5, 9), utc(2026, 1, 5, 12))
    assert found == [utc(2026, 1, 5, 10), utc(2026, 1, 5, 11), utc(2026, 1, 5, 12)]


# DST: a fixed-time job keeps its wall-clock time ------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "start", "offsets"),
    [
        # Spring forward 2026-03-08: 09:00 is 14:00 UTC before, 13:00 UTC after.
        (NEW_YORK, utc(2026, 3, 5, 15), [14, 14, 13, 13]),
        # Fall back 2026-11-01.
        (NEW_YORK, utc(2026, 10, 29, 15), [13, 13, 14, 14]),
        # Clocks go forward 2026-03-29 and back 2026-10-25.
        (LONDON, utc(2026, 3, 26, 10), [9, 9, 8, 8]),
        (LONDON, utc(2026, 10, 22, 10), [8, 8, 9, 9]),
        # Southern hemisphere: DST ends 2026-04-05, starts 2026-10-04 (09:00 AEDT = 22:00 UTC).
        (SYDNEY, utc(2026, 4, 1, 23), [22, 22, 23, 23]),
        (SYDNEY, utc(2026, 9, 30, 23), [23, 23, 22, 22]),
    ],
)
def test_nine_oclock_stays_nine_oclock_local(tz: str, start: datetime, offsets: list[int]) -> None:
    runs = daily("0 9 * * *", tz, start, 4)
    assert [local(r, tz).hour for r in runs] == [9, 9, 9, 9]
    assert [local(r, tz).minute for r in runs] == [0, 0, 0, 0]
    assert [r.hour for r in runs] == offsets
    dates = [local(r, tz).date() for r in runs]
    assert [b - a for a, b in itertools.pairwise(dates)] == [timedelta(days=1)] * 3


# DST: wall-clock times that do not exist, or exist twice ----------------------------------------


def test_new_york_0230_on_spring_forward_day_runs_once_at_0300() -> None:
    runs = daily("30 2 * * *", NEW_YORK, utc(2026, 3, 7, 12), 3)
    assert runs[0] == utc(2026, 3, 8, 7, 0)  # 03:00 EDT: the first minute after the gap
    assert local(runs[0], NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"
    assert local(runs[1], NEW_YORK).strftime("%d %H:%M %Z") == "09 02:30 EDT"
    assert local(runs[2], NEW_YORK).strftime("%d %H:%M %Z") == "10 02:30 EDT"


def test_london_0130_on_spring_forward_day_runs_at_0200_bst() -> None:
    runs = daily("30 1 * * *", LONDON, utc(2026, 3, 28, 12), 2)
    assert runs[0] == utc(2026, 3, 29, 1, 0)
    assert local(runs[0], LONDON).strftime("%H:%M %Z") == "02:00 BST"
    assert local(runs[1], LONDON).strftime("%d %H:%M %Z") == "30 01:30 BST"


@pytest.mark.parametrize(
    ("tz", "cron", "start", "first", "second"),
    [
        # 01:30 happens twice on 2026-11-01 in New York: EDT (05:30 UTC) then EST (06:30 UTC).
        (
            NEW_YORK,
            "30 1 * * *",
            utc(2026, 10, 31, 12),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 2, 6, 30),
        ),
        # London 2026-10-25: 01:30 BST (00:30 UTC) then 01:30 GMT (01:30 UTC).
        (
            LONDON,
            "30 1 * * *",
            utc(2026, 10, 24, 12),
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 26, 1, 30),
        ),
        # Sydney 2026-04-05: 02:30 AEDT (15:30 UTC on the 4th) then 02:30 AEST.
        (
            SYDNEY,
            "30 2 * * *",
            utc(2026, 4, 3, 16),
            utc(2026, 4, 4, 15, 30),
            utc(2026, 4, 5, 16, 30),
        ),
    ],
)
def test_repeated_hour_runs_once_at_the_first_occurrence(
    tz: str, cron: str, start: datetime, first: datetime, second: datetime
) -> None:
    assert daily(cron, tz, start, 2) == [first, second]


def test_sydney_0230_on_spring_forward_day_runs_at_0300() -> None:
    runs = daily("30 2 * * *", SYDNEY, utc(2026, 10, 3, 12), 2)
    assert local(runs[0], SYDNEY).strftime("%d %H:%M %Z") == "04 03:00 AEDT"
    assert local(runs[1], SYDNEY).strftime("%d %H:%M %Z") == "05 02:30 AEDT"


def test_asking_from_the_second_pass_of_a_repeated_hour_never_goes_back() -> None:
    # 01:10 EST, after the 01:30 EDT run has happened: the next run is tomorrow, not the past.
    after = utc(2026, 11, 1, 6, 10)
    assert next_run("30 1 * * *", NEW_YORK, after) == utc(2026, 11, 2, 6, 30)


# DST: interval jobs follow elapsed time ---------------------------------------------------


def test_hourly_job_runs_in_both_passes_of_the_repeated_hour() -> None:
    found = runs_between("0 * * * *", NEW_YORK, utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 8))
    assert found == [utc(2026, 11, 1, h) for h in (5, 6, 7, 8)]
    assert [local(r, NEW_YORK).hour for r in found] == [1, 1, 2, 3]


def test_interval_job_skips_the_missing_hour() -> None:
    found = runs_between("*/30 * * * *", LONDON, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 2))
    assert [local(r, LONDON).strftime("%H:%M") for r in found] == [
        "00:30",
        "02:00",
        "02:30",
        "03:00",
    ]
