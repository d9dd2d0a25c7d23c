"""Ports the core calls out through; each adapter implements them for its platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Protocol

from bot.models import Place
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.context import Context


class PostFailed(Exception):
    """A platform refused a post; `retryable` says whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Poster(Protocol):
    """Posts, edits and opens threads on one platform; `bot.delivery` decides when."""

    async def post(self, place: Place, reply: Reply) -> str:
        """Post `reply` publicly in `place` and return the first message's id."""
        ...

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        """Redraw an earlier message with a fresh reply."""
        ...

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        """Open a discussion thread called `name` under a posted message; PostFailed if not."""
        ...


class Groups(Protocol):
    """A platform's roles or user groups and channel members, for polls limited to them.

    Lookups that fail raise a UserError saying so: a poll limited to a group is never opened to
    everyone because the platform did not answer.
    """

    knows_members: bool  # whether `in_channel` can tell (else `--members` is refused)

    async def role_names(self, place: Place, ids: Collection[str]) -> dict[str, str]:
        """The names of the roles it knows among `ids`, as `@Name`."""
        ...

    async def find_roles(self, place: Place, names: Collection[str]) -> dict[str, tuple[str, str]]:
        """Roles typed as plain names (`@Editors` in a form): name (case folded) to id and name."""
        ...

    async def member_roles(
        self, place: Place, user_id: str, among: frozenset[str]
    ) -> frozenset[str]:
        """Which of the roles `among` the user has, when the request did not say."""
        ...

    async def in_channel(self, place: Place, user_id: str) -> bool:
        """Whether the user is a member of `place`'s channel."""
        ...


# A card provider redraws a tracked card (`poll:12` -> the poll's current card) for refreshes.
CardProvider = Callable[["Context", str], Awaitable[Reply | None]]
