"""A poll's creator or a moderator changing it: `poll close`, `poll edit`, `poll reopen`."""

from __future__ import annotations

from bot import chart_png, charts, durations, poll_cards, poll_rules
from bot.catalogue import Args, Command, Option
from bot.context import Context
from bot.features.polls.base import CLOSES, POLL, number, poll_here, store_of
from bot.features.polls.results import runoff
from bot.limits import POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, POLL_QUESTION_MAX
from bot.replies import Card, Reply
from bot.store.base import AuditNote, Poll, PollEdit


async def close(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    poll_rules.check_manager(poll, ctx.user.id, moderator=ctx.is_moderator, doing="close")
    store = store_of(ctx)
    # The audit line is written with the close, in one transaction.
    note = AuditNote(ctx.user.id, ctx.user.name, "poll close")
    closed = await store.close_poll(poll.id, ctx.user.id, audit=note)
    tally = await store.tally(poll.id)
    now = ctx.services.clock.now()
    card = poll_cards.announcement(
        closed, tally, now, ctx.services.settings.timezone, runoff=await runoff(store, closed)
    )
    reply = Reply((card,), refresh=(closed.ref,))
    return await chart_png.with_chart(reply, charts.public_poll_chart(closed, tally, now))


async def edit(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    poll_rules.check_manager(poll, ctx.user.id, moderator=ctx.is_moderator, doing="edit")
    settings = ctx.services.settings
    change = poll_rules.edit(
        poll,
        question=args.text("question"),
        options=args.items("options"),
        closes=args.text("closes"),
        now=ctx.services.clock.now(),
        timezone=settings.timezone,
    )
    note = AuditNote(ctx.user.id, ctx.user.name, "poll edit", detail=_edit_detail(poll, change))
    edited = await store_of(ctx).edit_poll(poll.id, ctx.place, change, audit=note)
    now = ctx.services.clock.now()
    text = (
        f"Poll #{edited.id} now reads:\n\n{edited.question}\n"
        f"{poll_cards.option_lines(edited, None)}\n\n"
        f"{poll_cards.status(edited, now, settings.timezone)}"
    )
    return Reply(
        (Card("notice", text, title=f"Poll #{edited.id} edited"),),
        ephemeral=True,
        refresh=(edited.ref,),
    )


def _edit_detail(poll: Poll, change: PollEdit) -> str:
    """The audit line of an edit: what changed, from what."""
    parts = [f"#{poll.id}"]
    if change.question is not None:
        parts.append(f"question was: {poll.question}")
    if change.options is not None:
        parts.append(f"options were: {' | '.join(poll.options)}")
    if change.closes_at is not None:
        was = poll.closes_at.isoformat() if poll.closes_at else "none"
        parts.append(f"deadline {was} -> {change.closes_at.isoformat()}")
    return "; ".join(parts)


async def reopen(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    poll_rules.check_manager(poll, ctx.user.id, moderator=ctx.is_moderator, doing="reopen")
    settings = ctx.services.settings
    now = ctx.services.clock.now()
    typed = args.text("closes")
    closes_at = durations.parse_closes(typed, now, settings.timezone) if typed else None
    note = AuditNote(ctx.user.id, ctx.user.name, "poll reopen")
    reopened = await store_of(ctx).reopen_poll(poll.id, ctx.place, closes_at, audit=note)
    text = (
        f"Poll #{reopened.id} is open again: {reopened.question}\n"
        f"{poll_cards.status(reopened, now, settings.timezone)}. "
        "Votes cast before it closed still count."
    )
    return Reply(
        (Card("notice", text, title=f"Poll #{reopened.id} reopened"),),
        refresh=(reopened.ref,),
    )


CLOSE = Command(
    ("poll", "close"),
    "Close a poll now and announce its results (its creator or a moderator).",
    close,
    (POLL,),
    examples=("poll close 12",),
)

EDIT = Command(
    ("poll", "edit"),
    "Change a poll's question or options until its first vote, or its deadline while it is "
    "open (its creator or a moderator).",
    edit,
    (
        POLL,
        Option(
            "options",
            "list",
            f"New options, each in quotes ({POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX})",
            max_items=POLL_OPTIONS_MAX,
            max_length=POLL_OPTION_MAX,
            placeholder='"<option>" ...',
        ),
        Option(
            "question",
            "text",
            "The new question",
            positional=False,
            max_length=POLL_QUESTION_MAX,
            placeholder='"<question>"',
        ),
        CLOSES,
    ),
    examples=(
        'poll edit 12 --question "Who should negotiate first?"',
        'poll edit 12 "Pompeo" "Bolton" "Someone new"',
        "poll edit 12 --closes 1d",
    ),
)

REOPEN = Command(
    ("poll", "reopen"),
    "Open a closed poll again, keeping its votes (its creator or a moderator).",
    reopen,
    (POLL, CLOSES),
    examples=("poll reopen 12", "poll reopen 12 --closes 2h"),
)
