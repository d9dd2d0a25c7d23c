"""Oxford-style debate results and cards: opening and closing votes, swing, winner, changed minds.

The counting rule, printed under every result so nobody has to guess it:
- each phase's percentages count everyone who voted in that phase, so someone who voted only
  before the discussion counts in the opening tally and someone who voted only after counts in
  the closing tally;
- the swing of a side is its closing percentage minus its opening percentage, in points;
- the winner is whichever of For and Against gained more points (Undecided cannot win);
- changed minds, and a second swing, are computed over people who voted in both phases only,
  because only they have a before and an after to compare.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot import actions
from bot.models import Place
from bot.replies import Button, Card, Field, Style
from bot.scope import debate_not_found, reaches
from bot.store.base import SIDES, Debate, DebateVote, Refused, Side, VotePhase
from bot.wording import plural

LABELS: dict[Side, str] = {"for": "For", "against": "Against", "undecided": "Undecided"}
STYLES: dict[Side, Style] = {"for": "success", "against": "danger", "undecided": "secondary"}
_EPSILON = 1e-9


def vote_phase(debate: Debate | None, debate_id: int, place: Place) -> VotePhase:
    """The phase a vote from `place` counts in; NotFound (as for an unknown id) or Refused."""
    if debate is None or not reaches(place, debate.place):
        raise debate_not_found(debate_id)
    if debate.phase == "closed":
        raise Refused(f"Debate #{debate_id} is closed; it no longer takes votes.")
    return debate.phase


def check_advance(debate: Debate | None, debate_id: int) -> Debate:
    """The debate, if it may move from its opening vote to its closing vote."""
    if debate is None:
        raise debate_not_found(debate_id)
    if debate.phase == "after":
        raise Refused(
            f"Debate #{debate_id} is already in its closing vote. "
            f"End it with `debate close {debate_id}`."
        )
    if debate.phase == "closed":
        raise Refused(f"Debate #{debate_id} is closed.")
    return debate


def check_close(debate: Debate | None, debate_id: int) -> Debate:
    """The debate, if it may be closed (it is not already)."""
    if debate is None:
        raise debate_not_found(debate_id)
    if debate.phase == "closed":
        raise Refused(f"Debate #{debate_id} is already closed.")
    return debate


@dataclass(frozen=True)
class PhaseTally:
    """Positions in one phase: count per side, in `SIDES` order."""

    counts: tuple[int, int, int]

    @classmethod
    def of(cls, sides: list[Side]) -> PhaseTally:
        found = Counter(sides)
        return cls((found["for"], found["against"], found["undecided"]))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def count(self, side: Side) -> int:
        return self.counts[SIDES.index(side)]

    def share(self, side: Side) -> float:
        """Percentage of this phase's voters on `side` (0 when nobody voted)."""
        return 100.0 * self.count(side) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Results:
    """Everything `debate close` reports."""

    before: PhaseTally
    after: PhaseTally
    both_before: PhaseTally  # people who voted in both phases, their opening positions
    both_after: PhaseTally  # ... and their closing positions
    changes: tuple[tuple[Side, Side, int], ...]  # (from, to, people), most common first
    before_only: int
    after_only: int

    @property
    def has_swing(self) -> bool:
        return self.before.total > 0 and self.after.total > 0

    def swing(self, side: Side) -> float:
        """Closing share minus opening share, in percentage points."""
        return self.after.share(side) - self.before.share(side)

    @property
    def winner(self) -> Side | None:
        """The side among For and Against that gained more points; None for a tie or no swing."""
        if not self.has_swing:
            return None
        gained = self.swing("for") - self.swing("against")
        if abs(gained) < _EPSILON:
            return None
        return "for" if gained > 0 else "against"

    @property
    def changed(self) -> int:
        return sum(people for _, _, people in self.changes)


def tally(votes: list[DebateVote]) -> Results:
    """Count a debate's votes under the rule in this module's docstring."""
    before = {v.voter_id: v.side for v in votes if v.phase == "before"}
    after = {v.voter_id: v.side for v in votes if v.phase == "after"}
    both = sorted(before.keys() & after.keys())
    moves = Counter((before[v], after[v]) for v in both if before[v] != after[v])
    order = {side: n for n, side in enumerate(SIDES)}
    changes = tuple(
        (start, end, people)
        for (start, end), people in sorted(
            moves.items(), key=lambda item: (-item[1], order[item[0][0]], order[item[0][1]])
        )
    )
    return Results(
        before=PhaseTally.of(list(before.values())),
        after=PhaseTally.of(list(after.values())),
        both_before=PhaseTally.of([before[v] for v in both]),
        both_after=PhaseTally.of([after[v] for v in both]),
        changes=changes,
        before_only=len(before.keys() - after.keys()),
        after_only=len(after.keys() - before.keys()),
    )


