"""The Store contract every storage driver implements (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from typing import Protocol


class Store(Protocol):
    """Domain operations on durable state. Every write is committed before it returns."""

    async def close(self) -> None:
        """Finish pending writes and release the database."""
        ...

    async def moderator_ids(self, platform: str, workspace: str) -> frozenset[str]:
        """User and role ids granted moderator rights in the bot (beyond platform admins)."""
        ...
