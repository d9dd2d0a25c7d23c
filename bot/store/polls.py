"""The polls aggregate: polls, their options and votes, as units of work for either engine."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from bot.errors import UserError
from bot.models import Place, Platform
from bot.poll_rules import (
    check_add,
    check_edit,
    check_rank,
    check_reopen,
    check_vote,
    click,
    remind_at,
)
from bot.scope import poll_not_found
from bot.store.base import (
    NO_GROUPS,
    AuditNote,
    Ballot,
    Poll,
    PollDraft,
    PollEdit,
    PollRole,
    PollVote,
    RankOutcome,
    Refused,
    ResultsMode,
    Tally,
    VoteOutcome,
    Voter,
)
from bot.store.moderation import noted
from bot.store.work import (
    ConstraintViolated,
    Dialect,
    Row,
    Stmt,
    Units,
    Work,
    dt,
    many,
    marks,
    opt_ts,
    q,
    ts,
    when,
)

POLL_COLUMNS = (
    "id, platform, workspace, channel, thread, creator_id, creator_name, question, max_picks, "
    "anonymous, results, created_at, closes_at, closed_at, closed_by, announced_at, open_options, "
    "remind_minutes, reminded_at, voter_roles, members_only, ranked"
)
# The highest poll id ever deleted (SQLite): it hands out max(id) + 1, so deleting the newest
# poll would give its id to the next one, and the deleted poll's buttons (`poll vote 12 3`),
# still on screen, would vote in a poll nobody saw. PostgreSQL uses a sequence instead.
DELETED_POLL_KEY = "deleted_poll_id_max"
# Open polls kept by the writer, so a click costs no poll lookup.
POLL_CACHE_SIZE = 1024


def place_of(row: Row) -> Place:
    """The place stored in a row's platform, workspace, channel and thread columns."""
    return Place(cast(Platform, row["platform"]), row["workspace"], row["channel"], row["thread"])


def poll_of(row: Row, options: tuple[str, ...]) -> Poll:
    """A Poll from a row of `POLL_COLUMNS` and its option labels."""
    return Poll(
        id=int(row["id"]),
        place=place_of(row),
        creator_id=row["creator_id"],
        creator_name=row["creator_name"],
        question=row["question"],
        options=options,
        max_picks=row["max_picks"],
        anonymous=bool(row["anonymous"]),
        results=cast(ResultsMode, row["results"]),
        created_at=when(row["created_at"]),
        closes_at=dt(row["closes_at"]),
        closed_at=dt(row["closed_at"]),
        closed_by=row["closed_by"],
        announced=row["announced_at"] is not None,
        open_options=bool(row["open_options"]),
        remind=None if row["remind_minutes"] is None else timedelta(minutes=row["remind_minutes"]),
        reminded=row["reminded_at"] is not None,
        roles=roles_of(row["voter_roles"]),
        members_only=bool(row["members_only"]),
        ranked=bool(row["ranked"]),
    )


def roles_of(stored: str | None) -> tuple[PollRole, ...]:
    """The roles a poll is limited to, from their stored JSON list."""
    if not stored:
        return ()
    return tuple(PollRole(str(item["id"]), str(item["name"])) for item in json.loads(stored))


def stored_roles(roles: tuple[PollRole, ...]) -> str | None:
    """The stored JSON list of a poll's roles; NULL when everyone may vote."""
    if not roles:
        return None
    return json.dumps([{"id": role.id, "name": role.name} for role in roles])


def minutes(span: timedelta | None) -> int | None:
    """A reminder's lead time in whole minutes, as stored."""
    return None if span is None else span // timedelta(minutes=1)


def lock_poll(poll_id: int) -> Stmt:
    """Take the poll's row for the rest of the transaction (a no-op write, on both engines).

    On PostgreSQL it waits for voters holding the row (they take it FOR SHARE) and keeps new
    ones out until the commit, so a change decided from what the unit reads next stays true.
    """
    return q("UPDATE polls SET question = question WHERE id = ?", poll_id)


