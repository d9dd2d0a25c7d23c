"""Installations of the bot into workspaces (OAuth), and the OAuth states of installs under way.

A platform's multi-workspace install keeps one row per workspace (or per organisation, for an
install across a whole organisation) in the bot's own database, so every replica behind a load
balancer answers every workspace. The tokens travel as `sealed` text only: the adapter seals
them (`bot.store.sealing.Sealer`) before they reach the store, so the database never holds one
in clear.
An OAuth state is single-use and expires: it is deleted by the call that consumes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.work import Row, Units, Work, q, ts, when


@dataclass(frozen=True)
class Install:
    """The bot installed in one workspace, or in a whole organisation (`org_wide`)."""

    platform: str
    organisation: str  # '' when the workspace belongs to none
    workspace: str  # '' for an install across the organisation
    org_wide: bool
    app_id: str
    bot_id: str
    bot_user_id: str
    scopes: tuple[str, ...]
    sealed: str  # the tokens, sealed by the adapter: never clear text
    installed_at: datetime


_COLUMNS = (
    "platform, organisation, workspace, org_wide, app_id, bot_id, bot_user_id, scopes, sealed, "
    "installed_at"
)


def _install(r: Row) -> Install:
    return Install(
        r[0],
        r[1],
        r[2],
        bool(r[3]),
        r[4],
        r[5],
        r[6],
        tuple(scope for scope in str(r[7]).split(",") if scope),
        r[8],
        when(r[9]),
    )


def _key(workspace: str, organisation: str, org_wide: bool) -> tuple[str, str]:
    """The (where, params) that finds one install.

    A workspace id is unique across organisations, so a workspace install is found by it alone
    (a scheduled post knows only its channel's workspace); an organisation-wide one by its
    organisation.
    """
    if org_wide or not workspace:
        return "organisation = ? AND workspace = ''", organisation
    return "workspace = ? AND org_wide = 0", workspace


class InstallStore(Units):
    """Installations and OAuth states of the `Store`."""

    async def save_install(self, install: Install) -> None:
        """Keep an installation, replacing the workspace's (or organisation's) earlier one."""
        workspace = "" if install.org_wide else install.workspace
        values = (
            install.platform,
            install.organisation,
            workspace,
            1 if install.org_wide else 0,
            install.app_id,
            install.bot_id,
            install.bot_user_id,
            ",".join(install.scopes),
            install.sealed,
            ts(install.installed_at),
        )

        def unit() -> Work[None]:
            yield q(
                f"INSERT INTO installations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (platform, organisation, workspace) DO UPDATE SET "
                "org_wide = excluded.org_wide, app_id = excluded.app_id, "
                "bot_id = excluded.bot_id, bot_user_id = excluded.bot_user_id, "
                "scopes = excluded.scopes, sealed = excluded.sealed, "
                "installed_at = excluded.installed_at",
                *values,
            )

        await self._write(unit, single_statement=True)

    async def find_install(
        self, platform: str, workspace: str, *, organisation: str = "", org_wide: bool = False
    ) -> Install | None:
        """The install that serves `workspace` (or the organisation's, `org_wide`), or None."""
        where, value = _key(workspace, organisation, org_wide)

        def unit() -> Work[Install | None]:
            row = (
                yield q(
                    f"SELECT {_COLUMNS} FROM installations WHERE platform = ? AND {where}",
                    platform,
                    value,
                )
            ).one()
            return None if row is None else _install(row)

        return await self._read(unit)

    async def delete_install(
        self, platform: str, workspace: str, *, organisation: str = "", org_wide: bool = False
    ) -> bool:
        """Forget an install (the app was uninstalled, its token revoked); False if none."""
        where, value = _key(workspace, organisation, org_wide)

        def unit() -> Work[bool]:
            done = yield q(
                f"DELETE FROM installations WHERE platform = ? AND {where}", platform, value
            )
            return done.rowcount > 0

        return await self._write(unit, single_statement=True)

    async def list_installs(self, platform: str, limit: int = 100) -> list[Install]:
        """The newest installs of a platform, newest first, at most `limit`."""

        def unit() -> Work[list[Install]]:
            rows = (
                yield q(
                    f"SELECT {_COLUMNS} FROM installations WHERE platform = ? "
                    "ORDER BY installed_at DESC, organisation, workspace LIMIT ?",
                    platform,
                    limit,
                )
            ).rows
            return [_install(row) for row in rows]

        return await self._read(unit)

    async def issue_oauth_state(self, state: str, expires_at: datetime) -> None:
        """Remember an OAuth state until `expires_at`; expired ones are pruned meanwhile."""
        now = self._now()

        def unit() -> Work[None]:
            yield q("DELETE FROM oauth_states WHERE expires_at <= ?", now)
            yield q(
                "INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)", state, ts(expires_at)
            )

        await self._write(unit)

    async def consume_oauth_state(self, state: str) -> bool:
        """Use an OAuth state up: True once, if it was issued and has not expired."""
        now = self.clock.now()

        def unit() -> Work[bool]:
            # Deleting it is the use: a second redirect with the same state finds nothing.
            row = (
                yield q("DELETE FROM oauth_states WHERE state = ? RETURNING expires_at", state)
            ).one()
            return row is not None and when(row[0]) > now

        return await self._write(unit, single_statement=True)
