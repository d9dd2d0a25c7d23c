"""Moderator admin commands: schedules, polls, debates, exports, audit, moderators, packs.

Every command here is `moderator=True`, so `Bot.handle` refuses it to members before it runs.
Each action that succeeds writes one audit line (who, what, when) and then hands the moderator any
pending reports (a schedule paused after failures, a run interrupted by a restart), once.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import cast

from bot.blocks import Attachment, Card, Field, Reply
from bot.catalogue import Args, Command, Option
from bot.completion import Choice, Completer, rank
from bot.content.loader import PackInvalid
from bot.content.model import Pack
from bot.context import Context
from bot.errors import NotFound, UsageError, UserError
from bot.features import debates as debate_commands
from bot.features import polls as poll_commands
from bot.limits import fit
from bot.pack_choice import pack_for
from bot.platforms import plugin
from bot.polls import csv_cell as neutralise
from bot.schedule.cron import explain, next_run, parse_cron, parse_tz, time_zone_names, zone
from bot.schedule.model import ATTACH_CHOICES, Attach, NewSchedule, Run, Schedule
from bot.scheduler import Scheduler
from bot.store.base import Store, SubjectKind
from bot.wording import plural

AdminHandler = Callable[[Context, Args], Awaitable[tuple[Reply, str]]]

LIST_MAX = 20  # schedules shown by `admin schedule list` (the tightest card takes 25 fields)
AUDIT_DEFAULT = 15
AUDIT_MAX = 50
REPORTS_SHOWN = 10
BODY_BUDGET = 2800  # the tightest card section (3000) with room for a title


def _store(ctx: Context) -> Store:
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
    audited: bool = False,
    view: bool = False,
) -> Command:
    """A moderator-only command that audits itself and delivers pending reports.

    `audited` marks handlers borrowed from another feature that write their own audit line.
    `view` marks commands that only show what is there: auditing them would bury the actions
    in lines about reading the log. Exports are not views: who took the data is worth a line.
    Reports go only into private replies; after a public one they wait for the next command.
    """
    action = " ".join(path)

    async def handler(ctx: Context, args: Args) -> Reply:
        store = _store(ctx)
        reply, detail = await run(ctx, args)
        place = ctx.place
        if not (audited or view):
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


# Parsing helpers ----------------------------------------------------------------------------

_CHANNEL = re.compile(r"^<#([A-Za-z0-9_-]+)(?:\|[^>]*)?>$")
_CHANNEL_NAME = re.compile(r"^[\w-]{1,80}$")
_USER_MENTION = re.compile(r"^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
_ROLE_MENTION = re.compile(r"^<@&(\d+)>$")
_PLAIN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


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


def parse_since(text: str | None, tz: str) -> datetime | None:
    """`--since 2026-01-31` as the start of that day in the bot's time zone."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"`{fit(text, 40)}` is not a date; write it as 2026-01-31.") from None
    return datetime.combine(day, time(0), tzinfo=zone(tz))


async def _schedule(ctx: Context, args: Args) -> Schedule:
    """The schedule named by <id>, if it belongs to this workspace."""
    schedule_id = args.integer("id")
    assert schedule_id is not None  # required option
    found = await _store(ctx).get_schedule(schedule_id)
    if found is None or (found.place.platform, found.place.workspace) != (
        ctx.place.platform,
        ctx.place.workspace,
    ):
        raise NotFound("schedule", f"#{schedule_id}", (), "Type `admin schedule list`.")
    return found


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(zone(tz))
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def _describe(schedule: Schedule) -> str:
    extras = []
    if schedule.attach != "none":
        extras.append(f"with a {schedule.attach}")
    if schedule.thread:
        extras.append("in a thread")
    if schedule.pack:
        extras.append(f"pack {schedule.pack}")
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"{explain(schedule.cron)} `{schedule.cron}` {schedule.tz}{tail}"


