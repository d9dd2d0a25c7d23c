"""What a scheduled run posts: the channel's next prompt, with a poll or a debate if asked.

`prepare` picks the prompt (advancing the channel's rotation) and the attached poll or debate,
and the store keeps all of it on the run in one transaction, so a retried run posts the same
prompt and the same poll instead of taking another, and a crash leaves no poll without its run.
`compose` turns a prepared run into the reply to post. Polls are checked like `poll create`
checks them and drawn by the commands' card providers, so a scheduled poll is the same as one
a person starts.

A schedule with a debate attached rotates through the pack's Oxford motions only: a debate
needs a motion to vote For or Against, which a discussion question is not.
"""

from __future__ import annotations

from bot import poll_rules
from bot.catalogue import Catalogue
from bot.content.model import Pack, Prompt
from bot.context import Context, Services
from bot.errors import UserError
from bot.features import debates as debate_commands
from bot.features import polls as poll_commands
from bot.limits import MOTION_MAX, fit
from bot.models import Request, User
from bot.pack_choice import pack_for
from bot.replies import Card, Reply
from bot.schedule.model import OwnPost, Run, Schedule
from bot.schedule.rotation import take_next
from bot.store.base import DebateDraft, PollDraft, Preparation, Store
from bot.store.work import Conflict
from bot.usertext import clean

THREAD_NAME_MAX = 100  # the tightest platform limit on thread names
OXFORD_OPTIONS = ("For", "Against", "Undecided")
QUESTION_OPTIONS = ("Agree", "Disagree", "Not sure")
ACTOR = "scheduler"
OWN = "own"  # the `prompt_id` of a run posting its schedule's own text or poll
# Tries to choose a prompt while other processes keep moving the channel's rotation on.
ROTATION_ATTEMPTS = 5


async def schedule_context(services: Services, catalogue: Catalogue, schedule: Schedule) -> Context:
    """A handler context for posting in the schedule's channel, acting for its creator."""
    place = schedule.place
    pack = services.packs.get(schedule.pack) if schedule.pack else await pack_for(services, place)
    request = Request(
        place,
        User(schedule.created_by, ACTOR, is_moderator=True),
        ("admin", "schedule", "run"),
    )
    return Context(request, services, True, pack, catalogue)


def _store(ctx: Context) -> Store:
    assert ctx.services.store is not None  # the scheduler only runs with a store
    return ctx.services.store


async def prepare(ctx: Context, schedule: Schedule, run: Run, owner: str) -> Run | None:
    """`run` with its prompt chosen and its poll or debate created, once per run.

    The choice is made here; the store keeps it (prompt, attachment, rotation) in one
    transaction, or nothing. None: the run is no longer `owner`'s to prepare.
    """
    if run.prompt_id is not None:
        return run
    if schedule.own is not None:
        return await _prepare_own(ctx, schedule, schedule.own, run, owner)
    pack = ctx.pack
    debate = schedule.attach == "debate"
    pool = [p for p in pack.prompts if p.kind == "oxford" or not debate]
    if not pool:
        kind = "Oxford motions for a debate" if debate else "prompts"
        raise UserError(f"pack `{pack.id}` has no {kind} to post")
    store = _store(ctx)
    place = schedule.place
    key = f"{pack.id}:oxford" if debate else pack.id
    for _ in range(ROTATION_ATTEMPTS):
        state = await store.load_rotation(place.platform, place.workspace, place.channel, key)
        prompt_id, rotation = take_next(state, [p.id for p in pool], ctx.services.rng)
        prompt = pack.prompt(prompt_id)
        assert prompt is not None
        poll_draft, debate_draft = _attachment(ctx, schedule, prompt)
        try:
            return await store.prepare_run(
                Preparation(
                    run,
                    owner,
                    f"{pack.id}/{prompt.id}",
                    key,
                    rotation,
                    poll=poll_draft,
                    debate=debate_draft,
                    rotation_was=state,
                )
            )
        except Conflict:
            continue  # another process posted in this channel meanwhile: choose again
    raise UserError(
        "other bot processes kept moving this channel's prompt rotation on while a prompt was "
        "being chosen"
    )


async def _prepare_own(
    ctx: Context, schedule: Schedule, own: OwnPost, run: Run, owner: str
) -> Run | None:
    """A run of a schedule posting its own text or poll: no prompt, no rotation moved."""
    poll = None
    if own.poll:
        poll = poll_rules.draft(
            ctx.place,
            ctx.user,
            own.text,
            own.options,
            now=ctx.services.clock.now(),
            timezone=ctx.services.settings.timezone,
        )
    kind = "poll" if own.poll else "text"
    return await _store(ctx).prepare_run(
        Preparation(run, owner, f"{OWN}/{kind}", "", None, poll=poll)
    )