def load_polls(where: str, params: Sequence[Any]) -> Work[list[Poll]]:
    """Polls matching `where`, oldest first, with their options (two statements in all)."""
    found = yield q(f"SELECT {POLL_COLUMNS} FROM polls WHERE {where} ORDER BY id", *params)
    if not found.rows:
        return []
    ids = [int(row["id"]) for row in found.rows]
    labels = yield q(
        f"SELECT poll_id, label FROM poll_options WHERE poll_id IN ({marks(ids)}) "
        "ORDER BY poll_id, position",
        *ids,
    )
    options: dict[int, list[str]] = {}
    for row in labels.rows:
        options.setdefault(int(row["poll_id"]), []).append(row["label"])
    return [poll_of(row, tuple(options.get(int(row["id"]), ()))) for row in found.rows]


def load_poll(poll_id: int) -> Work[Poll | None]:
    """The poll with this id, or None."""
    polls = yield from load_polls("id = ?", (poll_id,))
    return polls[0] if polls else None


def insert_poll(dialect: Dialect, draft: PollDraft, created: str) -> Work[Poll]:
    """Store a new poll under an id no poll ever had; a unit, or a step of a larger one."""
    place = draft.place
    row = (yield dialect.next_poll_id()).one()
    assert row is not None
    poll_id = int(row[0])
    yield q(
        "INSERT INTO polls (id, platform, workspace, channel, thread, creator_id, "
        "creator_name, question, max_picks, anonymous, results, created_at, closes_at, "
        "open_options, remind_minutes, remind_at, voter_roles, members_only, ranked) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        poll_id,
        place.platform,
        place.workspace,
        place.channel,
        place.thread,
        draft.creator_id,
        draft.creator_name,
        draft.question,
        draft.max_picks,
        int(draft.anonymous),
        draft.results,
        created,
        opt_ts(draft.closes_at),
        int(draft.open_options),
        minutes(draft.remind),
        opt_ts(remind_at(draft.closes_at, draft.remind)),
        stored_roles(draft.roles),
        int(draft.members_only),
        int(draft.ranked),
    )
    try:
        yield many(
            "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
            [(poll_id, n, label) for n, label in enumerate(draft.options, 1)],
        )
    except ConstraintViolated:
        raise Refused("Two options are the same; make each option different.") from None
    poll = yield from load_poll(poll_id)
    assert poll is not None
    return poll


