"""`poll create`: the draft's rules, who may vote (`--roles`, `--members`)."""

from __future__ import annotations

import re
from typing import cast

from bot import poll_cards, poll_rules
from bot.catalogue import Args, Command, Option
from bot.context import Context
from bot.errors import UserError
from bot.features.polls.base import CLOSES, store_of
from bot.limits import POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, POLL_QUESTION_MAX, fit
from bot.platforms import role_reader
from bot.replies import Reply
from bot.store.base import RESULTS_MODES, PollRole, ResultsMode, Tally
from bot.usertext import clean, shown

ROLE_NAME_MAX = 60


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


CREATE = Command(
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
        CLOSES,
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
)
