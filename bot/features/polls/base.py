"""What every poll command shares: the store, the caller's channel, a poll's number."""

from __future__ import annotations

from bot import durations
from bot.catalogue import Args, Option
from bot.completion import Choice, rank
from bot.context import Context
from bot.errors import UserError
from bot.models import Place
from bot.scope import poll_not_found, reaches
from bot.store.base import Poll, Store


def store_of(ctx: Context) -> Store:
    """The store, or a clear refusal when the bot runs without one."""
    store = ctx.services.store
    if store is None:
        raise UserError("Polls and debates need the bot's database, and this bot runs without one.")
    return store


def here(ctx: Context, place: Place | None) -> bool:
    """Whether the caller reaches a record made at `place` (see `bot.scope.reaches`)."""
    return place is not None and reaches(ctx.place, place)


def number(args: Args, name: str) -> int:
    """A required whole-number argument (the catalogue has already checked it)."""
    value = args.integer(name)
    assert value is not None
    return value


def ref_number(ref: str) -> int | None:
    """The id in a tracked-card ref such as `poll:12`."""
    try:
        return int(ref.partition(":")[2])
    except ValueError:
        return None


async def audit(ctx: Context, action: str, detail: str) -> None:
    """Write the caller's action to the moderators' audit log."""
    place = ctx.place
    user = ctx.user
    await store_of(ctx).audit(place.platform, place.workspace, user.id, user.name, action, detail)


async def poll_here(ctx: Context, poll_id: int) -> Poll:
    """The poll with this id in the caller's channel, or NotFound (the same as for no poll)."""
    poll = await store_of(ctx).get_poll(poll_id)
    if poll is None or not here(ctx, poll.place):
        raise poll_not_found(poll_id)
    return poll


async def open_poll_choices(ctx: Context, typed: str) -> list[Choice]:
    """The open polls in the caller's channel matching what is typed, for `poll` arguments."""
    place = ctx.place
    store = ctx.services.store
    if store is None:
        return []
    found = await store.open_polls(place.platform, place.workspace, place.channel)
    return rank(typed, [Choice(f"#{p.id}: {p.question}"[:100], str(p.id)) for p in found])


CLOSES = Option(
    "closes",
    "text",
    f"When it closes: {durations.CLOSES_HELP}",
    positional=False,
    max_length=40,
    placeholder="2h|1d|<time>",
)

POLL = Option(
    "poll",
    "int",
    "The poll's number",
    required=True,
    autocomplete="polls",
    min_value=1,
    placeholder="<id>",
)
