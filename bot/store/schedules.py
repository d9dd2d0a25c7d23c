"""The schedules aggregate: schedules, their runs and the prompt rotation, for either engine.

A run's row, keyed by (schedule, due time), is what makes a scheduled post exactly-once across
processes: a second claim of the same run inserts nothing, whoever tries.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from bot.models import Place, Platform
from bot.schedule.model import Attach, NewSchedule, OwnPost, Run, RunState, Schedule
from bot.schedule.rotation import Rotation
from bot.store.base import AuditNote, Preparation
from bot.store.debates import insert_debate
from bot.store.moderation import audit_line, noted
from bot.store.polls import insert_poll
from bot.store.work import Conflict, Row, Units, Work, dt, marks, opt_ts, q, ts, when

SCHEDULE_COLUMNS = (
    "id, platform, workspace, channel, cron, tz, attach, thread, pack, created_by, created_at, "
    "next_due, paused_at, paused_reason, failures, own_text, own_options"
)
RUN_COLUMNS = (
    "schedule_id, due_at, state, owner, attempts, lease_until, next_attempt_at, prompt_id, "
    "attachment, message_id, error, manual, claimed_at, updated_at"
)


def schedule_of(row: Row) -> Schedule:
    """A Schedule from a row of `SCHEDULE_COLUMNS`."""
    return Schedule(
        id=int(row["id"]),
        place=Place(cast(Platform, row["platform"]), row["workspace"], row["channel"]),
        cron=row["cron"],
        tz=row["tz"],
        attach=cast(Attach, row["attach"]),
        thread=bool(row["thread"]),
        pack=row["pack"],
        created_by=row["created_by"],
        created_at=when(row["created_at"]),
        next_due=when(row["next_due"]),
        paused=row["paused_at"] is not None,
        paused_reason=row["paused_reason"],
        failures=row["failures"],
        own=own_of(row["own_text"], row["own_options"]),
    )


def own_of(text: str | None, options: str | None) -> OwnPost | None:
    """A schedule's own post from its stored text and JSON options."""
    if text is None:
        return None
    return OwnPost(text, tuple(json.loads(options)) if options else ())


def run_of(row: Row) -> Run:
    """A Run from a row of `RUN_COLUMNS`."""
    return Run(
        schedule_id=int(row["schedule_id"]),
        due_at=when(row["due_at"]),
        state=cast(RunState, row["state"]),
        owner=row["owner"],
        attempts=row["attempts"],
        lease_until=dt(row["lease_until"]),
        next_attempt_at=dt(row["next_attempt_at"]),
        prompt_id=row["prompt_id"],
        attachment=row["attachment"],
        message_id=row["message_id"],
        error=row["error"],
        manual=bool(row["manual"]),
        updated_at=dt(row["updated_at"]),
    )


def load_schedules(where: str, params: Sequence[Any]) -> Work[list[Schedule]]:
    """Schedules matching `where`, oldest first."""
    found = yield q(f"SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE {where} ORDER BY id", *params)
    return [schedule_of(row) for row in found.rows]


def load_schedule(schedule_id: int) -> Work[Schedule | None]:
    """The schedule with this id, or None."""
    found = yield from load_schedules("id = ?", (schedule_id,))
    return found[0] if found else None


def _workspace(row: Row) -> Place:
    """The workspace of a row's platform and workspace columns, for its audit line."""
    return Place(cast(Platform, row["platform"]), row["workspace"], "")


def swap_rotation(
    channel: tuple[str, str, str],
    pack: str,
    was: Rotation | None,
    rotation: Rotation,
    stamp: str,
) -> Work[bool]:
    """Replace a channel's rotation only if it is still `was`; False if it moved meanwhile."""
    platform, workspace, name = channel
    if was is None:
        done = yield q(
            "INSERT INTO prompt_rotations (platform, workspace, channel, pack, prompt_order, "
            "position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            platform,
            workspace,
            name,
            pack,
            json.dumps(list(rotation.order)),
            rotation.position,
            stamp,
        )
    else:
        done = yield q(
            "UPDATE prompt_rotations SET prompt_order = ?, position = ?, updated_at = ? "
            "WHERE platform = ? AND workspace = ? AND channel = ? AND pack = ? "
            "AND prompt_order = ? AND position = ?",
            json.dumps(list(rotation.order)),
            rotation.position,
            stamp,
            platform,
            workspace,
            name,
            pack,
            json.dumps(list(was.order)),
            was.position,
        )
    return done.rowcount == 1


