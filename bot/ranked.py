"""Ranked-choice polls: reading a typed ranking, and the instant-runoff count of the ballots.

Pure functions of option numbers (1 is the first option), shared by the command handlers, the
store's vote path and the cards, so a ranking is checked and counted the same way everywhere.

The count: each round, every ballot counts for its most preferred option still in the race. An
option backed by more than half of those ballots wins. Otherwise the option with the fewest
votes is eliminated and its ballots move to their next preference. Ties for elimination go to
the option with fewer first preferences, then to the later option number. When every option
still in the race has the same count, the poll is a tie between them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.errors import UserError
from bot.limits import fit

# Between option numbers: spaces, commas, `>` (`3 > 1 > 2`) or `|` (how slash-command lists split).
SEPARATORS = re.compile(r"[\s,>|]+")

TieBreak = Literal["first preferences", "option number"]

TIE_RULE = (
    "An elimination tie drops the option with fewer first preferences, then the later option "
    "number; if every option left has the same count, the poll is a tie."
)


@dataclass(frozen=True)
class Round:
    """One round of the count: votes per option still in, and what happened after it."""

    counts: tuple[tuple[int, int], ...]  # (option, votes), by option number
    exhausted: int  # ballots that rank no option still in (only partial rankings have them)
    eliminated: int | None = None
    tie_break: TieBreak | None = None  # how a tie for the fewest votes was broken

    @property
    def active(self) -> int:
        """Ballots counting for some option this round."""
        return sum(votes for _, votes in self.counts)


@dataclass(frozen=True)
class Count:
    """The whole instant-runoff count: its rounds, and the winner or the options tied."""

    ballots: int
    rounds: tuple[Round, ...]
    winner: int | None
    tied: tuple[int, ...] = ()


def parse_ranking(typed: Sequence[str], size: int, poll_id: int) -> tuple[int, ...]:
    """The option numbers of a typed ranking, checked to rank each of 1..`size` exactly once."""
    words = [word for item in typed for word in SEPARATORS.split(item) if word]
    example = " ".join(str(n) for n in range(size, 0, -1))
    how = f"`poll rank {poll_id} {example}` (option numbers, most preferred first)"
    if not words:
        raise UserError(f"Rank all {size} options of poll #{poll_id}: {how}.")
    ranking: list[int] = []
    for text in words:
        if not (text.isascii() and text.isdigit()):
            raise UserError(f"`{fit(text, 20)}` is not an option number. Rank them as {how}.")
        number = int(text)
        if not 1 <= number <= size:
            raise UserError(
                f"Poll #{poll_id} has options 1 to {size}; there is no option {number}. "
                f"Rank them as {how}."
            )
        if number in ranking:
            raise UserError(f"You ranked option {number} twice; rank each option once, as {how}.")
        ranking.append(number)
    missing = [n for n in range(1, size + 1) if n not in ranking]
    if missing:
        left = ", ".join(str(n) for n in missing)
        raise UserError(
            f"Rank every option of poll #{poll_id}: you left out {left}. Rank them as {how}."
        )
    return tuple(ranking)


def first_preferences(ballots: Sequence[Sequence[int]], size: int) -> tuple[int, ...]:
    """How many ballots put each option first (index 0 is option 1)."""
    counts = [0] * size
    for ballot in ballots:
        if ballot:
            counts[ballot[0] - 1] += 1
    return tuple(counts)


def count(ballots: Sequence[Sequence[int]], size: int) -> Count:
    """The instant-runoff count of `ballots` (rankings of options 1..`size`)."""
    firsts = first_preferences(ballots, size)
    continuing = list(range(1, size + 1))
    rounds: list[Round] = []
    while True:
        votes = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in ballots:
            top = next((option for option in ballot if option in votes), None)
            if top is None:
                exhausted += 1
            else:
                votes[top] += 1
        counts = tuple(votes.items())
        active = len(ballots) - exhausted
        if active == 0:
            return Count(len(ballots), tuple(rounds), None)
        leader = max(continuing, key=lambda option: votes[option])
        if 2 * votes[leader] > active:
            rounds.append(Round(counts, exhausted))
            return Count(len(ballots), tuple(rounds), leader)
        fewest = min(votes.values())
        lowest = [option for option in continuing if votes[option] == fewest]
        if len(lowest) == len(continuing):
            rounds.append(Round(counts, exhausted))
            return Count(len(ballots), tuple(rounds), None, tuple(continuing))
        out, tie_break = _eliminate(lowest, firsts)
        rounds.append(Round(counts, exhausted, out, tie_break))
        continuing.remove(out)


def _eliminate(lowest: list[int], firsts: tuple[int, ...]) -> tuple[int, TieBreak | None]:
    """The option to drop of those tied for the fewest votes, and the rule that chose it."""
    if len(lowest) == 1:
        return lowest[0], None
    fewest_firsts = min(firsts[option - 1] for option in lowest)
    by_firsts = [option for option in lowest if firsts[option - 1] == fewest_firsts]
    if len(by_firsts) == 1:
        return by_firsts[0], "first preferences"
    return max(by_firsts), "option number"