def points(value: float) -> str:
    """A signed swing such as `+12.5 pts` or `−3.0 pts`."""
    rounded = round(value, 1)
    if rounded == 0:
        return "±0.0 pts"
    return f"{'+' if rounded > 0 else '−'}{abs(rounded):.1f} pts"


def _phase_line(phase: PhaseTally) -> str:
    if not phase.total:
        return "no votes"
    return " · ".join(
        f"{LABELS[side]} {phase.share(side):.1f}% ({phase.count(side)})" for side in SIDES
    )


def _swing_lines(before: PhaseTally, after: PhaseTally) -> str:
    return "\n".join(
        f"{LABELS[s]} {before.share(s):.1f}% → {after.share(s):.1f}% "
        f"({points(after.share(s) - before.share(s))})"
        for s in SIDES
    )


def _voters(n: int) -> str:
    return plural(n, "voter")


RULE = (
    "How votes count: each phase's percentages include everyone who voted in it, so people "
    "who voted only before count in the opening tally and people who voted only after count "
    "in the closing tally{extra}. Swing = closing % − opening %; the winner is whichever of For "
    "and Against gained more points. Changed minds and the second swing count only people "
    "who voted both times."
)


def results_card(debate: Debate, results: Results) -> Card:
    """The closing result: both votes, swing, winner, changed minds, and the counting rule."""
    fields = [
        Field(f"Opening vote ({_voters(results.before.total)})", _phase_line(results.before)),
        Field(f"Closing vote ({_voters(results.after.total)})", _phase_line(results.after)),
    ]
    if results.has_swing:
        fields.append(
            Field("Swing", " · ".join(f"{LABELS[s]} {points(results.swing(s))}" for s in SIDES))
        )
    fields.append(Field("Winner", winner_text(results)))
    both = results.both_before.total
    if both:
        if results.changes:
            moved = "\n".join(
                f"{LABELS[a]} → {LABELS[b]}: {people}" for a, b, people in results.changes
            )
        else:
            moved = "Nobody changed sides."
        fields.append(Field(f"Changed their minds ({results.changed} of {both})", moved))
        fields.append(
            Field(
                f"Among the {both} who voted both times",
                _swing_lines(results.both_before, results.both_after),
            )
        )
    extra = ""
    if results.before_only or results.after_only:
        extra = f" (here {results.before_only} voted only before, {results.after_only} only after)"
    return Card(
        "debate",
        debate.motion,
        title=f"Debate #{debate.id} results",
        fields=tuple(fields),
        footer=RULE.format(extra=extra),
    )


def winner_text(results: Results) -> str:
    """Who won and by how much, or why nobody did."""
    if results.after.total == 0:
        return "No winner: nobody voted in the closing vote, so there is no swing."
    if results.before.total == 0:
        return "No winner: nobody voted before the discussion, so there is no swing."
    winner = results.winner
    if winner is None:  # both phases have votes, so only a tie on points leaves no winner
        return f"A tie: For and Against both moved {points(results.swing('for'))}."
    return f"{LABELS[winner]}, gaining {points(results.swing(winner))}"


def debate_buttons(debate: Debate) -> tuple[Button, ...]:
    return tuple(
        actions.button(LABELS[side], f"debate vote {debate.id} {side}", STYLES[side])
        for side in SIDES
    )


def debate_card(debate: Debate, opening: int, closing: int) -> Card:
    """The public card of a debate still taking votes, with its three buttons."""
    if debate.phase == "before":
        step = (
            "Opening vote: where do you stand before the discussion? Vote For, Against or "
            "Undecided; you can change it until the closing vote opens."
        )
        counts = plural(opening, "opening vote")
    else:
        step = (
            "Closing vote: having heard the arguments, where do you stand now? Everyone may "
            "vote, including people who missed the opening vote."
        )
        counts = f"{plural(opening, 'opening vote')}, {plural(closing, 'closing vote')}"
    return Card(
        "debate",
        f"{debate.motion}\n\n{step}",
        title=f"Debate #{debate.id} (Oxford style)",
        footer=f"{counts} · results when a moderator closes it · started by {debate.creator_name}",
        buttons=debate_buttons(debate),
    )


def vote_message(debate: Debate, phase: str, side: Side, previous: Side | None) -> str:
    """The voter's private confirmation."""
    which = "opening" if phase == "before" else "closing"
    if previous is None:
        text = f"Your {which} vote on debate #{debate.id}: {LABELS[side]}."
    elif previous == side:
        text = f"Your {which} vote on debate #{debate.id} stays {LABELS[side]}."
    else:
        text = (
            f"You changed your {which} vote on debate #{debate.id} from {LABELS[previous]} to "
            f"{LABELS[side]}."
        )
    if phase == "before":
        text += " You will be asked again after the discussion."
    return text
