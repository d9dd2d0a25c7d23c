"""Oxford-style debate commands: start, vote, advance, close, results, list."""

from __future__ import annotations

import re
from typing import cast

from bot import chart_png, charts, debates
from bot.catalogue import Args, Command, Option
from bot.completion import Choice, Completer, rank
from bot.content.model import Pack, Prompt
from bot.context import Context
from bot.errors import NotFound, UserError
from bot.features.polls.base import here, number, ref_number, store_of
from bot.limits import MOTION_MAX, fit
from bot.ports import CardProvider
from bot.replies import Card, Reply, notice
from bot.scope import debate_not_found
from bot.store.base import SIDES, AuditNote, Debate, Refused, Side
from bot.usertext import too_long

THREAD_NAME_MAX = 100  # the tightest platform limit on thread names
_PROMPT_ID = re.compile(r"^[A-Za-z]{1,3}\d{1,4}$")


async def debate_here(ctx: Context, debate_id: int) -> Debate:
    """The debate with this id in the caller's channel, or NotFound (the same as for none)."""
    debate = await store_of(ctx).get_debate(debate_id)
    if debate is None or not here(ctx, debate.place):
        raise debate_not_found(debate_id)
    return debate


MOTIONS_HINT = "Type `prompts` to see the motions, or write your own motion in quotes."


def _motions(pack: Pack) -> list[Prompt]:
    """The prompts `debate start` takes: Oxford motions, not discussion questions."""
    return [p for p in pack.prompts if p.kind == "oxford"]


def _motion(ctx: Context, asked: str | None) -> tuple[str, str | None]:
    """The motion and its prompt id: a pack motion by id, a custom motion, or a random one."""
    pack = ctx.pack
    motions = _motions(pack)
    if not asked:
        if not motions:
            raise UserError(
                'This pack has no Oxford motions; give one: debate start "This house believes..."'
            )
        chosen = ctx.services.rng.choice(motions)
        return chosen.motion, chosen.id
    prompt = pack.prompt(asked)
    if prompt is None and _PROMPT_ID.match(asked):
        raise NotFound("motion", asked, [p.id for p in motions], MOTIONS_HINT)
    if prompt is None:
        return " ".join(asked.split()), None
    if prompt.kind != "oxford":
        raise UserError(
            f"{prompt.id} is a discussion question, not a motion to vote for or against. "
            + MOTIONS_HINT
        )
    return prompt.motion, prompt.id


async def _counts(ctx: Context, debate: Debate) -> tuple[int, int]:
    votes = await store_of(ctx).debate_votes(debate.id)
    return (
        sum(1 for v in votes if v.phase == "before"),
        sum(1 for v in votes if v.phase == "after"),
    )


def _noted(ctx: Context, action: str) -> AuditNote:
    """The audit line the store writes with the action, in the same transaction."""
    return AuditNote(ctx.user.id, ctx.user.name, action)


async def start(ctx: Context, args: Args) -> Reply:
    motion, prompt_id = _motion(ctx, args.text("motion"))
    if len(motion) > MOTION_MAX:
        raise UserError(too_long("The motion", motion, MOTION_MAX))
    store = store_of(ctx)
    debate = await store.create_debate(
        ctx.place, ctx.user.id, ctx.user.name, motion, prompt_id, audit=_noted(ctx, "debate start")
    )
    return Reply(
        (debates.debate_card(debate, 0, 0),),
        track=debate.ref,
        thread=fit(motion, THREAD_NAME_MAX),
    )


async def vote(ctx: Context, args: Args) -> Reply:
    side = cast(Side, args.text("side"))
    user = ctx.user
    outcome = await store_of(ctx).cast_debate_vote(
        number(args, "debate"), ctx.place, user.id, user.name, side
    )
    ctx.services.metrics.vote("debate")  # after the store committed it: a refusal raised
    debate = outcome.debate
    text = debates.vote_message(debate, outcome.phase, outcome.side, outcome.previous)
    return Reply(
        (Card("notice", text, title=f"Debate #{debate.id}"),),
        ephemeral=True,
        refresh=(debate.ref,),
    )


async def advance(ctx: Context, args: Args) -> Reply:
    debate = await debate_here(ctx, number(args, "debate"))
    advanced = await store_of(ctx).advance_debate(debate.id, audit=_noted(ctx, "debate advance"))
    opening, closing = await _counts(ctx, advanced)
    return Reply(
        (debates.debate_card(advanced, opening, closing),),
        track=advanced.ref,
        refresh=(advanced.ref,),
    )


