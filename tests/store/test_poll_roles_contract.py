"""The Store contract for polls limited to roles or channel members (migration 8).

Parametrised over SQLite and PostgreSQL by `conftest.py`, like `test_contract.py`.
"""

from __future__ import annotations

import pytest

from bot.store.base import AuditNote, NotEligible, PollRole, Store, Voter
from tests.store.test_contract import HERE, draft

EDITORS = PollRole("R1", "@Editors")
STAFF = PollRole("R2", "@Staff")
NOTE = AuditNote("bo", "Bo", "poll add")


async def test_roles_and_members_only_are_stored_and_read_back(store: Store) -> None:
    poll = await store.create_poll(draft(roles=(EDITORS, STAFF), members_only=True))
    assert (poll.roles, poll.members_only) == ((EDITORS, STAFF), True)
    assert await store.get_poll(poll.id) == poll
    (listed,) = await store.open_polls("console", "local", "general")
    assert listed == poll
    plain = await store.create_poll(draft())
    assert (plain.roles, plain.members_only) == ((), False)


async def test_a_vote_outside_the_roles_is_refused_and_writes_nothing(store: Store) -> None:
    poll = await store.create_poll(draft(roles=(EDITORS, STAFF)))
    with pytest.raises(NotEligible, match="is for @Editors and @Staff"):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 1, by=Voter(frozenset({"R9"})))
    with pytest.raises(NotEligible):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 1)
    assert (await store.tally(poll.id)).voters == 0
    outcome = await store.cast_vote(poll.id, HERE, "cy", "Cy", 2, by=Voter(frozenset({"R2"})))
    assert outcome.picks == (2,)
    # Every later click is checked again: a voter who lost the role cannot move their vote.
    with pytest.raises(NotEligible):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 1)
    assert (await store.tally(poll.id)).counts == (0, 1, 0)


async def test_a_members_only_poll_takes_members(store: Store) -> None:
    poll = await store.create_poll(draft(members_only=True, max_picks=2))
    with pytest.raises(NotEligible, match="members of its channel"):
        await store.cast_vote(poll.id, HERE, "cy", "Cy", 1, by=Voter(member=False))
    await store.cast_vote(poll.id, HERE, "cy", "Cy", 1, by=Voter(member=True))
    outcome = await store.cast_vote(poll.id, HERE, "cy", "Cy", 3, by=Voter(member=True))
    assert outcome.picks == (1, 3)


async def test_only_voters_add_options(store: Store) -> None:
    poll = await store.create_poll(draft(open_options=True, roles=(EDITORS,)))
    with pytest.raises(NotEligible, match="you do not have that role"):
        await store.add_option(poll.id, HERE, "Later", audit=NOTE)
    assert await store.audit_log("console", "local") == []
    added = await store.add_option(poll.id, HERE, "Later", audit=NOTE, by=Voter(frozenset({"R1"})))
    assert added.options[-1] == "Later"
    assert added.roles == (EDITORS,)
