"""Who opened the bot's home page lately, for either engine.

Kept in the database, not in memory, so whichever process sees a change (a poll closed by its
deadline, a schedule paused) can refresh the home page of everyone who has it open, whichever
process served their visit.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.work import Units, Work, q, ts


class HomeStore(Units):
    """Home page viewers of the `Store`."""

    async def note_home_viewer(
        self, platform: str, workspace: str, user_id: str, *, forget_before: datetime
    ) -> None:
        stamp, cutoff = self._now(), ts(forget_before)

        def unit() -> Work[None]:
            yield q(
                "INSERT INTO home_viewers (platform, workspace, user_id, seen_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (platform, workspace, user_id) "
                "DO UPDATE SET seen_at = excluded.seen_at",
                platform,
                workspace,
                user_id,
                stamp,
            )
            # Visits keep the table small: nobody is refreshed after the window anyway.
            yield q(
                "DELETE FROM home_viewers WHERE platform = ? AND workspace = ? AND seen_at < ?",
                platform,
                workspace,
                cutoff,
            )

        await self._write(unit)

    async def home_viewers(
        self, platform: str, workspace: str, since: datetime, limit: int = 100
    ) -> list[str]:
        def unit() -> Work[list[str]]:
            rows = (
                yield q(
                    "SELECT user_id FROM home_viewers "
                    "WHERE platform = ? AND workspace = ? AND seen_at >= ? "
                    "ORDER BY seen_at DESC, user_id LIMIT ?",
                    platform,
                    workspace,
                    ts(since),
                    max(0, limit),
                )
            ).rows
            return [str(row[0]) for row in rows]

        return await self._read(unit)
