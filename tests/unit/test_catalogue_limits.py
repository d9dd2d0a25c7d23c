"""Checking typed arguments at every limit, from both sides, with the exact refusal people see
(including the usage line that follows it)."""

from __future__ import annotations

import pytest

from bot.catalogue import INT_MAX, INT_MIN, Args, Catalogue, Command, Option, coerce
from bot.context import Context
from bot.errors import NotFound, UsageError
from bot.models import ArgValue
from bot.replies import Reply, text
from bot.textparse import parse


async def _noop(ctx: Context, args: Args) -> Reply:
    return text("ok")


PICK = Command(
    ("pick",),
    "p",
    _noop,
    (
        Option("title", "text", "t", required=True, max_length=10),
        Option("items", "list", "i", min_items=2, max_items=3),
        Option("count", "int", "c", positional=False, min_value=1, max_value=20),
        Option("any", "int", "a", positional=False),
        Option("mode", "choice", "m", positional=False, choices=("live", "closed")),
        Option("quiet", "flag", "q", positional=False),
    ),
)
USAGE = (
    'Usage: pick <title> ["items" ...] [--count <count>] [--any <any>] [--mode live|closed] '
    "[--quiet]"
)


def refusal(raw: dict[str, ArgValue]) -> str:
    with pytest.raises(UsageError) as refused:
        coerce(PICK, raw)
    return str(refused.value)


def test_usage_line_lists_every_option() -> None:
    assert f"Usage: {PICK.usage}" == USAGE


@pytest.mark.parametrize(("typed", "value"), [("1", 1), ("20", 20), (1, 1), (20, 20), ("+7", 7)])
def test_a_bounded_number_at_its_limits_is_taken(typed: ArgValue, value: int) -> None:
    assert coerce(PICK, {"title": "T", "count": typed}).integer("count") == value


@pytest.mark.parametrize(
    ("typed", "bound", "shown"),
    [
        ("0", "at least 1", "0"),
        ("21", "at most 20", "21"),
        (0, "at least 1", "0"),
        (21, "at most 20", "21"),
        ("-" + "0" * 30, "at least 1", "-" + "0" * 28 + "…"),
    ],
)
def test_a_bounded_number_just_past_its_limits_is_refused(
    typed: ArgValue, bound: str, shown: str
) -> None:
    assert refusal({"title": "T", "count": typed}) == (
        f"--count must be {bound} (a whole number from 1 to 20); not `{shown}`.\n{USAGE}"
    )


def test_an_unbounded_number_takes_the_whole_64_bit_range() -> None:
    for typed, value in [
        (str(INT_MAX), INT_MAX),
        (str(INT_MIN), INT_MIN),
        ("-" + "0" * 24 + "5", -5),
        ("+" + "0" * 24 + "5", 5),
    ]:
        assert coerce(PICK, {"title": "T", "any": typed}).integer("any") == value
    span = f"a whole number from {INT_MIN} to {INT_MAX}"
    assert refusal({"title": "T", "any": str(INT_MAX + 1)}) == (
        f"--any must be at most {INT_MAX} ({span}); not `{INT_MAX + 1}`.\n{USAGE}"
    )
    assert refusal({"title": "T", "any": str(INT_MIN - 1)}) == (
        f"--any must be at least {INT_MIN} ({span}); not `{INT_MIN - 1}`.\n{USAGE}"
    )
    # Far too many digits to convert: still refused on the right side.
    assert refusal({"title": "T", "any": "9" * 25}).startswith(f"--any must be at most {INT_MAX} (")
    assert refusal({"title": "T", "any": "-" + "9" * 25}).startswith(
        f"--any must be at least {INT_MIN} ("
    )


def test_text_that_is_not_a_number_is_echoed_cut_to_thirty_characters() -> None:
    assert refusal({"title": "T", "count": "x" * 40}) == (
        f"--count must be a whole number, not `{'x' * 29}…`.\n{USAGE}"
    )
    assert refusal({"title": "T", "count": "1_000"}) == (
        f"--count must be a whole number, not `1_000`.\n{USAGE}"
    )


def test_a_switch_given_as_a_number_is_not_taken_as_one() -> None:
    assert refusal({"title": "T", "count": True}) == (
        f"--count must be a whole number, not `True`.\n{USAGE}"
    )


def test_text_length_limit_on_both_sides() -> None:
    assert coerce(PICK, {"title": "x" * 10}).text("title") == "x" * 10
    assert refusal({"title": "y" * 11}) == (
        "The title is 11 characters; the limit is 10 (it starts `yyyyyyyyyyy`). "
        f"Shorten it and try again.\n{USAGE}"
    )


def test_list_item_counts_on_both_sides() -> None:
    assert coerce(PICK, {"title": "T", "items": ("a", "b")}).items("items") == ("a", "b")
    assert coerce(PICK, {"title": "T", "items": ("a", "b", "c")}).items("items") == ("a", "b", "c")
    assert refusal({"title": "T", "items": ("a",)}) == (
        f"<items> needs at least 2 items; you gave 1. Put each in its own quotes.\n{USAGE}"
    )
    assert refusal({"title": "T", "items": ("a", "b", "c", "d")}) == (
        f"<items> takes at most 3 items; you gave 4.\n{USAGE}"
    )


