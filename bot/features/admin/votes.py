"""`admin poll ...` and `admin debate ...`, gathered where moderators look for them."""

from __future__ import annotations

from dataclasses import replace

from bot.catalogue import Args
from bot.context import Context
from bot.features import debates as debate_commands
from bot.features.admin.base import (
    admin_store,
    done,
    number_arg,
)
from bot.features.polls.base import poll_here
from bot.features.polls.manage import close as close_poll
from bot.limits import fit
from bot.replies import Reply
from bot.scope import poll_not_found
from bot.store.base import AuditNote

# The poll and debate features own these actions and write their own audit lines with them
# (so they return no detail); the admin group gathers them where moderators look for them.


async def poll_close(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    return await close_poll(ctx, Args({"poll": number_arg(args)})), None


async def poll_delete(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    poll = await poll_here(ctx, number_arg(args))
    detail = f"#{poll.id} {fit(poll.question, 200)}"
    if not await admin_store(ctx).delete_poll(poll.id, audit=replace(note, detail=detail)):
        raise poll_not_found(poll.id)  # deleted by another moderator since we looked it up
    return done(
        f"Poll #{poll.id} and its votes are deleted. Votes for it are no longer taken."
    ), None


async def debate_advance(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    return await debate_commands.advance(ctx, Args({"debate": number_arg(args)})), None


async def debate_close(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    return await debate_commands.close(ctx, Args({"debate": number_arg(args)})), None
