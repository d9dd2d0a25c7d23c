"""`admin poll ...` and `admin debate ...`, gathered where moderators look for them."""

from __future__ import annotations

from bot.blocks import Reply
from bot.catalogue import Args
from bot.context import Context
from bot.features import debates as debate_commands
from bot.features import polls as poll_commands
from bot.features.admin.base import (
    admin_store,
    done,
    number_arg,
)
from bot.limits import fit

# The poll and debate features own these actions (and audit them); the admin group gathers
# them where moderators look for them.


async def poll_close(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await poll_commands.close(ctx, Args({"poll": number_arg(args)})), ""


async def poll_delete(ctx: Context, args: Args) -> tuple[Reply, str]:
    poll = await poll_commands.poll_here(ctx, number_arg(args))
    await admin_store(ctx).delete_poll(poll.id)
    return done(
        f"Poll #{poll.id} and its votes are deleted. Votes for it are no longer taken."
    ), f"#{poll.id} {fit(poll.question, 200)}"


async def debate_advance(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await debate_commands.advance(ctx, Args({"debate": number_arg(args)})), ""


async def debate_close(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await debate_commands.close(ctx, Args({"debate": number_arg(args)})), ""