class PollStore(Units):
    """Poll methods of the `Store`, on whichever driver the class is mixed into."""

    _secret: bytes
    # Open polls as the writer last saw them. A poll closed behind its back (another process)
    # is still refused: by the schema's guard on SQLite, by the locked re-read on PostgreSQL.
    _poll_cache: dict[int, Poll]

    def _voter(self, poll: Poll, user_id: str) -> str:
        """The stored voter key: the user id, or for anonymous polls a keyed hash of it."""
        if not poll.anonymous:
            return user_id
        message = f"{poll.id}:{poll.place.platform}:{user_id}".encode()
        return "h:" + hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _cached_poll(self, poll_id: int) -> Work[Poll | None]:
        poll = self._poll_cache.get(poll_id)
        if poll is None:
            poll = yield from load_poll(poll_id)
            if poll is not None and poll.closed_at is None:
                if len(self._poll_cache) >= POLL_CACHE_SIZE:
                    self._poll_cache.clear()
                self._poll_cache[poll_id] = poll
        return poll

    async def create_poll(self, draft: PollDraft) -> Poll:
        created = self._now()
        return await self._write(lambda: insert_poll(self.dialect, draft, created))

    async def get_poll(self, poll_id: int) -> Poll | None:
        return await self._read(lambda: load_poll(poll_id))

    async def open_polls(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Poll]:
        where = (
            "platform = ? AND workspace = ? AND closed_at IS NULL "
            "AND (closes_at IS NULL OR closes_at > ?)"
        )
        params: list[Any] = [platform, workspace, self._now()]
        if channel is not None:
            where += " AND channel = ?"
            params.append(channel)
        return await self._read(lambda: load_polls(where, params))

    async def cast_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        option: int,
        *,
        by: Voter = NO_GROUPS,
    ) -> VoteOutcome:
        now = self.clock.now()
        stamp = ts(now)

        def unit() -> Work[VoteOutcome]:
            try:
                poll = check_vote(
                    (yield from self._cached_poll(poll_id)), poll_id, place, option, now, by
                )
            except UserError:
                # Another process may have added an option, extended or reopened the poll
                # since this one cached it: a refusal is decided again on the stored poll.
                self._poll_cache.pop(poll_id, None)
                poll = check_vote((yield from load_poll(poll_id)), poll_id, place, option, now, by)
            voter = self._voter(poll, user_id)
            name = None if poll.anonymous else user_name
            stamp_or_none = None if poll.anonymous else stamp
            if not poll.multi:
                # The common click, a first vote, costs one statement: insert unless voted.
                first = yield self.dialect.first_vote(poll_id, voter, option, name, stamp_or_none)
                if first.rowcount == 1:
                    return VoteOutcome(poll, option, "added", (), (option,))
            lock = self.dialect.lock_voter(poll_id, voter)
            if lock is not None:
                row = (yield lock).one()
                if row is None or row[0] is not None:
                    # Closed or deleted by another process since this one cached it.
                    self._poll_cache.pop(poll_id, None)
                    fresh = yield from load_poll(poll_id)
                    poll = check_vote(fresh, poll_id, place, option, now, by)
            held = yield q(
                "SELECT option FROM poll_votes WHERE poll_id = ? AND voter = ? ORDER BY option",
                poll_id,
                voter,
            )
            outcome = click(poll, tuple(int(row[0]) for row in held.rows), option)
            # One statement applies the decided change (see `single_statement`).
            if outcome.change in ("retracted", "removed"):
                yield q(
                    "DELETE FROM poll_votes WHERE poll_id = ? AND voter = ? AND option = ?",
                    poll_id,
                    voter,
                    option,
                )
            elif outcome.change == "moved":
                yield q(
                    "UPDATE poll_votes SET option = ?, voter_name = ?, voted_at = ? "
                    "WHERE poll_id = ? AND voter = ?",
                    option,
                    name,
                    stamp_or_none,
                    poll_id,
                    voter,
                )
            else:
                yield q(
                    "INSERT INTO poll_votes (poll_id, voter, option, voter_name, voted_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    poll_id,
                    voter,
                    option,
                    name,
                    stamp_or_none,
                )
            return outcome

        try:
            return await self._write(unit, single_statement=True)
        except ConstraintViolated as exc:
            # The schema's own guards; the checks above normally refuse first.
            raise Refused(f"Poll #{poll_id} refused that vote ({exc}).") from None

    async def rank_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        typed: tuple[str, ...],
        *,
        by: Voter = NO_GROUPS,
    ) -> RankOutcome:
        now = self.clock.now()
        stamp = ts(now)

        def unit() -> Work[RankOutcome]:
            poll = yield from load_poll(poll_id)
            check_rank(poll, poll_id, place, typed, now, by)
            assert poll is not None
            voter = self._voter(poll, user_id)
            lock = self.dialect.lock_voter(poll_id, voter)
            if lock is not None:
                # Waits for an edit, close or reopen committing meanwhile: the ranking is
                # checked against the poll as it stands once they are done.
                yield lock
                poll = yield from load_poll(poll_id)
            ranking = check_rank(poll, poll_id, place, typed, now, by)
            assert poll is not None
            held = yield q(
                "SELECT option FROM poll_ballots WHERE poll_id = ? AND voter = ? "
                "ORDER BY preference",
                poll_id,
                voter,
            )
            previous = tuple(int(row[0]) for row in held.rows)
            name = None if poll.anonymous else user_name
            when_cast = None if poll.anonymous else stamp
            # The whole ballot is replaced in this transaction: never half of two rankings.
            yield q("DELETE FROM poll_ballots WHERE poll_id = ? AND voter = ?", poll_id, voter)
            yield many(
                "INSERT INTO poll_ballots (poll_id, voter, preference, option, voter_name, "
                "voted_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (poll_id, voter, preference, option, name, when_cast)
                    for preference, option in enumerate(ranking, 1)
                ],
            )
            return RankOutcome(poll, ranking, previous)

        try:
            return await self._write(unit)
        except ConstraintViolated as exc:
            # The schema's own guards; the checks above normally refuse first.
            raise Refused(f"Poll #{poll_id} refused that ranking ({exc}).") from None

    async def poll_ballots(self, poll_id: int) -> list[Ballot]:
        def unit() -> Work[list[Ballot]]:
            anonymous = (yield q("SELECT anonymous FROM polls WHERE id = ?", poll_id)).one()
            if anonymous is None:
                return []
            rows = (
                yield q(
                    "SELECT voter, option, voter_name, voted_at FROM poll_ballots "
                    "WHERE poll_id = ? ORDER BY voter, preference",
                    poll_id,
                )
            ).rows
            rankings: dict[str, list[int]] = {}
            about: dict[str, tuple[str | None, datetime | None]] = {}
            for row in rows:
                rankings.setdefault(row[0], []).append(int(row[1]))
                about[row[0]] = (row[2], dt(row[3]))
            if anonymous[0]:
                # Sorted by ranking alone, so the order says nothing of who or when.
                return [Ballot(tuple(r), None, None, None) for r in sorted(rankings.values())]
            ballots = [Ballot(tuple(rankings[voter]), voter, *about[voter]) for voter in rankings]
            return sorted(ballots, key=lambda b: (b.voted_at is None, b.voted_at, b.voter_id))

        return await self._read(unit)

    async def add_option(
        self,
        poll_id: int,
        place: Place,
        label: str,
        *,
        audit: AuditNote | None = None,
        by: Voter = NO_GROUPS,
    ) -> Poll:
        now = self.clock.now()

        def unit() -> Work[Poll]:
            self._poll_cache.pop(poll_id, None)
            yield lock_poll(poll_id)
            poll = yield from load_poll(poll_id)
            option = check_add(poll, poll_id, place, label, now, by)
            assert poll is not None
            try:
                yield q(
                    "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
                    poll_id,
                    len(poll.options) + 1,
                    option,
                )
            except ConstraintViolated:
                raise Refused(
                    f"Poll #{poll_id} already has an option like `{option}`; vote for that one."
                ) from None
            fresh = yield from load_poll(poll_id)
            assert fresh is not None
            yield from noted(ts(now), fresh.place, audit, poll_id, f"{fresh.question}: {option}")
            return fresh

        return await self._write(unit)

    async def edit_poll(
        self, poll_id: int, place: Place, change: PollEdit, *, audit: AuditNote | None = None
    ) -> Poll:
        now = self.clock.now()

        def unit() -> Work[Poll]:
            self._poll_cache.pop(poll_id, None)
            # Locked first, so no vote lands between the count below and the change.
            yield lock_poll(poll_id)
            poll = yield from load_poll(poll_id)
            # A ranked poll's ballots are votes too: its options are what they rank.
            counted = (
                yield q(
                    "SELECT (SELECT count(*) FROM poll_votes WHERE poll_id = ?) + "
                    "(SELECT count(*) FROM poll_ballots WHERE poll_id = ?)",
                    poll_id,
                    poll_id,
                )
            ).one()
            assert counted is not None
            poll = check_edit(poll, poll_id, place, change, int(counted[0]), now)
            if change.question is not None:
                yield q("UPDATE polls SET question = ? WHERE id = ?", change.question, poll_id)
            if change.options is not None:
                yield q("DELETE FROM poll_options WHERE poll_id = ?", poll_id)
                yield many(
                    "INSERT INTO poll_options (poll_id, position, label) VALUES (?, ?, ?)",
                    [(poll_id, n, label) for n, label in enumerate(change.options, 1)],
                )
            if change.closes_at is not None:
                # A new deadline has a reminder of its own, due anew.
                yield q(
                    "UPDATE polls SET closes_at = ?, remind_at = ?, reminded_at = NULL "
                    "WHERE id = ?",
                    ts(change.closes_at),
                    opt_ts(remind_at(change.closes_at, poll.remind)),
                    poll_id,
                )
            fresh = yield from load_poll(poll_id)
            assert fresh is not None
            yield from noted(ts(now), fresh.place, audit, poll_id, fresh.question)
            return fresh

        return await self._write(unit)

    async def reopen_poll(
        self,
        poll_id: int,
        place: Place,
        closes_at: datetime | None,
        *,
        audit: AuditNote | None = None,
    ) -> Poll:
        now = self.clock.now()

        def unit() -> Work[Poll]:
            self._poll_cache.pop(poll_id, None)
            yield lock_poll(poll_id)
            poll = check_reopen((yield from load_poll(poll_id)), poll_id, place, now)
            # Past its deadline but not yet swept, it reopens unannounced: the sweep's
            # conditional close no longer matches it.
            yield q(
                "UPDATE polls SET closed_at = NULL, closed_by = NULL, announced_at = NULL, "
                "closes_at = ?, remind_at = ?, reminded_at = NULL WHERE id = ?",
                opt_ts(closes_at),
                opt_ts(remind_at(closes_at, poll.remind)),
                poll_id,
            )
            fresh = yield from load_poll(poll_id)
            assert fresh is not None
            yield from noted(ts(now), fresh.place, audit, poll_id, fresh.question)
            return fresh

        return await self._write(unit)

    async def tally(self, poll_id: int) -> Tally:
        def unit() -> Work[Tally]:
            size = (yield q("SELECT count(*) FROM poll_options WHERE poll_id = ?", poll_id)).one()
            assert size is not None
            counts = [0] * int(size[0])
            # A ranked poll counts here by first preferences (its ballots' preference 1); its
            # instant-runoff count reads the whole ballots (`poll_ballots`).
            grouped = yield q(
                "SELECT option, count(*) FROM (SELECT option FROM poll_votes WHERE poll_id = ? "
                "UNION ALL SELECT option FROM poll_ballots WHERE poll_id = ? AND preference = 1) "
                "AS picks GROUP BY option",
                poll_id,
                poll_id,
            )
            for row in grouped.rows:
                counts[int(row[0]) - 1] = int(row[1])
            voters = (
                yield q(
                    "SELECT (SELECT count(DISTINCT voter) FROM poll_votes WHERE poll_id = ?) + "
                    "(SELECT count(*) FROM poll_ballots WHERE poll_id = ? AND preference = 1)",
                    poll_id,
                    poll_id,
                )
            ).one()
            assert voters is not None
            return Tally(tuple(counts), int(voters[0]))

        return await self._read(unit)

    async def poll_votes(self, poll_id: int) -> list[PollVote]:
        def unit() -> Work[list[PollVote]]:
            anonymous = (yield q("SELECT anonymous FROM polls WHERE id = ?", poll_id)).one()
            if anonymous is None:
                return []
            rows = (
                yield q(
                    "SELECT option, voter, voter_name, voted_at FROM poll_votes "
                    "WHERE poll_id = ? ORDER BY option, voted_at, voter",
                    poll_id,
                )
            ).rows
            if anonymous[0]:
                return [PollVote(int(row[0]), None, None, None) for row in rows]
            return [PollVote(int(row[0]), row[1], row[2], dt(row[3])) for row in rows]

        return await self._read(unit)

    async def polls_since(
        self, platform: str, workspace: str, since: datetime | None = None
    ) -> list[Poll]:
        where = "platform = ? AND workspace = ?"
        params: list[Any] = [platform, workspace]
        if since is not None:
            where += " AND created_at >= ?"
            params.append(ts(since))
        return await self._read(lambda: load_polls(where, params))

    async def close_poll(
        self, poll_id: int, closed_by: str, *, audit: AuditNote | None = None
    ) -> Poll:
        now = self.clock.now()

        def unit() -> Work[Poll]:
            self._poll_cache.pop(poll_id, None)
            poll = yield from load_poll(poll_id)
            if poll is None:
                raise poll_not_found(poll_id)
            # A poll past its deadline closed at the deadline, even if nobody has swept it yet.
            closed = min(now, poll.closes_at) if poll.closes_at else now
            # Conditional: of a hand close and a deadline sweep racing (any process), one wins.
            done = yield q(
                "UPDATE polls SET closed_at = ?, closed_by = ?, announced_at = ? "
                "WHERE id = ? AND closed_at IS NULL",
                ts(closed),
                closed_by,
                ts(now),
                poll_id,
            )
            if done.rowcount != 1:
                raise Refused(f"Poll #{poll_id} is already closed.")
            fresh = yield from load_poll(poll_id)
            assert fresh is not None
            yield from noted(ts(now), fresh.place, audit, poll_id, fresh.question)
            return fresh

        return await self._write(unit)

    async def close_due_polls(self, now: datetime, platforms: Collection[str]) -> list[Poll]:
        chosen = sorted(set(platforms))
        if not chosen:
            return []
        stamp = ts(now)

        def unit() -> Work[list[Poll]]:
            # One conditional update closes and marks announced: a poll it returns is closed by
            # this call only, whichever process swept at the same moment.
            closed = yield q(
                "UPDATE polls SET closed_at = closes_at, closed_by = 'deadline', "
                "announced_at = ? WHERE closed_at IS NULL AND closes_at IS NOT NULL "
                f"AND closes_at <= ? AND platform IN ({marks(chosen)}) RETURNING id",
                stamp,
                stamp,
                *chosen,
            )
            ids = sorted(int(row[0]) for row in closed.rows)
            for poll_id in ids:
                self._poll_cache.pop(poll_id, None)
            if not ids:
                return []
            return (yield from load_polls(f"id IN ({marks(ids)})", ids))

        return await self._write(unit)

    async def claim_reminders(self, now: datetime, platforms: Collection[str]) -> list[Poll]:
        chosen = sorted(set(platforms))
        if not chosen:
            return []
        stamp = ts(now)

        def unit() -> Work[list[Poll]]:
            # One conditional update claims each due reminder: a poll it returns is reminded by
            # this call only, whatever other process or restart swept at the same moment.
            claimed = yield q(
                "UPDATE polls SET reminded_at = ? WHERE reminded_at IS NULL "
                "AND remind_at IS NOT NULL AND remind_at <= ? AND closed_at IS NULL "
                f"AND closes_at > ? AND platform IN ({marks(chosen)}) RETURNING id",
                stamp,
                stamp,
                stamp,
                *chosen,
            )
            ids = sorted(int(row[0]) for row in claimed.rows)
            if not ids:
                return []
            return (yield from load_polls(f"id IN ({marks(ids)})", ids))

        return await self._write(unit)

    async def next_deadline(self, platforms: Collection[str]) -> datetime | None:
        chosen = sorted(set(platforms))

        def unit() -> Work[datetime | None]:
            row = (
                yield q(
                    "SELECT min(closes_at) FROM polls WHERE closed_at IS NULL "
                    f"AND closes_at IS NOT NULL AND platform IN ({marks(chosen)})",
                    *chosen,
                )
            ).one()
            # A reminder due before any deadline wakes the sweep too.
            reminder = (
                yield q(
                    "SELECT min(remind_at) FROM polls WHERE closed_at IS NULL "
                    "AND reminded_at IS NULL AND remind_at IS NOT NULL "
                    f"AND platform IN ({marks(chosen)})",
                    *chosen,
                )
            ).one()
            moments = [dt(r[0]) for r in (row, reminder) if r is not None and r[0] is not None]
            return min((m for m in moments if m is not None), default=None)

        return await self._read(unit)

    async def delete_poll(self, poll_id: int, *, audit: AuditNote | None = None) -> bool:
        stamp = self._now()

        def unit() -> Work[bool]:
            self._poll_cache.pop(poll_id, None)  # the writer's cache must not outlive the poll
            yield q("DELETE FROM tracked_messages WHERE ref = ?", f"poll:{poll_id}")
            gone = (
                yield q(
                    "DELETE FROM polls WHERE id = ? RETURNING platform, workspace, question",
                    poll_id,
                )
            ).one()
            if gone is None:
                return False
            # Kept on both engines (PostgreSQL's sequence never reuses anyway), so a copy
            # between them carries it.
            yield q(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                "value = CASE WHEN CAST(meta.value AS INTEGER) >= CAST(excluded.value AS INTEGER) "
                "THEN meta.value ELSE excluded.value END",
                DELETED_POLL_KEY,
                str(poll_id),
            )
            where = Place(cast(Platform, gone[0]), gone[1], "")
            yield from noted(stamp, where, audit, poll_id, str(gone[2]))
            return True

        return await self._write(unit)
