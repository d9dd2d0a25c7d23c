"""Poll commands: create, add, vote, results, voters, list, close, export."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar, cast

from bot import chart_png, charts, durations, poll_cards, poll_export, poll_rules, ranked
from bot.catalogue import Args, Command, Option
from bot.completion import Choice, Completer, rank
from bot.context import Context
from bot.errors import UserError
from bot.limits import (
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN,
    POLL_QUESTION_MAX,
    fit,
)
from bot.models import Place
from bot.platforms import role_reader
from bot.ports import CardProvider
from bot.replies import Card, Reply, notice
from bot.scope import poll_not_found, reaches
from bot.store.base import (
    RESULTS_MODES,
    AuditNote,
    NotEligible,
    Poll,
    PollEdit,
    PollRole,
    ResultsMode,
    Store,
    Tally,
    Voter,
)
from bot.usertext import clean, shown

T = TypeVar("T")
ROLE_NAME_MAX = 60


def store_of(ctx: Context) -> Store:
    """The store, or a clear refusal when the bot runs without one."""
    store = ctx.services.store
    if store is None:
        raise UserError("Polls and debates need the bot's database, and this bot runs without one.")
    return store


def here(ctx: Context, place: Place | None) -> bool:
    """Whether the caller reaches a record made at `place` (see `bot.scope.reaches`)."""
    return place is not None and reaches(ctx.place, place)


def number(args: Args, name: str) -> int:
    """A required whole-number argument (the catalogue has already checked it)."""
    value = args.integer(name)
    assert value is not None
    return value


def ref_number(ref: str) -> int | None:
    """The id in a tracked-card ref such as `poll:12`."""
    try:
        return int(ref.partition(":")[2])
    except ValueError:
        return None


async def audit(ctx: Context, action: str, detail: str) -> None:
    """Write the caller's action to the moderators' audit log."""
    place = ctx.place
    user = ctx.user
    await store_of(ctx).audit(place.platform, place.workspace, user.id, user.name, action, detail)


async def poll_here(ctx: Context, poll_id: int) -> Poll:
    """The poll with this id in the caller's channel, or NotFound (the same as for no poll)."""
    poll = await store_of(ctx).get_poll(poll_id)
    if poll is None or not here(ctx, poll.place):
        raise poll_not_found(poll_id)
    return poll


async def create(ctx: Context, args: Args) -> Reply:
    settings = ctx.services.settings
    draft = poll_rules.draft(
        ctx.place,
        ctx.user,
        args.text("question") or "",
        args.items("options"),
        multi=args.integer("multi"),
        anonymous=args.flag("anonymous"),
        results=cast(ResultsMode, args.text("results") or "live"),
        closes=args.text("closes"),
        open_options=args.flag("open"),
        remind=args.text("remind"),
        roles=await roles_typed(ctx, args.items("roles")),
        members_only=members_only(ctx, args.flag("members")),
        ranked=args.flag("ranked"),
        now=ctx.services.clock.now(),
        timezone=settings.timezone,
    )
    store = store_of(ctx)
    poll = await store.create_poll(draft)
    empty = Tally((0,) * len(poll.options), 0)
    card = poll_cards.poll_card(poll, empty, ctx.services.clock.now(), settings.timezone)
    return Reply((card,), track=poll.ref)


async def roles_typed(ctx: Context, typed: tuple[str, ...]) -> tuple[PollRole, ...]:
    """The roles `--roles` names, read the way the platform writes them; UserError if not.

    Mentions are read by the platform's plug-in; a plain `@name` (typed in a form, where
    mentions cannot be picked) is looked up among the platform's roles.
    """
    read, hint = role_reader(ctx.place.platform)
    groups = ctx.services.groups.get(ctx.place.platform)
    words: list[str] = []
    for item in typed:
        # Lists arrive split by quotes, lines or `|`; mentions in one item by spaces or commas.
        words += [item] if read(item) else [w for w in re.split(r"[\s,]+", item) if w]
    plain = [w for w in words if read(w) is None]
    found = (
        await groups.find_roles(ctx.place, [_folded(w) for w in plain]) if plain and groups else {}
    )
    mentions: list[tuple[str, str | None]] = []
    for word in words:
        mention = read(word) or found.get(_folded(word))
        if mention is None:
            raise UserError(f"`{shown(word, 60)}` is not a role. {hint}")
        mentions.append(mention)
    unnamed = [role_id for role_id, name in mentions if not name]
    names = await groups.role_names(ctx.place, unnamed) if groups and unnamed else {}
    roles = []
    for role_id, name in mentions:
        # Shown as plain text on every card and refusal, so nobody is pinged by it.
        label = clean(name or names.get(role_id) or "", "A role's name").strip()
        label = f"@{label.lstrip('@')}" if label else f"role {role_id}"
        roles.append(PollRole(role_id, fit(label, ROLE_NAME_MAX)))
    return tuple(roles)


def _folded(word: str) -> str:
    return word.removeprefix("@").strip().casefold()


def members_only(ctx: Context, asked: bool) -> bool:
    """`--members`, where the platform can tell who is in a channel; UserError elsewhere."""
    groups = ctx.services.groups.get(ctx.place.platform)
    if asked and (groups is None or not groups.knows_members):
        raise UserError(
            "`--members` needs a platform that can list a channel's members, and this one "
            "cannot. Limit who may vote with --roles @Role instead."
        )
    return asked


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


async def runoff(store: Store, poll: Poll) -> ranked.Count | None:
    """A ranked poll's instant-runoff count from its stored ballots; None for other polls."""
    if not poll.ranked:
        return None
    ballots = await store.poll_ballots(poll.id)
    return ranked.count([ballot.ranking for ballot in ballots], len(poll.options))


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


