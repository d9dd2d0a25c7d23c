"""Cron rules at their edges: each field's range from both sides, steps, and the zone list."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.schedule.cron import explain, parse_cron, time_zone_names


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