def _last_run(runs: Sequence[Run]) -> str:
    if not runs:
        return "not run yet"
    run = runs[0]
    what = run.prompt_id.partition("/")[2] if run.prompt_id else ""
    when = run.due_at.strftime("%Y-%m-%d %H:%M UTC")
    text = f"last: {run.state}{' ' + what if what else ''} (due {when})"
    if run.error and run.state not in ("posted",):
        text += f": {fit(run.error, 120)}"
    return text


# Schedules ----------------------------------------------------------------------------------


async def schedule_add(ctx: Context, args: Args) -> tuple[Reply, str]:
    cron = parse_cron(args.text("cron") or "")
    tz = parse_tz(args.text("tz") or ctx.services.settings.timezone)
    channel = parse_channel(args.text("channel") or ctx.place.channel)
    pack = args.text("pack")
    attach = cast(Attach, args.text("with") or "none")  # the catalogue checked the choice
    place = replace(ctx.place, channel=channel, thread=None)
    # Refuse now what could never post, rather than pausing at the first run.
    source = finished(ctx.services.packs.get(pack)) if pack else await pack_for(ctx.services, place)
    usable = [p for p in source.prompts if p.kind == "oxford" or attach != "debate"]
    if not usable:
        kind = "Oxford motions to debate" if attach == "debate" else "prompts"
        raise UserError(f"Pack `{source.id}` has no {kind}; choose another with --pack.")
    now = ctx.services.clock.now()
    first = next_run(cron, tz, now)
    schedule = await _store(ctx).create_schedule(
        NewSchedule(
            place=place,
            cron=cron,
            tz=tz,
            attach=attach,
            thread=args.flag("thread"),
            pack=pack,
            created_by=ctx.user.id,
            created_at=now,
            next_due=first,
        )
    )
    body = (
        f"Schedule {schedule.id} posts a debate prompt in #{channel}: {_describe(schedule)}.\n"
        f"First post: {_local(first, tz)}."
    )
    return done(body, "Schedule added"), f"schedule {schedule.id}: #{channel} {cron} {tz} " + (
        f"with={attach} thread={args.flag('thread')} pack={pack or '-'}"
    )


async def schedule_list(ctx: Context, args: Args) -> tuple[Reply, str]:
    store = _store(ctx)
    schedules = await store.list_schedules(ctx.place.platform, ctx.place.workspace)
    if not schedules:
        return (
            done('No schedules yet. Add one: `admin schedule add "0 9 * * 1-5" --with poll`.'),
            "0 schedules",
        )
    fields = []
    for schedule in schedules[:LIST_MAX]:
        runs = await store.schedule_runs(schedule.id, 1)
        if schedule.paused:
            state = f"PAUSED: {fit(schedule.paused_reason, 300)}"
        else:
            state = f"next: {_local(schedule.next_due, schedule.tz)}"
        fields.append(
            Field(
                f"#{schedule.id} in #{schedule.place.channel}",
                f"{_describe(schedule)}\n{state}; {_last_run(runs)}",
            )
        )
    more = len(schedules) - LIST_MAX
    body = f"{plural(len(schedules), 'schedule')}." + (
        f" Showing the first {LIST_MAX}." if more > 0 else ""
    )
    return done(body, "Schedules", fields=fields), plural(len(schedules), "schedule")


async def schedule_pause(ctx: Context, args: Args) -> tuple[Reply, str]:
    schedule = await _schedule(ctx, args)
    if not await _store(ctx).pause_schedule(schedule.id, f"paused by {ctx.user.name}"):
        raise UserError(f"Schedule {schedule.id} is already paused.")
    return done(
        f"Schedule {schedule.id} is paused. `admin schedule resume {schedule.id}` restarts it."
    ), f"schedule {schedule.id}"


