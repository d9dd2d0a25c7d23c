"""The instant-runoff count and the reading of typed rankings (`bot.ranked`)."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.ranked import TIE_RULE, Count, Round, count, first_preferences, parse_ranking


def test_no_ballots_no_rounds_no_winner() -> None:
    assert count([], 3) == Count(0, (), None)


def test_one_voter_wins_for_their_first_choice_in_round_one() -> None:
    assert count([(2, 1, 3)], 3) == Count(1, (Round(((1, 0), (2, 1), (3, 0)), 0),), 2)


def test_a_first_round_majority_wins_at_once() -> None:
    ballots = [(1, 2, 3), (1, 3, 2), (2, 1, 3)]
    result = count(ballots, 3)
    assert result == Count(3, (Round(((1, 2), (2, 1), (3, 0)), 0),), 1)
    assert result.rounds[0].active == 3


def test_exactly_half_is_not_a_majority() -> None:
    # 2 of 4 for option 1 is half, not more: option 3 (fewest) goes, its ballot moves to 2.
    ballots = [(1, 2, 3), (1, 3, 2), (2, 1, 3), (3, 2, 1)]
    result = count(ballots, 3)
    assert result.rounds[0] == Round(((1, 2), (2, 1), (3, 1)), 0, 3, "option number")
    assert result.rounds[1] == Round(((1, 2), (2, 2)), 0)
    assert result.winner is None
    assert result.tied == (1, 2)


def test_transfers_over_many_rounds_elect_a_comeback() -> None:
    # 5 options; option 1 leads on first preferences but 2 gathers every transfer.
    ballots = [
        (1, 3, 4, 5, 2),
        (1, 3, 4, 5, 2),
        (1, 3, 4, 5, 2),
        (2, 1, 3, 4, 5),
        (2, 1, 3, 4, 5),
        (3, 2, 1, 4, 5),
        (4, 2, 1, 3, 5),
        (5, 4, 2, 1, 3),
    ]
    result = count(ballots, 5)
    assert [r.eliminated for r in result.rounds] == [5, 3, 4, None]
    assert result.rounds[0].counts == ((1, 3), (2, 2), (3, 1), (4, 1), (5, 1))
    # 3, 4 and 5 tie at 1 in round one and in first preferences: the later number, 5, goes.
    assert result.rounds[0].tie_break == "option number"
    assert result.rounds[1] == Round(((1, 3), (2, 2), (3, 1), (4, 2)), 0, 3, None)
    assert result.rounds[2] == Round(((1, 3), (2, 3), (4, 2)), 0, 4, None)
    assert result.rounds[3] == Round(((1, 3), (2, 5)), 0)
    assert result.winner == 2
    assert result.tied == ()
    assert result.ballots == 8


def test_an_elimination_tie_goes_to_fewer_first_preferences() -> None:
    # Round 2: options 2 and 3 both hold 2, but 3 had fewer first preferences (1 against 2).
    ballots = [
        (1, 2, 3, 4),
        (1, 2, 3, 4),
        (1, 2, 3, 4),
        (2, 3, 1, 4),
        (2, 3, 1, 4),
        (3, 2, 1, 4),
        (4, 3, 2, 1),
    ]
    result = count(ballots, 4)
    assert result.rounds[0] == Round(((1, 3), (2, 2), (3, 1), (4, 1)), 0, 4, "option number")
    assert result.rounds[1] == Round(((1, 3), (2, 2), (3, 2)), 0, 3, "first preferences")
    assert result.rounds[2] == Round(((1, 3), (2, 4)), 0)
    assert result.winner == 2


def test_a_tie_in_first_preferences_too_drops_the_later_option_number() -> None:
    # Options 1 and 3 hold 2 each, both with 2 first preferences: 3, the later, is dropped.
    ballots = [(1, 2, 3), (2, 1, 3), (2, 1, 3), (3, 1, 2), (3, 2, 1), (1, 3, 2), (2, 3, 1)]
    result = count(ballots, 3)
    assert result.rounds[0] == Round(((1, 2), (2, 3), (3, 2)), 0, 3, "option number")
    assert result.rounds[1] == Round(((1, 3), (2, 4)), 0)
    assert result.winner == 2


def test_an_earlier_option_with_fewer_first_preferences_is_dropped_before_a_later_one() -> None:
    # Round 2: 1 and 3 hold 2 each; 1 had 1 first preference, 3 had 2: 1 goes, not 3.
    ballots = [
        (2, 1, 3, 4),
        (2, 1, 3, 4),
        (2, 1, 3, 4),
        (1, 3, 2, 4),
        (3, 1, 2, 4),
        (3, 1, 2, 4),
        (4, 1, 3, 2),
    ]
    result = count(ballots, 4)
    assert result.rounds[0] == Round(((1, 1), (2, 3), (3, 2), (4, 1)), 0, 4, "option number")
    assert result.rounds[1] == Round(((1, 2), (2, 3), (3, 2)), 0, 1, "first preferences")
    assert result.rounds[2] == Round(((2, 3), (3, 4)), 0)
    assert result.winner == 3


def test_every_option_level_is_a_tie_at_once() -> None:
    result = count([(1, 2, 3), (2, 3, 1), (3, 1, 2)], 3)
    assert result == Count(3, (Round(((1, 1), (2, 1), (3, 1)), 0),), None, (1, 2, 3))


def test_two_voters_split_is_a_final_tie_after_the_unranked_first_go() -> None:
    result = count([(1, 2, 3), (2, 1, 3)], 3)
    assert result.rounds == (
        Round(((1, 1), (2, 1), (3, 0)), 0, 3, None),
        Round(((1, 1), (2, 1)), 0),
    )
    assert result.winner is None
    assert result.tied == (1, 2)


def test_partial_ballots_exhaust_and_the_majority_is_of_those_still_counting() -> None:
    # Ballots ranking only eliminated options stop counting (exhausted), round after round.
    ballots = [(1, 2), (1, 2), (2,), (3,), (3,), (4,)]
    result = count(ballots, 4)
    assert result.rounds[0] == Round(((1, 2), (2, 1), (3, 2), (4, 1)), 0, 4, "option number")
    assert result.rounds[1] == Round(((1, 2), (2, 1), (3, 2)), 1, 2, None)
    assert result.rounds[2] == Round(((1, 2), (3, 2)), 2)
    assert result.tied == (1, 3)
    assert result.rounds[1].active == 5
    won = count([(1,), (1,), (2,), (3, 1)], 3)
    assert won.rounds[-1] == Round(((1, 3), (2, 1)), 0)
    assert won.winner == 1


def test_ballots_that_rank_nothing_still_counting_end_the_count() -> None:
    assert count([(), ()], 2) == Count(2, (), None)
    ended = count([(1,), (2,)], 3)
    assert ended.tied == (1, 2)
    gone = count([(3,), (3,), (1,), (2,)], 3)
    assert gone.rounds[0].eliminated == 2
    assert gone.rounds[-1] == Round(((1, 1), (3, 2)), 1)
    assert gone.winner == 3


def test_a_majority_needs_more_than_half_of_the_ballots_still_counting() -> None:
    # 2 of 3 ballots still counting is a majority, though only 2 of 5 cast.
    result = count([(1,), (1,), (2,), (3,), (4,)], 4)
    assert result.rounds[-1].exhausted == 2
    assert result.winner == 1


def test_first_preferences_count_each_ballots_top_choice() -> None:
    assert first_preferences([(2, 1), (2, 1), (1, 2), ()], 3) == (1, 2, 0)


def test_the_tie_rule_is_stated_in_words() -> None:
    assert "fewer first preferences" in TIE_RULE
    assert "later option number" in TIE_RULE
    assert "tie" in TIE_RULE


def test_a_full_ranking_is_read_as_option_numbers() -> None:
    assert parse_ranking(("3", " 1", "2 "), 3, 12) == (3, 1, 2)
    assert parse_ranking(("1", "2"), 2, 12) == (1, 2)


@pytest.mark.parametrize(
    "typed", [("3 1 2",), ("3,1, 2",), ("3 > 1 > 2",), ("3|1|2",), ("3", "1 2")]
)
def test_a_ranking_may_be_typed_in_one_piece_with_separators(typed: tuple[str, ...]) -> None:
    assert parse_ranking(typed, 3, 12) == (3, 1, 2)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            (),
            "Rank all 3 options of poll #12: `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            (" , ",),
            "Rank all 3 options of poll #12: `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            ("3", "x", "1"),
            "`x` is not an option number. Rank them as `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            ("3", "-1", "1"),
            "`-1` is not an option number. Rank them as `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            ("3", "٣", "1"),
            "`٣` is not an option number. Rank them as `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            ("3", "4", "1"),
            "Poll #12 has options 1 to 3; there is no option 4. Rank them as "
            "`poll rank 12 3 2 1` (option numbers, most preferred first).",
        ),
        (
            ("0", "2", "1"),
            "Poll #12 has options 1 to 3; there is no option 0. Rank them as "
            "`poll rank 12 3 2 1` (option numbers, most preferred first).",
        ),
        (
            ("3", "1", "3"),
            "You ranked option 3 twice; rank each option once, as `poll rank 12 3 2 1` "
            "(option numbers, most preferred first).",
        ),
        (
            ("2",),
            "Rank every option of poll #12: you left out 1, 3. Rank them as "
            "`poll rank 12 3 2 1` (option numbers, most preferred first).",
        ),
        (
            ("2", "3"),
            "Rank every option of poll #12: you left out 1. Rank them as "
            "`poll rank 12 3 2 1` (option numbers, most preferred first).",
        ),
    ],
)
def test_a_bad_ranking_is_refused_naming_what_to_change(
    typed: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UserError) as refused:
        parse_ranking(typed, 3, 12)
    assert str(refused.value) == message


def test_a_long_bad_word_is_shortened_in_the_refusal() -> None:
    with pytest.raises(UserError) as refused:
        parse_ranking(("1" * 5 + "a" * 40,), 3, 7)
    assert "`11111aaaaaaaaaaaaaa…` is not an option number" in str(refused.value)
