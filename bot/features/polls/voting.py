"""Casting votes: `poll vote`, `poll rank`, and `poll add` (an option added by a voter)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from bot import poll_cards, poll_rules
from bot.catalogue import Args, Command, Option
from bot.context import Context
from bot.features.polls.base import POLL, number, store_of
from bot.limits import POLL_OPTION_MAX, POLL_OPTIONS_MAX
from bot.replies import Card, Reply
from bot.store.base import AuditNote, NotEligible, Voter

T = TypeVar("T")


async def as_voter(ctx: Context, attempt: Callable[[Voter], Awaitable[T]]) -> T:
    """Run a vote-like write as the caller; if the poll is limited, ask the platform once more.

    The request carries the caller's roles where the platform sends them with every request;
    otherwise (groups looked up, channel members) it is asked only when the poll needs it.
    """
    voter = Voter(ctx.user.roles)
    try:
        return await attempt(voter)
    except NotEligible as refused:
        groups = ctx.services.groups.get(ctx.place.platform)
        if groups is None:
            raise
        poll = refused.poll
        wider = voter
        wanted = frozenset(role.id for role in poll.roles)
        if wanted and not voter.roles & wanted:
            found = await groups.member_roles(poll.place, ctx.user.id, wanted)
            wider = replace(wider, roles=voter.roles | found)
        if poll.members_only and groups.knows_members:
            wider = replace(wider, member=await groups.in_channel(poll.place, ctx.user.id))
        if wider == voter:
            raise
        return await attempt(wider)


async def vote(ctx: Context, args: Args) -> Reply:
    user = ctx.user
    poll_id, option = number(args, "poll"), number(args, "option")
    outcome = await as_voter(
        ctx,
        lambda voter: store_of(ctx).cast_vote(
            poll_id, ctx.place, user.id, user.name, option, by=voter
        ),
    )
    ctx.services.metrics.vote("poll")  # after the store committed it: a refusal raised
    poll = outcome.poll
    refresh = (poll.ref,) if poll.results == "live" else ()
    return Reply(
        (Card("notice", poll_cards.vote_message(outcome), title=f"Poll #{poll.id}"),),
        ephemeral=True,
        refresh=refresh,
    )


async def rank_ballot(ctx: Context, args: Args) -> Reply:
    poll_id = number(args, "poll")
    typed = args.items("ranking")
    if not typed:
        # The Rank button: a form where the platform has one, else what to type.
        poll = await store_of(ctx).get_poll(poll_id)
        poll = poll_rules.check_rankable(poll, poll_id, ctx.place, ctx.services.clock.now())
        card, form = poll_cards.rank_form(poll)
        return Reply((card,), ephemeral=True, form=form)
    user = ctx.user
    outcome = await as_voter(
        ctx,
        lambda voter: store_of(ctx).rank_vote(
            poll_id, ctx.place, user.id, user.name, typed, by=voter
        ),
    )
    ctx.services.metrics.vote("poll")  # after the store committed it: a refusal raised
    poll = outcome.poll
    return Reply(
        (Card("notice", poll_cards.rank_message(outcome), title=f"Poll #{poll.id}"),),
        ephemeral=True,
        refresh=(poll.ref,) if poll.results == "live" else (),
    )


async def add(ctx: Context, args: Args) -> Reply:
    poll_id = number(args, "poll")
    note = AuditNote(ctx.user.id, ctx.user.name, "poll add")
    # The store checks the rules again under the poll's lock, with the audit line.
    typed = args.text("option") or ""
    poll = await as_voter(
        ctx,
        lambda voter: store_of(ctx).add_option(poll_id, ctx.place, typed, audit=note, by=voter),
    )
    added = len(poll.options)
    return Reply(
        (
            Card(
                "notice",
                f"Added option {added}. {poll.options[-1]} to poll #{poll.id}. Vote for it with "
                f"`poll vote {poll.id} {added}`.",
                title=f"Poll #{poll.id}",
            ),
        ),
        ephemeral=True,
        refresh=(poll.ref,),
    )


VOTE = Command(
    ("poll", "vote"),
    "Vote by option number. Again on the same option takes the vote back.",
    vote,
    (
        POLL,
        Option(
            "option",
            "int",
            "The option's number",
            required=True,
            min_value=1,
            max_value=POLL_OPTIONS_MAX,
            placeholder="<option-number>",
        ),
    ),
    examples=("poll vote 12 2",),
)

RANK = Command(
    ("poll", "rank"),
    "Rank every option of a ranked poll, most preferred first; again replaces your ranking. "
    "Without a ranking it shows the options (as a form where the platform has forms).",
    rank_ballot,
    (
        POLL,
        Option(
            "ranking",
            "list",
            "Option numbers, most preferred first",
            max_items=POLL_OPTIONS_MAX,
            max_length=80,
            placeholder="<option-number> ...",
        ),
    ),
    examples=("poll rank 12 3 1 2",),
)

ADD = Command(
    ("poll", "add"),
    "Add an option to a poll made with --open.",
    add,
    (
        POLL,
        Option(
            "option",
            "words",
            "The new option",
            required=True,
            max_length=POLL_OPTION_MAX,
            placeholder='"<option>"',
        ),
    ),
    examples=('poll add 12 "Someone new"',),
)