async def close(ctx: Context, args: Args) -> Reply:
    debate = await debate_here(ctx, number(args, "debate"))
    store = store_of(ctx)
    closed = await store.close_debate(debate.id, ctx.user.id, audit=_noted(ctx, "debate close"))
    results = debates.tally(await store.debate_votes(closed.id))
    reply = Reply((debates.results_card(closed, results),), refresh=(closed.ref,))
    return await chart_png.with_chart(reply, charts.debate_chart(closed, results))


async def results(ctx: Context, args: Args) -> Reply:
    debate = await debate_here(ctx, number(args, "debate"))
    if debate.phase != "closed":
        which = "opening" if debate.phase == "before" else "closing"
        raise Refused(
            f"Debate #{debate.id} is still in its {which} vote; its results are shown when a "
            f"moderator closes it with `debate close {debate.id}`."
        )
    results = debates.tally(await store_of(ctx).debate_votes(debate.id))
    reply = Reply((debates.results_card(debate, results),), ephemeral=True)
    return await chart_png.with_chart(reply, charts.debate_chart(debate, results))


async def list_debates(ctx: Context, args: Args) -> Reply:
    place = ctx.place
    found = await store_of(ctx).open_debates(place.platform, place.workspace, place.channel)
    if not found:
        return notice(
            f"No open debates in #{place.channel}. A moderator can start one with `debate start`."
        )
    lines = [
        f"#{d.id}: {d.motion}\n    " + ("opening vote" if d.phase == "before" else "closing vote")
        for d in found
    ]
    return Reply(
        (
            Card(
                "text",
                "\n".join(lines),
                title=f"Open debates in #{place.channel}",
                footer="`debate vote <id> for|against|undecided` to vote",
            ),
        ),
        ephemeral=True,
    )


async def _card(ctx: Context, ref: str) -> Reply | None:
    debate_id = ref_number(ref)
    if debate_id is None:
        return None
    store = store_of(ctx)
    debate = await store.get_debate(debate_id)
    if debate is None or not here(ctx, debate.place):  # as for polls: only its own channel
        return None
    if debate.phase == "closed":
        results = debates.tally(await store.debate_votes(debate.id))
        return Reply((debates.results_card(debate, results),))
    opening, closing = await _counts(ctx, debate)
    return Reply((debates.debate_card(debate, opening, closing),))


async def _open_debates(ctx: Context, typed: str) -> list[Choice]:
    place = ctx.place
    store = ctx.services.store
    if store is None:
        return []
    found = await store.open_debates(place.platform, place.workspace, place.channel)
    return rank(typed, [Choice(f"#{d.id}: {d.motion}"[:100], str(d.id)) for d in found])


CARDS: dict[str, CardProvider] = {"debate": _card}


async def _motion_choices(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(f"{p.id}: {p.motion}"[:100], p.id) for p in _motions(ctx.pack)])


COMPLETERS: dict[str, Completer] = {"debates": _open_debates, "motions": _motion_choices}

_DEBATE = Option(
    "debate",
    "int",
    "The debate's number",
    required=True,
    autocomplete="debates",
    min_value=1,
    placeholder="<id>",
)

COMMANDS = [
    Command(
        ("debate", "start"),
        "Open an Oxford-style debate on a motion from the pack (P1), your own, or a random one.",
        start,
        (
            Option(
                "motion",
                "words",
                "A motion id (P1, see `prompts`) or your own motion in quotes",
                autocomplete="motions",
                max_length=MOTION_MAX,
                placeholder='<motion-id>|"<motion>"',
            ),
        ),
        moderator=True,
        examples=("debate start P1", 'debate start "This house would lift sanctions now."'),
    ),
    Command(
        ("debate", "vote"),
        "Vote For, Against or Undecided, before the discussion and again after it.",
        vote,
        (_DEBATE, Option("side", "choice", "Your position", required=True, choices=SIDES)),
        examples=("debate vote 3 for",),
    ),
    Command(
        ("debate", "advance"),
        "End the opening vote and open the closing vote.",
        advance,
        (_DEBATE,),
        moderator=True,
        examples=("debate advance 3",),
    ),
    Command(
        ("debate", "close"),
        "Close a debate and show the swing, the winner and who changed their mind.",
        close,
        (_DEBATE,),
        moderator=True,
        examples=("debate close 3",),
    ),
    Command(
        ("debate", "results"),
        "A closed debate's results again, with a chart of the opening and closing votes.",
        results,
        (_DEBATE,),
        examples=("debate results 3",),
    ),
    Command(("debate", "list"), "The open debates in this channel.", list_debates),
]
