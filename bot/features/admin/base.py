"""What every admin command shares: auditing, reports, confirmations and argument parsing."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time

from bot.catalogue import Args, Command, Option
from bot.context import Context
from bot.errors import UsageError, UserError
from bot.limits import fit
from bot.replies import Card, Field, Reply
from bot.schedule.cron import zone
from bot.store.base import AuditNote, Store

# A handler gets the audit line's actor and action, and returns its reply and the line's
# detail: the wrapper writes that line alone (read-only actions: exports, reload, views). A
# handler whose store write carries the note, detail filled in, returns None instead: the
# action and its line are then one transaction, so neither can be committed without the other.
AdminHandler = Callable[[Context, Args, AuditNote], Awaitable[tuple[Reply, str | None]]]

REPORTS_SHOWN = 10


def admin_store(ctx: Context) -> Store:
    store = ctx.services.store
    if store is None:
        raise UserError(
            "Admin commands need the bot's database, and this bot was started without one."
        )
    return store


def admin_command(
    path: tuple[str, ...],
    help: str,
    run: AdminHandler,
    options: Sequence[Option] = (),
    examples: Sequence[str] = (),
    *,
    view: bool = False,
) -> Command:
    """A moderator-only command that audits itself and delivers pending reports.

    `view` marks commands that only show what is there: auditing them would bury the actions
    in lines about reading the log. Exports are not views: who took the data is worth a line.
    Reports go only into private replies; after a public one they wait for the next command.
    """
    action = " ".join(path)

    async def handler(ctx: Context, args: Args) -> Reply:
        store = admin_store(ctx)
        reply, detail = await run(ctx, args, AuditNote(ctx.user.id, ctx.user.name, action))
        place = ctx.place
        if detail is not None and not view:
            await store.audit(
                place.platform, place.workspace, ctx.user.id, ctx.user.name, action, detail
            )
        if not reply.ephemeral:
            return reply
        reports = await store.take_reports(place.platform, place.workspace, ctx.user.id)
        return with_reports(reply, reports)

    return Command(path, help, handler, tuple(options), moderator=True, examples=tuple(examples))


def with_reports(reply: Reply, reports: Sequence[str]) -> Reply:
    """`reply` with a card of reports the moderators have not seen yet."""
    if not reports:
        return reply
    shown = [f"• {fit(report, 400)}" for report in reports[:REPORTS_SHOWN]]
    if len(reports) > REPORTS_SHOWN:
        shown.append(f"…and {len(reports) - REPORTS_SHOWN} more in `admin audit`.")
    card = Card("notice", "\n".join(shown), title="Needs your attention")
    return replace(reply, cards=(*reply.cards, card))


def done(body: str, title: str | None = None, *, fields: Sequence[Field] = ()) -> Reply:
    """An ephemeral confirmation for the moderator."""
    return Reply((Card("notice", body, title, fields=tuple(fields)),), ephemeral=True)


_CHANNEL = re.compile(r"^<#([A-Za-z0-9_-]+)(?:\|[^>]*)?>$")
_CHANNEL_NAME = re.compile(r"^[\w-]{1,80}$")


def parse_channel(text: str) -> str:
    """A channel id or name from `#name`, `<#C123>`, `<#C123|name>` or `<#123>`."""
    raw = text.strip()
    match = _CHANNEL.match(raw)
    if match:
        return match.group(1)
    name = raw.removeprefix("#")
    if not _CHANNEL_NAME.match(name):
        raise UsageError(
            f"`{fit(raw, 40)}` is not a channel. Write `#name`, or pick the channel from the "
            "platform's channel list."
        )
    return name


def parse_since(text: str | None, tz: str) -> datetime | None:
    """`--since 2026-01-31` as the start of that day in the bot's time zone."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"`{fit(text, 40)}` is not a date; write it as 2026-01-31.") from None
    return datetime.combine(day, time(0), tzinfo=zone(tz))


def number_arg(args: Args) -> int:
    number = args.integer("id")
    assert number is not None  # required option
    return number
