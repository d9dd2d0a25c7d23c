"""Reaching a poll or debate when one side has no channel: nobody does, thread ids or not."""

from __future__ import annotations

from bot.models import Place
from bot.scope import reaches


def test_a_caller_with_no_channel_does_not_reach_a_record_through_a_thread_id() -> None:
    legacy = Place("discord", "G1", "900")
    assert not reaches(Place("discord", "G1", "", thread="900"), legacy)


def test_a_record_with_no_channel_is_not_reached_from_a_thread_with_no_id() -> None:
    assert not reaches(Place("discord", "G1", "100", thread=""), Place("discord", "G1", ""))
