"""The scenario table every platform must pass, written once in platform-neutral terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["public", "private", "edit", "thread"]


@dataclass(frozen=True)
class Say:
    """Run a command line as `user`."""

    line: str
    user: str = "ana"
    moderator: bool = False


@dataclass(frozen=True)
class Click:
    """Click the button `label` on the latest public message that has one."""

    label: str
    user: str = "ana"


@dataclass(frozen=True)
class Wait:
    """Let `seconds` pass: deadlines close, schedules post, waiting redraws go out."""

    seconds: float


@dataclass(frozen=True)
class Seen:
    """One thing a platform showed, in neutral terms: what kind, its words, its buttons."""

    kind: Kind
    text: str
    message: str = ""  # how the driver finds the message again (for clicks); "" if it cannot
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """An action and what it must show: (kind, words) pairs, and kinds it must not show."""

    action: Say | Click | Wait
    shows: tuple[tuple[Kind, str], ...] = ()
    hides: tuple[Kind, ...] = ()


MOTION = "P1"

SCENARIOS: dict[str, tuple[Step, ...]] = {
    "reading": (
        Step(Say("summary tldr"), shows=(("public", "tldr summary"),)),
        Step(Say("claims"), shows=(("public", "Claims"),)),
    ),
    "poll life cycle": (
        Step(
            Say('poll create "Lift sanctions?" "Yes" "No"'), shows=(("public", "Lift sanctions?"),)
        ),
        Step(
            Click("1. Yes", user="bo"),
            shows=(("private", "Your vote in poll #1"), ("edit", "1 vote")),
            hides=("public",),
        ),
        # Within the edit interval: confirmed at once, redrawn once the interval is over.
        Step(
            Click("2. No", user="cy"), shows=(("private", "Your vote in poll #1"),), hides=("edit",)
        ),
        Step(Wait(2), shows=(("edit", "2 voters"),)),
        # A button that posts nothing new answers the clicker alone.
        Step(Click("Results", user="di"), shows=(("private", "poll #1"),), hides=("public",)),
        Step(Say("poll close 1"), shows=(("public", "has closed"),)),
        Step(Wait(2), shows=(("edit", "Closed"),)),
    ),
    "ranked poll": (
        Step(
            Say('poll create "Who leads?" "Pompeo" "Bolton" "Someone new" --ranked'),
            shows=(("public", "Ranked choice"),),
        ),
        Step(
            Say("poll rank 1 3 1 2", user="bo"),
            shows=(("private", "I stored your ranking in poll #1"), ("edit", "1 vote")),
            hides=("public",),
        ),
        Step(Say("poll rank 1 2 1 3", user="cy"), shows=(("private", "I stored your ranking"),)),
        Step(Say("poll rank 1 3 3 1", user="di"), shows=(("private", "ranked option 3 twice"),)),
        Step(Say("poll vote 1 1", user="di"), shows=(("private", "Poll #1 is ranked"),)),
        Step(Say("poll rank 1 3 2 1", user="di"), shows=(("private", "I stored your ranking"),)),
        Step(Say("poll close 1"), shows=(("public", "Winner: 3. Someone new"),)),
    ),
    "debate": (
        Step(
            Say(f"debate start {MOTION}", moderator=True),
            shows=(("public", "Debate #1"), ("thread", "")),
        ),
        Step(
            Click("For", user="bo"),
            shows=(("private", "Your opening vote"), ("edit", "1 opening vote")),
            hides=("public",),
        ),
        Step(Click("Against", user="cy"), shows=(("private", "Against"),), hides=("edit",)),
        Step(Wait(2), shows=(("edit", "2 opening votes"),)),
    ),
    "deadline close": (
        Step(Say('poll create "Deal by summer?" "Yes" "No" --closes 1h')),
        Step(Click("1. Yes", user="bo"), shows=(("edit", "1 vote"),)),
        Step(Wait(3600), shows=(("public", "has closed"), ("edit", "Closed"))),
    ),
    "scheduled post": (
        Step(
            Say('admin schedule add "0 9 * * *" --with debate --thread', moderator=True),
            shows=(("private", "Schedule 1"),),
            hides=("public",),
        ),
        Step(
            Say("admin schedule run 1", moderator=True),
            shows=(("public", "Debate #1"), ("thread", ""), ("private", "Posted prompt")),
        ),
    ),
    "admin refusal": (
        Step(
            Say("admin moderators add bo", user="bo"),
            shows=(("private", "for moderators"),),
            hides=("public", "edit"),
        ),
    ),
}
