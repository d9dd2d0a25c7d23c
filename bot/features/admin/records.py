"""`admin export polls` and `admin audit`: what moderators take away or look back on."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from bot.catalogue import Args
from bot.context import Context
from bot.features.admin.base import (
    admin_store,
    done,
    parse_since,
)
from bot.limits import fit
from bot.poll_export import csv_cell as neutralise
from bot.replies import Attachment, Card, Reply
from bot.store.base import AuditNote, Poll
from bot.wording import plural

_CSV_COLUMNS = (
    "poll_id",
    "channel",
    "question",
    "created_at",
    "closes_at",
    "closed_at",
    "anonymous",
    "option_number",
    "option",
    "votes",
    "voters",
    # What `votes` counts: a vote per pick, or a ranked poll's first preferences.
    "kind",
)

AUDIT_DEFAULT = 15
AUDIT_MAX = 50
BODY_BUDGET = 2800  # the tightest card section (3000) with room for a title


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


def _kind(poll: Poll) -> str:
    if poll.ranked:
        return "ranked (votes are first preferences)"
    return f"up to {poll.max_picks} picks" if poll.multi else "single choice"


async def export_polls(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    store = admin_store(ctx)
    since = parse_since(args.text("since"), ctx.services.settings.timezone)
    polls = await store.polls_since(ctx.place.platform, ctx.place.workspace, since)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for poll in polls:
        tally = await store.tally(poll.id)
        for number, (label, votes) in enumerate(zip(poll.options, tally.counts, strict=True), 1):
            writer.writerow(
                neutralise(str(v))
                for v in (
                    poll.id,
                    poll.place.channel,
                    poll.question,
                    _stamp(poll.created_at),
                    _stamp(poll.closes_at),
                    _stamp(poll.closed_at),
                    "yes" if poll.anonymous else "no",
                    number,
                    label,
                    votes,
                    tally.voters,
                    _kind(poll),
                )
            )
    day = ctx.services.clock.now().date().isoformat()
    scope = f" since {since.date().isoformat()}" if since else ""
    reply = Reply(
        (
            Card(
                "notice", f"{plural(len(polls), 'poll')}{scope}, one row per option.", "Poll export"
            ),
        ),
        ephemeral=True,
        attachments=(Attachment(f"polls-{day}.csv", buffer.getvalue().encode("utf-8")),),
    )
    return reply, f"{plural(len(polls), 'poll')}{scope}"


async def audit_show(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    asked = args.integer("count")
    count = asked or AUDIT_DEFAULT
    before = args.integer("before")
    # One more than asked, to know honestly whether older entries remain.
    found = await admin_store(ctx).audit_log(
        ctx.place.platform, ctx.place.workspace, count + 1, before=before
    )
    if not found:
        if before is None:
            return done("The audit log is empty."), "0 entries"
        return done(
            f"No more entries: nothing is older than entry {before}. "
            "`admin audit` shows the latest.",
            "Audit log",
        ), "0 entries"
    entries = found[:count]
    lines: list[str] = []
    used = 0
    for entry in entries:
        line = f"{entry.at:%Y-%m-%d %H:%M} UTC · {entry.actor_name} · {entry.action}" + (
            f" · {fit(entry.detail, 200)}" if entry.detail else ""
        )
        if lines and used + len(line) > BODY_BUDGET:
            break  # the rest go on the next page
        lines.append(line)
        used += len(line) + 1
    shown = entries[: len(lines)]
    more = len(shown) < len(entries) or len(found) > count
    if more:
        typed = f"admin audit {asked}" if asked else "admin audit"  # the same page size
        footer = f"Older entries: `{typed} --before {shown[-1].id}`"
    else:
        footer = "No more entries: this is the oldest."
    title = (
        f"Audit log: latest {plural(len(shown), 'entry', 'entries')}"
        if before is None
        else f"Audit log: {plural(len(shown), 'older entry', 'older entries')}"
    )
    reply = Reply((Card("notice", "\n".join(lines), title, footer=footer),), ephemeral=True)
    return reply, plural(len(shown), "entry", "entries")
