"""`admin content reload` and `admin pack ...`: which content pack a channel uses."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.catalogue import Args
from bot.completion import Choice, rank
from bot.content.loader import PackInvalid
from bot.content.model import Pack
from bot.context import Context
from bot.errors import UsageError, UserError
from bot.features.admin.base import (
    admin_store,
    done,
    parse_channel,
)
from bot.limits import fit
from bot.pack_choice import pack_for
from bot.replies import Field, Reply
from bot.store.base import AuditNote
from bot.wording import plural


async def content_reload(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    packs = ctx.services.packs
    try:
        ids = await asyncio.to_thread(packs.reload)
    except PackInvalid as exc:
        problems = [f"• {fit(str(error), 300)}" for error in exc.errors[:10]]
        if len(exc.errors) > 10:
            problems.append(f"…and {len(exc.errors) - 10} more (`oped-bot content check`).")
        raise UserError(
            "Nothing was reloaded: the packs on disk have problems, so the live packs stay as "
            "they were. Fix these and try again:\n" + "\n".join(problems)
        ) from None
    except RuntimeError:
        raise UserError(
            "This bot's packs were not loaded from a folder, so there is nothing to reload."
        ) from None
    listed = ", ".join(f"`{pack_id}`" for pack_id in ids)
    return done(f"Reloaded and validated {plural(len(ids), 'pack')}: {listed}."), ", ".join(ids)


async def pack_list(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    packs = ctx.services.packs
    choices = await admin_store(ctx).pack_choices(ctx.place.platform, ctx.place.workspace)
    here = (await pack_for(ctx.services, ctx.place)).id
    lines = []
    for pack in packs.all():
        marks = []
        if pack.id == here:
            marks.append("used here")
        if choices.get("") == pack.id:
            marks.append("workspace default")
        elif pack.id == packs.default_id and "" not in choices:
            marks.append("default")
        channels = sorted(c for c, p in choices.items() if c and p == pack.id)
        if channels:
            marks.append("chosen in " + ", ".join(f"#{c}" for c in channels))
        if pack.is_draft:
            marks.append("draft: not usable until `content check` passes")
        tail = f" ({'; '.join(marks)})" if marks else ""
        lines.append(f"• `{pack.id}`: {pack.title}{tail}")
    reply = done(
        "\n".join(lines),
        "Content packs",
        fields=(Field("Switch", "`admin pack use <id>` (this channel) or add --workspace"),),
    )
    return reply, plural(len(lines), "pack")


def finished(pack: Pack) -> Pack:
    """`pack`, unless it is a draft: a moderator may not put placeholders in front of a channel."""
    if pack.is_draft:
        count = len(pack.drafts)
        raise UserError(
            f"Pack `{pack.id}` is a draft: {count} field{'s' if count != 1 else ''} still to fill "
            f"in. `oped-bot content check` on the bot's machine lists them; once it passes, "
            "run `admin content reload` and try again."
        )
    return pack


async def pack_use(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    pack = finished(ctx.services.packs.get(args.text("id") or ""))
    whole = args.flag("workspace")
    if whole and args.text("channel"):
        raise UsageError("Use --channel or --workspace, not both.")
    channel = None if whole else parse_channel(args.text("channel") or ctx.place.channel)
    detail = f"{pack.id} for {'workspace' if channel is None else '#' + channel}"
    await admin_store(ctx).set_pack_choice(
        ctx.place.platform,
        ctx.place.workspace,
        channel,
        pack.id,
        ctx.user.id,
        audit=replace(note, detail=detail),
    )
    where = "this workspace (where no channel chose another)" if channel is None else f"#{channel}"
    return done(f"{where[0].upper()}{where[1:]} now uses `{pack.id}`: {pack.title}."), None


async def pack_choices_of(ctx: Context, typed: str) -> list[Choice]:
    return rank(
        typed, [Choice(f"{p.id}: {fit(p.title, 80)}", p.id) for p in ctx.services.packs.all()]
    )