async def _card(ctx: Context, ref: str) -> Reply | None:
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


async def _open_polls(ctx: Context, typed: str) -> list[Choice]:
    place = ctx.place
    store = ctx.services.store
    if store is None:
        return []
    found = await store.open_polls(place.platform, place.workspace, place.channel)
    return rank(typed, [Choice(f"#{p.id}: {p.question}"[:100], str(p.id)) for p in found])


CARDS: dict[str, CardProvider] = {"poll": _card}
COMPLETERS: dict[str, Completer] = {"polls": _open_polls}

_CLOSES = Option(
    "closes",
    "text",
    f"When it closes: {durations.CLOSES_HELP}",
    positional=False,
    max_length=40,
    placeholder="2h|1d|<time>",
)

_POLL = Option(
    "poll",
    "int",
    "The poll's number",
    required=True,
    autocomplete="polls",
    min_value=1,
    placeholder="<id>",
)

COMMANDS = [
    Command(
        ("poll", "create"),
        "Start a poll in this channel. Put the question and each option in double quotes.",
        create,
        (
            Option(
                "question",
                "text",
                "The question",
                required=True,
                max_length=POLL_QUESTION_MAX,
                placeholder='"<question>"',
            ),
            Option(
                "options",
                "list",
                f"{POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options, each in quotes",
                required=True,
                min_items=POLL_OPTIONS_MIN,
                max_items=POLL_OPTIONS_MAX,
                max_length=POLL_OPTION_MAX,
                placeholder='"<option>" "<option>" ...',
            ),
            Option(
                "multi",
                "int",
                "Let each person pick up to N options",
                positional=False,
                min_value=1,
                max_value=POLL_OPTIONS_MAX,
                placeholder="N",
            ),
            Option("anonymous", "flag", "Store votes without voters' names", positional=False),
            Option(
                "results",
                "choice",
                "Who sees counts: everyone live, everyone after closing, or moderators only",
                positional=False,
                choices=RESULTS_MODES,
            ),
            _CLOSES,
            Option(
                "remind",
                "text",
                "Post one reminder this long before the deadline, with the turnout so far",
                positional=False,
                max_length=20,
                placeholder="1h|30m",
            ),
            Option(
                "open",
                "flag",
                f"Let members add options with `poll add`, up to {POLL_OPTIONS_MAX}",
                positional=False,
            ),
            Option(
                "roles",
                "list",
                "Only members with one of these roles or user groups may vote",
                positional=False,
                max_items=poll_rules.POLL_ROLES_MAX,
                max_length=300,
                placeholder="@role ...",
            ),
            Option(
                "members",
                "flag",
                "Only members of this channel may vote (where the platform lists them)",
                positional=False,
            ),
            Option(
                "ranked",
                "flag",
                "Voters rank every option; the winner is found by instant runoff",
                positional=False,
            ),
        ),
        examples=(
            'poll create "Should the U.S. accept a nuclear North Korea?" "Yes" "No" "Unsure"',
            'poll create "Which issues matter most?" "Sanctions" "Peace treaty" "Human rights" '
            "--multi 2 --closes 1d",
            'poll create "Who should negotiate?" "Pompeo" "Bolton" "Someone new" --anonymous '
            "--results closed",
            'poll create "Publish the draft?" "Yes" "No" --roles @Editors @Staff',
            'poll create "Who should lead the talks?" "Pompeo" "Bolton" "Someone new" --ranked',
        ),
    ),
    Command(
        ("poll", "vote"),
        "Vote by option number. Again on the same option takes the vote back.",
        vote,
        (
            _POLL,
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
    ),
    Command(
        ("poll", "rank"),
        "Rank every option of a ranked poll, most preferred first; again replaces your ranking. "
        "Without a ranking it shows the options (as a form where the platform has forms).",
        rank_ballot,
        (
            _POLL,
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
    ),
    Command(
        ("poll", "add"),
        "Add an option to a poll made with --open.",
        add,
        (
            _POLL,
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
    ),
    Command(
        ("poll", "results"),
        "A poll's results, as far as you may see them; --chart adds them as a bar chart image.",
        results,
        (
            _POLL,
            Option("chart", "flag", "Attach the results as a bar chart image", positional=False),
        ),
        examples=("poll results 12", "poll results 12 --chart"),
    ),
    Command(
        ("poll", "voters"),
        "Who picked what in a poll that is not anonymous, to whoever may see its results.",
        voters,
        (_POLL,),
        examples=("poll voters 12",),
    ),
    Command(("poll", "list"), "The open polls in this channel.", list_polls),
    Command(
        ("poll", "close"),
        "Close a poll now and announce its results (its creator or a moderator).",
        close,
        (_POLL,),
        examples=("poll close 12",),
    ),
    Command(
        ("poll", "edit"),
        "Change a poll's question or options until its first vote, or its deadline while it is "
        "open (its creator or a moderator).",
        edit,
        (
            _POLL,
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
            _CLOSES,
        ),
        examples=(
            'poll edit 12 --question "Who should negotiate first?"',
            'poll edit 12 "Pompeo" "Bolton" "Someone new"',
            "poll edit 12 --closes 1d",
        ),
    ),
    Command(
        ("poll", "reopen"),
        "Open a closed poll again, keeping its votes (its creator or a moderator).",
        reopen,
        (_POLL, _CLOSES),
        examples=("poll reopen 12", "poll reopen 12 --closes 2h"),
    ),
    Command(
        ("poll", "export"),
        "A poll's results as CSV (anonymous polls leave voters out).",
        export,
        (_POLL,),
        moderator=True,
        examples=("poll export 12",),
    ),
]