def test_getters_give_nothing_for_a_value_of_another_kind() -> None:
    args = coerce(PICK, {"title": "T", "count": "3", "quiet": True, "items": ("a", "b")})
    assert (args.text("title"), args.integer("count"), args.items("items")) == ("T", 3, ("a", "b"))
    assert args.text("count") is None
    assert args.integer("quiet") is None and args.integer("title") is None
    assert args.items("title") == ()
    assert args.flag("quiet") is True and args.flag("title") is False


def test_options_are_found_by_name() -> None:
    assert PICK.option("mode").choices == ("live", "closed")
    with pytest.raises(KeyError, match="nothing"):
        PICK.option("nothing")


def test_an_unknown_word_after_a_group_name_is_echoed_with_the_group() -> None:
    catalogue = Catalogue(
        [PICK, Command(("poll", "create"), "c", _noop), Command(("help",), "h", _noop)]
    )
    with pytest.raises(NotFound) as in_group:
        parse("poll frobnicate now", catalogue)
    assert str(in_group.value).startswith("No command `poll frobnicate`.")
    with pytest.raises(NotFound) as alone:
        parse("frobnicate now", catalogue)
    assert str(alone.value).startswith("No command `frobnicate`.")


def test_a_switch_given_a_value_is_refused() -> None:
    assert refusal({"title": "T", "quiet": "no"}) == (
        f"--quiet is a switch and takes no value.\n{USAGE}"
    )


def test_a_single_value_for_a_list_is_one_item() -> None:
    tags = Command(("tag",), "t", _noop, (Option("tags", "list", "t"),))
    assert coerce(tags, {"tags": "solo"}).items("tags") == ("solo",)
    assert refusal({"title": "T", "items": "solo"}) == (
        f"<items> needs at least 2 items; you gave 1. Put each in its own quotes.\n{USAGE}"
    )


def test_options_left_out_read_as_not_given() -> None:
    args = coerce(PICK, {"title": "T"})
    assert args.flag("quiet") is False
    assert (args.integer("count"), args.text("mode"), args.items("items")) == (None, None, ())


def test_an_unknown_option_name_is_refused_with_the_usage_line() -> None:
    assert refusal({"title": "T", "colour": "red"}) == (f"`pick` has no option `colour`.\n{USAGE}")


def test_a_choice_outside_the_list_is_refused_with_the_usage_line() -> None:
    assert refusal({"title": "T", "mode": "Never"}) == (
        f"--mode must be one of live, closed; not `Never`.\n{USAGE}"
    )
    assert coerce(PICK, {"title": "T", "mode": "CLOSED"}).text("mode") == "closed"


def test_words_given_as_separate_items_are_joined_with_spaces() -> None:
    say = Command(("say",), "s", _noop, (Option("words", "words", "w"),))
    assert coerce(say, {"words": ("regime", "change")}).text("words") == "regime change"


def test_labels_and_usage_follow_the_placeholder_people_are_shown() -> None:
    def option(placeholder: str | None, **kwargs: object) -> Option:
        return Option("thing", kwargs.pop("kind", "text"), "h", placeholder=placeholder, **kwargs)  # type: ignore[arg-type]

    assert option(None).label == "<thing>"
    assert option("N").label == "<N>"
    assert option("<id>").label == "<id>"
    assert option('"<question>"').label == "<question>"
    assert option("2h|1d").label == "<thing>"
    assert option('"<item>" ...', kind="list").label == "<thing>"
    assert option("N", positional=False).label == "--thing"
    assert option("N", required=True).usage == "N"
    assert option("N").usage == "[N]"
    assert option("2h|1d|<time>", positional=False).usage == "[--thing 2h|1d|<time>]"
    assert option(None, positional=False).usage == "[--thing <thing>]"


def test_an_unknown_command_in_a_nested_group_points_to_that_group() -> None:
    catalogue = Catalogue(
        [Command(("admin", "schedule", "add"), "a", _noop), Command(("admin", "audit"), "b", _noop)]
    )
    with pytest.raises(NotFound) as nested:
        parse("Admin Schedule frob now", catalogue)
    assert str(nested.value) == (
        "No command `admin schedule frob`. Did you mean `admin schedule add`? "
        "Type `help admin schedule` for its commands."
    )
    with pytest.raises(NotFound) as top:
        parse("admin", catalogue)
    assert str(top.value).startswith("No command `admin`.")
    assert str(top.value).endswith("Type `help admin` for its commands.")
    assert catalogue.groups() == {("admin",), ("admin", "schedule")}


def test_a_command_is_got_by_its_path_or_refused_with_suggestions() -> None:
    catalogue = Catalogue([PICK])
    assert catalogue.get(("pick",)) is PICK
    with pytest.raises(NotFound) as refused:
        catalogue.get(("pik", "x"))
    assert str(refused.value) == "No command `pik x`. Did you mean `pick`? Type `help`."
