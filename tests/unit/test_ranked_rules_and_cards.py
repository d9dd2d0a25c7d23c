"""Ranked-choice rules, cards and export as users meet them, each checked by its full text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from bot import poll_cards, poll_export, poll_rules
from bot.errors import NotFound, UserError
from bot.models import Place
from bot.ranked import TIE_RULE, Count, Round, count
from bot.store.base import Ballot, PollVote, RankOutcome, Refused, Tally
from tests.unit.pollmaker import ANA, NOW, PLACE, make

ELSEWHERE = Place("console", "local", "random")


# --- rules -----------------------------------------------------------------------------------


def test_a_ranked_draft_is_stored_ranked_and_single_choice() -> None:
    draft = poll_rules.draft(PLACE, ANA, "Who?", ("A", "B", "C"), ranked=True, now=NOW)
    assert draft.ranked and draft.max_picks == 1
    assert not poll_rules.draft(PLACE, ANA, "Who?", ("A", "B"), now=NOW).ranked


def test_ranked_with_multi_or_open_is_refused_naming_what_to_drop() -> None:
    with pytest.raises(UserError) as multi:
        poll_rules.draft(PLACE, ANA, "Who?", ("A", "B", "C"), ranked=True, multi=1, now=NOW)
    assert str(multi.value) == (
        "A `--ranked` poll has each voter rank every option, so `--multi` does not apply. "
        "Leave out `--multi` for a ranked poll, or `--ranked` to let people pick several."
    )
    with pytest.raises(UserError) as opened:
        poll_rules.draft(PLACE, ANA, "Who?", ("A", "B"), ranked=True, open_options=True, now=NOW)
    assert str(opened.value) == (
        "A `--ranked` poll needs every ballot to rank every option, so members cannot add "
        "options to it. Leave out `--open` for a ranked poll, or `--ranked` to keep it open."
    )
    # Without --ranked, both stay allowed.
    assert poll_rules.draft(PLACE, ANA, "Q?", ("A", "B"), multi=2, open_options=True, now=NOW)


def test_check_rank_reads_the_ranking_of_an_open_ranked_poll_here() -> None:
    poll = make(ranked=True)
    assert poll_rules.check_rank(poll, 12, PLACE, ("2 3 1",), NOW) == (2, 3, 1)
    assert poll_rules.check_rankable(poll, 12, PLACE, NOW) is poll
    in_thread = Place("console", "local", "general", thread="t")
    assert poll_rules.check_rank(poll, 12, in_thread, ("1", "2", "3"), NOW) == (1, 2, 3)


def test_check_rank_refuses_with_the_fix() -> None:
    poll = make(ranked=True)
    for missing, place in ((None, PLACE), (poll, ELSEWHERE)):
        with pytest.raises(NotFound):
            poll_rules.check_rank(missing, 12, place, ("1", "2", "3"), NOW)
    closed = make(ranked=True, closed_at=NOW)
    with pytest.raises(Refused) as refused:
        poll_rules.check_rank(closed, 12, PLACE, ("1", "2", "3"), NOW)
    assert str(refused.value) == "Poll #12 is closed; it no longer takes rankings."
    due = make(ranked=True, closes_at=NOW)
    with pytest.raises(Refused, match="is closed"):
        poll_rules.check_rank(due, 12, PLACE, ("1", "2", "3"), NOW)
    assert poll_rules.check_rank(due, 12, PLACE, ("1", "2", "3"), NOW - timedelta(seconds=1))
    with pytest.raises(Refused) as plain:
        poll_rules.check_rank(make(), 12, PLACE, ("1", "2", "3"), NOW)
    assert str(plain.value) == (
        "Poll #12 is not a ranked poll; vote in it with `poll vote 12 <option-number>`."
    )
    with pytest.raises(Refused) as twice:
        poll_rules.check_rank(poll, 12, PLACE, ("1", "1", "3"), NOW)
    assert str(twice.value).startswith("You ranked option 1 twice")


def test_a_plain_vote_in_a_ranked_poll_says_how_to_rank() -> None:
    with pytest.raises(Refused) as refused:
        poll_rules.check_vote(make(ranked=True), 12, PLACE, 1, NOW)
    assert str(refused.value) == (
        "Poll #12 is ranked: rank every option, most preferred first, with the Rank button or "
        "`poll rank 12 3 2 1`."
    )
    assert poll_rules.rank_example(make(options=("A", "B"))) == "poll rank 12 2 1"


# --- cards -----------------------------------------------------------------------------------


def test_the_ranked_card_has_one_rank_button_and_says_what_its_bars_count() -> None:
    poll = make(ranked=True)
    card = poll_cards.poll_card(poll, Tally((1, 0, 2), 3), NOW)
    assert [(b.label, b.action, b.style) for b in card.buttons] == [
        ("Rank", "oped:poll rank 12", "primary"),
        ("Results", "oped:poll results 12", "secondary"),
    ]
    assert card.body.endswith(
        "3. Someone new\n███████░░░ 67% · 2 votes\n\n"
        "First preferences; the results show the instant-runoff count."
    )
    assert card.footer == "Ranked choice · 3 voters · Open, no deadline"
    closed = poll_cards.poll_card(make(ranked=True, closed_at=NOW), Tally((0, 0, 0), 0), NOW)
    assert [b.label for b in closed.buttons] == ["Results"]
    anonymous = poll_cards.kind_text(make(ranked=True, anonymous=True))
    assert anonymous == "Ranked choice · anonymous"


def test_the_reminder_of_a_ranked_poll_says_how_to_rank() -> None:
    poll = make(ranked=True, closes_at=NOW + timedelta(hours=1))
    card = poll_cards.reminder_card(poll, Tally((0, 0, 0), 0), NOW)
    assert card.body.endswith(
        "0 voters so far. Rank the options with the Rank button, or `poll rank 12 3 2 1`."
    )
    plain = poll_cards.reminder_card(
        make(closes_at=NOW + timedelta(hours=1)), Tally((0,) * 3, 0), NOW
    )
    assert plain.body.endswith("Vote with the buttons, or `poll vote 12 <option-number>`.")


def test_runoff_text_states_every_round_the_winner_and_the_tie_rule() -> None:
    poll = make(ranked=True, options=("A", "B", "C", "D"))
    runoff = Count(
        6,
        (
            Round(((1, 2), (2, 2), (3, 1), (4, 1)), 0, 4, "option number"),
            Round(((1, 2), (2, 2), (3, 1)), 1, 3, "first preferences"),
            Round(((1, 3), (2, 2)), 1, 2),
            Round(((1, 3),), 3),
        ),
        1,
    )
    assert poll_cards.runoff_text(poll, runoff) == (
        "Instant-runoff count of 6 ballots:\n"
        "Round 1: 1. A: 2 · 2. B: 2 · 3. C: 1 · 4. D: 1. Out: 4. D (tied for fewest; the later "
        "option number).\n"
        "Round 2: 1. A: 2 · 2. B: 2 · 3. C: 1 · 1 exhausted. Out: 3. C (tied for fewest; fewer "
        "first preferences).\n"
        "Round 3: 1. A: 3 · 2. B: 2 · 1 exhausted. Out: 2. B.\n"
        "Round 4: 1. A: 3 · 3 exhausted.\n"
        "Winner: 1. A, with 3 of 3 ballots (100%) in round 4.\n" + TIE_RULE
    )


def test_runoff_text_says_so_for_a_tie_and_for_no_ballots() -> None:
    poll = make(ranked=True)
    tie = count([(1, 2, 3), (2, 1, 3)], 3)
    assert poll_cards.runoff_text(poll, tie).endswith(
        "Round 2: 1. Pompeo: 1 · 2. Bolton: 1.\n"
        "Tie: 1. Pompeo and 2. Bolton hold the same count in the last round, so no option "
        "wins.\n" + TIE_RULE
    )
    assert poll_cards.runoff_text(poll, count([], 3)) == "No rankings yet. " + TIE_RULE


def test_results_show_the_runoff_only_to_who_may_see_counts() -> None:
    runoff = count([(3, 1, 2)], 3)
    live = poll_cards.results_card(
        make(ranked=True), Tally((0, 0, 1), 1), NOW, moderator=False, runoff=runoff
    )
    assert live.body == (
        "Who should negotiate?\n\n1. Pompeo\n2. Bolton\n3. Someone new\n\n"
        + poll_cards.runoff_text(make(ranked=True), runoff)
    )
    hidden = poll_cards.results_card(
        make(ranked=True, results="closed"),
        Tally((0, 0, 1), 1),
        NOW,
        moderator=False,
        runoff=runoff,
    )
    assert "Round" not in hidden.body and "Winner" not in hidden.body
    closing = poll_cards.announcement(
        make(ranked=True, closed_at=NOW, closed_by="deadline"),
        Tally((0, 0, 1), 1),
        NOW,
        runoff=runoff,
    )
    assert "Winner: 3. Someone new, with 1 of 1 ballots (100%) in round 1." in closing.body


def test_the_rank_form_asks_each_place_in_turn() -> None:
    card, form = poll_cards.rank_form(make(ranked=True))
    assert card.title == "Rank poll #12" and card.kind == "notice"
    assert card.body == (
        "Who should negotiate?\n\n1. Pompeo\n2. Bolton\n3. Someone new\n\n"
        "Rank every option, most preferred first: `poll rank 12 3 2 1`. Ranking again replaces "
        "your ranking."
    )
    assert (form.title, form.command) == ("Rank poll #12", "poll rank 12")
    assert form.hint == "Option numbers, most preferred first, each once: 3 2 1"
    assert [pick.label for pick in form.picks] == ["1st choice", "2nd choice", "3rd choice"]
    assert form.line(("3", "1", "2")) == "poll rank 12 3 1 2"
    assert [poll_cards.ordinal(n) for n in (1, 2, 3, 4, 11, 20)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "20th",
    ]


def test_the_rank_confirmation_names_the_ranking_and_anonymity() -> None:
    first = RankOutcome(make(ranked=True), (3, 1, 2), ())
    assert poll_cards.rank_message(first) == (
        "I stored your ranking in poll #12: 3. Someone new > 1. Pompeo > 2. Bolton. Rank again "
        "to change it."
    )
    again = RankOutcome(make(ranked=True, anonymous=True), (1, 2, 3), (3, 1, 2))
    assert poll_cards.rank_message(again) == (
        "I replaced your ranking in poll #12: 1. Pompeo > 2. Bolton > 3. Someone new. Rank "
        "again to change it. This poll is anonymous: your ranking is stored without your name."
    )


def test_ranked_voters_list_each_ranking_under_the_voters_rules() -> None:
    ballots = [Ballot((3, 1, 2), "u1", "Ann", NOW), Ballot((1, 2, 3), "u2", None, NOW)]
    card = poll_cards.ranked_voters_card(make(ranked=True), ballots, NOW, moderator=False)
    assert card.title == "Voters: poll #12"
    assert card.body.endswith("Ann: 3 > 1 > 2\nu2: 1 > 2 > 3")
    assert card.footer == "Ranked choice · 2 voters · Open, no deadline"
    empty = poll_cards.ranked_voters_card(make(ranked=True), [], NOW, moderator=False)
    assert empty.body.endswith("Nobody has ranked yet.")
    many = [Ballot((1, 2, 3), f"u{n}", f"N{n}", NOW) for n in range(52)]
    listed = poll_cards.ranked_voters_card(make(ranked=True), many, NOW, moderator=False)
    assert "N49: 1 > 2 > 3" in listed.body and "N50" not in listed.body
    assert listed.body.endswith("and 2 more (the export has everyone)")
    with pytest.raises(Refused, match="anonymous"):
        poll_cards.ranked_voters_card(make(ranked=True, anonymous=True), [], NOW, moderator=True)
    with pytest.raises(Refused, match="moderators only"):
        poll_cards.ranked_voters_card(make(ranked=True, results="mods"), [], NOW, moderator=False)


# --- export ----------------------------------------------------------------------------------


def test_a_ranked_export_lists_each_ranking_and_counts_first_preferences() -> None:
    poll = make(ranked=True, options=("=A", "B", "C"))
    ballots = [Ballot((2, 1, 3), "u1", "@Ann", NOW), Ballot((1, 3, 2), "u2", "Bo", None)]
    summary, rankings = poll_export.export(poll, Tally((1, 1, 0), 2), [], ballots)
    assert summary.content.decode().splitlines()[0] == (
        "poll_id,question,option_number,option,first_preferences,percent_of_voters,voters"
    )
    assert rankings.filename == "poll-12-rankings.csv"
    rows = list(csv.reader(io.StringIO(rankings.content.decode())))
    assert rows == [
        [
            "poll_id",
            "voter_id",
            "voter_name",
            "voted_at",
            "ranking",
            "choice_1",
            "choice_2",
            "choice_3",
        ],
        ["12", "u1", "'@Ann", NOW.isoformat(), "2 1 3", "B", "'=A", "C"],
        ["12", "u2", "Bo", "", "1 3 2", "'=A", "C", "B"],
    ]
    (only,) = poll_export.export(
        make(ranked=True, anonymous=True), Tally((1, 0, 0), 1), [], ballots
    )
    assert only.filename == "poll-12-results.csv"
    plain = poll_export.export(make(), Tally((0, 0, 0), 0), [])
    assert plain[0].content.decode().startswith("poll_id,question,option_number,option,votes,")
    assert [f.filename for f in plain] == ["poll-12-results.csv", "poll-12-votes.csv"]


def test_ranked_voters_card_edges_names_limits_and_deadlines() -> None:
    nameless = [Ballot((2, 1, 3), None, None, None)]
    card = poll_cards.ranked_voters_card(make(ranked=True), nameless, NOW, moderator=False)
    assert card.kind == "poll" and card.body.endswith("?: 2 > 1 > 3")
    fifty = [Ballot((1, 2, 3), f"u{n}", f"N{n}", NOW) for n in range(50)]
    full = poll_cards.ranked_voters_card(make(ranked=True), fifty, NOW, moderator=False)
    assert full.body.endswith("N49: 1 > 2 > 3")
    # Results shown at closing: visible once the deadline has passed, named in the footer.
    due = make(ranked=True, results="closed", closes_at=NOW - timedelta(hours=1))
    after = poll_cards.ranked_voters_card(due, nameless, NOW, moderator=False)
    assert after.footer == "Ranked choice · 1 voter · Closed Mon 05 Jan 2026 11:00 UTC (deadline)"
    paris = poll_cards.ranked_voters_card(
        due, nameless, NOW, moderator=False, timezone="Europe/Paris"
    )
    assert paris.footer is not None and paris.footer.endswith("12:00 CET (deadline)")
    mods = poll_cards.ranked_voters_card(
        make(ranked=True, results="mods"), nameless, NOW, moderator=True
    )
    assert mods.body.endswith("?: 2 > 1 > 3")


def test_export_files_use_plain_newlines_and_leave_unknown_cells_empty() -> None:
    ballots = [Ballot((2, 1, 3), None, None, None)]
    _, rankings = poll_export.export(make(ranked=True), Tally((0, 1, 0), 1), [], ballots)
    assert (
        rankings.content.decode().splitlines(keepends=True)[1]
        == "12,,,,2 1 3,Bolton,Pompeo,Someone new\n"
    )
    vote = PollVote(1, None, None, None)
    _, votes = poll_export.export(make(), Tally((1, 0, 0), 1), [vote])
    assert votes.content.decode().endswith("\n12,1,Pompeo,,,\n")
    assert "\r" not in rankings.content.decode() + votes.content.decode()
