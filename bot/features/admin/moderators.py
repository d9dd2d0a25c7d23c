"""`admin moderators ...`: who has moderator rights in the bot, and how they are named."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.catalogue import Args
from bot.context import Context
from bot.errors import NotFound, UsageError, UserError
from bot.features.admin.base import (
    admin_store,
    done,
)
from bot.limits import fit
from bot.platforms import plugin
from bot.replies import Card, Reply
from bot.store.base import AuditNote, SubjectKind

_USER_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_ROLE_MENTION = re.compile(r"^<@&(\d+)>$")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def parse_subject(platform: str, text: str) -> tuple[str, SubjectKind]:
    """A moderator id and whether it is a user or a role, from a mention or a plain id.

    Where the platform's plug-in grants moderator rights to roles, a plain id is a role;
    elsewhere it is a user.
    """
    found = plugin(platform)
    roles = found is not None and found.moderator_roles
    raw = text.strip()
    if match := _ROLE_MENTION.match(raw):
        if not roles:
            raise UsageError(
                "Here moderator rights go to users, not roles: mention a user or paste their id."
            )
        return match.group(1), "role"
    if match := _USER_MENTION.match(raw):
        return match.group(1), "user"
    if raw.startswith("<"):
        raise UsageError(
            f"`{fit(raw, 40)}` is not a user or role. Mention one (`@name`) or paste its id."
        )
    name = raw.removeprefix("@")
    if not _PLAIN_ID.match(name):
        raise UsageError(f"`{fit(raw, 40)}` is not an id. Mention the user or paste their id.")
    return name, "role" if roles else "user"


async def moderators_add(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    subject, kind = parse_subject(ctx.place.platform, args.text("who") or "")
    what = f"{kind} {subject}"
    added = await admin_store(ctx).add_moderator(
        ctx.place.platform,
        ctx.place.workspace,
        subject,
        kind=kind,
        added_by=ctx.user.id,
        audit=replace(note, detail=what),
    )
    if not added:
        raise UserError(f"The {what} is already a moderator.")
    return done(f"The {what} now has moderator rights in this bot."), None


async def moderators_remove(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    subject, _ = parse_subject(ctx.place.platform, args.text("who") or "")
    if not await admin_store(ctx).remove_moderator(
        ctx.place.platform, ctx.place.workspace, subject, audit=replace(note, detail=subject)
    ):
        raise NotFound("moderator granted in the bot", subject, (), "Type `admin moderators list`.")
    return done(f"{subject} no longer has moderator rights granted in this bot."), None


async def moderators_list(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    granted = await admin_store(ctx).list_moderators(ctx.place.platform, ctx.place.workspace)
    settings = ctx.services.settings
    lines = [
        f"• {m.kind} {m.subject_id}"
        + (f" ({m.name})" if m.name else "")
        + f", added by {m.added_by or '?'} on {m.added_at:%Y-%m-%d}"
        for m in granted
    ]
    body = "\n".join(lines) if lines else "Nobody has been added in the bot yet."
    configured = sorted(settings.moderator_users) + [
        f"role {r}" for r in sorted(settings.moderator_roles)
    ]
    footer = "Platform admins are always moderators."
    if configured:
        footer += " From the config file: " + ", ".join(configured) + "."
    reply = Reply(
        (Card("notice", body, "Moderators added in the bot", footer=footer),), ephemeral=True
    )
    return reply, f"{len(granted)} granted"
