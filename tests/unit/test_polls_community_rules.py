"""The newer poll rules as users meet them: the voters list, `--remind`, the reminder card,
question and option limits, and the edit and add rules, each checked by its full text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import poll_cards, poll_rules
from bot.errors import NotFound, UserError
from bot.models import Place, User
from bot.store.base import PollVote, Refused, Tally
from bot.usertext import shown
from tests.unit.pollmaker import NOW, PLACE, make

ELSEWHERE = Place("console", "other", "general")


def vote(option: int, voter_id: str | None, name: str | None) -> PollVote:
    return PollVote(option, voter_id, name, NOW)


# --- voters card -----------------------------------------------------------------------------


def test_voters_card_lists_names_per_option_in_full() -> None:
    votes = [vote(1, "u1", "Ann"), vote(3, "u2", "Bo"), vote(1, "u3", "Cy")]
    card = poll_cards.voters_card(make(), votes, NOW, moderator=False)
    assert card.kind == "poll"
    assert card.title == "Voters: poll #12"
    assert card.body == (
        "Who should negotiate?\n\n"
        "1. Pompeo (2): Ann, Cy\n"
        "2. Bolton (0): nobody\n"
        "3. Someone new (1): Bo"
    )
    assert card.footer == "Single choice · 3 voters · Open, no deadline"
    assert card.buttons == ()


def test_voters_card_falls_back_to_the_id_then_a_question_mark() -> None:
    votes = [vote(1, "u7", None), vote(2, None, None), vote(2, "u8", "")]
    card = poll_cards.voters_card(make(), votes, NOW, moderator=False)
    assert card.body.splitlines()[2:4] == ["1. Pompeo (1): u7", "2. Bolton (2): ?, u8"]


def test_voters_card_counts_distinct_voters_on_a_multi_choice_poll() -> None:
    poll = make(max_picks=2, closes_at=NOW + timedelta(hours=2))
    votes = [vote(1, "u1", "Ann"), vote(2, "u1", "Ann")]
    card = poll_cards.voters_card(poll, votes, NOW, moderator=False)
    assert card.body.splitlines()[2:5] == [
        "1. Pompeo (1): Ann",
        "2. Bolton (1): Ann",
        "3. Someone new (0): nobody",
    ]
    assert card.footer == (
        "Pick up to 2 · 1 voter · Open · closes Mon 05 Jan 2026 14:00 UTC (in 2h)"
    )


def test_voters_card_shows_the_deadline_in_the_given_timezone() -> None:
    poll = make(closes_at=NOW + timedelta(hours=2))
    card = poll_cards.voters_card(poll, [], NOW, moderator=False, timezone="Europe/Berlin")
    assert card.footer == (
        "Single choice · 0 voters · Open · closes Mon 05 Jan 2026 15:00 CET (in 2h)"
    )


def test_voters_card_survives_a_vote_for_an_option_no_longer_listed() -> None:
    votes = [vote(1, "u1", "Ann"), vote(4, "u2", "Bo")]
    card = poll_cards.voters_card(make(), votes, NOW, moderator=False)
    assert card.body.splitlines()[2:] == [
        "1. Pompeo (1): Ann",
        "2. Bolton (0): nobody",
        "3. Someone new (0): nobody",
    ]


@pytest.mark.parametrize(("count", "tail"), [(50, ""), (51, " and 1 more"), (53, " and 3 more")])
def test_voters_card_shows_at_most_fifty_names_per_option(count: int, tail: str) -> None:
    votes = [vote(2, f"u{n}", f"V{n}") for n in range(1, count + 1)]
    card = poll_cards.voters_card(make(), votes, NOW, moderator=False)
    line = card.body.splitlines()[3]
    names = ", ".join(f"V{n}" for n in range(1, 51))
    assert line == f"2. Bolton ({count}): {names}{tail}"
    assert card.footer == f"Single choice · {count} voters · Open, no deadline"


@pytest.mark.parametrize("moderator", [False, True])
def test_voters_card_refuses_an_anonymous_poll_even_to_moderators(moderator: bool) -> None:
    with pytest.raises(Refused) as caught:
        poll_cards.voters_card(make(anonymous=True), [], NOW, moderator=moderator)
    assert str(caught.value) == (
        "Poll #12 is anonymous: its votes are stored without names, so there is no list of "
        "voters. `poll results 12` shows the counts."
    )


def test_voters_card_of_a_mods_poll_is_for_moderators_only() -> None:
    poll = make(results="mods")
    with pytest.raises(Refused) as caught:
        poll_cards.voters_card(poll, [], NOW, moderator=False)
    assert str(caught.value) == "Poll #12 shows its results and voters to moderators only."
    card = poll_cards.voters_card(poll, [vote(1, "u1", "Ann")], NOW, moderator=True)
    assert card.body.splitlines()[2] == "1. Pompeo (1): Ann"


def test_voters_card_of_a_closed_results_poll_waits_for_the_close() -> None:
    poll = make(results="closed", closes_at=NOW + timedelta(hours=1))
    for moderator in (False, True):
        with pytest.raises(Refused) as caught:
            poll_cards.voters_card(poll, [], NOW, moderator=moderator)
        assert str(caught.value) == (
            "Poll #12 hides its results until it closes; its voters are shown then."
        )
    after = NOW + timedelta(hours=1)
    card = poll_cards.voters_card(poll, [vote(3, "u1", "Ann")], after, moderator=False)
    assert card.body.splitlines()[4] == "3. Someone new (1): Ann"
    assert card.footer == "Single choice · 1 voter · Closed Mon 05 Jan 2026 13:00 UTC (deadline)"


# --- --remind --------------------------------------------------------------------------------


def test_remind_needs_a_deadline() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind(" 30m ", None, NOW)
    assert str(caught.value) == "`--remind 30m` needs a deadline: add --closes 2h|<time>."


def test_remind_without_a_deadline_cuts_a_long_echo() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind("x" * 40, None, NOW)
    assert str(caught.value) == (
        f"`--remind {'x' * 29}…` needs a deadline: add --closes 2h|<time>."
    )


@pytest.mark.parametrize("typed", ["", "   ", "soon", "5", "m", "1x", "1h 30q"])
def test_remind_that_is_not_a_duration(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind(typed, NOW + timedelta(hours=2), NOW)
    assert str(caught.value) == (
        f"`--remind {typed.strip()}` is not a duration such as 30m, 1h or 1d."
    )


def test_remind_echo_of_a_long_non_duration_is_cut() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind("y" * 31, NOW + timedelta(hours=2), NOW)
    assert str(caught.value) == (f"`--remind {'y' * 29}…` is not a duration such as 30m, 1h or 1d.")


@pytest.mark.parametrize(
    ("typed", "lead"),
    [
        ("1m", timedelta(minutes=1)),
        ("119m", timedelta(minutes=119)),
        ("1h 59m", timedelta(minutes=119)),
        ("1H", timedelta(hours=1)),
        ("90min", timedelta(minutes=90)),
    ],
)
def test_remind_before_the_deadline_is_accepted(typed: str, lead: timedelta) -> None:
    assert poll_rules.check_remind(typed, NOW + timedelta(hours=2), NOW) == lead


def test_remind_in_weeks_and_days() -> None:
    closes = NOW + timedelta(days=30)
    assert poll_rules.check_remind("1w2d3h4m", closes, NOW) == timedelta(days=9, hours=3, minutes=4)


@pytest.mark.parametrize("typed", ["2h", "120m", "121m", "1d", "0m", "0h0m"])
def test_remind_at_or_past_the_deadline_is_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind(typed, NOW + timedelta(hours=2), NOW)
    assert str(caught.value) == (
        f"`--remind {typed}` is not before its deadline, which is 2h away; give a shorter "
        "reminder or a later --closes."
    )


def test_remind_refusal_names_the_remaining_time_in_days_and_hours() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind("3d", NOW + timedelta(days=2, hours=3, minutes=20), NOW)
    assert str(caught.value) == (
        "`--remind 3d` is not before its deadline, which is 2d 3h away; give a shorter "
        "reminder or a later --closes."
    )


def test_remind_of_a_huge_count_is_refused_not_crashed() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_remind("9999999999999w", NOW + timedelta(days=90), NOW)
    assert "is not before its deadline, which is 90d away" in str(caught.value)


def test_remind_is_checked_when_a_poll_is_drafted() -> None:
    user_place = PLACE
    made = poll_rules.draft(
        user_place,
        User("ana", "Ana"),
        "Q?",
        ("A", "B"),
        closes="2h",
        remind="30m",
        now=NOW,
    )
    assert made.remind == timedelta(minutes=30)
    assert poll_rules.remind_at(made.closes_at, made.remind) == NOW + timedelta(minutes=90)
    with pytest.raises(UserError, match="needs a deadline"):
        poll_rules.draft(user_place, User("ana", "Ana"), "Q?", ("A", "B"), remind="30m", now=NOW)


# --- reminder card ---------------------------------------------------------------------------


def test_reminder_card_in_full() -> None:
    poll = make(closes_at=NOW + timedelta(hours=1, minutes=30), remind=timedelta(hours=1))
    card = poll_cards.reminder_card(poll, Tally((2, 1, 0), 3), NOW)
    assert card.kind == "poll"
    assert card.title == "Poll #12 closes in 1h 30m"
    assert card.body == (
        "Who should negotiate?\n\n"
        "1. Pompeo\n2. Bolton\n3. Someone new\n\n"
        "3 voters so far. Vote with the buttons, or `poll vote 12 <option-number>`."
    )
    assert card.footer == "Open · closes Mon 05 Jan 2026 13:30 UTC (in 1h 30m)"
    assert [(b.label, b.action) for b in card.buttons] == [
        (b.label, b.action) for b in poll_cards.poll_buttons(poll, NOW)
    ]
    assert [b.label for b in card.buttons] == [
        "1. Pompeo",
        "2. Bolton",
        "3. Someone new",
        "Results",
    ]


def test_reminder_card_hides_counts_and_uses_the_timezone() -> None:
    poll = make(results="closed", closes_at=NOW + timedelta(minutes=10))
    card = poll_cards.reminder_card(poll, Tally((1, 0, 0), 1), NOW, "Europe/Berlin")
    assert card.title == "Poll #12 closes in 10m"
    assert "1 voter so far." in card.body
    assert "%" not in card.body
    assert card.footer == "Open · closes Mon 05 Jan 2026 13:10 CET (in 10m)"


# --- question and option checks -------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", " ", "\t\n"])
def test_an_empty_question_is_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_question(typed)
    assert str(caught.value) == (
        'The question is empty. Write it in quotes: poll create "Question?" ...'
    )


def test_question_at_the_limit_is_kept_and_one_past_is_refused() -> None:
    assert poll_rules.check_question("  " + "q" * 300 + "  ") == "q" * 300
    with pytest.raises(UserError) as caught:
        poll_rules.check_question("q" * 301)
    assert str(caught.value) == (
        f"The question is 301 characters; the limit is 300 (it starts `{'q' * 23}…`). "
        "Shorten it and try again."
    )


def test_question_length_is_counted_after_cleaning() -> None:
    assert poll_rules.check_question("a  " + "q" * 297) == "a " + "q" * 297


def test_question_with_a_control_character_names_the_question() -> None:
    with pytest.raises(UserError, match=r"^The question contains a control character"):
        poll_rules.check_question("Why\x07?")


@pytest.mark.parametrize("typed", ["", "  ", "\n"])
def test_an_empty_option_is_refused_by_its_field(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_option(typed, "Option 3")
    assert str(caught.value) == "Option 3 is empty. Give it some text or leave it out."


def test_option_at_the_limit_is_kept_and_one_past_is_refused() -> None:
    assert poll_rules.check_option(" " + "o" * 75 + " ", "Option 1") == "o" * 75
    with pytest.raises(UserError) as caught:
        poll_rules.check_option("o" * 76, "Option 2")
    assert str(caught.value) == (
        "Option 2 is 76 characters; the limit is 75 (the longest button label every platform "
        f"shows in full) (it starts `{'o' * 23}…`). Shorten it and try again."
    )


def test_option_is_cleaned_and_errors_name_the_field() -> None:
    assert poll_rules.check_option("  Two   words ", "Option 1") == "Two words"
    with pytest.raises(UserError, match=r"^Option 4 contains a control character"):
        poll_rules.check_option("a\x00b", "Option 4")


def test_options_that_look_the_same_are_refused_by_number() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.check_options(("Yes", "No", "ＹＥＳ"))
    assert str(caught.value) == (
        "Options 1 and 3 are the same (`ＹＥＳ`). Make each option different."
    )


# --- edit ------------------------------------------------------------------------------------


def test_edit_with_nothing_to_change_names_every_way() -> None:
    with pytest.raises(UserError) as caught:
        poll_rules.edit(make(), question=None, options=(), closes=None, now=NOW)
    assert str(caught.value) == (
        'Give a new --question "...", new options in quotes, or --closes 2h|<time>: '
        '`poll edit 12 --question "New question?" "Option" "Option"`.'
    )


@pytest.mark.parametrize("count", [1, 21])
def test_edit_option_count_outside_the_limits(count: int) -> None:
    options = tuple(f"O{n}" for n in range(count))
    with pytest.raises(UserError) as caught:
        poll_rules.edit(make(), question=None, options=options, closes=None, now=NOW)
    assert str(caught.value) == (
        f"A poll needs 2 to 20 options; you gave {count}. Put each option in its own quotes."
    )


@pytest.mark.parametrize("count", [2, 20])
def test_edit_option_count_at_the_limits(count: int) -> None:
    options = tuple(f"O{n}" for n in range(count))
    change = poll_rules.edit(make(), question=None, options=options, closes=None, now=NOW)
    assert change.options == options
    assert change.question is None
    assert change.closes_at is None


def test_edit_keeps_enough_options_for_a_multi_choice_poll() -> None:
    poll = make(max_picks=3)
    with pytest.raises(UserError) as caught:
        poll_rules.edit(poll, question=None, options=("A", "B"), closes=None, now=NOW)
    assert str(caught.value) == ("Poll #12 lets each person pick up to 3; give at least 3 options.")
    change = poll_rules.edit(poll, question=None, options=("A", "B", "C"), closes=None, now=NOW)
    assert change.options == ("A", "B", "C")


def test_edit_checks_the_question_and_deadline_like_a_new_poll() -> None:
    change = poll_rules.edit(make(), question="  New?  ", options=(), closes="2h", now=NOW)
    assert change.question == "New?"
    assert change.options is None
    assert change.closes_at == NOW + timedelta(hours=2)
    with pytest.raises(UserError, match=r"^The question is empty"):
        poll_rules.edit(make(), question=" ", options=(), closes=None, now=NOW)
    with pytest.raises(UserError, match=r"^Options 1 and 2 are the same"):
        poll_rules.edit(make(), question=None, options=("a", "A"), closes=None, now=NOW)


def test_edit_reads_a_bare_deadline_in_the_given_timezone() -> None:
    change = poll_rules.edit(
        make(),
        question=None,
        options=(),
        closes="2026-01-05T15:00",
        now=NOW,
        timezone="Europe/Berlin",
    )
    assert change.closes_at == datetime(2026, 1, 5, 14, 0, tzinfo=UTC)


def test_edit_reads_a_bare_deadline_as_utc_by_default() -> None:
    change = poll_rules.edit(make(), question=None, options=(), closes="2026-01-05T15:00", now=NOW)
    assert change.closes_at == datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


def test_rewording_is_allowed_before_the_first_vote_only() -> None:
    poll = make()
    reword = poll_rules.edit(poll, question="New?", options=(), closes=None, now=NOW)
    assert poll_rules.check_edit(poll, 12, PLACE, reword, 0, NOW) is poll
    with pytest.raises(Refused) as caught:
        poll_rules.check_edit(poll, 12, PLACE, reword, 1, NOW)
    assert str(caught.value) == (
        "Poll #12 has votes, so its question and options can no longer change (voters chose "
        "among them). Its deadline still can: `poll edit 12 --closes 2h|<time>`."
    )
    deadline = poll_rules.edit(poll, question=None, options=(), closes="3h", now=NOW)
    assert poll_rules.check_edit(poll, 12, PLACE, deadline, 5, NOW) is poll


def test_a_closed_poll_cannot_be_edited() -> None:
    poll = make(closes_at=NOW)
    change = poll_rules.edit(poll, question=None, options=(), closes="1h", now=NOW)
    with pytest.raises(Refused) as caught:
        poll_rules.check_edit(poll, 12, PLACE, change, 0, NOW)
    assert str(caught.value) == (
        "Poll #12 is closed. Open it again with `poll reopen 12 [--closes 2h|<time>]`."
    )


def test_editing_a_poll_from_elsewhere_is_not_found() -> None:
    change = poll_rules.edit(make(), question="New?", options=(), closes=None, now=NOW)
    for poll in (None, make()):
        with pytest.raises(NotFound) as caught:
            poll_rules.check_edit(poll, 12, ELSEWHERE, change, 0, NOW)
        assert str(caught.value) == "No poll `#12`. Type `poll list` to see the open polls here."


# --- add -------------------------------------------------------------------------------------


def test_add_to_an_open_options_poll_returns_the_cleaned_option() -> None:
    poll = make(open_options=True)
    assert poll_rules.check_add(poll, 12, PLACE, "  Kerry  ", NOW) == "Kerry"


def test_add_to_a_poll_without_open_options_is_refused() -> None:
    with pytest.raises(Refused) as caught:
        poll_rules.check_add(make(), 12, PLACE, "Kerry", NOW)
    assert str(caught.value) == (
        "Poll #12 takes only its creator's options. A poll made with `--open` lets members "
        "add theirs."
    )


def test_add_to_a_closed_poll_is_refused() -> None:
    for poll in (
        make(open_options=True, closes_at=NOW),
        make(open_options=True, closed_at=NOW - timedelta(minutes=1)),
    ):
        with pytest.raises(Refused) as caught:
            poll_rules.check_add(poll, 12, PLACE, "Kerry", NOW)
        assert str(caught.value) == "Poll #12 is closed; it no longer takes options."


def test_add_is_open_until_the_deadline() -> None:
    poll = make(open_options=True, closes_at=NOW + timedelta(seconds=1))
    assert poll_rules.check_add(poll, 12, PLACE, "Kerry", NOW) == "Kerry"


def test_add_at_nineteen_options_fills_the_poll_and_at_twenty_is_refused() -> None:
    nineteen = tuple(f"O{n}" for n in range(1, 20))
    assert poll_rules.check_add(make(open_options=True, options=nineteen), 12, PLACE, "New", NOW)
    full = make(open_options=True, options=(*nineteen, "O20"))
    with pytest.raises(Refused) as caught:
        poll_rules.check_add(full, 12, PLACE, "New", NOW)
    assert str(caught.value) == "Poll #12 already has 20 options, the most a poll can have."


@pytest.mark.parametrize("typed", ["bolton", "  BOLTON ", "Ｂｏｌｔｏｎ", "Bolton\u200b"])
def test_add_of_an_option_that_is_already_there_points_to_its_vote(typed: str) -> None:
    with pytest.raises(Refused) as caught:
        poll_rules.check_add(make(open_options=True), 12, PLACE, typed, NOW)
    option = poll_rules.check_option(typed, "The option")
    assert str(caught.value) == (
        f"Poll #12 already has `{shown(option)}` as option 2; vote for it with `poll vote 12 2`."
    )


def test_add_of_an_empty_or_long_option_names_the_option() -> None:
    poll = make(open_options=True)
    with pytest.raises(UserError) as caught:
        poll_rules.check_add(poll, 12, PLACE, " ", NOW)
    assert str(caught.value) == "The option is empty. Give it some text or leave it out."
    with pytest.raises(UserError, match=r"^The option is 76 characters; the limit is 75 "):
        poll_rules.check_add(poll, 12, PLACE, "o" * 76, NOW)


def test_add_to_a_poll_from_elsewhere_is_not_found() -> None:
    for poll in (None, make(open_options=True)):
        with pytest.raises(NotFound) as caught:
            poll_rules.check_add(poll, 12, ELSEWHERE, "Kerry", NOW)
        assert str(caught.value) == "No poll `#12`. Type `poll list` to see the open polls here."


def test_reopen_is_refused_for_an_open_poll_naming_how_to_move_its_deadline() -> None:
    with pytest.raises(Refused) as caught:
        poll_rules.check_reopen(make(), 12, PLACE, NOW)
    assert str(caught.value) == (
        "Poll #12 is still open. To move its deadline: `poll edit 12 --closes 2h|<time>`."
    )


def test_reopen_from_another_channel_is_answered_as_an_unknown_id() -> None:
    elsewhere = Place(PLACE.platform, PLACE.workspace, "elsewhere")
    closed = make(closed_at=NOW)
    with pytest.raises(NotFound) as unknown:
        poll_rules.check_reopen(None, 12, PLACE, NOW)
    with pytest.raises(NotFound) as hidden:
        poll_rules.check_reopen(closed, 12, elsewhere, NOW)
    assert str(hidden.value) == str(unknown.value)
    assert "#12" in str(unknown.value)
    assert poll_rules.check_reopen(closed, 12, PLACE, NOW) is closed
