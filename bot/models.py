"""The neutral request a platform event becomes, and who and where it came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Platform = str  # the name an adapter registered its platform under
ArgValue = str | int | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class Place:
    """A channel in a workspace (a server, a team, the console) of one platform."""

    platform: Platform
    workspace: str
    channel: str
    thread: str | None = None


@dataclass(frozen=True)
class User:
    """The person behind a request; `is_moderator` is what the adapter learned from the platform."""

    id: str
    name: str
    is_moderator: bool = False
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Request:
    """One command, from any platform, ready for `Bot.handle`."""

    place: Place
    user: User
    command: tuple[str, ...]
    args: Mapping[str, ArgValue] = field(default_factory=dict)
