"""Cron rules at their edges: each field's range from both sides, steps, and the zone list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import NotFound, UserError
from bot.schedule.cron import explain, next_run, parse_cron, parse_tz, runs_between, time_zone_names


def test_the_zone_list_offered_for_completion_is_sorted_and_only_places() -> None:
    names = time_zone_names()
    assert names == sorted(names)
    assert {"UTC", "Europe/London", "America/New_York", "Asia/Tokyo"} <= set(names)
    assert not {"localtime", "posixrules", "Factory"} & set(names)


@pytest.mark.parametrize(
    "expression",
    ["0 0 1 1 0", "59 23 31 12 7", "*/60 * * * *", "* */24 * * *", "* * */31 * *", "* * * */12 *"],
)
def test_every_field_takes_its_lowest_and_highest_value(expression: str) -> None:
    assert parse_cron(expression) == expression


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("60 * * * *", "60 is outside the minute field, which takes 0 to 59"),
        ("* 24 * * *", "24 is outside the hour field, which takes 0 to 23"),
        ("* * 0 * *", "0 is outside the day-of-month field, which takes 1 to 31"),
        ("* * 32 * *", "32 is outside the day-of-month field, which takes 1 to 31"),
        ("* * * 0 *", "0 is outside the month field, which takes 1 to 12"),
        ("* * * 13 *", "13 is outside the month field, which takes 1 to 12"),
        ("* * * * 8", "8 is outside the day-of-week field, which takes 0 to 7"),
        ("*/0 * * * *", "the step `/0` in the minute field must be a whole number from 1 to 60"),
        ("*/61 * * * *", "the step `/61` in the minute field must be a whole number from 1 to 60"),
        ("* */25 * * *", "the step `/25` in the hour field must be a whole number from 1 to 24"),
        (
            "* * * * */9",
            "the step `/9` in the day-of-week field must be a whole number from 1 to 8",
        ),
    ],
)
def test_each_field_refuses_the_value_just_past_its_range(expression: str, message: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_cron(expression)
    assert str(refused.value).startswith(f"`{expression}`: {message}. Example: `0 9 * * 1-5`")


def test_explain_reads_the_expression_or_gives_it_back() -> None:
    assert explain("0 9 * * 1-5") == "At 09:00 on Monday through Friday"
    assert explain("not a schedule") == "not a schedule"


EXAMPLE = "Example: `0 9 * * 1-5` is 09:00 on weekdays (minute hour day-of-month month weekday)."


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "* * */32 * *",
            "the step `/32` in the day-of-month field must be a whole number from 1 to 31",
        ),
        ("* * * */13 *", "the step `/13` in the month field must be a whole number from 1 to 12"),
        (
            "*/5,10/0 * * * *",
            "the step `/0` in the minute field must be a whole number from 1 to 60",
        ),
        ("1234567890123 * * * *", "12345678901… is outside the minute field, which takes 0 to 59"),
        ("9" * 5000 + " * * * *", "99999999999… is outside the minute field, which takes 0 to 59"),
    ],
)
def test_steps_lists_and_huge_numbers_are_refused_naming_the_field(
    expression: str, message: str
) -> None:
    with pytest.raises(UserError) as refused:
        parse_cron(expression)
    assert str(refused.value).endswith(f": {message}. {EXAMPLE}")


def test_a_long_expression_is_echoed_cut_to_sixty_characters() -> None:
    minutes = ",".join(str(n) for n in range(31)) + ",99"
    with pytest.raises(UserError) as refused:
        parse_cron(f"{minutes} 9 * * *")
    assert str(refused.value) == (
        "`0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,…`: 99 is outside the minute "
        f"field, which takes 0 to 59. {EXAMPLE}"
    )
    with pytest.raises(UserError) as counted:
        parse_cron("  ".join(["1"] * 35))
    assert str(counted.value) == (
        "`1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1…` has 35 fields; a schedule "
        f"needs 5. {EXAMPLE}"
    )


def test_the_week_count_after_a_hash_is_left_to_the_day_of_week_rule() -> None:
    assert parse_cron("0 9 * * 1#5") == "0 9 * * 1#5"
    with pytest.raises(UserError) as refused:
        parse_cron("0 9 * * 1#8")
    assert str(refused.value) == (
        f"`0 9 * * 1#8` is not a valid schedule: the day-of-week field is not valid. {EXAMPLE}"
    )


def test_an_unknown_zone_is_refused_with_what_to_use() -> None:
    with pytest.raises(NotFound) as refused:
        parse_tz("Mars/Base")
    assert str(refused.value) == (
        "No time zone `Mars/Base`. Use an IANA name such as Europe/London, America/New_York or UTC."
    )


def test_a_due_time_exactly_now_is_not_due_again() -> None:
    nine = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert next_run("0 9 * * *", "UTC", nine) == nine + timedelta(days=1)
    assert runs_between("0 9 * * *", "UTC", nine, nine + timedelta(days=2)) == [
        nine + timedelta(days=1),
        nine + timedelta(days=2),
    ]


def test_a_time_without_a_zone_is_a_programming_error_said_plainly() -> None:
    with pytest.raises(ValueError) as refused:
        next_run("0 9 * * *", "UTC", datetime(2026, 1, 5, 9, 0))
    assert str(refused.value) == "`after` must be timezone-aware"
