"""The Store contract for community poll writes (options added, edits, reopening, reminders).

Parametrised over SQLite and PostgreSQL by `conftest.py`, like `test_contract.py`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.store.base import AuditNote, Refused, Store
from tests.store.conftest import Opener
from tests.store.test_contract import ELSEWHERE, HERE, draft

NOTE = AuditNote("bo", "Bo", "poll add")


async def test_add_option_appends_audits_and_takes_votes(store: Store) -> None:
    poll = await store.create_poll(draft(open_options=True))
    assert poll.open_options
    added = await store.add_option(poll.id, HERE, "Later", audit=NOTE)
    assert added.options == ("Yes", "No", "Unsure", "Later")
    assert await store.get_poll(poll.id) == added
    outcome = await store.cast_vote(poll.id, HERE, "cy", "Cy", 4)
    assert outcome.picks == (4,)
    assert (await store.tally(poll.id)).counts == (0, 0, 0, 1)
    (line,) = await store.audit_log("console", "local")
    assert (line.action, line.detail) == ("poll add", f"#{poll.id} {poll.question}: Later")


async def test_refused_additions_write_nothing(store: Store) -> None:
    fixed = await store.create_poll(draft())
    with pytest.raises(Refused, match="takes only its creator's options"):
        await store.add_option(fixed.id, HERE, "More", audit=NOTE)
    open_poll = await store.create_poll(draft(open_options=True))
    with pytest.raises(Refused, match="already has `yes` as option 1"):
        await store.add_option(open_poll.id, HERE, "yes", audit=NOTE)
    with pytest.raises(NotFound):
        await store.add_option(open_poll.id, ELSEWHERE, "More", audit=NOTE)
    full = await store.create_poll(
        draft(options=tuple(f"o{n}" for n in range(20)), open_options=True)
    )
    with pytest.raises(Refused, match="already has 20 options"):
        await store.add_option(full.id, HERE, "More", audit=NOTE)
    await store.close_poll(open_poll.id, "ana")
    with pytest.raises(Refused, match="closed"):
        await store.add_option(open_poll.id, HERE, "More", audit=NOTE)
    assert (await store.get_poll(open_poll.id)).options == ("Yes", "No", "Unsure")  # type: ignore[union-attr]
    assert await store.audit_log("console", "local") == []


async def test_concurrent_additions_each_get_their_own_number(store: Store) -> None:
    poll = await store.create_poll(draft(open_options=True))
    labels = [f"Idea {n}" for n in range(10)]
    await asyncio.gather(*(store.add_option(poll.id, HERE, label) for label in labels))
    stored = await store.get_poll(poll.id)
    assert stored is not None and sorted(stored.options[3:]) == sorted(labels)


async def test_another_process_sees_an_added_option_it_had_not_cached(
    opener: Opener, tmp_path: Path, clock: FakeClock
) -> None:
    first = await opener(tmp_path, clock)
    second = await opener(tmp_path, clock)
    try:
        poll = await first.create_poll(draft(open_options=True))
        await second.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # `second` caches the poll
        await first.add_option(poll.id, HERE, "Later")
        outcome = await second.cast_vote(poll.id, HERE, "cy", "Cy", 4)
        assert outcome.poll.options[3] == "Later"
        assert (await first.tally(poll.id)).counts == (1, 0, 0, 1)
    finally:
        await first.close()
        await second.close()
