"""Moderators, the audit log, tracked messages, reports and pack choices, for either engine."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Generic, TypeVar, cast

from bot.models import Place, Platform
from bot.store.base import AuditEntry, AuditNote, Moderator, SubjectKind, TrackedMessage
from bot.store.work import Units, Work, q, ts, when

# Moderators and pack choices are read on every request and change rarely, so they are cached:
# changes made through this store drop the entry at once; changes made by another process on
# the same database show within this many seconds.
WORKSPACE_CACHE_SECONDS = 10.0

# Every command is claimed first, so the sweep of expired claims runs with the first claim of
# each minute rather than as a second statement of every claim.
CLAIM_PRUNE_INTERVAL = timedelta(minutes=1)
# Claims are written in groups, one statement each: a statement per claim cost SQLite's writer
# thread a turn at the GIL for every command.
CLAIMS_PER_STATEMENT = 400  # 801 parameters, far below either engine's limit


class ClaimGroup:
    """Claims written together in one statement, open to more until its write begins.

    The write is queued as soon as the group opens, and closes the group when it starts (for
    SQLite, on the writer's thread, hence the lock): claims that arrive while an earlier write
    commits join this one, and no claim waits for a group to fill.
    """

    def __init__(self) -> None:
        # key -> (keep_until as text, the claimant's answer)
        self.claims: dict[str, tuple[str, asyncio.Future[bool]]] = {}
        self._lock = threading.Lock()
        self._open = True

    def join(self, key: str, until: str, answer: asyncio.Future[bool]) -> bool | None:
        """Add a claim: True; False for a key already in the group; None once closed or full."""
        with self._lock:
            if not self._open or len(self.claims) >= CLAIMS_PER_STATEMENT:
                return None
            if key in self.claims:
                return False
            self.claims[key] = (until, answer)
            return True

    def close(self) -> list[tuple[str, str]]:
        """Take no more claims; the (key, keep_until) of those taken."""
        with self._lock:
            self._open = False
            return [(key, until) for key, (until, _) in self.claims.items()]


Value = TypeVar("Value")


class WorkspaceCache(Generic[Value]):
    """Per-workspace values with a time limit, safe against a change racing a slow read."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, Value]] = {}
        self._generation: dict[tuple[str, str], int] = {}

    def forget(self, key: tuple[str, str]) -> None:
        """Drop the entry, and any read of it still in flight."""
        self._entries.pop(key, None)
        self._generation[key] = self._generation.get(key, 0) + 1

    async def get(self, key: tuple[str, str], load: Callable[[], Awaitable[Value]]) -> Value:
        """The cached value, or `load()`'s, kept unless the entry was forgotten meanwhile."""
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < WORKSPACE_CACHE_SECONDS:
            return cached[1]
        generation = self._generation.get(key, 0)
        asked = time.monotonic()
        found = await load()
        if self._generation.get(key, 0) == generation:  # nothing changed while we read
            self._entries[key] = (asked, found)
        return found


def audit_line(
    at: str, platform: str, workspace: str, actor_id: str, actor_name: str, action: str, detail: str
) -> Work[None]:
    """Append one audit line; a unit of its own, or the last step of the action it records."""
    yield q(
        "INSERT INTO audit_log (at, platform, workspace, actor_id, actor_name, action, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        at,
        platform,
        workspace,
        actor_id,
        actor_name,
        action,
        detail,
    )


def noted(at: str, place: Place, note: AuditNote | None, record: int, text: str) -> Work[None]:
    """The audit line (and report) of an action on record #`record`, if the caller asked."""
    if note is None:
        return
    yield from audit_line(
        at,
        place.platform,
        place.workspace,
        note.actor_id,
        note.actor_name,
        note.action,
        note.detail if note.detail is not None else f"#{record} {text}",
    )
    if note.report is not None:
        yield q(
            "INSERT INTO pending_reports (platform, workspace, created_at, text) "
            "VALUES (?, ?, ?, ?)",
            place.platform,
            place.workspace,
            at,
            note.report,
        )


class ModerationStore(Units):
    """Moderators, audit, tracked messages, reports and pack choices of the `Store`."""

    _moderators: WorkspaceCache[frozenset[str]]
    _pack_choices: WorkspaceCache[dict[str, str]]
    # When this process last swept expired claims (None: not yet).
    _claims_pruned_at: datetime | None = None
    # The group of claims still taking members, and its write.
    _claims_next: ClaimGroup | None = None
    _claims_writing: asyncio.Future[None] | None = None

    async def audit(
        self,
        platform: str,
        workspace: str,
        actor_id: str,
        actor_name: str,
        action: str,
        detail: str,
    ) -> None:
        stamp = self._now()
        await self._write(
            lambda: audit_line(stamp, platform, workspace, actor_id, actor_name, action, detail)
        )

    async def audit_log(
        self, platform: str, workspace: str, limit: int = 50, *, before: int | None = None
    ) -> list[AuditEntry]:
        def unit() -> Work[list[AuditEntry]]:
            # Paging by id rather than offset: lines written meanwhile do not shift the pages.
            rows = (
                yield q(
                    "SELECT id, at, platform, workspace, actor_id, actor_name, action, detail "
                    "FROM audit_log WHERE platform = ? AND workspace = ? AND id < ? "
                    "ORDER BY id DESC LIMIT ?",
                    platform,
                    workspace,
                    before if before is not None else 2**63 - 1,
                    max(0, limit),
                )
            ).rows
            return [
                AuditEntry(int(r[0]), when(r[1]), r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows
            ]

        return await self._read(unit)

    async def add_moderator(
        self,
        platform: str,
        workspace: str,
        subject_id: str,
        *,
        kind: SubjectKind = "user",
        name: str = "",
        added_by: str = "",
        audit: AuditNote | None = None,
    ) -> bool:
        return await self._change_moderators(
            platform,
            workspace,
            "INSERT INTO moderators (platform, workspace, subject_id, kind, name, added_by, "
            "added_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (platform, workspace, subject_id, kind, name, added_by, self._now()),
            audit,
        )

    async def remove_moderator(
        self, platform: str, workspace: str, subject_id: str, *, audit: AuditNote | None = None
    ) -> bool:
        return await self._change_moderators(
            platform,
            workspace,
            "DELETE FROM moderators WHERE platform = ? AND workspace = ? AND subject_id = ?",
            (platform, workspace, subject_id),
            audit,
        )

    async def _change_moderators(
        self,
        platform: str,
        workspace: str,
        sql: str,
        params: tuple[object, ...],
        audit: AuditNote | None,
    ) -> bool:
        """One write to a workspace's moderators and, if it changed a row, its audit line."""
        stamp = self._now()

        def unit() -> Work[bool]:
            done = yield q(sql, *params)
            if done.rowcount != 1:
                return False
            yield from noted(stamp, Place(platform, workspace, ""), audit, 0, "")
            return True

        try:
            return await self._write(unit)
        finally:
            # Whatever happened, the next check reads the table again.
            self._moderators.forget((platform, workspace))

    async def moderator_ids(self, platform: str, workspace: str) -> frozenset[str]:
        def unit() -> Work[frozenset[str]]:
            rows = (
                yield q(
                    "SELECT subject_id FROM moderators WHERE platform = ? AND workspace = ?",
                    platform,
                    workspace,
                )
            ).rows
            return frozenset(row[0] for row in rows)

        return await self._moderators.get((platform, workspace), lambda: self._read(unit))

    async def list_moderators(self, platform: str, workspace: str) -> list[Moderator]:
        def unit() -> Work[list[Moderator]]:
            rows = (
                yield q(
                    "SELECT subject_id, kind, name, added_by, added_at FROM moderators "
                    "WHERE platform = ? AND workspace = ? ORDER BY added_at, subject_id",
                    platform,
                    workspace,
                )
            ).rows
            return [Moderator(r[0], cast(SubjectKind, r[1]), r[2], r[3], when(r[4])) for r in rows]

        return await self._read(unit)

    async def remember_message(self, ref: str, place: Place, message_id: str) -> None:
        stamp = self._now()

        def unit() -> Work[None]:
            yield q(
                "INSERT INTO tracked_messages (ref, platform, workspace, channel, thread, "
                "message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                ref,
                place.platform,
                place.workspace,
                place.channel,
                place.thread,
                message_id,
                stamp,
            )

        await self._write(unit)

    async def messages_for(self, ref: str) -> list[TrackedMessage]:
        def unit() -> Work[list[TrackedMessage]]:
            rows = (
                yield q(
                    "SELECT platform, workspace, channel, thread, message_id "
                    "FROM tracked_messages WHERE ref = ? ORDER BY id",
                    ref,
                )
            ).rows
            return [
                TrackedMessage(Place(cast(Platform, r[0]), r[1], r[2], r[3]), r[4]) for r in rows
            ]

        return await self._read(unit)

    async def add_report(self, platform: str, workspace: str, text: str) -> None:
        stamp = self._now()

        def unit() -> Work[None]:
            yield q(
                "INSERT INTO pending_reports (platform, workspace, created_at, text) "
                "VALUES (?, ?, ?, ?)",
                platform,
                workspace,
                stamp,
                text,
            )

        await self._write(unit)

    async def take_reports(self, platform: str, workspace: str, taken_by: str) -> list[str]:
        stamp = self._now()

        def unit() -> Work[list[str]]:
            # Marked delivered in the same statement that reads them: each is shown once, also
            # when two processes take them at the same moment.
            rows = (
                yield q(
                    "UPDATE pending_reports SET delivered_at = ?, delivered_to = ? "
                    "WHERE platform = ? AND workspace = ? AND delivered_at IS NULL "
                    "RETURNING id, text",
                    stamp,
                    taken_by,
                    platform,
                    workspace,
                )
            ).rows
            return [str(row[1]) for row in sorted(rows, key=lambda row: int(row[0]))]

        return await self._write(unit)

    async def set_pack_choice(
        self,
        platform: str,
        workspace: str,
        channel: str | None,
        pack: str,
        chosen_by: str,
        *,
        audit: AuditNote | None = None,
    ) -> None:
        stamp = self._now()
        where = Place(platform, workspace, "")

        def unit() -> Work[None]:
            yield q(
                "INSERT INTO pack_choices (platform, workspace, channel, pack, chosen_by, "
                "chosen_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, workspace, channel) DO UPDATE SET pack = excluded.pack, "
                "chosen_by = excluded.chosen_by, chosen_at = excluded.chosen_at",
                platform,
                workspace,
                channel or "",
                pack,
                chosen_by,
                stamp,
            )
            yield from noted(stamp, where, audit, 0, "")

        try:
            await self._write(unit)
        finally:
            self._pack_choices.forget((platform, workspace))

    async def pack_choice(self, platform: str, workspace: str, channel: str) -> str | None:
        choices = await self.pack_choices(platform, workspace)
        # The channel's own choice wins over the workspace default (stored under '').
        return choices.get(channel) or choices.get("")

    async def pack_choices(self, platform: str, workspace: str) -> dict[str, str]:
        def unit() -> Work[dict[str, str]]:
            rows = (
                yield q(
                    "SELECT channel, pack FROM pack_choices WHERE platform = ? AND workspace = ? "
                    "ORDER BY channel",
                    platform,
                    workspace,
                )
            ).rows
            return {str(r[0]): str(r[1]) for r in rows}

        found = await self._pack_choices.get((platform, workspace), lambda: self._read(unit))
        return dict(found)  # callers may not change the cached map

    async def claim_delivery(self, key: str, keep_until: datetime) -> bool:
        until = ts(keep_until)
        won: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        group = self._claims_next
        joined = None if group is None else group.join(key, until, won)
        if joined is False:
            return False  # the same delivery twice at once: the first one is the claim
        if joined is None:
            group = self._claims_next = ClaimGroup()
            group.join(key, until, won)
            self._claims_writing = asyncio.ensure_future(self._write_claims(group))
        return await won

    async def _write_claims(self, group: ClaimGroup) -> None:
        """Write a group of claims in one statement; answer each claimant."""
        moment = self.clock.now()
        now = ts(moment)
        last = self._claims_pruned_at
        prune = last is None or moment - last >= CLAIM_PRUNE_INTERVAL
        if prune:
            self._claims_pruned_at = moment

        def unit() -> Work[set[str]]:
            claims = group.close()
            if prune:
                yield q("DELETE FROM deliveries WHERE expires_at <= ?", now)
            # A key's unique row is its claim, whichever process writes it first; an expired
            # claim the sweep has not reached yet is taken over as if it were gone.
            done = yield q(
                "INSERT INTO deliveries (key, expires_at) VALUES "
                + ", ".join("(?, ?)" for _ in claims)
                + " ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at "
                "WHERE deliveries.expires_at <= ? RETURNING key",
                *(value for claim in claims for value in claim),
                now,
            )
            return {str(row[0]) for row in done.rows}

        try:
            won = await self._write(unit, single_statement=not prune)
        except Exception as exc:
            group.close()
            for _, answer in group.claims.values():
                if not answer.done():
                    answer.set_exception(exc)
            return
        except BaseException:
            group.close()
            for _, answer in group.claims.values():
                answer.cancel()
            raise
        for key, (_, answer) in group.claims.items():
            if not answer.done():  # its request may have been dropped meanwhile
                answer.set_result(key in won)
