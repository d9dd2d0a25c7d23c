"""What the SQLite store promises beyond the contract: pragmas, migrations, schema guards,
group commit and anonymity on disk."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import NotFound
from bot.models import Place
from bot.store.base import PollDraft, Refused
from bot.store.migrations import MIGRATIONS, Migration
from bot.store.sqlite import SqliteStore, StoreError, migrate
from bot.store.work import Work, q

HERE = Place("console", "local", "general")


def disk_bytes(folder: Path) -> bytes:
    """Everything SQLite wrote: the database, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@pytest.fixture
async def sqlite_store(tmp_path: Path, clock: FakeClock) -> SqliteStore:
    store = await SqliteStore.open(tmp_path / "bot.sqlite3", clock=clock)
    yield store  # type: ignore[misc]
    await store.close()


async def test_pragmas_make_acknowledged_writes_durable(sqlite_store: SqliteStore) -> None:
    def pragmas() -> Work[tuple[object, ...]]:
        found = []
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
            row = (yield q(f"PRAGMA {name}")).one()
            assert row is not None
            found.append(row[0])
        return tuple(found)

    # The writer's own settings, read on its thread through the store's only write path.
    assert await sqlite_store._write(pragmas) == ("wal", 2, 1, 5000)  # 2 = FULL


async def test_migrations_apply_once_and_track_user_version(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(path)
    await store.close()
    conn = raw(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    # Re-opening applies nothing twice (a CREATE TABLE would fail if it did).
    store = await SqliteStore.open(path)
    await store.close()
    # An appended migration is applied on the next open, alone.
    extra = (*MIGRATIONS, Migration("a test table", ("CREATE TABLE later (x INTEGER)",)))
    assert migrate(conn, extra) == len(extra)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(extra)
    conn.execute("INSERT INTO later VALUES (1)")
    conn.close()


async def test_a_database_from_newer_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    conn = raw(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this code"):
        await SqliteStore.open(path)


async def test_a_failed_migration_leaves_the_old_version(tmp_path: Path) -> None:
    conn = raw(tmp_path / "bot.sqlite3")
    broken = (*MIGRATIONS, Migration("broken", ("CREATE TABLE t (x)", "NOT SQL")))
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchone() is None


async def test_schema_itself_stops_double_counting(sqlite_store: SqliteStore) -> None:
    single = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y", "z")))
    multi = await sqlite_store.create_poll(
        PollDraft(HERE, "a", "A", "Q?", ("x", "y", "z"), max_picks=2)
    )
    await sqlite_store.cast_vote(single.id, HERE, "bo", "Bo", 1)
    conn = raw(sqlite_store.path)
    insert = "INSERT INTO poll_votes (poll_id, voter, option) VALUES (?, ?, ?)"
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(insert, (single.id, "bo", 1))  # same pick twice
    with pytest.raises(sqlite3.IntegrityError, match="too many picks"):
        conn.execute(insert, (single.id, "bo", 2))  # a second pick on a single-choice poll
    conn.execute(insert, (multi.id, "bo", 1))
    conn.execute(insert, (multi.id, "bo", 2))
    with pytest.raises(sqlite3.IntegrityError, match="too many picks"):
        conn.execute(insert, (multi.id, "bo", 3))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(insert, (single.id, "cy", 9))  # no such option
    await sqlite_store.close_poll(single.id, "a")
    with pytest.raises(sqlite3.IntegrityError, match="poll is closed"):
        conn.execute(insert, (single.id, "cy", 2))
    with pytest.raises(sqlite3.IntegrityError, match="poll is closed"):
        conn.execute("DELETE FROM poll_votes WHERE poll_id = ?", (single.id,))
    conn.close()


async def test_schema_keeps_rankings_and_votes_apart(sqlite_store: SqliteStore) -> None:
    plain = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    ranked = await sqlite_store.create_poll(
        PollDraft(HERE, "a", "A", "R?", ("x", "y"), ranked=True)
    )
    conn = raw(sqlite_store.path)
    ballot = "INSERT INTO poll_ballots (poll_id, voter, preference, option) VALUES (?, ?, ?, ?)"
    with pytest.raises(sqlite3.IntegrityError, match="poll is ranked"):
        conn.execute(
            "INSERT INTO poll_votes (poll_id, voter, option) VALUES (?, 'bo', 1)", (ranked.id,)
        )
    with pytest.raises(sqlite3.IntegrityError, match="poll is not ranked"):
        conn.execute(ballot, (plain.id, "bo", 1, 1))
    conn.execute(ballot, (ranked.id, "bo", 1, 2))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(ballot, (ranked.id, "bo", 2, 2))  # one option twice on a ballot
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(ballot, (ranked.id, "bo", 2, 3))  # no such option
    await sqlite_store.close_poll(ranked.id, "a")
    with pytest.raises(sqlite3.IntegrityError, match="poll is closed"):
        conn.execute(ballot, (ranked.id, "cy", 1, 1))
    with pytest.raises(sqlite3.IntegrityError, match="poll is closed"):
        conn.execute("DELETE FROM poll_ballots WHERE poll_id = ?", (ranked.id,))
    conn.close()


async def test_schema_keeps_debate_phases_apart(sqlite_store: SqliteStore) -> None:
    debate = await sqlite_store.create_debate(HERE, "m", "M", "Motion", None)
    conn = raw(sqlite_store.path)
    insert = (
        "INSERT INTO debate_votes (debate_id, voter, phase, side, voter_name, voted_at) "
        "VALUES (?, ?, ?, ?, 'n', 't')"
    )
    conn.execute(insert, (debate.id, "ann", "before", "for"))
    with pytest.raises(sqlite3.IntegrityError, match="not in this phase"):
        conn.execute(insert, (debate.id, "ann", "after", "for"))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(insert, (debate.id, "ann", "before", "against"))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(insert, (debate.id, "bob", "before", "maybe"))
    conn.close()


async def test_a_poll_closed_by_another_process_still_refuses_votes(
    sqlite_store: SqliteStore,
) -> None:
    poll = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    await sqlite_store.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # the writer now caches the poll
    conn = raw(sqlite_store.path)
    conn.execute("UPDATE polls SET closed_at = '2026-01-05T12:00:00.000000+00:00'")
    conn.close()
    with pytest.raises(Refused):
        await sqlite_store.cast_vote(poll.id, HERE, "cy", "Cy", 2)
    assert (await sqlite_store.tally(poll.id)).counts == (1, 0)


async def test_concurrent_votes_share_transactions(sqlite_store: SqliteStore) -> None:
    poll = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    batches, writes = sqlite_store.write_stats
    await asyncio.gather(
        *(sqlite_store.cast_vote(poll.id, HERE, f"u{i}", "U", 1 + i % 2) for i in range(2000))
    )
    batches_after, writes_after = sqlite_store.write_stats
    assert writes_after - writes == 2000
    assert batches_after - batches <= 20, "votes arriving together must commit together"


async def test_reader_cannot_write(sqlite_store: SqliteStore) -> None:
    def sneak() -> Work[None]:
        yield q("DELETE FROM polls")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await sqlite_store._read(sneak)


async def test_anonymous_voters_never_reach_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(path)
    secret_voter = "U0SECRETVOTER42"
    poll = await store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y"), anonymous=True))
    await store.cast_vote(poll.id, HERE, secret_voter, "Secret Voter Name", 2)
    while_open = disk_bytes(tmp_path)
    await store.close()
    for on_disk in (while_open, disk_bytes(tmp_path)):
        assert b"U0SECRETVOTER42" not in on_disk and b"Secret Voter Name" not in on_disk
    conn = raw(path)
    (voter,) = conn.execute("SELECT voter FROM poll_votes").fetchone()
    assert voter.startswith("h:") and len(voter) == 2 + 64
    # The generated key is kept, so the same person is the same hash after a restart.
    key = conn.execute("SELECT value FROM meta WHERE key = 'voter_secret'").fetchone()[0]
    assert len(bytes.fromhex(key)) == 32
    conn.close()


def voters_unit() -> Work[list[str]]:
    return [row[0] for row in (yield q("SELECT voter FROM poll_votes")).rows]


async def test_a_configured_secret_is_used_instead(tmp_path: Path) -> None:
    stores = [
        await SqliteStore.open(tmp_path / f"{n}.sqlite3", secret="shared-secret") for n in (1, 2)
    ]
    voters = []
    for store in stores:
        poll = await store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y"), anonymous=True))
        await store.cast_vote(poll.id, HERE, "same-user", "S", 1)
        voters.append(await store._read(voters_unit))
        await store.close()
    assert voters[0] == voters[1]  # same key, same poll id, same user: same hash


async def test_concurrent_reads_share_thread_hops(sqlite_store: SqliteStore) -> None:
    poll = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    before = sqlite_store._readers.batches
    found = await asyncio.gather(*(sqlite_store.get_poll(poll.id) for _ in range(500)))
    assert all(p == poll for p in found)
    assert sqlite_store._readers.batches - before <= 5


async def test_a_read_sees_every_write_acknowledged_before_it(sqlite_store: SqliteStore) -> None:
    poll = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))

    acknowledged = 0

    async def vote_then_count(n: int) -> tuple[int, int]:
        nonlocal acknowledged
        await sqlite_store.cast_vote(poll.id, HERE, f"u{n}", "U", 1)
        acknowledged += 1
        known = acknowledged  # acks that happened before this read was asked for
        return known, (await sqlite_store.tally(poll.id)).voters

    seen = await asyncio.gather(*(vote_then_count(n) for n in range(300)))
    assert all(counted >= known for known, counted in seen)
    assert max(counted for _, counted in seen) == 300


async def test_a_deleted_poll_is_unknown_even_to_a_warm_writer(sqlite_store: SqliteStore) -> None:
    poll = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q?", ("x", "y")))
    await sqlite_store.cast_vote(poll.id, HERE, "bo", "Bo", 1)  # caches the poll in the writer
    await sqlite_store.close_poll(poll.id, "a")
    assert await sqlite_store.delete_poll(poll.id)
    with pytest.raises(NotFound):
        await sqlite_store.cast_vote(poll.id, HERE, "cy", "Cy", 1)
    reopened = await sqlite_store.create_poll(PollDraft(HERE, "a", "A", "Q2?", ("x", "y")))
    await sqlite_store.cast_vote(reopened.id, HERE, "cy", "Cy", 2)
    assert await sqlite_store.delete_poll(reopened.id)  # an open poll with votes goes too
    with pytest.raises(NotFound):
        await sqlite_store.cast_vote(reopened.id, HERE, "cy", "Cy", 1)