async def schedule_resume(ctx: Context, args: Args) -> tuple[Reply, str]:
    schedule = await _schedule(ctx, args)
    # Runs that fell due while paused are not caught up: the next one is the next post.
    following = next_run(schedule.cron, schedule.tz, ctx.services.clock.now())
    if not await _store(ctx).resume_schedule(schedule.id, following):
        raise UserError(f"Schedule {schedule.id} is not paused.")
    return done(
        f"Schedule {schedule.id} is running again. Next post: {_local(following, schedule.tz)}."
    ), f"schedule {schedule.id}"


async def schedule_remove(ctx: Context, args: Args) -> tuple[Reply, str]:
    schedule = await _schedule(ctx, args)
    await _store(ctx).delete_schedule(schedule.id)
    return done(f"Schedule {schedule.id} (#{schedule.place.channel}) is removed."), (
        f"schedule {schedule.id}: #{schedule.place.channel} {schedule.cron} {schedule.tz}"
    )


async def schedule_run(ctx: Context, args: Args) -> tuple[Reply, str]:
    schedule = await _schedule(ctx, args)
    outcome = await Scheduler(ctx.services, ctx.catalogue).run_now(schedule)
    prompt = outcome.detail.partition("/")[2] or outcome.detail
    if outcome.state == "posted":
        body = f"Posted prompt {prompt} in #{schedule.place.channel} (schedule {schedule.id})."
    else:
        body = (
            f"Schedule {schedule.id} could not post in #{schedule.place.channel}: "
            f"{fit(outcome.detail, 500)}"
        )
    return done(body), f"schedule {schedule.id}: {outcome.state} {outcome.detail}"


# Polls and debates --------------------------------------------------------------------------
# The poll and debate features own these actions (and audit them); the admin group gathers
# them where moderators look for them.


def _number(args: Args) -> int:
    number = args.integer("id")
    assert number is not None  # required option
    return number


