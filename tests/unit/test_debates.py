"""Debate counting: opening and closing shares, swing, winner, changed minds, one-time voters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot import debates
from bot.actions import command_line
from bot.errors import NotFound
from bot.models import Place
from bot.store.base import Debate, DebateVote, Refused, Side

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


def votes(before: dict[str, Side], after: dict[str, Side]) -> list[DebateVote]:
    found = [DebateVote(who, who, "before", side) for who, side in before.items()]
    return found + [DebateVote(who, who, "after", side) for who, side in after.items()]


def field(card: object, prefix: str) -> str:
    for item in card.fields:  # type: ignore[attr-defined]
        if item.name.startswith(prefix):
            return str(item.value)
    raise AssertionError(f"no field {prefix!r}")


def test_swing_winner_and_changed_minds() -> None:
    # Ten people vote twice; the classic Intelligence Squared picture.
    before: dict[str, Side] = {f"p{n}": "for" for n in range(3)}
    before |= {f"p{n}": "against" for n in range(3, 7)}
    before |= {f"p{n}": "undecided" for n in range(7, 10)}
    after = dict(before)
    after |= {"p3": "for", "p4": "for", "p7": "for", "p8": "against", "p0": "undecided"}
    results = debates.tally(votes(before, after))
    assert results.before.counts == (3, 4, 3) and results.after.counts == (5, 3, 2)
    assert results.swing("for") == pytest.approx(20.0)
    assert results.swing("against") == pytest.approx(-10.0)
    assert results.winner == "for"
    assert results.changes == (
        ("against", "for", 2),
        ("for", "undecided", 1),
        ("undecided", "for", 1),
        ("undecided", "against", 1),
    )
    assert results.changed == 5 and results.before_only == 0 and results.after_only == 0
    card = debates.results_card(DEBATE, results)
    assert field(card, "Opening vote (10 voters)") == (
        "For 30.0% (3) · Against 40.0% (4) · Undecided 30.0% (3)"
    )
    assert field(card, "Swing") == "For +20.0 pts · Against −10.0 pts · Undecided −10.0 pts"
    assert field(card, "Winner") == "For, gaining +20.0 pts"
    assert field(card, "Changed their minds (5 of 10)").splitlines() == [
        "Against → For: 2",
        "For → Undecided: 1",
        "Undecided → For: 1",
        "Undecided → Against: 1",
    ]


def test_the_side_that_gains_more_wins_even_when_the_other_is_bigger() -> None:
    before: dict[str, Side] = {"a": "against", "b": "against", "c": "against", "d": "for"}
    before |= {"e": "undecided", "f": "undecided"}
    after = before | {"e": "for", "f": "against"}
    results = debates.tally(votes(before, after))
    # Against still has most votes, but both gained one vote: a tie on points.
    assert results.swing("for") == pytest.approx(results.swing("against"))
    assert results.winner is None
    assert field(debates.results_card(DEBATE, results), "Winner").startswith("A tie")
    more = debates.tally(votes(before, before | {"e": "for", "f": "for"}))
    assert more.winner == "for" and more.after.count("against") == 3


def test_one_time_voters_count_in_their_own_phase_only() -> None:
    before: dict[str, Side] = {"both1": "against", "both2": "for", "early": "against"}
    after: dict[str, Side] = {"both1": "for", "both2": "for", "late1": "for", "late2": "for"}
    results = debates.tally(votes(before, after))
    assert results.before.total == 3 and results.after.total == 4
    assert (results.before_only, results.after_only) == (1, 2)
    # Each phase over its own voters: Against 66.7% -> 0%, For 33.3% -> 100%.
    assert results.swing("for") == pytest.approx(200 / 3)
    assert results.changes == (("against", "for", 1),)
    card = debates.results_card(DEBATE, results)
    assert "here 1 voted only before, 2 only after" in (card.footer or "")
    assert "For 50.0% → 100.0% (+50.0 pts)" in field(card, "Among the 2 who voted both times")


def test_no_closing_vote_means_no_winner() -> None:
    results = debates.tally(votes({"a": "for"}, {}))
    assert not results.has_swing and results.winner is None
    card = debates.results_card(DEBATE, results)
    assert field(card, "Closing vote (0 voters)") == "no votes"
    assert "nobody voted in the closing vote" in field(card, "Winner")
    assert all(not f.name.startswith(("Swing", "Changed")) for f in card.fields)


def test_nobody_changing_sides_is_said_plainly() -> None:
    same: dict[str, Side] = {"a": "for", "b": "against"}
    card = debates.results_card(DEBATE, debates.tally(votes(same, same)))
    assert field(card, "Changed their minds (0 of 2)") == "Nobody changed sides."
    assert field(card, "Swing") == "For ±0.0 pts · Against ±0.0 pts · Undecided ±0.0 pts"


def test_rule_is_printed_with_every_result() -> None:
    card = debates.results_card(DEBATE, debates.tally([]))
    footer = card.footer or ""
    assert "people who voted only before count in the opening tally" in footer
    assert "whichever of For and Against gained more points" in footer


def test_open_card_buttons_and_phase_text() -> None:
    opening = debates.debate_card(
        Debate(**{**DEBATE.__dict__, "phase": "before", "closed_at": None}), 4, 0
    )
    assert [command_line(b.action) for b in opening.buttons] == [
        "debate vote 3 for",
        "debate vote 3 against",
        "debate vote 3 undecided",
    ]
    assert [b.style for b in opening.buttons] == ["success", "danger", "secondary"]
    assert "Opening vote" in opening.body and (opening.footer or "").startswith("4 opening votes")
    closing = debates.debate_card(
        Debate(**{**DEBATE.__dict__, "phase": "after", "closed_at": None}), 4, 1
    )
    assert "Closing vote" in closing.body
    assert (closing.footer or "").startswith("4 opening votes, 1 closing vote ·")


def test_vote_messages() -> None:
    assert debates.vote_message(DEBATE, "before", "for", None) == (
        "Your opening vote on debate #3: For. You will be asked again after the discussion."
    )
    assert "from Against to For" in debates.vote_message(DEBATE, "after", "for", "against")
    assert "stays For" in debates.vote_message(DEBATE, "after", "for", "for")


# Debate phases: which vote counts where, and which moves are allowed, decided without a database.


def test_votes_count_in_the_current_phase_and_not_after_closing() -> None:
    here = DEBATE.place
    opening = replace(DEBATE, phase="before", closed_at=None)
    assert debates.vote_phase(opening, 3, here) == "before"
    assert debates.vote_phase(replace(opening, phase="after"), 3, here) == "after"
    with pytest.raises(Refused, match="closed"):
        debates.vote_phase(DEBATE, 3, here)
    for missing, place in ((None, here), (opening, replace(here, channel="elsewhere"))):
        with pytest.raises(NotFound, match="#3"):
            debates.vote_phase(missing, 3, place)


def test_a_debate_advances_once_and_closes_once() -> None:
    opening = replace(DEBATE, phase="before", closed_at=None)
    assert debates.check_advance(opening, 3) is opening
    with pytest.raises(
        Refused, match=r"already in its closing vote\. End it with `debate close 3`"
    ):
        debates.check_advance(replace(opening, phase="after"), 3)
    with pytest.raises(Refused, match="is closed"):
        debates.check_advance(DEBATE, 3)
    assert debates.check_close(replace(opening, phase="after"), 3).phase == "after"
    with pytest.raises(Refused, match="already closed"):
        debates.check_close(DEBATE, 3)
    for check in (debates.check_advance, debates.check_close):
        with pytest.raises(NotFound, match="#3"):
            check(None, 3)
