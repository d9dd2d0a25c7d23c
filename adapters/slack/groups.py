"""Who is in a user group or a channel, for polls limited to them (`--roles`, `--members`).

Slack's requests carry no group memberships, so they are asked for only when a poll needs them
(`usergroups.users.list`, `conversations.members`) and kept for a minute on the bot's clock: a
burst of votes costs one call, and someone removed from a group stops voting within the minute.
A lookup Slack refuses is never taken as "yes": the vote is refused, saying what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import timedelta
from functools import partial
from typing import Any

from adapters.slack.lookups import Remembered
from adapters.slack.poster import SLACK_FAILURES, Clients, NotInstalled, slack_failure
from bot.clock import Clock
from bot.errors import UserError
from bot.models import Place

log = logging.getLogger(__name__)

GROUPS_TTL = timedelta(minutes=1)
CACHE_MAX = 10_000
MEMBER_PAGES_MAX = 100  # 100,000 members at 1,000 a page; a larger channel is cut there


class SlackGroups:
    """The `Groups` port on Slack: user group names and members, and channel members."""

    knows_members = True

    def __init__(self, clients: Clients, clock: Clock, ttl: timedelta = GROUPS_TTL) -> None:
        self.clients = clients  # each workspace's own token
        self.clock = clock
        self.ttl = ttl
        # The first votes on a new poll come in a burst; one lookup each would hit Slack's
        # rate limit for these methods, and the votes after it would be refused.
        self._answers: Remembered[tuple[str, ...], frozenset[str]] = Remembered(clock, CACHE_MAX)

    async def role_names(self, place: Place, ids: Collection[str]) -> dict[str, str]:
        """Handles of the workspace's user groups among `ids`, as `@handle`."""
        return {
            group_id: f"@{handle}"
            for group_id, (handle, _name) in (await self._groups(place.workspace)).items()
            if group_id in ids
        }

    async def find_roles(self, place: Place, names: Collection[str]) -> dict[str, tuple[str, str]]:
        """User groups by handle or name (case folded), for one typed where it is not a mention."""
        found: dict[str, tuple[str, str]] = {}
        for group_id, (handle, name) in (await self._groups(place.workspace)).items():
            for typed in (handle.casefold(), name.casefold()):
                if typed in names:
                    found.setdefault(typed, (group_id, f"@{handle}"))
        return found

    async def _groups(self, workspace: str) -> dict[str, tuple[str, str]]:
        """The workspace's user groups: id to handle and name."""
        try:
            client = await self.clients.for_team(workspace)
            response = await client.usergroups_list()
        except (*SLACK_FAILURES, NotInstalled) as exc:
            # Mentions still work, and the card shows a group's id: no poll is refused over it.
            log.warning("usergroups.list failed: %s", slack_failure(exc))
            return {}
        listed = response.get("usergroups")
        return {
            str(group["id"]): (
                str(group.get("handle") or group["id"]),
                str(group.get("name") or ""),
            )
            for group in (listed if isinstance(listed, list) else [])
            if isinstance(group, dict) and group.get("id")
        }

    async def member_roles(
        self, place: Place, user_id: str, among: frozenset[str]
    ) -> frozenset[str]:
        """The user groups among `among` the user is in; UserError if Slack will not say."""
        found = set()
        for group in sorted(among):
            members = await self._answers.get(
                ("group", place.workspace, group),
                partial(self._group_members, place.workspace, group),
            )
            if user_id in members:
                found.add(group)
        return frozenset(found)

    async def in_channel(self, place: Place, user_id: str) -> bool:
        """Whether the user is a member of the channel; UserError if Slack will not say."""
        members = await self._answers.get(
            ("channel", place.workspace, place.channel),
            partial(self._channel_members, place.workspace, place.channel),
        )
        return user_id in members

    async def _group_members(self, workspace: str, group: str) -> tuple[frozenset[str], timedelta]:
        try:
            client = await self.clients.for_team(workspace)
            response = await client.usergroups_users_list(usergroup=group)
        except (*SLACK_FAILURES, NotInstalled) as exc:
            failure = slack_failure(exc)
            log.warning("usergroups.users.list failed: %s", failure)
            raise UserError(
                f"Slack would not say who is in this poll's user groups ({failure}), so your "
                "vote was not counted. Try again in a minute; if it keeps failing, ask a "
                "workspace admin to reinstall the app with the usergroups:read scope."
            ) from None
        return _ids(response.get("users")), self.ttl

    async def _channel_members(
        self, workspace: str, channel: str
    ) -> tuple[frozenset[str], timedelta]:
        members: set[str] = set()
        cursor = ""
        try:
            client = await self.clients.for_team(workspace)
            for _ in range(MEMBER_PAGES_MAX):
                response = await client.conversations_members(
                    channel=channel, limit=1000, cursor=cursor or None
                )
                members |= _ids(response.get("members"))
                metadata: Any = response.get("response_metadata") or {}
                cursor = str(metadata.get("next_cursor") or "")
                if not cursor:
                    break
        except (*SLACK_FAILURES, NotInstalled) as exc:
            failure = slack_failure(exc)
            log.warning("conversations.members failed: %s", failure)
            raise UserError(
                f"Slack would not list this channel's members ({failure}), so your vote was "
                "not counted. In a private channel, invite me with `/invite @oped-bot`; "
                "otherwise ask a workspace admin to reinstall the app with the channels:read "
                "and groups:read scopes."
            ) from None
        return frozenset(members), self.ttl


def _ids(value: object) -> frozenset[str]:
    return frozenset(str(item) for item in value) if isinstance(value, list) else frozenset()
