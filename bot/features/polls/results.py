"""Reading polls: results, voters, the open list, the CSV export, the live card."""

from __future__ import annotations

from bot import chart_png, charts, poll_cards, poll_export, poll_rules, ranked
from bot.catalogue import Args, Command, Option
from bot.context import Context
from bot.errors import UserError
from bot.features.polls.base import POLL, audit, here, number, poll_here, ref_number, store_of
from bot.replies import Card, Reply, notice
from bot.store.base import Poll, Store


async def runoff(store: Store, poll: Poll) -> ranked.Count | None:
    """A ranked poll's instant-runoff count from its stored ballots; None for other polls."""
    if not poll.ranked:
        return None
    ballots = await store.poll_ballots(poll.id)
    return ranked.count([ballot.ranking for ballot in ballots], len(poll.options))


async def results(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    store = store_of(ctx)
    tally = await store.tally(poll.id)
    now = ctx.services.clock.now()
    # Ballots are read only for a viewer who may see the count.
    shown = poll_rules.visible_to(poll, now, moderator=ctx.is_moderator)
    card = poll_cards.results_card(
        poll,
        tally,
        now,
        moderator=ctx.is_moderator,
        timezone=ctx.services.settings.timezone,
        runoff=await runoff(store, poll) if shown else None,
    )
    reply = Reply((card,), ephemeral=True)
    if not args.flag("chart"):
        return reply
    if not shown:
        # The chart would show the very counts the card withholds.
        return _with_note(reply, "No chart: the counts are hidden from you, as said above.")
    chart = charts.poll_chart(poll, tally)
    if chart is None:
        return _with_note(reply, f"No chart yet: nobody has voted in poll #{poll.id}.")
    drawn = await chart_png.with_chart(reply, chart)
    if drawn is reply:
        return _with_note(reply, "The chart could not be drawn this time; the numbers are above.")
    return drawn


def _with_note(reply: Reply, text: str) -> Reply:
    return Reply((*reply.cards, Card("notice", text)), ephemeral=reply.ephemeral)


async def voters(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    now = ctx.services.clock.now()
    # Checked before reading the votes, so a refused viewer costs no read of who voted.
    poll_cards.voters_card(poll, [], now, moderator=ctx.is_moderator)
    if poll.ranked:
        ballots = await store_of(ctx).poll_ballots(poll.id)
        card = poll_cards.ranked_voters_card(
            poll, ballots, now, moderator=ctx.is_moderator, timezone=ctx.services.settings.timezone
        )
        return Reply((card,), ephemeral=True)
    votes = await store_of(ctx).poll_votes(poll.id)
    card = poll_cards.voters_card(
        poll, votes, now, moderator=ctx.is_moderator, timezone=ctx.services.settings.timezone
    )
    return Reply((card,), ephemeral=True)


async def list_polls(ctx: Context, args: Args) -> Reply:
    place = ctx.place
    found = await store_of(ctx).open_polls(place.platform, place.workspace, place.channel)
    if not found:
        return notice(
            f"No open polls in #{place.channel}. Start one with "
            '`poll create "Question?" "Option" "Option"`.'
        )
    now = ctx.services.clock.now()
    lines = [
        f"#{poll.id}: {poll.question}\n    {poll_cards.kind_text(poll)} · "
        f"{poll_cards.status(poll, now, ctx.services.settings.timezone)}"
        for poll in found
    ]
    return Reply(
        (
            Card(
                "text",
                "\n".join(lines),
                title=f"Open polls in #{place.channel}",
                footer=(
                    "`poll vote <id> <option-number>` to vote · `poll results <id> [--chart]` "
                    "for results"
                ),
            ),
        ),
        ephemeral=True,
    )


async def export(ctx: Context, args: Args) -> Reply:
    poll = await poll_here(ctx, number(args, "poll"))
    now = ctx.services.clock.now()
    if not poll_rules.visible_to(poll, now, moderator=True):
        raise UserError(
            f"Poll #{poll.id} hides its results until it closes; export it after "
            f"`poll close {poll.id}` or its deadline."
        )
    store = store_of(ctx)
    tally = await store.tally(poll.id)
    ballots = await store.poll_ballots(poll.id) if poll.ranked else []
    files = poll_export.export(poll, tally, await store.poll_votes(poll.id), ballots)
    await audit(ctx, "poll export", f"#{poll.id}")
    left_out = " Voters are left out: the poll is anonymous." if poll.anonymous else ""
    return Reply(
        (
            Card(
                "notice",
                f"Poll #{poll.id}: {poll_cards.turnout(tally)}, exported as CSV.{left_out}",
                title="Poll export",
            ),
        ),
        ephemeral=True,
        attachments=files,
    )


async def redraw(ctx: Context, ref: str) -> Reply | None:
    """A tracked poll card (`poll:12`) drawn again with the current counts; None if gone."""
    poll_id = ref_number(ref)
    if poll_id is None:
        return None
    store = store_of(ctx)
    poll = await store.get_poll(poll_id)
    # `ctx.place` is where the message to redraw is; a card tracked in another channel (as
    # commands typed there could once post) must not keep showing this poll's counts.
    if poll is None or not here(ctx, poll.place):
        return None
    tally = await store.tally(poll_id)
    now = ctx.services.clock.now()
    return Reply((poll_cards.poll_card(poll, tally, now, ctx.services.settings.timezone),))


RESULTS = Command(
    ("poll", "results"),
    "A poll's results, as far as you may see them; --chart adds them as a bar chart image.",
    results,
    (
        POLL,
        Option("chart", "flag", "Attach the results as a bar chart image", positional=False),
    ),
    examples=("poll results 12", "poll results 12 --chart"),
)

VOTERS = Command(
    ("poll", "voters"),
    "Who picked what in a poll that is not anonymous, to whoever may see its results.",
    voters,
    (POLL,),
    examples=("poll voters 12",),
)

LIST = Command(("poll", "list"), "The open polls in this channel.", list_polls)

EXPORT = Command(
    ("poll", "export"),
    "A poll's results as CSV (anonymous polls leave voters out).",
    export,
    (POLL,),
    moderator=True,
    examples=("poll export 12",),
)