async def poll_close(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await poll_commands.close(ctx, Args({"poll": _number(args)})), ""


async def poll_delete(ctx: Context, args: Args) -> tuple[Reply, str]:
    poll = await poll_commands.poll_here(ctx, _number(args))
    await _store(ctx).delete_poll(poll.id)
    return done(
        f"Poll #{poll.id} and its votes are deleted. Votes for it are no longer taken."
    ), f"#{poll.id} {fit(poll.question, 200)}"


async def debate_advance(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await debate_commands.advance(ctx, Args({"debate": _number(args)})), ""


async def debate_close(ctx: Context, args: Args) -> tuple[Reply, str]:
    return await debate_commands.close(ctx, Args({"debate": _number(args)})), ""


# Exports and audit --------------------------------------------------------------------------

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
)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(timespec="seconds")


async def export_polls(ctx: Context, args: Args) -> tuple[Reply, str]:
    store = _store(ctx)
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


async def audit_show(ctx: Context, args: Args) -> tuple[Reply, str]:
    asked = args.integer("count")
    count = asked or AUDIT_DEFAULT
    before = args.integer("before")
    # One more than asked, to know honestly whether older entries remain.
    found = await _store(ctx).audit_log(
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


# Moderators ---------------------------------------------------------------------------------


async def moderators_add(ctx: Context, args: Args) -> tuple[Reply, str]:
    subject, kind = parse_subject(ctx.place.platform, args.text("who") or "")
    added = await _store(ctx).add_moderator(
        ctx.place.platform, ctx.place.workspace, subject, kind=kind, added_by=ctx.user.id
    )
    what = f"{kind} {subject}"
    if not added:
        raise UserError(f"The {what} is already a moderator.")
    return done(f"The {what} now has moderator rights in this bot."), what


async def moderators_remove(ctx: Context, args: Args) -> tuple[Reply, str]:
    subject, _ = parse_subject(ctx.place.platform, args.text("who") or "")
    if not await _store(ctx).remove_moderator(ctx.place.platform, ctx.place.workspace, subject):
        raise NotFound("moderator granted in the bot", subject, (), "Type `admin moderators list`.")
    return done(f"{subject} no longer has moderator rights granted in this bot."), subject


async def moderators_list(ctx: Context, args: Args) -> tuple[Reply, str]:
    granted = await _store(ctx).list_moderators(ctx.place.platform, ctx.place.workspace)
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


# Content packs ------------------------------------------------------------------------------


async def content_reload(ctx: Context, args: Args) -> tuple[Reply, str]:
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


async def pack_list(ctx: Context, args: Args) -> tuple[Reply, str]:
    packs = ctx.services.packs
    choices = await _store(ctx).pack_choices(ctx.place.platform, ctx.place.workspace)
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


async def pack_use(ctx: Context, args: Args) -> tuple[Reply, str]:
    pack = finished(ctx.services.packs.get(args.text("id") or ""))
    whole = args.flag("workspace")
    if whole and args.text("channel"):
        raise UsageError("Use --channel or --workspace, not both.")
    channel = None if whole else parse_channel(args.text("channel") or ctx.place.channel)
    await _store(ctx).set_pack_choice(
        ctx.place.platform, ctx.place.workspace, channel, pack.id, ctx.user.id
    )
    where = "this workspace (where no channel chose another)" if channel is None else f"#{channel}"
    return done(f"{where[0].upper()}{where[1:]} now uses `{pack.id}`: {pack.title}."), (
        f"{pack.id} for {'workspace' if channel is None else '#' + channel}"
    )


# Completion ---------------------------------------------------------------------------------


async def _time_zones(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(name, name) for name in time_zone_names()])


async def _packs(ctx: Context, typed: str) -> list[Choice]:
    return rank(
        typed, [Choice(f"{p.id}: {fit(p.title, 80)}", p.id) for p in ctx.services.packs.all()]
    )


async def _schedules(ctx: Context, typed: str) -> list[Choice]:
    store = ctx.services.store
    if store is None or not ctx.is_moderator:
        return []
    found = await store.list_schedules(ctx.place.platform, ctx.place.workspace)
    return rank(
        typed,
        [Choice(fit(f"{s.id}: #{s.place.channel} {s.cron} {s.tz}", 100), str(s.id)) for s in found],
    )


COMPLETERS: dict[str, Completer] = {
    "time_zones": _time_zones,
    "packs": _packs,
    "schedules": _schedules,
}

# Declarations -------------------------------------------------------------------------------

_ID = Option(
    "id",
    "int",
    "The schedule's number (see `admin schedule list`)",
    required=True,
    autocomplete="schedules",
    min_value=1,
)


def _number_option(what: str, source: str) -> Option:
    return Option(
        "id", "int", f"The {what}'s number", required=True, autocomplete=source, min_value=1
    )


_WHO = Option(
    "who", "text", "A user or role: mention it or paste its id", required=True, max_length=100
)

COMMANDS: list[Command] = [
    admin_command(
        ("admin", "schedule", "add"),
        "Post a debate prompt in a channel on a schedule (cron, in a time zone).",
        schedule_add,
        (
            Option(
                "cron",
                "words",
                "When, as five cron fields: minute hour day month weekday",
                required=True,
                max_length=100,
                placeholder='"<cron>"',
            ),
            Option(
                "channel",
                "text",
                "Where to post (default: here)",
                positional=False,
                max_length=100,
                placeholder="#channel",
            ),
            Option(
                "tz",
                "text",
                "IANA time zone, e.g. Europe/London (default: the bot's)",
                positional=False,
                autocomplete="time_zones",
                max_length=64,
                placeholder="Area/City",
            ),
            Option(
                "with",
                "choice",
                "Attach a poll or an Oxford debate",
                positional=False,
                choices=ATTACH_CHOICES,
            ),
            Option("thread", "flag", "Open a discussion thread under each post", positional=False),
            Option(
                "pack",
                "text",
                "Content pack for the prompts (default: the channel's)",
                positional=False,
                autocomplete="packs",
                max_length=50,
                placeholder="<pack-id>",
            ),
        ),
        (
            'admin schedule add "0 9 * * 1-5" --tz Europe/London --with poll --thread',
            'admin schedule add "30 17 * * 5" --channel #debates --with debate',
        ),
    ),
    admin_command(
        ("admin", "schedule", "list"), "The schedules in this workspace.", schedule_list, view=True
    ),
    admin_command(
        ("admin", "schedule", "pause"),
        "Stop a schedule posting until resumed.",
        schedule_pause,
        (_ID,),
    ),
    admin_command(
        ("admin", "schedule", "resume"), "Restart a paused schedule.", schedule_resume, (_ID,)
    ),
    admin_command(("admin", "schedule", "remove"), "Delete a schedule.", schedule_remove, (_ID,)),
    admin_command(
        ("admin", "schedule", "run"), "Post a schedule's next prompt now.", schedule_run, (_ID,)
    ),
    admin_command(
        ("admin", "poll", "close"),
        "Close a poll now and announce its results.",
        poll_close,
        (_number_option("poll", "polls"),),
        audited=True,
    ),
    admin_command(
        ("admin", "poll", "delete"),
        "Delete a poll and its votes (for spam or mistakes; closing keeps the results).",
        poll_delete,
        (_number_option("poll", "polls"),),
    ),
    admin_command(
        ("admin", "debate", "advance"),
        "End a debate's opening vote and open the closing vote.",
        debate_advance,
        (_number_option("debate", "debates"),),
        audited=True,
    ),
    admin_command(
        ("admin", "debate", "close"),
        "Close a debate and show the result.",
        debate_close,
        (_number_option("debate", "debates"),),
        audited=True,
    ),
    admin_command(
        ("admin", "export", "polls"),
        "Download the workspace's poll results as CSV.",
        export_polls,
        (
            Option(
                "since",
                "text",
                "Only polls created on or after this date (2026-01-31)",
                positional=False,
                max_length=10,
                placeholder="2026-01-31",
            ),
        ),
        ("admin export polls --since 2026-01-01",),
    ),
    admin_command(
        ("admin", "audit"),
        "The latest admin actions: who did what, when.",
        audit_show,
        (
            Option(
                "count",
                "int",
                "How many entries",
                min_value=1,
                max_value=AUDIT_MAX,
                placeholder="N",
            ),
            Option(
                "before",
                "int",
                "Only entries older than this one (the footer gives the next page)",
                positional=False,
                min_value=1,
                placeholder="<entry>",
            ),
        ),
        ("admin audit", "admin audit 50"),
        view=True,
    ),
    admin_command(
        ("admin", "moderators", "add"),
        "Give a user, or a role where the platform grants rights by role, moderator rights.",
        moderators_add,
        (_WHO,),
        ("admin moderators add <@U024BE7LH>",),
    ),
    admin_command(
        ("admin", "moderators", "remove"),
        "Take moderator rights granted in the bot.",
        moderators_remove,
        (_WHO,),
    ),
    admin_command(
        ("admin", "moderators", "list"),
        "Who has moderator rights in the bot.",
        moderators_list,
        view=True,
    ),
    admin_command(
        ("admin", "content", "reload"),
        "Re-read and validate the content packs; a broken pack is refused.",
        content_reload,
    ),
    admin_command(
        ("admin", "pack", "list"), "The content packs and where each is used.", pack_list, view=True
    ),
    admin_command(
        ("admin", "pack", "use"),
        "Choose the content pack for this channel (or the whole workspace).",
        pack_use,
        (
            Option("id", "text", "The pack id", required=True, autocomplete="packs", max_length=50),
            Option(
                "channel",
                "text",
                "Another channel (default: here)",
                positional=False,
                max_length=100,
                placeholder="#channel",
            ),
            Option("workspace", "flag", "Make it the workspace default", positional=False),
        ),
    ),
]
