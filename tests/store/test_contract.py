"""The Store contract: every implementation must pass these, against real files.

Written against the `Store` protocol only; `conftest.py` parametrises them over implementations.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.models import Place
from bot.store.base import AuditNote, PollDraft, Refused, Store, Tally
from bot.store.work import StoreError
from tests.store.conftest import Opener

HERE = Place("console", "local", "general")
ELSEWHERE = Place("console", "other-workspace", "general")
NEXT_DOOR = Place("console", "local", "random")  # same workspace, another channel
IN_A_THREAD = Place("console", "local", "general", thread="t1")  # a thread of HERE


def draft(**changes: object) -> PollDraft:
    base: dict[str, object] = {
        "place": HERE,
        "creator_id": "ana",
        "creator_name": "Ana",
        "question": "Should the U.S. accept a nuclear North Korea?",
        "options": ("Yes", "No", "Unsure"),
    }
    base.update(changes)
    return PollDraft(**base)  # type: ignore[arg-type]


# Polls ------------------------------------------------------------------------------------------


async def test_create_and_read_back_a_poll(store: Store, clock: FakeClock) -> None:
    closes = clock.now() + timedelta(hours=2)
    poll = await store.create_poll(
        draft(max_picks=2, anonymous=True, results="mods", closes_at=closes)
    )
    assert poll.id > 0
    again = await store.get_poll(poll.id)
    assert again == poll
    assert poll.options == ("Yes", "No", "Unsure")
    assert (poll.max_picks, poll.anonymous, poll.results) == (2, True, "mods")
    assert poll.closes_at == closes and poll.created_at == clock.now()
    assert poll.closed_at is None and not poll.announced
    assert poll.place == HERE and poll.ref == f"poll:{poll.id}"
    assert await store.get_poll(poll.id + 1000) is None


async def test_duplicate_options_are_refused_by_the_store_too(store: Store) -> None:
    with pytest.raises(Refused):
        await store.create_poll(draft(options=("Yes", "yes")))
    assert await store.polls_since("console", "local") == []


async def test_single_choice_adds_moves_and_retracts(store: Store) -> None:
    poll = await store.create_poll(draft())
    first = await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)
    assert (first.change, first.previous, first.picks) == ("added", (), (1,))
    moved = await store.cast_vote(poll.id, HERE, "bo", "Bo", 2)
    assert (moved.change, moved.previous, moved.picks) == ("moved", (1,), (2,))
    tally = await store.tally(poll.id)
    assert tally.counts == (0, 1, 0) and tally.voters == 1
    back = await store.cast_vote(poll.id, HERE, "bo", "Bo", 2)
    assert (back.change, back.picks) == ("retracted", ())
    assert await store.tally(poll.id) == type(tally)((0, 0, 0), 0)


async def test_multi_choice_toggles_up_to_the_limit(store: Store) -> None:
    poll = await store.create_poll(draft(options=("A", "B", "C", "D"), max_picks=2))
    await store.cast_vote(poll.id, HERE, "cy", "Cy", 1)
    two = await store.cast_vote(poll.id, HERE, "cy", "Cy", 3)
    assert (two.change, two.picks) == ("added", (1, 3))
    with pytest.raises(Refused, match="at most 2 picks"):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 4)
    removed = await store.cast_vote(poll.id, HERE, "cy", "Cy", 1)
    assert (removed.change, removed.picks) == ("removed", (3,))
    await store.cast_vote(poll.id, HERE, "cy", "Cy", 4)
    await store.cast_vote(poll.id, HERE, "di", "Di", 4)
    tally = await store.tally(poll.id)
    assert tally.counts == (0, 0, 1, 2) and tally.voters == 2 and tally.votes == 3


async def test_refused_votes_write_nothing(store: Store, clock: FakeClock) -> None:
    poll = await store.create_poll(draft(closes_at=clock.now() + timedelta(hours=1)))
    await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)
    before = await store.tally(poll.id)
    with pytest.raises(NotFound):
        await store.cast_vote(poll.id + 99, HERE, "bo", "Bo", 1)
    with pytest.raises(NotFound):
        await store.cast_vote(poll.id, ELSEWHERE, "bo", "Bo", 2)
    with pytest.raises(Refused, match="options 1 to 3"):
        await store.cast_vote(poll.id, HERE, "bo", "Bo", 4)
    with pytest.raises(Refused, match="options 1 to 3"):
        await store.cast_vote(poll.id, HERE, "bo", "Bo", 0)
    clock.advance(timedelta(hours=1))
    with pytest.raises(Refused, match="closed"):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 2)
    with pytest.raises(Refused, match="closed"):
        await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # not even a retraction
    assert await store.tally(poll.id) == before


async def test_votes_from_another_channel_are_not_found_and_write_nothing(store: Store) -> None:
    poll = await store.create_poll(draft())
    debate = await store.create_debate(HERE, "mod", "Mod", "Motion", None)
    with pytest.raises(NotFound) as poll_refusal:
        await store.cast_vote(poll.id, NEXT_DOOR, "bo", "Bo", 1)
    with pytest.raises(NotFound) as debate_refusal:
        await store.cast_debate_vote(debate.id, NEXT_DOOR, "bo", "Bo", "for")
    assert await store.tally(poll.id) == Tally((0, 0, 0), 0)
    assert await store.debate_votes(debate.id) == []
    # The same words as for an id that never existed, so ids cannot be probed.
    with pytest.raises(NotFound) as never:
        await store.cast_vote(poll.id + 50, HERE, "bo", "Bo", 1)
    assert str(poll_refusal.value) == str(never.value).replace(f"#{poll.id + 50}", f"#{poll.id}")
    with pytest.raises(NotFound) as never:
        await store.cast_debate_vote(debate.id + 50, HERE, "bo", "Bo", "for")
    assert str(debate_refusal.value) == str(never.value).replace(
        f"#{debate.id + 50}", f"#{debate.id}"
    )
    # A thread of the channel is the channel.
    assert (await store.cast_vote(poll.id, IN_A_THREAD, "bo", "Bo", 1)).change == "added"
    voted = await store.cast_debate_vote(debate.id, IN_A_THREAD, "bo", "Bo", "for")
    assert voted.previous is None


async def test_a_refused_vote_in_a_batch_leaves_the_others_committed(store: Store) -> None:
    poll = await store.create_poll(draft(options=("A", "B")))
    results = await asyncio.gather(
        *(store.cast_vote(poll.id, HERE, f"u{i}", "U", 1 + i % 3) for i in range(300)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(refused) == 100
    tally = await store.tally(poll.id)
    assert tally.counts == (100, 100) and tally.voters == 200


async def test_ten_thousand_concurrent_voters_are_counted_exactly(store: Store) -> None:
    poll = await store.create_poll(draft(options=("A", "B", "C", "D", "E", "F", "G")))
    await asyncio.gather(
        *(store.cast_vote(poll.id, HERE, f"user-{i}", "U", 1 + i % 7) for i in range(10_000))
    )
    tally = await store.tally(poll.id)
    assert tally.voters == 10_000
    assert tally.counts == (1429, 1429, 1429, 1429, 1428, 1428, 1428)


async def test_concurrent_clicks_by_one_person_never_count_twice(store: Store) -> None:
    poll = await store.create_poll(draft())
    await asyncio.gather(*(store.cast_vote(poll.id, HERE, "eve", "Eve", 2) for _ in range(51)))
    # 51 clicks on the same option alternate add/retract: an odd number leaves one vote.
    tally = await store.tally(poll.id)
    assert tally.counts == (0, 1, 0) and tally.voters == 1


async def test_anonymous_polls_keep_no_voter_but_still_stop_double_votes(store: Store) -> None:
    poll = await store.create_poll(draft(anonymous=True))
    await store.cast_vote(poll.id, HERE, "fay", "Fay", 1)
    moved = await store.cast_vote(poll.id, HERE, "fay", "Fay", 3)
    assert moved.change == "moved" and moved.previous == (1,)
    await store.cast_vote(poll.id, HERE, "gus", "Gus", 3)
    assert (await store.tally(poll.id)).counts == (0, 0, 2)
    votes = await store.poll_votes(poll.id)
    assert [(v.option, v.voter_id, v.voter_name, v.voted_at) for v in votes] == [
        (3, None, None, None),
        (3, None, None, None),
    ]


async def test_poll_votes_lists_voters_of_open_polls(store: Store, clock: FakeClock) -> None:
    poll = await store.create_poll(draft())
    await store.cast_vote(poll.id, HERE, "hal", "Hal", 2)
    (vote,) = await store.poll_votes(poll.id)
    assert (vote.option, vote.voter_id, vote.voter_name, vote.voted_at) == (
        2,
        "hal",
        "Hal",
        clock.now(),
    )


async def test_close_poll_once(store: Store, clock: FakeClock) -> None:
    poll = await store.create_poll(draft())
    clock.advance(timedelta(minutes=5))
    closed = await store.close_poll(poll.id, "ana")
    assert closed.closed_at == clock.now() and closed.closed_by == "ana" and closed.announced
    assert not closed.is_open(clock.now())
    with pytest.raises(Refused, match="already closed"):
        await store.close_poll(poll.id, "ana")
    with pytest.raises(NotFound):
        await store.close_poll(poll.id + 5, "ana")
    with pytest.raises(Refused, match="closed"):
        await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)


async def test_open_polls_by_channel_and_workspace(store: Store, clock: FakeClock) -> None:
    general = await store.create_poll(draft())
    other_channel = await store.create_poll(draft(place=Place("console", "local", "random")))
    await store.create_poll(draft(place=ELSEWHERE))
    soon = await store.create_poll(draft(closes_at=clock.now() + timedelta(minutes=10)))
    closed = await store.create_poll(draft())
    await store.close_poll(closed.id, "ana")
    ids = [p.id for p in await store.open_polls("console", "local", "general")]
    assert ids == [general.id, soon.id]
    everywhere = [p.id for p in await store.open_polls("console", "local")]
    assert everywhere == [general.id, other_channel.id, soon.id]
    clock.advance(timedelta(minutes=10))
    assert [p.id for p in await store.open_polls("console", "local", "general")] == [general.id]
    assert len(await store.polls_since("console", "local")) == 4
    assert await store.polls_since("console", "local", clock.now()) == []


async def test_close_due_polls_returns_each_poll_exactly_once(
    store: Store, clock: FakeClock
) -> None:
    start = clock.now()
    first = await store.create_poll(draft(closes_at=start + timedelta(hours=1)))
    later = await store.create_poll(draft(closes_at=start + timedelta(hours=3)))
    slack = await store.create_poll(
        draft(place=Place("slack", "T1", "C1"), closes_at=start + timedelta(hours=1))
    )
    await store.create_poll(draft())  # no deadline
    assert await store.next_deadline(["console"]) == start + timedelta(hours=1)
    assert await store.close_due_polls(start, ["console", "slack"]) == []
    clock.advance(timedelta(hours=2))
    closed = await store.close_due_polls(clock.now(), ["console"])
    assert [p.id for p in closed] == [first.id]
    assert closed[0].closed_at == start + timedelta(hours=1)  # closed at its deadline
    assert closed[0].closed_by == "deadline" and closed[0].announced
    assert await store.close_due_polls(clock.now(), ["console"]) == []
    # A platform with no adapter running keeps its poll until that adapter can announce it.
    assert [p.id for p in await store.close_due_polls(clock.now(), ["slack"])] == [slack.id]
    assert await store.next_deadline(["console"]) == start + timedelta(hours=3)
    clock.advance(timedelta(hours=2))
    assert [p.id for p in await store.close_due_polls(clock.now(), ["console"])] == [later.id]
    assert await store.next_deadline(["console"]) is None


async def test_writes_survive_reopening(opener: Opener, tmp_path: Path, clock: FakeClock) -> None:
    first = await opener(tmp_path, clock)
    poll = await first.create_poll(draft(anonymous=True))
    await first.cast_vote(poll.id, HERE, "ivy", "Ivy", 1)
    await first.close()
    second = await opener(tmp_path, clock)
    try:
        # Same person after a restart: still recognised behind the anonymous key.
        moved = await second.cast_vote(poll.id, HERE, "ivy", "Ivy", 2)
        assert moved.change == "moved"
        assert (await second.tally(poll.id)).counts == (0, 1, 0)
    finally:
        await second.close()


# Debates ----------------------------------------------------------------------------------------


async def test_debate_lifecycle(store: Store, clock: FakeClock) -> None:
    debate = await store.create_debate(HERE, "mod", "Mod", "This house believes X.", "P1")
    assert (debate.phase, debate.prompt_id, debate.ref) == ("before", "P1", f"debate:{debate.id}")
    assert await store.get_debate(debate.id) == debate
    first = await store.cast_debate_vote(debate.id, HERE, "ann", "Ann", "against")
    assert (first.phase, first.side, first.previous) == ("before", "against", None)
    changed = await store.cast_debate_vote(debate.id, HERE, "ann", "Ann", "undecided")
    assert (changed.side, changed.previous) == ("undecided", "against")
    clock.advance(timedelta(minutes=30))
    advanced = await store.advance_debate(debate.id)
    assert advanced.phase == "after" and advanced.advanced_at == clock.now()
    with pytest.raises(Refused, match="already in its closing vote"):
        await store.advance_debate(debate.id)
    after = await store.cast_debate_vote(debate.id, HERE, "ann", "Ann", "for")
    assert (after.phase, after.previous) == ("after", None)
    votes = await store.debate_votes(debate.id)
    assert {(v.voter_id, v.phase, v.side) for v in votes} == {
        ("ann", "before", "undecided"),
        ("ann", "after", "for"),
    }
    closed = await store.close_debate(debate.id, "mod")
    assert closed.phase == "closed" and closed.closed_by == "mod"
    with pytest.raises(Refused, match="closed"):
        await store.cast_debate_vote(debate.id, HERE, "bob", "Bob", "for")
    with pytest.raises(Refused, match="already closed"):
        await store.close_debate(debate.id, "mod")
    assert len(await store.debate_votes(debate.id)) == 2


async def test_debate_refusals(store: Store) -> None:
    debate = await store.create_debate(HERE, "mod", "Mod", "Motion", None)
    with pytest.raises(NotFound):
        await store.cast_debate_vote(debate.id, ELSEWHERE, "ann", "Ann", "for")
    with pytest.raises(NotFound):
        await store.cast_debate_vote(debate.id + 7, HERE, "ann", "Ann", "for")
    with pytest.raises(NotFound):
        await store.advance_debate(debate.id + 7)
    assert await store.debate_votes(debate.id) == []


async def test_open_debates(store: Store) -> None:
    one = await store.create_debate(HERE, "mod", "Mod", "One", None)
    two = await store.create_debate(Place("console", "local", "random"), "m", "M", "Two", None)
    done = await store.create_debate(HERE, "mod", "Mod", "Done", None)
    await store.close_debate(done.id, "mod")
    assert [d.id for d in await store.open_debates("console", "local", "general")] == [one.id]
    assert [d.id for d in await store.open_debates("console", "local")] == [one.id, two.id]


# Moderators, audit, tracked messages -------------------------------------------------------------


async def test_moderators_per_workspace(store: Store, clock: FakeClock) -> None:
    assert await store.moderator_ids("discord", "G1") == frozenset()
    assert await store.add_moderator("discord", "G1", "U1", name="Ann", added_by="owner")
    assert await store.add_moderator("discord", "G1", "R9", kind="role", name="Teachers")
    assert not await store.add_moderator("discord", "G1", "U1")
    await store.add_moderator("discord", "G2", "U2")
    assert await store.moderator_ids("discord", "G1") == {"U1", "R9"}
    listed = await store.list_moderators("discord", "G1")
    assert [(m.subject_id, m.kind, m.name) for m in listed] == [
        ("R9", "role", "Teachers"),
        ("U1", "user", "Ann"),
    ]
    assert listed[1].added_by == "owner" and listed[1].added_at == clock.now()
    assert await store.remove_moderator("discord", "G1", "U1")
    assert not await store.remove_moderator("discord", "G1", "U1")
    assert await store.moderator_ids("discord", "G1") == {"R9"}
    assert await store.moderator_ids("slack", "G1") == frozenset()


async def test_audit_log_newest_first_per_workspace(store: Store, clock: FakeClock) -> None:
    for n in range(5):
        await store.audit("slack", "T1", "U1", "Ann", f"action {n}", f"detail {n}")
        clock.advance(timedelta(seconds=1))
    await store.audit("slack", "T2", "U9", "Zed", "elsewhere", "")
    log = await store.audit_log("slack", "T1", limit=3)
    assert [e.action for e in log] == ["action 4", "action 3", "action 2"]
    assert log[0].actor_name == "Ann" and log[0].detail == "detail 4"
    assert log[0].at > log[1].at
    assert [e.action for e in await store.audit_log("slack", "T2")] == ["elsewhere"]


async def test_audit_log_pages_by_entry(store: Store) -> None:
    for n in range(5):
        await store.audit("slack", "T1", "U1", "Ann", f"action {n}", "")
    first = await store.audit_log("slack", "T1", limit=2)
    second = await store.audit_log("slack", "T1", limit=2, before=first[-1].id)
    await store.audit("slack", "T1", "U1", "Ann", "written meanwhile", "")
    third = await store.audit_log("slack", "T1", limit=2, before=second[-1].id)
    assert [e.action for e in first + second + third] == [f"action {n}" for n in (4, 3, 2, 1, 0)]
    assert await store.audit_log("slack", "T1", limit=2, before=third[-1].id) == []


async def test_tracked_messages(store: Store) -> None:
    discord = Place("discord", "G1", "C1")
    slack = Place("slack", "T1", "C7", thread="171.5")
    await store.remember_message("poll:1", discord, "m1")
    await store.remember_message("poll:1", discord, "m1")  # idempotent
    await store.remember_message("poll:1", slack, "171.9")
    await store.remember_message("poll:2", discord, "m2")
    found = await store.messages_for("poll:1")
    assert [(m.place, m.message_id) for m in found] == [(discord, "m1"), (slack, "171.9")]
    assert await store.messages_for("poll:3") == []


async def test_a_delivery_is_claimed_once_until_it_expires(store: Store, clock: FakeClock) -> None:
    later = clock.now() + timedelta(minutes=10)
    assert await store.claim_delivery("slack:a", later) is True
    assert await store.claim_delivery("slack:a", later) is False
    assert await store.claim_delivery("slack:b", later) is True
    clock.advance(timedelta(minutes=10))  # expired claims are pruned, so the key is free again
    assert await store.claim_delivery("slack:a", clock.now() + timedelta(minutes=10)) is True


async def test_an_expired_claim_frees_its_key_before_it_is_pruned(
    store: Store, clock: FakeClock
) -> None:
    assert await store.claim_delivery("slack:a", clock.now() + timedelta(seconds=1)) is True
    clock.advance(timedelta(seconds=2))  # expired, though too soon after a prune for another
    assert await store.claim_delivery("slack:a", clock.now() + timedelta(minutes=10)) is True
    assert await store.claim_delivery("slack:a", clock.now() + timedelta(minutes=10)) is False
    clock.advance(timedelta(minutes=5))  # live claims are still refused between prunes
    assert await store.claim_delivery("slack:a", clock.now() + timedelta(minutes=10)) is False


async def test_a_burst_of_claims_is_answered_claim_by_claim(store: Store, clock: FakeClock) -> None:
    later = clock.now() + timedelta(minutes=10)
    assert await store.claim_delivery("slack:old", later) is True
    keys = [f"slack:{n}" for n in range(450)] + ["slack:3", "slack:old", "slack:449"]
    won = await asyncio.gather(*(store.claim_delivery(key, later) for key in keys))
    assert won == [True] * 450 + [False] * 3
    assert await store.claim_delivery("slack:420", later) is False


async def test_replicas_racing_for_one_delivery_claim_it_once(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    second = await opener(tmp_path, clock)  # another process on the same database
    try:
        later = clock.now() + timedelta(minutes=10)
        won = await asyncio.gather(
            *(s.claim_delivery(f"slack:{n % 5}", later) for n in range(20) for s in (first, second))
        )
        assert won.count(True) == 5
    finally:
        await second.close()
        await first.close()


async def test_an_action_can_carry_its_audit_line(store: Store) -> None:
    note = AuditNote("mod", "Mo", "poll close")
    poll = await store.create_poll(PollDraft(HERE, "a", "A", "Talks?", ("x", "y")))
    await store.close_poll(poll.id, "mod", audit=note)
    debate = await store.create_debate(
        HERE, "a", "A", "Motion.", None, audit=replace(note, action="debate start")
    )
    await store.advance_debate(debate.id, audit=replace(note, action="debate advance"))
    await store.close_debate(debate.id, "mod", audit=replace(note, action="debate close"))
    lines = [(e.actor_id, e.action, e.detail) for e in await store.audit_log("console", "local")]
    assert lines == [
        ("mod", "debate close", f"#{debate.id} Motion."),
        ("mod", "debate advance", f"#{debate.id} Motion."),
        ("mod", "debate start", f"#{debate.id} Motion."),
        ("mod", "poll close", f"#{poll.id} Talks?"),
    ]
    # A refused action writes no line either.
    with pytest.raises(Refused):
        await store.close_poll(poll.id, "mod", audit=note)
    assert len(await store.audit_log("console", "local")) == 4


async def test_ping_answers_while_open_and_refuses_once_closed(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    store = await opener(tmp_path, clock)
    await store.ping()
    await store.close()
    with pytest.raises(StoreError, match="closed"):
        await store.ping()
