"""The debates aggregate: debates and their positions, as units of work for either engine."""

from __future__ import annotations

from typing import Any, cast

from bot.debates import check_advance, check_close, vote_phase
from bot.models import Place
from bot.store.base import (
    AuditNote,
    Debate,
    DebateDraft,
    DebateVote,
    DebateVoteOutcome,
    Phase,
    Side,
    VotePhase,
)
from bot.store.moderation import noted
from bot.store.polls import place_of
from bot.store.work import Row, Units, Work, dt, q, when

DEBATE_COLUMNS = (
    "id, platform, workspace, channel, thread, creator_id, creator_name, motion, prompt_id, "
    "phase, created_at, advanced_at, closed_at, closed_by"
)


def debate_of(row: Row) -> Debate:
    """A Debate from a row of `DEBATE_COLUMNS`."""
    return Debate(
        id=int(row["id"]),
        place=place_of(row),
        creator_id=row["creator_id"],
        creator_name=row["creator_name"],
        motion=row["motion"],
        prompt_id=row["prompt_id"],
        phase=cast(Phase, row["phase"]),
        created_at=when(row["created_at"]),
        advanced_at=dt(row["advanced_at"]),
        closed_at=dt(row["closed_at"]),
        closed_by=row["closed_by"],
    )


def load_debate(debate_id: int) -> Work[Debate | None]:
    """The debate with this id, or None."""
    row = (yield q(f"SELECT {DEBATE_COLUMNS} FROM debates WHERE id = ?", debate_id)).one()
    return None if row is None else debate_of(row)


def insert_debate(draft: DebateDraft, created: str) -> Work[Debate]:
    """Open a debate in its opening-vote phase; a unit, or a step of a larger one."""
    place = draft.place
    row = (
        yield q(
            "INSERT INTO debates (platform, workspace, channel, thread, creator_id, "
            "creator_name, motion, prompt_id, phase, created_at) "
            f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'before', ?) RETURNING {DEBATE_COLUMNS}",
            place.platform,
            place.workspace,
            place.channel,
            place.thread,
            draft.creator_id,
            draft.creator_name,
            draft.motion,
            draft.prompt_id,
            created,
        )
    ).one()
    assert row is not None
    return debate_of(row)


class DebateStore(Units):
    """Debate methods of the `Store`, on whichever driver the class is mixed into."""

    async def create_debate(
        self,
        place: Place,
        creator_id: str,
        creator_name: str,
        motion: str,
        prompt_id: str | None,
        *,
        audit: AuditNote | None = None,
    ) -> Debate:
        draft = DebateDraft(place, creator_id, creator_name, motion, prompt_id)
        created = self._now()

        def unit() -> Work[Debate]:
            debate = yield from insert_debate(draft, created)
            yield from noted(created, place, audit, debate.id, motion)
            return debate

        return await self._write(unit)

    async def get_debate(self, debate_id: int) -> Debate | None:
        return await self._read(lambda: load_debate(debate_id))

    async def open_debates(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Debate]:
        sql = (
            f"SELECT {DEBATE_COLUMNS} FROM debates "
            "WHERE platform = ? AND workspace = ? AND phase != 'closed'"
        )
        params: list[Any] = [platform, workspace]
        if channel is not None:
            sql += " AND channel = ?"
            params.append(channel)
        sql += " ORDER BY id"

        def unit() -> Work[list[Debate]]:
            return [debate_of(row) for row in (yield q(sql, *params)).rows]

        return await self._read(unit)

    async def cast_debate_vote(
        self, debate_id: int, place: Place, user_id: str, user_name: str, side: Side
    ) -> DebateVoteOutcome:
        stamp = self._now()

        def unit() -> Work[DebateVoteOutcome]:
            debate = yield from load_debate(debate_id)
            phase = vote_phase(debate, debate_id, place)
            assert debate is not None
            held = (
                yield q(
                    "SELECT side FROM debate_votes WHERE debate_id = ? AND voter = ? AND phase = ?",
                    debate_id,
                    user_id,
                    phase,
                )
            ).one()
            # The schema refuses a phase that is over, so an advance committed by another
            # process since the read above cannot be voted past.
            yield q(
                "INSERT INTO debate_votes (debate_id, voter, phase, side, voter_name, voted_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (debate_id, voter, phase) DO UPDATE SET "
                "side = excluded.side, voter_name = excluded.voter_name, "
                "voted_at = excluded.voted_at",
                debate_id,
                user_id,
                phase,
                side,
                user_name,
                stamp,
            )
            previous = cast(Side, held[0]) if held is not None else None
            return DebateVoteOutcome(debate, phase, side, previous)

        return await self._write(unit)

    async def advance_debate(self, debate_id: int, *, audit: AuditNote | None = None) -> Debate:
        stamp = self._now()

        def unit() -> Work[Debate]:
            check_advance((yield from load_debate(debate_id)), debate_id)
            # Conditional on the phase read above, so of two processes advancing, one wins.
            row = (
                yield q(
                    "UPDATE debates SET phase = 'after', advanced_at = ? "
                    f"WHERE id = ? AND phase = 'before' RETURNING {DEBATE_COLUMNS}",
                    stamp,
                    debate_id,
                )
            ).one()
            if row is None:
                check_advance((yield from load_debate(debate_id)), debate_id)
                raise AssertionError("the phase changed twice")  # pragma: no cover
            done = debate_of(row)
            yield from noted(stamp, done.place, audit, done.id, done.motion)
            return done

        return await self._write(unit)

    async def close_debate(
        self, debate_id: int, closed_by: str, *, audit: AuditNote | None = None
    ) -> Debate:
        stamp = self._now()

        def unit() -> Work[Debate]:
            check_close((yield from load_debate(debate_id)), debate_id)
            row = (
                yield q(
                    "UPDATE debates SET phase = 'closed', closed_at = ?, closed_by = ? "
                    f"WHERE id = ? AND phase != 'closed' RETURNING {DEBATE_COLUMNS}",
                    stamp,
                    closed_by,
                    debate_id,
                )
            ).one()
            if row is None:
                check_close((yield from load_debate(debate_id)), debate_id)
                raise AssertionError("the phase changed twice")  # pragma: no cover
            done = debate_of(row)
            yield from noted(stamp, done.place, audit, done.id, done.motion)
            return done

        return await self._write(unit)

    async def debate_votes(self, debate_id: int) -> list[DebateVote]:
        def unit() -> Work[list[DebateVote]]:
            rows = (
                yield q(
                    "SELECT voter, voter_name, phase, side FROM debate_votes "
                    "WHERE debate_id = ? ORDER BY voter, phase DESC",
                    debate_id,
                )
            ).rows
            return [
                DebateVote(row[0], row[1], cast(VotePhase, row[2]), cast(Side, row[3]))
                for row in rows
            ]

        return await self._read(unit)
