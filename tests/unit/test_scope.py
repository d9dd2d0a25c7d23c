"""Who reaches a poll or debate: its own channel (and that channel's threads), nowhere else."""

from __future__ import annotations

import pytest

from bot.models import Place
from bot.scope import debate_not_found, poll_not_found, reaches

POLL = Place("slack", "T1", "C1")


@pytest.mark.parametrize(
    "caller",
    [
        Place("slack", "T1", "C1"),
        Place("slack", "T1", "C1", thread="1700000000.000100"),  # a thread of the channel
    ],
)
def test_its_own_channel_and_threads_reach_it(caller: Place) -> None:
    assert reaches(caller, POLL)


@pytest.mark.parametrize(
    "caller",
    [
        Place("slack", "T1", "C2"),  # another channel of the same workspace
        Place("slack", "T1", "D1"),  # a direct message
        Place("slack", "T2", "C1"),  # the same channel id in another workspace
        Place("discord", "T1", "C1"),  # the same ids on another platform
        Place("slack", "T1", "C2", thread="C1"),  # a thread elsewhere, whatever its id
        Place("slack", "T1", ""),  # no channel at all
    ],
)
def test_anywhere_else_does_not(caller: Place) -> None:
    assert not reaches(caller, POLL)


def test_a_record_made_with_no_channel_is_reached_from_nowhere() -> None:
    assert not reaches(Place("slack", "T1", ""), Place("slack", "T1", ""))


def test_a_record_kept_under_a_discord_thread_id_is_reached_from_that_thread() -> None:
    # Before adapters named a thread's parent, a poll made in a thread kept the thread's id
    # as its channel; the people in that thread still reach it, and nobody else does.
    legacy = Place("discord", "G1", "900")
    assert reaches(Place("discord", "G1", "100", thread="900"), legacy)
    assert not reaches(Place("discord", "G1", "100"), legacy)
    assert not reaches(Place("discord", "G1", "100", thread="901"), legacy)


def test_not_found_says_the_same_whether_the_id_exists_elsewhere_or_never_existed() -> None:
    # The wording depends on the id alone: nothing tells an existing id from a missing one.
    assert str(poll_not_found(4)) == "No poll `#4`. Type `poll list` to see the open polls here."
    assert str(debate_not_found(4)) == (
        "No debate `#4`. Type `debate list` to see the debates here."
    )
