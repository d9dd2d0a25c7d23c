"""Poll rules a user would notice if one line broke: exact CSV exports, every limit from both
sides, deadlines at their bounds, and the rare paths (closed by hand late, removed picks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import durations, poll_cards, poll_export, poll_rules
from bot.errors import UserError
from bot.store.base import PollVote, Tally, VoteOutcome
from tests.unit.pollmaker import ANA, NOW, PLACE, make


def options(count: int) -> tuple[str, ...]:
    return tuple(f"Option {n}" for n in range(1, count + 1))


# --- CSV exports: the exact files a moderator downloads ---------------------------------------


def test_results_csv_is_exact() -> None:
    poll = make(question="Who should negotiate?")
    files = poll_export.export(poll, Tally((2, 0, 1), 3), [])
    assert files[0].filename == "poll-12-results.csv"
    assert files[0].content.decode() == (
        "poll_id,question,option_number,option,votes,percent_of_voters,voters\n"
        "12,Who should negotiate?,1,Pompeo,2,67,3\n"
        "12,Who should negotiate?,2,Bolton,0,0,3\n"
        "12,Who should negotiate?,3,Someone new,1,33,3\n"
    )


def test_votes_csv_is_exact_with_times_and_names() -> None:
    poll = make()
    votes = [
        PollVote(1, "u1", "Ann", NOW),
        PollVote(3, "u2", "Bo Li", NOW + timedelta(minutes=5)),
    ]
    files = poll_export.export(poll, Tally((1, 0, 1), 2), votes)
    assert files[1].filename == "poll-12-votes.csv"
    assert files[1].content.decode() == (
        "poll_id,option_number,option,voter_id,voter_name,voted_at\n"
        "12,1,Pompeo,u1,Ann,2026-01-05T12:00:00+00:00\n"
        "12,3,Someone new,u2,Bo Li,2026-01-05T12:05:00+00:00\n"
    )


def test_anonymous_poll_exports_only_the_tally() -> None:
    files = poll_export.export(
        make(anonymous=True), Tally((1, 1, 0), 2), [PollVote(1, None, None, None)]
    )
    assert [f.filename for f in files] == ["poll-12-results.csv"]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_lead_is_neutralised(lead: str) -> None:
    assert poll_export.csv_cell(f"{lead}SUM(A1)") == f"'{lead}SUM(A1)"


@pytest.mark.parametrize("value", ["", "Sum", "1+1", "a=b", " =x", "'quoted"])
def test_text_that_cannot_run_is_left_alone(value: str) -> None:
    assert poll_export.csv_cell(value) == value


# --- Limits, both sides -----------------------------------------------------------------------


def test_option_count_limits_on_both_sides() -> None:
    for count in (2, 20):
        made = poll_rules.draft(PLACE, ANA, "Q?", options(count), now=NOW)
        assert made.options == options(count)
    for count in (0, 1, 21):
        with pytest.raises(UserError) as refused:
            poll_rules.draft(PLACE, ANA, "Q?", options(count), now=NOW)
        assert str(refused.value) == (
            f"A poll needs 2 to 20 options; you gave {count}. Put each option in its own quotes."
        )


def test_option_length_limit_on_both_sides() -> None:
    made = poll_rules.draft(PLACE, ANA, "Q?", ("x" * 75, "No"), now=NOW)
    assert made.options == ("x" * 75, "No")
    with pytest.raises(UserError) as refused:
        poll_rules.draft(PLACE, ANA, "Q?", ("No", "y" * 76), now=NOW)
    assert str(refused.value).startswith(
        "Option 2 is 76 characters; the limit is 75 "
        "(the longest button label every platform shows in full)"
    )


def test_empty_option_and_question_refusals_name_the_fix() -> None:
    with pytest.raises(UserError) as empty:
        poll_rules.draft(PLACE, ANA, "Q?", ("Yes", "No", "  "), now=NOW)
    assert str(empty.value) == "Option 3 is empty. Give it some text or leave it out."
    with pytest.raises(UserError) as question:
        poll_rules.draft(PLACE, ANA, " \t", ("Yes", "No"), now=NOW)
    assert str(question.value) == (
        'The question is empty. Write it in quotes: poll create "Question?" ...'
    )


def test_duplicate_options_name_both_numbers() -> None:
    with pytest.raises(UserError) as refused:
        poll_rules.draft(PLACE, ANA, "Q?", ("Yes", "No", "maybe", "no"), now=NOW)
    assert str(refused.value) == (
        "Options 2 and 4 are the same (`no`). Make each option different."
    )


def test_multi_limits_on_both_sides() -> None:
    for picks in (1, 3):
        assert (
            poll_rules.draft(PLACE, ANA, "Q?", options(3), multi=picks, now=NOW).max_picks == picks
        )
    assert poll_rules.draft(PLACE, ANA, "Q?", options(3), now=NOW).max_picks == 1
    for picks in (-1, 4):
        with pytest.raises(UserError) as refused:
            poll_rules.draft(PLACE, ANA, "Q?", options(3), multi=picks, now=NOW)
        assert str(refused.value) == (
            f"`--multi {picks}` must be between 1 and the number of options (3)."
        )


def test_draft_keeps_the_deadline_it_was_given() -> None:
    made = poll_rules.draft(PLACE, ANA, "Q?", options(2), closes="2h", now=NOW)
    assert made.closes_at == NOW + timedelta(hours=2)
    assert poll_rules.draft(PLACE, ANA, "Q?", options(2), now=NOW).closes_at is None


@pytest.mark.parametrize(
    "text",
    ["1m", "1min", "90d", "129600m", "2160h", "12w6d", "2026-01-05T12:01", "2026-04-05T12:00"],
)
def test_deadlines_exactly_on_the_limits_are_taken(text: str) -> None:
    moment = durations.parse_closes(text, NOW)
    assert NOW + timedelta(minutes=1) <= moment <= NOW + timedelta(days=90)
    assert moment - NOW in (timedelta(minutes=1), timedelta(days=90))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0m", "`--closes 0m` is in the past; give a deadline at least a minute away."),
        (
            "2026-01-05T12:00:59",
            "`--closes 2026-01-05T12:00:59` is too soon; give a deadline at least a minute away.",
        ),
        (
            "2026-01-05T12:00",
            "`--closes 2026-01-05T12:00` is in the past; give a deadline at least a minute away.",
        ),
        ("90d1m", "`--closes 90d1m` is more than 90 days away; choose a nearer deadline."),
        ("129601m", "`--closes 129601m` is more than 90 days away; choose a nearer deadline."),
        (
            "2026-04-05T12:01",
            "`--closes 2026-04-05T12:01` is more than 90 days away; choose a nearer deadline.",
        ),
        (
            "9" * 40 + "m",
            f"`--closes {'9' * 29}…` is more than 90 days away; choose a nearer deadline.",
        ),
        (
            "0000000001000000000m",
            "`--closes 0000000001000000000m` is more than 90 days away; choose a nearer deadline.",
        ),
        (
            "next tuesday",
            "`--closes next tuesday` is not a duration such as 30m, 2h, 1d or 1h30m, or a time "
            "such as 2026-03-01T18:00.",
        ),
    ],
)
def test_deadlines_just_past_the_limits_are_refused(text: str, message: str) -> None:
    with pytest.raises(UserError) as refused:
        durations.parse_closes(text, NOW)
    assert str(refused.value) == message


def test_leading_zeros_do_not_make_a_near_deadline_far() -> None:
    assert durations.parse_closes("0000000000030m", NOW) == NOW + timedelta(minutes=30)
    assert durations.parse_closes("000000000001d", NOW) == NOW + timedelta(days=1)


def test_durations_add_up_every_unit() -> None:
    assert durations.parse_closes("1w2d3h4m", NOW) == NOW + timedelta(
        weeks=1, days=2, hours=3, minutes=4
    )
    assert durations.parse_closes(" 2 h ", NOW) == NOW + timedelta(hours=2)


# --- Shown to users: remaining time, turnout, kinds, statuses ---------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=59), "59m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=23, minutes=59), "23h 59m"),
        (timedelta(days=1), "1d"),
        (timedelta(days=1, minutes=59), "1d"),
        (timedelta(days=3, hours=1, minutes=30), "3d 1h"),
    ],
)
def test_remaining_time_on_both_sides_of_each_unit(delta: timedelta, text: str) -> None:
    assert durations.format_remaining(delta) == text


def test_percent_and_bar_round_half_up_and_cap_at_full() -> None:
    assert [poll_cards.percent(n, 8) for n in (1, 3, 4, 8)] == [13, 38, 50, 100]
    assert poll_cards.percent(3, 0) == 0 and poll_cards.percent(1, -1) == 0
    assert poll_cards.bar(1, 20) == "█" + "░" * 9  # 0.5 of a cell rounds up
    assert poll_cards.bar(1, 21) == "░" * 10  # under half a cell stays empty
    assert poll_cards.bar(2, 0) == "░" * 10


def test_single_and_multi_kind_and_turnout_texts() -> None:
    card = poll_cards.results_card(make(), Tally((1, 0, 0), 1), NOW, moderator=False)
    assert card.footer == "Single choice · 1 voter · Open, no deadline"
    assert card.title == "Results: poll #12"
    multi = make(max_picks=3, anonymous=True)
    card = poll_cards.results_card(multi, Tally((0, 0, 0), 0), NOW, moderator=False)
    assert card.footer == "Pick up to 3 · anonymous · 0 voters · Open, no deadline"
    assert card.body == (
        "Who should negotiate?\n\n"
        "1. Pompeo\n░░░░░░░░░░ 0% · 0 votes\n"
        "2. Bolton\n░░░░░░░░░░ 0% · 0 votes\n"
        "3. Someone new\n░░░░░░░░░░ 0% · 0 votes"
    )


def test_open_poll_status_counts_down_in_the_poll_zone() -> None:
    poll = make(closes_at=NOW + timedelta(minutes=90))
    assert poll_cards.status(poll, NOW, "Europe/Paris") == (
        "Open · closes Mon 05 Jan 2026 14:30 CET (in 1h 30m)"
    )
    # Exactly at the deadline the poll reads as closed.
    assert poll_cards.status(poll, NOW + timedelta(minutes=90)) == (
        "Closed Mon 05 Jan 2026 13:30 UTC (deadline)"
    )


def test_hidden_results_notes_on_public_cards() -> None:
    closed_mode = poll_cards.poll_card(make(results="closed"), Tally((1, 0, 0), 1), NOW)
    assert closed_mode.footer == (
        "Single choice · Results are shown when the poll closes. · Open, no deadline"
    )
    mods_mode = poll_cards.poll_card(make(results="mods"), Tally((1, 0, 0), 1), NOW)
    assert mods_mode.footer == (
        "Single choice · Results are visible to moderators only. · Open, no deadline"
    )
    assert mods_mode.body == "Who should negotiate?\n\n1. Pompeo\n2. Bolton\n3. Someone new"


def test_public_card_of_a_closed_live_poll_shows_counts_and_only_results() -> None:
    poll = make(closed_at=NOW - timedelta(hours=1), closed_by="ana")
    card = poll_cards.poll_card(poll, Tally((1, 1, 0), 2), NOW)
    assert card.footer == "Single choice · 2 voters · Closed Mon 05 Jan 2026 11:00 UTC"
    assert [b.label for b in card.buttons] == ["Results"]


# --- Rare paths -------------------------------------------------------------------------------


def test_poll_closed_by_hand_after_its_deadline_passed() -> None:
    """The hand-close time is what people see, and the announcement says it was closed."""
    poll = make(
        results="closed",
        closes_at=NOW - timedelta(hours=2),
        closed_at=NOW - timedelta(hours=1),
        closed_by="ana",
    )
    assert poll_cards.status(poll, NOW) == "Closed Mon 05 Jan 2026 11:00 UTC"
    card = poll_cards.announcement(poll, Tally((2, 1, 0), 3), NOW)
    assert card.title == "Poll #12 has closed (closed by its creator)"
    assert card.footer == "Single choice · 3 voters · Closed Mon 05 Jan 2026 11:00 UTC"
    assert "1. Pompeo\n███████░░░ 67% · 2 votes" in card.body


def test_announcement_of_a_poll_closed_by_its_deadline() -> None:
    poll = make(closes_at=NOW, closed_at=NOW, closed_by="deadline")
    card = poll_cards.announcement(poll, Tally((0, 1, 0), 1), NOW)
    assert card.title == "Poll #12 has closed (its deadline passed)"
    assert card.kind == "poll"


def test_mods_poll_announcement_keeps_counts_hidden_from_everyone() -> None:
    poll = make(results="mods", closed_at=NOW, closed_by="ana")
    card = poll_cards.announcement(poll, Tally((2, 1, 0), 3), NOW)
    assert card.body == "Who should negotiate?\n\n1. Pompeo\n2. Bolton\n3. Someone new"
    assert card.footer == (
        "Single choice · 3 voters · Results are visible to moderators only. · "
        "Closed Mon 05 Jan 2026 12:00 UTC"
    )


def test_multi_choice_removed_from_your_picks() -> None:
    poll = make(max_picks=2)
    removed = VoteOutcome(poll, 1, "removed", (1, 3), (3,))
    assert poll_cards.vote_message(removed) == (
        "Removed 1. Pompeo from your picks in poll #12. Your picks: 3 (up to 2)."
    )
    last = VoteOutcome(poll, 3, "removed", (3,), ())
    assert poll_cards.vote_message(last) == (
        "Removed 3. Someone new from your picks in poll #12. Your picks: none (up to 2)."
    )


def test_every_single_choice_confirmation_in_full() -> None:
    poll = make(anonymous=True)
    moved = VoteOutcome(poll, 3, "moved", (2,), (3,))
    assert poll_cards.vote_message(moved) == (
        "You moved your vote in poll #12 from 2. Bolton to 3. Someone new. "
        "This poll is anonymous: your choice is stored without your name."
    )
    back = VoteOutcome(make(), 1, "retracted", (1,), ())
    assert (
        poll_cards.vote_message(back) == "You took back your vote in poll #12 (it was 1. Pompeo)."
    )
    added = VoteOutcome(make(max_picks=3), 2, "added", (), (2,))
    assert poll_cards.vote_message(added) == (
        "Added 2. Bolton to your picks in poll #12. Your picks: 2 (up to 3). "
        "Vote for it again to remove it."
    )


def test_a_bare_deadline_time_is_read_in_the_configured_zone_when_drafting() -> None:
    tokyo = poll_rules.draft(
        PLACE, ANA, "Q?", options(2), closes="2026-01-06T18:00", now=NOW, timezone="Asia/Tokyo"
    )
    assert tokyo.closes_at == datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    # With no zone configured, a bare time is UTC.
    plain = poll_rules.draft(PLACE, ANA, "Q?", options(2), closes="2026-01-05T18:00", now=NOW)
    assert plain.closes_at == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    made = poll_rules.draft(PLACE, ANA, "Q?", options(2), now=NOW)
    assert (made.anonymous, made.results) == (False, "live")


def test_an_unreadable_deadline_is_echoed_cut_to_thirty_characters() -> None:
    with pytest.raises(UserError) as refused:
        durations.parse_closes("x" * 40, NOW)
    assert str(refused.value).startswith(f"`--closes {'x' * 29}…` is not a duration")


def test_over_long_question_refusal_names_the_question() -> None:
    with pytest.raises(UserError) as refused:
        poll_rules.draft(PLACE, ANA, "q" * 301, options(2), now=NOW)
    assert str(refused.value).startswith("The question is 301 characters; the limit is 300 (")
    with pytest.raises(UserError) as control:
        poll_rules.draft(PLACE, ANA, "Q\x00?", options(2), now=NOW)
    assert str(control.value).startswith("The question contains a control character (U+0000)")
    with pytest.raises(UserError) as option:
        poll_rules.draft(PLACE, ANA, "Q?", ("Yes", "N\x07o"), now=NOW)
    assert str(option.value).startswith("Option 2 contains a control character (U+0007)")


def test_hidden_counts_of_an_open_poll_with_a_deadline_for_a_member() -> None:
    poll = make(results="closed", closes_at=NOW + timedelta(hours=1))
    card = poll_cards.results_card(poll, Tally((2, 1, 0), 3), NOW, moderator=False, timezone="UTC")
    assert card.body == "Who should negotiate?\n\n1. Pompeo\n2. Bolton\n3. Someone new"
    assert card.footer == (
        "Single choice · 3 voters · Results are shown when the poll closes. · "
        "Open · closes Mon 05 Jan 2026 13:00 UTC (in 1h)"
    )


def test_moderators_see_a_mods_poll_with_a_note() -> None:
    poll = make(results="mods", closed_at=NOW, closed_by="ana")
    card = poll_cards.results_card(poll, Tally((1, 0, 0), 1), NOW, moderator=True)
    assert (card.kind, card.title) == ("poll", "Results: poll #12")
    assert card.footer == (
        "Single choice · 1 voter · Only moderators see these counts. · "
        "Closed Mon 05 Jan 2026 12:00 UTC"
    )


def test_cards_and_statuses_show_times_in_the_configured_zone() -> None:
    paris = "Europe/Paris"
    closed = make(closed_at=NOW, closed_by="ana")
    assert poll_cards.status(closed, NOW, paris) == "Closed Mon 05 Jan 2026 13:00 CET"
    late = make(closes_at=NOW - timedelta(hours=1))
    assert poll_cards.status(late, NOW, paris) == "Closed Mon 05 Jan 2026 12:00 CET (deadline)"
    card = poll_cards.poll_card(
        make(closes_at=NOW + timedelta(days=2)), Tally((0, 0, 0), 0), NOW, paris
    )
    assert (card.footer or "").endswith("Open · closes Wed 07 Jan 2026 13:00 CET (in 2d)")
    results = poll_cards.results_card(
        closed, Tally((0, 0, 0), 0), NOW, moderator=False, timezone=paris
    )
    assert (results.footer or "").endswith("Closed Mon 05 Jan 2026 13:00 CET")
    announced = poll_cards.announcement(closed, Tally((0, 0, 0), 0), NOW, paris)
    assert (announced.footer or "").endswith("Closed Mon 05 Jan 2026 13:00 CET")
    assert durations.format_time(NOW, "Asia/Kolkata") == "Mon 05 Jan 2026 17:30 IST"


def test_announcement_of_a_poll_a_moderator_closed() -> None:
    poll = make(closed_at=NOW, closed_by="mod")
    card = poll_cards.announcement(poll, Tally((0, 1, 0), 1), NOW)
    assert card.title == "Poll #12 has closed (closed by a moderator)"


def test_multi_choice_results_say_percentages_are_per_voter() -> None:
    body = poll_cards.option_lines(make(max_picks=2), Tally((3, 2, 1), 3))
    assert body.endswith("\n\n% of 3 voters; each could pick up to 2, so the total can pass 100%.")
    assert "% of" not in poll_cards.option_lines(make(max_picks=2), Tally((0, 0, 0), 0))
    assert "% of" not in poll_cards.option_lines(make(), Tally((3, 0, 0), 3))
