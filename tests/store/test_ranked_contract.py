"""The Store contract for ranked-choice polls: ballots stored, replaced and refused atomically.

Runs on SQLite and PostgreSQL (see `conftest.py`), like the rest of the contract.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.store.base import PollEdit, Refused, Store, Tally
from tests.store.test_contract import ELSEWHERE, HERE, IN_A_THREAD, NEXT_DOOR, draft


async def test_a_ranking_is_stored_whole_and_counted_by_first_preference(
    store: Store, clock: FakeClock
) -> None:
    poll = await store.create_poll(draft(ranked=True))
    assert poll.ranked and (await store.get_poll(poll.id)) == poll
    first = await store.rank_vote(poll.id, HERE, "bo", "Bo", ("3", "1", "2"))
    assert (first.ranking, first.previous, first.poll.id) == ((3, 1, 2), (), poll.id)
    await store.rank_vote(poll.id, HERE, "cy", "Cy", ("3", "2", "1"))
    await store.rank_vote(poll.id, HERE, "di", "Di", ("1", "2", "3"))
    ballots = await store.poll_ballots(poll.id)
    assert [(b.voter_id, b.voter_name, b.ranking) for b in ballots] == [
        ("bo", "Bo", (3, 1, 2)),
        ("cy", "Cy", (3, 2, 1)),
        ("di", "Di", (1, 2, 3)),
    ]
    assert all(b.voted_at == clock.now() for b in ballots)
    assert await store.tally(poll.id) == Tally((1, 0, 2), 3)
    # A plain poll's tally is unchanged by the ballots table.
    plain = await store.create_poll(draft())
    await store.cast_vote(plain.id, HERE, "bo", "Bo", 2)
    assert await store.tally(plain.id) == Tally((0, 1, 0), 1)
    assert await store.poll_ballots(plain.id) == []


async def test_ranking_again_replaces_the_whole_ballot(store: Store, clock: FakeClock) -> None:
    poll = await store.create_poll(draft(ranked=True))
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("3", "1", "2"))
    clock.advance(timedelta(minutes=5))
    again = await store.rank_vote(poll.id, HERE, "bo", "Bo", ("2", "3", "1"))
    assert (again.previous, again.ranking) == ((3, 1, 2), (2, 3, 1))
    (ballot,) = await store.poll_ballots(poll.id)
    assert (ballot.ranking, ballot.voted_at) == ((2, 3, 1), clock.now())
    assert await store.tally(poll.id) == Tally((0, 1, 0), 1)


async def test_two_rankings_at_once_by_one_voter_leave_one_whole_ballot(store: Store) -> None:
    poll = await store.create_poll(draft(ranked=True, options=("A", "B", "C", "D")))
    rankings = [("1", "2", "3", "4"), ("4", "3", "2", "1"), ("2", "4", "1", "3")]
    await asyncio.gather(*(store.rank_vote(poll.id, HERE, "bo", "Bo", r) for r in rankings))
    (ballot,) = await store.poll_ballots(poll.id)
    assert ballot.ranking in [tuple(int(n) for n in r) for r in rankings]


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (("1", "1", "2"), "You ranked option 1 twice"),
        (("1", "2"), "you left out 3"),
        (("1", "2", "3", "4"), "there is no option 4"),
        (("1", "two", "3"), "`two` is not an option number"),
        ((), "Rank all 3 options of poll #"),
    ],
)
async def test_a_bad_ranking_is_refused_and_keeps_the_earlier_one(
    store: Store, typed: tuple[str, ...], says: str
) -> None:
    poll = await store.create_poll(draft(ranked=True))
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("2", "1", "3"))
    with pytest.raises(Refused) as refused:
        await store.rank_vote(poll.id, HERE, "bo", "Bo", typed)
    assert says in str(refused.value)
    assert [b.ranking for b in await store.poll_ballots(poll.id)] == [(2, 1, 3)]


async def test_a_ranking_honours_scope_like_a_vote(store: Store) -> None:
    poll = await store.create_poll(draft(ranked=True))
    for place in (ELSEWHERE, NEXT_DOOR):
        with pytest.raises(NotFound):
            await store.rank_vote(poll.id, place, "bo", "Bo", ("1", "2", "3"))
    with pytest.raises(NotFound):
        await store.rank_vote(poll.id + 1000, HERE, "bo", "Bo", ("1", "2", "3"))
    assert await store.poll_ballots(poll.id) == []
    # A thread of the poll's channel reaches it, as for votes.
    await store.rank_vote(poll.id, IN_A_THREAD, "bo", "Bo", ("1", "2", "3"))
    assert len(await store.poll_ballots(poll.id)) == 1


async def test_a_closed_ranked_poll_keeps_its_ballots_and_refuses_more(
    store: Store, clock: FakeClock
) -> None:
    poll = await store.create_poll(draft(ranked=True))
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("1", "2", "3"))
    await store.close_poll(poll.id, "ana")
    with pytest.raises(Refused, match="is closed; it no longer takes rankings"):
        await store.rank_vote(poll.id, HERE, "bo", "Bo", ("3", "2", "1"))
    with pytest.raises(Refused, match="is closed"):
        await store.rank_vote(poll.id, HERE, "cy", "Cy", ("3", "2", "1"))
    assert [b.ranking for b in await store.poll_ballots(poll.id)] == [(1, 2, 3)]
    # Past its deadline (not yet swept) it refuses too; reopened, it takes rankings again.
    timed = await store.create_poll(draft(ranked=True, closes_at=clock.now() + timedelta(hours=1)))
    clock.advance(timedelta(hours=2))
    with pytest.raises(Refused, match="is closed"):
        await store.rank_vote(timed.id, HERE, "bo", "Bo", ("1", "2", "3"))
    await store.reopen_poll(poll.id, HERE, None)
    await store.rank_vote(poll.id, HERE, "cy", "Cy", ("3", "2", "1"))
    assert len(await store.poll_ballots(poll.id)) == 2


async def test_plain_votes_and_rankings_do_not_mix(store: Store) -> None:
    poll = await store.create_poll(draft(ranked=True))
    with pytest.raises(Refused, match=f"Poll #{poll.id} is ranked: rank every option"):
        await store.cast_vote(poll.id, HERE, "bo", "Bo", 1)
    assert await store.tally(poll.id) == Tally((0, 0, 0), 0)
    plain = await store.create_poll(draft())
    with pytest.raises(Refused, match="is not a ranked poll; vote in it with `poll vote"):
        await store.rank_vote(plain.id, HERE, "bo", "Bo", ("1", "2", "3"))
    assert await store.tally(plain.id) == Tally((0, 0, 0), 0)


async def test_an_anonymous_ranked_poll_stores_no_names(store: Store) -> None:
    poll = await store.create_poll(draft(ranked=True, anonymous=True))
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("2", "1", "3"))
    await store.rank_vote(poll.id, HERE, "cy", "Cy", ("1", "2", "3"))
    again = await store.rank_vote(poll.id, HERE, "bo", "Bo", ("3", "1", "2"))
    assert again.previous == (2, 1, 3)  # the same voter is still known by their hashed key
    ballots = await store.poll_ballots(poll.id)
    assert [(b.voter_id, b.voter_name, b.voted_at) for b in ballots] == [(None, None, None)] * 2
    assert sorted(b.ranking for b in ballots) == [(1, 2, 3), (3, 1, 2)]
    assert await store.tally(poll.id) == Tally((1, 0, 1), 2)


async def test_a_ranked_polls_options_are_fixed_by_its_first_ballot(
    store: Store, clock: FakeClock
) -> None:
    poll = await store.create_poll(draft(ranked=True))
    edited = await store.edit_poll(poll.id, HERE, PollEdit(options=("A", "B", "C", "D")))
    assert edited.ranked and edited.options == ("A", "B", "C", "D")
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("4", "3", "2", "1"))
    with pytest.raises(Refused, match="has votes"):
        await store.edit_poll(poll.id, HERE, PollEdit(options=("A", "B")))
    assert [b.ranking for b in await store.poll_ballots(poll.id)] == [(4, 3, 2, 1)]
    later = clock.now() + timedelta(hours=3)
    moved = await store.edit_poll(poll.id, HERE, PollEdit(closes_at=later))
    assert moved.closes_at == later


async def test_deleting_a_ranked_poll_deletes_its_ballots(store: Store) -> None:
    poll = await store.create_poll(draft(ranked=True))
    await store.rank_vote(poll.id, HERE, "bo", "Bo", ("1", "2", "3"))
    assert await store.delete_poll(poll.id)
    assert await store.poll_ballots(poll.id) == []
    assert await store.tally(poll.id) == Tally((), 0)