def save_rotation(
    platform: str, workspace: str, channel: str, pack: str, rotation: Rotation, stamp: str
) -> Work[None]:
    """Record a channel's rotation state; a unit, or a step of a run's preparation."""
    yield q(
        "INSERT INTO prompt_rotations (platform, workspace, channel, pack, prompt_order, "
        "position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, workspace, channel, pack) DO UPDATE SET "
        "prompt_order = excluded.prompt_order, position = excluded.position, "
        "updated_at = excluded.updated_at",
        platform,
        workspace,
        channel,
        pack,
        json.dumps(list(rotation.order)),
        rotation.position,
        stamp,
    )


class ScheduleStore(Units):
    """Schedule, run and rotation methods of the `Store`."""

    async def create_schedule(
        self, new: NewSchedule, *, audit: AuditNote | None = None
    ) -> Schedule:
        stamp = self._now()

        def unit() -> Work[Schedule]:
            place = new.place
            row = (
                yield q(
                    "INSERT INTO schedules (platform, workspace, channel, cron, tz, attach, "
                    "thread, pack, created_by, created_at, next_due, own_text, own_options) "
                    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {SCHEDULE_COLUMNS}",
                    place.platform,
                    place.workspace,
                    place.channel,
                    new.cron,
                    new.tz,
                    new.attach,
                    int(new.thread),
                    new.pack,
                    new.created_by,
                    ts(new.created_at),
                    ts(new.next_due),
                    None if new.own is None else new.own.text,
                    json.dumps(list(new.own.options)) if new.own and new.own.poll else None,
                )
            ).one()
            assert row is not None
            made = schedule_of(row)
            if audit is not None:
                # Only now is the id known, and moderators read it first: `schedule 4: ...`.
                detail = f"schedule {made.id}: {audit.detail}" if audit.detail else None
                yield from noted(stamp, place, replace(audit, detail=detail), made.id, "")
            return made

        return await self._write(unit)

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        return await self._read(lambda: load_schedule(schedule_id))

    async def list_schedules(self, platform: str, workspace: str) -> list[Schedule]:
        return await self._read(
            lambda: load_schedules("platform = ? AND workspace = ?", (platform, workspace))
        )

    async def due_schedules(self, now: datetime, platforms: Collection[str]) -> list[Schedule]:
        chosen = sorted(set(platforms))
        where = f"paused_at IS NULL AND next_due <= ? AND platform IN ({marks(chosen)})"
        return await self._read(lambda: load_schedules(where, (ts(now), *chosen)))

    async def advance_schedule(
        self,
        schedule_id: int,
        expected: datetime,
        next_due: datetime,
        *,
        audit: AuditNote | None = None,
    ) -> bool:
        return await self._change(
            schedule_id,
            "UPDATE schedules SET next_due = ? WHERE id = ? AND next_due = ? "
            "RETURNING platform, workspace",
            (ts(next_due), schedule_id, ts(expected)),
            audit,
        )

    async def pause_schedule(
        self, schedule_id: int, reason: str, *, audit: AuditNote | None = None
    ) -> bool:
        return await self._change(
            schedule_id,
            "UPDATE schedules SET paused_at = ?, paused_reason = ? "
            "WHERE id = ? AND paused_at IS NULL RETURNING platform, workspace",
            (self._now(), reason, schedule_id),
            audit,
        )

    async def resume_schedule(
        self, schedule_id: int, next_due: datetime, *, audit: AuditNote | None = None
    ) -> bool:
        return await self._change(
            schedule_id,
            "UPDATE schedules SET paused_at = NULL, paused_reason = '', failures = 0, "
            "next_due = ? WHERE id = ? AND paused_at IS NOT NULL "
            "RETURNING platform, workspace",
            (ts(next_due), schedule_id),
            audit,
        )

    async def delete_schedule(self, schedule_id: int, *, audit: AuditNote | None = None) -> bool:
        return await self._change(
            schedule_id,
            "DELETE FROM schedules WHERE id = ? RETURNING platform, workspace",
            (schedule_id,),
            audit,
        )

    async def _change(
        self, schedule_id: int, sql: str, params: tuple[object, ...], audit: AuditNote | None
    ) -> bool:
        """One conditional write that returns the schedule's workspace when it took effect, and
        then, in the same transaction, the caller's audit line."""
        stamp = self._now()

        def unit() -> Work[bool]:
            done = (yield q(sql, *params)).one()
            if done is None:
                return False
            yield from noted(stamp, _workspace(done), audit, schedule_id, "")
            return True

        return await self._write(unit)

    async def count_schedule_failure(self, schedule_id: int) -> int:
        def unit() -> Work[int]:
            row = (
                yield q(
                    "UPDATE schedules SET failures = failures + 1 WHERE id = ? RETURNING failures",
                    schedule_id,
                )
            ).one()
            return 0 if row is None else int(row[0])

        return await self._write(unit)

    async def clear_schedule_failures(self, schedule_id: int) -> None:
        def unit() -> Work[None]:
            yield q("UPDATE schedules SET failures = 0 WHERE id = ?", schedule_id)

        await self._write(unit)

    async def claim_run(
        self,
        schedule_id: int,
        due_at: datetime,
        owner: str,
        now: datetime,
        lease_until: datetime,
        *,
        manual: bool = False,
    ) -> Run | None:
        def unit() -> Work[Run | None]:
            # The primary key (schedule_id, due_at) is the exactly-once guarantee: a second
            # claim of the same run, from this process or another, inserts nothing.
            row = (
                yield q(
                    "INSERT INTO schedule_runs (schedule_id, due_at, state, owner, lease_until, "
                    "manual, claimed_at, updated_at) "
                    "SELECT id, CAST(? AS TEXT), 'claimed', CAST(? AS TEXT), CAST(? AS TEXT), "
                    "CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT) "
                    "FROM schedules WHERE id = ? "
                    f"ON CONFLICT DO NOTHING RETURNING {RUN_COLUMNS}",
                    ts(due_at),
                    owner,
                    ts(lease_until),
                    int(manual),
                    ts(now),
                    ts(now),
                    schedule_id,
                )
            ).one()
            return None if row is None else run_of(row)

        return await self._write(unit)

    async def update_run(
        self,
        run: Run,
        *,
        expect_state: RunState,
        expect_owner: str,
        audit: AuditNote | None = None,
    ) -> bool:
        stamp = self._now()

        def unit() -> Work[bool]:
            done = yield q(
                "UPDATE schedule_runs SET state = ?, owner = ?, attempts = ?, lease_until = ?, "
                "next_attempt_at = ?, prompt_id = ?, attachment = ?, message_id = ?, error = ?, "
                "updated_at = ? WHERE schedule_id = ? AND due_at = ? AND state = ? AND owner = ?",
                run.state,
                run.owner,
                run.attempts,
                opt_ts(run.lease_until),
                opt_ts(run.next_attempt_at),
                run.prompt_id,
                run.attachment,
                run.message_id,
                run.error,
                stamp,
                run.schedule_id,
                ts(run.due_at),
                expect_state,
                expect_owner,
            )
            if done.rowcount != 1:
                return False
            if audit is not None:
                found = (
                    yield q(
                        "SELECT platform, workspace FROM schedules WHERE id = ?", run.schedule_id
                    )
                ).one()
                if found is not None:
                    yield from noted(stamp, _workspace(found), audit, run.schedule_id, "")
            return True

        return await self._write(unit)

    async def runs_to_resume(self, now: datetime, platforms: Collection[str]) -> list[Run]:
        chosen = sorted(set(platforms))
        stamp = ts(now)
        columns = ", ".join(f"r.{column}" for column in RUN_COLUMNS.split(", "))

        def unit() -> Work[list[Run]]:
            rows = (
                yield q(
                    f"SELECT {columns} FROM schedule_runs r "
                    "JOIN schedules s ON s.id = r.schedule_id "
                    f"WHERE s.platform IN ({marks(chosen)}) AND ("
                    "(r.state IN ('claimed', 'posting') AND r.lease_until <= ?) "
                    "OR (r.state = 'retry' AND r.next_attempt_at <= ?)) "
                    "ORDER BY r.due_at, r.schedule_id",
                    *chosen,
                    stamp,
                    stamp,
                )
            ).rows
            return [run_of(row) for row in rows]

        return await self._read(unit)

    async def schedule_runs(self, schedule_id: int, limit: int = 5) -> list[Run]:
        def unit() -> Work[list[Run]]:
            rows = (
                yield q(
                    f"SELECT {RUN_COLUMNS} FROM schedule_runs WHERE schedule_id = ? "
                    "ORDER BY claimed_at DESC, due_at DESC LIMIT ?",
                    schedule_id,
                    max(0, limit),
                )
            ).rows
            return [run_of(row) for row in rows]

        return await self._read(unit)

    async def next_schedule_event(self, platforms: Collection[str]) -> datetime | None:
        chosen = sorted(set(platforms))
        these = marks(chosen)

        def unit() -> Work[datetime | None]:
            row = (
                yield q(
                    "SELECT min(t) FROM ("
                    "SELECT min(next_due) AS t FROM schedules "
                    f"WHERE paused_at IS NULL AND platform IN ({these}) "
                    "UNION ALL SELECT min(CASE r.state WHEN 'retry' THEN r.next_attempt_at "
                    "ELSE r.lease_until END) FROM schedule_runs r "
                    "JOIN schedules s ON s.id = r.schedule_id "
                    f"WHERE r.state IN ('claimed', 'posting', 'retry') AND s.platform IN ({these})"
                    ") AS soonest",
                    *chosen,
                    *chosen,
                )
            ).one()
            return None if row is None else dt(row[0])

        return await self._read(unit)

    async def load_rotation(
        self, platform: str, workspace: str, channel: str, pack: str
    ) -> Rotation | None:
        def unit() -> Work[Rotation | None]:
            row = (
                yield q(
                    "SELECT prompt_order, position FROM prompt_rotations "
                    "WHERE platform = ? AND workspace = ? AND channel = ? AND pack = ?",
                    platform,
                    workspace,
                    channel,
                    pack,
                )
            ).one()
            if row is None:
                return None
            return Rotation(tuple(json.loads(row[0])), int(row[1]))

        return await self._read(unit)

    async def save_rotation(
        self, platform: str, workspace: str, channel: str, pack: str, rotation: Rotation
    ) -> None:
        stamp = self._now()
        await self._write(
            lambda: save_rotation(platform, workspace, channel, pack, rotation, stamp)
        )

    async def prepare_run(self, preparation: Preparation) -> Run | None:
        stamp = self._now()
        run = preparation.run

        def unit() -> Work[Run | None]:
            key = (run.schedule_id, ts(run.due_at))
            # Conditional: only the run's owner prepares it, once; anyone else changes nothing.
            taken = yield q(
                "UPDATE schedule_runs SET prompt_id = ?, updated_at = ? WHERE schedule_id = ? "
                "AND due_at = ? AND state = 'claimed' AND owner = ? AND prompt_id IS NULL",
                preparation.prompt_id,
                stamp,
                *key,
                preparation.owner,
            )
            if taken.rowcount != 1:
                return None
            found = (
                yield q(
                    "SELECT platform, workspace, channel FROM schedules WHERE id = ?",
                    run.schedule_id,
                )
            ).one()
            if found is None:
                return None
            if preparation.rotation is not None:  # None: an own post, no prompt taken
                moved = yield from swap_rotation(
                    (found["platform"], found["workspace"], found["channel"]),
                    preparation.rotation_pack,
                    preparation.rotation_was,
                    preparation.rotation,
                    stamp,
                )
                if not moved:
                    raise Conflict("the channel's prompt rotation moved on; choose again")
            attachment: str | None = None
            if preparation.poll is not None:
                attachment = (yield from insert_poll(self.dialect, preparation.poll, stamp)).ref
            elif preparation.debate is not None:
                debate = yield from insert_debate(preparation.debate, stamp)
                attachment = debate.ref
                yield from audit_line(
                    stamp,
                    debate.place.platform,
                    debate.place.workspace,
                    debate.creator_id,
                    debate.creator_name,
                    "debate start",
                    f"#{debate.id} {debate.motion}",
                )
            if attachment is not None:
                yield q(
                    "UPDATE schedule_runs SET attachment = ? WHERE schedule_id = ? AND due_at = ?",
                    attachment,
                    *key,
                )
            row = (
                yield q(
                    f"SELECT {RUN_COLUMNS} FROM schedule_runs WHERE schedule_id = ? AND due_at = ?",
                    *key,
                )
            ).one()
            assert row is not None
            return run_of(row)

        return await self._write(unit)