def check_own(
    ctx: Context, text: str | None, poll: str | None, options: tuple[str, ...]
) -> OwnPost | None:
    """The own post `admin schedule add` asks for, checked as `poll create` checks a poll."""
    if text is not None and poll is not None:
        raise UserError("Give --poll or --text, not both: a schedule posts one of them.")
    if options and poll is None:
        raise UserError(
            'Options go with a poll: `admin schedule add "<cron>" --poll "<question>" '
            '"<option>" "<option>"`.'
        )
    if poll is not None:
        made = poll_rules.draft(ctx.place, ctx.user, poll, options, now=ctx.services.clock.now())
        return OwnPost(made.question, made.options)
    if text is not None:
        if not text.strip():
            raise UserError("--text is empty. Write the text to post in quotes.")
        return OwnPost(clean(text, "--text"))
    return None


def _compose_own(schedule: Schedule, own: OwnPost, cards: tuple[Card, ...], run: Run) -> Reply:
    """The public post of a schedule's own text or poll."""
    if not own.poll:
        cards = (Card("text", own.text, footer=f"Scheduled post · schedule {schedule.id}"),)
    thread = fit(own.text, THREAD_NAME_MAX) if schedule.thread else None
    return Reply(cards, track=run.attachment, thread=thread)


def _attachment(
    ctx: Context, schedule: Schedule, prompt: Prompt
) -> tuple[PollDraft | None, DebateDraft | None]:
    """The poll or debate to open with the prompt, checked as the commands would check it."""
    user = ctx.user
    if schedule.attach == "poll":
        options = OXFORD_OPTIONS if prompt.kind == "oxford" else QUESTION_OPTIONS
        made = poll_rules.draft(
            ctx.place,
            user,
            prompt.motion,
            options,
            now=ctx.services.clock.now(),
            timezone=ctx.services.settings.timezone,
        )
        return made, None
    if schedule.attach == "debate":
        if prompt.kind != "oxford":
            raise UserError(f"{prompt.id} is a discussion question, not a motion for a debate")
        if len(prompt.motion) > MOTION_MAX:
            raise UserError(
                f"The motion of {prompt.id} is {len(prompt.motion)} characters; the limit is "
                f"{MOTION_MAX}."
            )
        return None, DebateDraft(ctx.place, user.id, user.name, prompt.motion, prompt.id)
    return None, None


def prompt_of(ctx: Context, run: Run) -> tuple[Pack, Prompt]:
    """The pack and prompt a prepared run names."""
    pack_id, _, prompt_id = (run.prompt_id or "").partition("/")
    pack = ctx.services.packs.get(pack_id)
    prompt = pack.prompt(prompt_id)
    if prompt is None:
        raise UserError(f"prompt `{prompt_id}` is no longer in pack `{pack_id}`")
    return pack, prompt


async def compose(ctx: Context, schedule: Schedule, run: Run) -> Reply:
    """The public post for a prepared run: prompt card, then the poll or debate card."""
    if schedule.own is not None:
        drawn = await _attachment_cards(ctx, run.attachment) if run.attachment else ()
        return _compose_own(schedule, schedule.own, drawn, run)
    pack, prompt = prompt_of(ctx, run)
    title = "Debate motion" if prompt.kind == "oxford" else "Discussion question"
    source = f"{pack.title} · prompt {prompt.id}"
    where = " and argue it out in the thread" if schedule.thread else ""
    if run.attachment is None:
        cards = [Card("text", prompt.motion, title=title, footer=source)]
    else:
        # The poll or debate card carries the motion; the lead card only introduces it.
        lead = Card("text", f"Today's {title.lower()}: vote below{where}.", title, footer=source)
        cards = [lead, *await _attachment_cards(ctx, run.attachment)]
    thread = fit(f"{prompt.id}: {prompt.motion}", THREAD_NAME_MAX) if schedule.thread else None
    return Reply(tuple(cards), track=run.attachment, thread=thread)


_CARD_PROVIDERS = {**poll_commands.CARDS, **debate_commands.CARDS}


async def _attachment_cards(ctx: Context, ref: str) -> tuple[Card, ...]:
    provider = _CARD_PROVIDERS.get(ref.partition(":")[0])
    drawn = None if provider is None else await provider(ctx, ref)
    if drawn is None:
        raise UserError(f"{ref.replace(':', ' #')} made for this run was deleted")
    return drawn.cards
