"""The Store contract for home page viewers: who to refresh, on either engine."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.store.base import Store

DAY = timedelta(days=1)


async def test_viewers_are_listed_most_recent_first_within_the_window(
    store: Store, clock: FakeClock
) -> None:
    start = clock.now()
    await store.note_home_viewer("slack", "T1", "U1", forget_before=start - DAY)
    clock.advance(timedelta(minutes=5))
    await store.note_home_viewer("slack", "T1", "U2", forget_before=start - DAY)
    await store.note_home_viewer("slack", "T2", "U3", forget_before=start - DAY)
    await store.note_home_viewer("discord", "T1", "U4", forget_before=start - DAY)
    assert await store.home_viewers("slack", "T1", start) == ["U2", "U1"]
    # A visit before `since` is not someone with the page open any more.
    assert await store.home_viewers("slack", "T1", start + timedelta(minutes=1)) == ["U2"]
    assert await store.home_viewers("slack", "T1", start, limit=1) == ["U2"]
    assert await store.home_viewers("slack", "T2", start) == ["U3"]


async def test_a_second_visit_moves_the_viewer_forward_and_old_visits_are_pruned(
    store: Store, clock: FakeClock
) -> None:
    start = clock.now()
    await store.note_home_viewer("slack", "T1", "U1", forget_before=start - DAY)
    await store.note_home_viewer("slack", "T1", "U2", forget_before=start - DAY)
    await store.note_home_viewer("slack", "T2", "U9", forget_before=start - DAY)
    clock.advance(timedelta(hours=2))
    later = clock.now()
    await store.note_home_viewer("slack", "T1", "U1", forget_before=later - timedelta(hours=1))
    assert await store.home_viewers("slack", "T1", later) == ["U1"]
    # U2's visit was pruned, not merely filtered: even the widest window no longer has it.
    assert await store.home_viewers("slack", "T1", start - DAY) == ["U1"]
    # Pruning stays in its own workspace.
    assert await store.home_viewers("slack", "T2", start - DAY) == ["U9"]
