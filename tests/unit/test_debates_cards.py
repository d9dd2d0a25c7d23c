"""Debate results and cards exactly as people read them: every field, every phase text, and the
one-sided cases (only an opening vote, only a closing vote, voters in one phase only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot import debates
from bot.models import Place
from bot.replies import Field
from bot.store.base import Debate, DebateVote, Side

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DEBATE = Debate(
    id=3,
    place=Place("console", "local", "general"),
    creator_id="mod",
    creator_name="Mo",
    motion="This house believes sanctions will never work.",
    prompt_id="P3",
    phase="closed",
    created_at=NOW,
    advanced_at=NOW,
    closed_at=NOW,
    closed_by="mod",
)
RULE = (
    "How votes count: each phase's percentages include everyone who voted in it, so people "
    "who voted only before count in the opening tally and people who voted only after count "
    "in the closing tally{extra}. Swing = closing % − opening %; the winner is whichever of For "
    "and Against gained more points. Changed minds and the second swing count only people "
    "who voted both times."
)


def votes(before: dict[str, Side], after: dict[str, Side]) -> list[DebateVote]:
    found = [DebateVote(who, who, "before", side) for who, side in before.items()]
    return found + [DebateVote(who, who, "after", side) for who, side in after.items()]


def test_full_result_card_with_one_time_voters_on_both_sides() -> None:
    results = debates.tally(
        votes(
            {"a": "for", "b": "against", "c": "undecided"},
            {"a": "for", "b": "for", "d": "against"},
        )
    )
    card = debates.results_card(DEBATE, results)
    assert (card.kind, card.title, card.body) == (
        "debate",
        "Debate #3 results",
        "This house believes sanctions will never work.",
    )
    assert card.fields == (
        Field("Opening vote (3 voters)", "For 33.3% (1) · Against 33.3% (1) · Undecided 33.3% (1)"),
        Field("Closing vote (3 voters)", "For 66.7% (2) · Against 33.3% (1) · Undecided 0.0% (0)"),
        Field("Swing", "For +33.3 pts · Against ±0.0 pts · Undecided −33.3 pts"),
        Field("Winner", "For, gaining +33.3 pts"),
        Field("Changed their minds (1 of 2)", "Against → For: 1"),
        Field(
            "Among the 2 who voted both times",
            "For 50.0% → 100.0% (+50.0 pts)\n"
            "Against 50.0% → 0.0% (−50.0 pts)\n"
            "Undecided 0.0% → 0.0% (±0.0 pts)",
        ),
    )
    assert card.footer == RULE.format(extra=" (here 1 voted only before, 1 only after)")


def test_only_opening_voters_who_left_are_named_in_the_rule() -> None:
    results = debates.tally(votes({"a": "for", "b": "against"}, {"a": "against"}))
    card = debates.results_card(DEBATE, results)
    assert card.fields[0] == Field(
        "Opening vote (2 voters)", "For 50.0% (1) · Against 50.0% (1) · Undecided 0.0% (0)"
    )
    assert card.fields[1].name == "Closing vote (1 voter)"
    assert card.footer == RULE.format(extra=" (here 1 voted only before, 0 only after)")


def test_everyone_voting_twice_leaves_the_rule_plain() -> None:
    same: dict[str, Side] = {"a": "for"}
    card = debates.results_card(DEBATE, debates.tally(votes(same, same)))
    assert card.footer == RULE.format(extra="")


def test_no_opening_vote_means_no_winner_and_no_swing() -> None:
    results = debates.tally(votes({}, {"a": "for"}))
    card = debates.results_card(DEBATE, results)
    assert card.fields == (
        Field("Opening vote (0 voters)", "no votes"),
        Field("Closing vote (1 voter)", "For 100.0% (1) · Against 0.0% (0) · Undecided 0.0% (0)"),
        Field("Winner", "No winner: nobody voted before the discussion, so there is no swing."),
    )
    assert card.footer == RULE.format(extra=" (here 0 voted only before, 1 only after)")


def test_a_tie_on_points_is_named() -> None:
    results = debates.tally(votes({"a": "for", "b": "against"}, {"a": "for", "b": "against"}))
    card = debates.results_card(DEBATE, results)
    assert card.fields[3] == Field("Winner", "A tie: For and Against both moved ±0.0 pts.")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "±0.0 pts"),
        (0.04, "±0.0 pts"),
        (-0.04, "±0.0 pts"),
        (0.4, "+0.4 pts"),
        (0.5, "+0.5 pts"),
        (-0.5, "−0.5 pts"),
        (1.0, "+1.0 pts"),
        (12.345, "+12.3 pts"),
        (-100.0, "−100.0 pts"),
    ],
)
def test_points_are_signed_to_one_decimal(value: float, text: str) -> None:
    assert debates.points(value) == text


def test_an_empty_phase_has_no_share_on_any_side() -> None:
    empty = debates.PhaseTally.of([])
    assert [empty.share(side) for side in ("for", "against", "undecided")] == [0.0, 0.0, 0.0]


def test_opening_card_in_full() -> None:
    card = debates.debate_card(replace(DEBATE, phase="before", closed_at=None), 1, 0)
    assert card.title == "Debate #3 (Oxford style)"
    assert card.body == (
        "This house believes sanctions will never work.\n\n"
        "Opening vote: where do you stand before the discussion? Vote For, Against or "
        "Undecided; you can change it until the closing vote opens."
    )
    assert card.footer == ("1 opening vote · results when a moderator closes it · started by Mo")
    assert [b.label for b in card.buttons] == ["For", "Against", "Undecided"]


def test_closing_card_in_full() -> None:
    card = debates.debate_card(replace(DEBATE, phase="after", closed_at=None), 2, 1)
    assert card.body == (
        "This house believes sanctions will never work.\n\n"
        "Closing vote: having heard the arguments, where do you stand now? Everyone may "
        "vote, including people who missed the opening vote."
    )
    assert card.footer == (
        "2 opening votes, 1 closing vote · results when a moderator closes it · started by Mo"
    )
    later = debates.debate_card(replace(DEBATE, phase="after", closed_at=None), 1, 2)
    assert (later.footer or "").startswith("1 opening vote, 2 closing votes ·")


def test_closing_vote_confirmations() -> None:
    assert debates.vote_message(DEBATE, "after", "against", None) == (
        "Your closing vote on debate #3: Against."
    )
    assert debates.vote_message(DEBATE, "before", "undecided", "undecided") == (
        "Your opening vote on debate #3 stays Undecided. "
        "You will be asked again after the discussion."
    )
    assert debates.vote_message(DEBATE, "after", "for", "against") == (
        "You changed your closing vote on debate #3 from Against to For."
    )
