"""`admin schedule ...`: prompts posted in a channel on a cron schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import cast

from bot.catalogue import Args
from bot.completion import Choice, rank
from bot.context import Context
from bot.errors import NotFound, UserError
from bot.features.admin.base import (
    admin_store,
    done,
    parse_channel,
)
from bot.features.admin.packs import finished
from bot.limits import fit
from bot.pack_choice import pack_for
from bot.replies import Field, Reply
from bot.schedule.cron import explain, next_run, parse_cron, parse_tz, time_zone_names, zone
from bot.schedule.model import Attach, NewSchedule, Run, Schedule
from bot.schedule.post import check_own
from bot.scheduler import Scheduler
from bot.store.base import AuditNote
from bot.wording import plural

LIST_MAX = 20  # schedules shown by `admin schedule list` (the tightest card takes 25 fields)


async def _schedule(ctx: Context, args: Args) -> Schedule:
    """The schedule named by <id>, if it belongs to this workspace."""
    schedule_id = args.integer("id")
    assert schedule_id is not None  # required option
    found = await admin_store(ctx).get_schedule(schedule_id)
    if found is None or (found.place.platform, found.place.workspace) != (
        ctx.place.platform,
        ctx.place.workspace,
    ):
        raise NotFound("schedule", f"#{schedule_id}", (), "Type `admin schedule list`.")
    return found


def _about(note: AuditNote, schedule: Schedule, more: str = "") -> AuditNote:
    """`note` naming `schedule`, as moderators read it in `admin audit`."""
    return replace(note, detail=f"schedule {schedule.id}{more}")


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(zone(tz))
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"


def _describe(schedule: Schedule) -> str:
    extras = []
    if schedule.own is not None:
        kind = "own poll" if schedule.own.poll else "own text"
        extras.append(f"{kind}: {fit(schedule.own.text, 60)}")
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


async def schedule_add(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    cron = parse_cron(args.text("cron") or "")
    tz = parse_tz(args.text("tz") or ctx.services.settings.timezone)
    channel = parse_channel(args.text("channel") or ctx.place.channel)
    pack = args.text("pack")
    attach = cast(Attach, args.text("with") or "none")  # the catalogue checked the choice
    place = replace(ctx.place, channel=channel, thread=None)
    own = check_own(ctx, args.text("text"), args.text("poll"), args.items("options"))
    if own is not None and (attach != "none" or pack):
        raise UserError(
            "--poll and --text post your own words: leave out --with and --pack, which choose "
            "the pack's prompts."
        )
    if own is None:
        # Refuse now what could never post, rather than pausing at the first run.
        source = (
            finished(ctx.services.packs.get(pack)) if pack else await pack_for(ctx.services, place)
        )
        usable = [p for p in source.prompts if p.kind == "oxford" or attach != "debate"]
        if not usable:
            kind = "Oxford motions to debate" if attach == "debate" else "prompts"
            raise UserError(f"Pack `{source.id}` has no {kind}; choose another with --pack.")
    now = ctx.services.clock.now()
    first = next_run(cron, tz, now)
    schedule = await admin_store(ctx).create_schedule(
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
            own=own,
        ),
        audit=replace(
            note,
            detail=f"#{channel} {cron} {tz} with={attach} thread={args.flag('thread')} "
            f"pack={pack or '-'}"
            + (
                "" if own is None else f" own={'poll' if own.poll else 'text'}: {fit(own.text, 80)}"
            ),
        ),
    )
    what = "a debate prompt" if own is None else f"your {'poll' if own.poll else 'text'}"
    body = (
        f"Schedule {schedule.id} posts {what} in #{channel}: {_describe(schedule)}.\n"
        f"First post: {_local(first, tz)}."
    )
    return done(body, "Schedule added"), None


async def schedule_list(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    store = admin_store(ctx)
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


async def schedule_pause(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    schedule = await _schedule(ctx, args)
    if not await admin_store(ctx).pause_schedule(
        schedule.id, f"paused by {ctx.user.name}", audit=_about(note, schedule)
    ):
        raise UserError(f"Schedule {schedule.id} is already paused.")
    return done(
        f"Schedule {schedule.id} is paused. `admin schedule resume {schedule.id}` restarts it."
    ), None


async def schedule_resume(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    schedule = await _schedule(ctx, args)
    # Runs that fell due while paused are not caught up: the next one is the next post.
    following = next_run(schedule.cron, schedule.tz, ctx.services.clock.now())
    if not await admin_store(ctx).resume_schedule(
        schedule.id, following, audit=_about(note, schedule)
    ):
        raise UserError(f"Schedule {schedule.id} is not paused.")
    return done(
        f"Schedule {schedule.id} is running again. Next post: {_local(following, schedule.tz)}."
    ), None


async def schedule_remove(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    schedule = await _schedule(ctx, args)
    gone = await admin_store(ctx).delete_schedule(
        schedule.id,
        audit=_about(note, schedule, f": #{schedule.place.channel} {schedule.cron} {schedule.tz}"),
    )
    if not gone:  # removed by another moderator since we looked it up
        raise NotFound("schedule", f"#{schedule.id}", (), "Type `admin schedule list`.")
    return done(f"Schedule {schedule.id} (#{schedule.place.channel}) is removed."), None


async def schedule_run(ctx: Context, args: Args, note: AuditNote) -> tuple[Reply, str | None]:
    schedule = await _schedule(ctx, args)
    outcome = await Scheduler(ctx.services, ctx.catalogue).run_now(schedule)
    prompt = outcome.detail.partition("/")[2] or outcome.detail
    if outcome.state == "posted":
        what = f"prompt {prompt}"
        if schedule.own is not None:
            what = f"your {'poll' if schedule.own.poll else 'text'}"
        body = f"Posted {what} in #{schedule.place.channel} (schedule {schedule.id})."
    else:
        body = (
            f"Schedule {schedule.id} could not post in #{schedule.place.channel}: "
            f"{fit(outcome.detail, 500)}"
        )
    return done(body), f"schedule {schedule.id}: {outcome.state} {outcome.detail}"


async def time_zone_choices(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(name, name) for name in time_zone_names()])


async def schedule_choices(ctx: Context, typed: str) -> list[Choice]:
    store = ctx.services.store
    if store is None or not ctx.is_moderator:
        return []
    found = await store.list_schedules(ctx.place.platform, ctx.place.workspace)
    return rank(
        typed,
        [Choice(fit(f"{s.id}: #{s.place.channel} {s.cron} {s.tz}", 100), str(s.id)) for s in found],
    )
