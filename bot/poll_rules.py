"""What a poll may be and do: checking a new poll, edits, options, votes, reminders, visibility.

Pure functions of stored records; the handlers in `bot.features.polls`, the deadline closer
in `bot.deadlines` and the store's vote paths share them, so a rule holds however it is reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.durations import duration_minutes, format_remaining, parse_closes
from bot.errors import Forbidden, UserError
from bot.limits import POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_OPTIONS_MIN, POLL_QUESTION_MAX, fit
from bot.models import Place, User
from bot.ranked import parse_ranking
from bot.scope import poll_not_found, reaches
from bot.store.base import (
    NO_GROUPS,
    NotEligible,
    Poll,
    PollDraft,
    PollEdit,
    PollRole,
    Refused,
    ResultsMode,
    VoteChange,
    VoteOutcome,
    Voter,
)
from bot.usertext import clean, key, shown, too_long

# Roles one poll may be limited to: enough for any real "who may vote", short enough to show.
POLL_ROLES_MAX = 10


def draft(
    place: Place,
    user: User,
    question: str,
    options: tuple[str, ...],
    *,
    multi: int | None = None,
    anonymous: bool = False,
    results: ResultsMode = "live",
    closes: str | None = None,
    open_options: bool = False,
    remind: str | None = None,
    roles: tuple[PollRole, ...] = (),
    members_only: bool = False,
    ranked: bool = False,
    now: datetime,
    timezone: str = "UTC",
) -> PollDraft:
    """Check a poll as typed and return it ready to store; raise UserError naming the fix."""
    question = check_question(question)
    if not POLL_OPTIONS_MIN <= len(options) <= POLL_OPTIONS_MAX:
        raise UserError(
            f"A poll needs {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options; you gave "
            f"{len(options)}. Put each option in its own quotes."
        )
    cleaned = check_options(options)
    if ranked:
        check_ranked(multi=multi, open_options=open_options)
    max_picks = multi or 1
    if max_picks < 1 or max_picks > len(cleaned):
        raise UserError(
            f"`--multi {max_picks}` must be between 1 and the number of options ({len(cleaned)})."
        )
    closes_at = parse_closes(closes, now, timezone) if closes else None
    lead = check_remind(remind, closes_at, now) if remind is not None else None
    return PollDraft(
        place=place,
        creator_id=user.id,
        creator_name=user.name,
        question=question,
        options=tuple(cleaned),
        max_picks=max_picks,
        anonymous=anonymous,
        results=results,
        closes_at=closes_at,
        open_options=open_options,
        remind=lead,
        roles=check_roles(roles),
        members_only=members_only,
        ranked=ranked,
    )


def check_roles(roles: tuple[PollRole, ...]) -> tuple[PollRole, ...]:
    """The roles a poll is limited to, each once; UserError if there are too many."""
    unique = tuple({role.id: role for role in roles}.values())
    if len(unique) > POLL_ROLES_MAX:
        raise UserError(
            f"A poll can be limited to at most {POLL_ROLES_MAX} roles; you gave {len(unique)}."
        )
    return unique


def check_voter(poll: Poll, voter: Voter) -> None:
    """NotEligible (privately naming who may vote) unless `voter` may vote in `poll`."""
    if poll.roles and not voter.roles & {role.id for role in poll.roles}:
        names = [role.name for role in poll.roles]
        lacking = "that role" if len(names) == 1 else "any of those roles"
        raise NotEligible(
            f"Poll #{poll.id} is for {listed(names, 'and')}; you do not have {lacking}, so "
            "your vote was not counted. Ask a moderator if you should have it.",
            poll,
        )
    if poll.members_only and not voter.member:
        raise NotEligible(
            f"Poll #{poll.id} is for members of its channel; join the channel, then vote again.",
            poll,
        )


def listed(names: list[str], last: str) -> str:
    """`A`, `A and B`, `A, B and C` (or `or`)."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def who_can_vote(poll: Poll) -> str | None:
    """Who may vote, as the card says it ("@Editors or @Staff"); None when everyone may."""
    parts = []
    if poll.roles:
        parts.append(listed([role.name for role in poll.roles], "or"))
    if poll.members_only:
        parts.append("members of this channel")
    return " · ".join(parts) if parts else None


def check_ranked(*, multi: int | None, open_options: bool) -> None:
    """UserError if a ranked poll is also asked for options that contradict a full ranking."""
    if multi is not None:
        raise UserError(
            "A `--ranked` poll has each voter rank every option, so `--multi` does not apply. "
            "Leave out `--multi` for a ranked poll, or `--ranked` to let people pick several."
        )
    if open_options:
        raise UserError(
            "A `--ranked` poll needs every ballot to rank every option, so members cannot add "
            "options to it. Leave out `--open` for a ranked poll, or `--ranked` to keep it open."
        )


def check_question(question: str) -> str:
    """The question, cleaned; UserError if it is empty or too long."""
    if not question.strip():
        raise UserError('The question is empty. Write it in quotes: poll create "Question?" ...')
    question = clean(question, "The question")
    if len(question) > POLL_QUESTION_MAX:
        raise UserError(too_long("The question", question, POLL_QUESTION_MAX))
    return question


def check_manager(poll: Poll, user_id: str, *, moderator: bool, doing: str) -> None:
    """Forbidden unless `user_id` created the poll or is a moderator (`doing`: "close")."""
    if poll.creator_id != user_id and not moderator:
        raise Forbidden(
            f"Only the poll's creator ({poll.creator_name}) or a moderator can {doing} poll "
            f"#{poll.id}."
        )


def edit(
    poll: Poll,
    *,
    question: str | None,
    options: tuple[str, ...],
    closes: str | None,
    now: datetime,
    timezone: str = "UTC",
) -> PollEdit:
    """The change `poll edit` asks for, checked like a new poll's; UserError naming the fix."""
    if question is None and not options and closes is None:
        raise UserError(
            f'Give a new --question "...", new options in quotes, or --closes 2h|<time>: '
            f'`poll edit {poll.id} --question "New question?" "Option" "Option"`.'
        )
    new_options = None
    if options:
        if not POLL_OPTIONS_MIN <= len(options) <= POLL_OPTIONS_MAX:
            raise UserError(
                f"A poll needs {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options; you gave "
                f"{len(options)}. Put each option in its own quotes."
            )
        new_options = check_options(options)
        if poll.max_picks > len(new_options):
            raise UserError(
                f"Poll #{poll.id} lets each person pick up to {poll.max_picks}; give at least "
                f"{poll.max_picks} options."
            )
    return PollEdit(
        question=None if question is None else check_question(question),
        options=new_options,
        closes_at=parse_closes(closes, now, timezone) if closes is not None else None,
    )


def check_edit(
    poll: Poll | None, poll_id: int, place: Place, change: PollEdit, votes: int, now: datetime
) -> Poll:
    """The poll `change` may apply to: open, and unvoted if it rewords; Refused otherwise."""
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.is_open(now):
        raise Refused(
            f"Poll #{poll_id} is closed. Open it again with `poll reopen {poll_id} "
            "[--closes 2h|<time>]`."
        )
    if change.wording and votes:
        raise Refused(
            f"Poll #{poll_id} has votes, so its question and options can no longer change "
            f"(voters chose among them). Its deadline still can: `poll edit {poll_id} --closes "
            "2h|<time>`."
        )
    return poll


def check_reopen(poll: Poll | None, poll_id: int, place: Place, now: datetime) -> Poll:
    """The closed poll `place` may reopen; NotFound or Refused otherwise."""
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if poll.is_open(now):
        raise Refused(
            f"Poll #{poll_id} is still open. To move its deadline: `poll edit {poll_id} "
            "--closes 2h|<time>`."
        )
    return poll


def check_options(options: tuple[str, ...]) -> tuple[str, ...]:
    """Options as typed, cleaned and checked: none empty, too long or the same as another."""
    cleaned: list[str] = []
    seen: dict[str, int] = {}
    for number, typed in enumerate(options, 1):
        option = check_option(typed, f"Option {number}")
        # Options that look the same are one option: `A`, `a`, `Ａ`, `A` + zero-width space.
        same = key(option)
        if same in seen:
            raise UserError(
                f"Options {seen[same]} and {number} are the same (`{shown(option)}`). "
                "Make each option different."
            )
        seen[same] = number
        cleaned.append(option)
    return tuple(cleaned)


def check_option(typed: str, field: str) -> str:
    """One option's text, cleaned; UserError if it is empty or too long for a button."""
    if not typed.strip():
        raise UserError(f"{field} is empty. Give it some text or leave it out.")
    option = clean(typed, field)
    if len(option) > POLL_OPTION_MAX:
        raise UserError(
            too_long(
                field,
                option,
                POLL_OPTION_MAX,
                "the longest button label every platform shows in full",
            )
        )
    return option


def check_add(
    poll: Poll | None,
    poll_id: int,
    place: Place,
    typed: str,
    now: datetime,
    voter: Voter = NO_GROUPS,
) -> str:
    """The option `typed` may add to the poll, cleaned; NotFound or Refused naming the fix.

    Only someone who may vote in the poll may add to it.
    """
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.open_options:
        raise Refused(
            f"Poll #{poll_id} takes only its creator's options. A poll made with `--open` "
            "lets members add theirs."
        )
    if not poll.is_open(now):
        raise Refused(f"Poll #{poll_id} is closed; it no longer takes options.")
    check_voter(poll, voter)
    if len(poll.options) >= POLL_OPTIONS_MAX:
        raise Refused(
            f"Poll #{poll_id} already has {POLL_OPTIONS_MAX} options, the most a poll can have."
        )
    option = check_option(typed, "The option")
    same = key(option)
    for number, label in enumerate(poll.options, 1):
        if key(label) == same:
            raise Refused(
                f"Poll #{poll_id} already has `{shown(option)}` as option {number}; vote for it "
                f"with `poll vote {poll_id} {number}`."
            )
    return option


def check_vote(
    poll: Poll | None,
    poll_id: int,
    place: Place,
    option: int,
    now: datetime,
    voter: Voter = NO_GROUPS,
) -> Poll:
    """The poll a click at `place` may vote in; NotFound or Refused (naming the fix) otherwise.

    A poll `place` does not reach is answered exactly like an id that never existed.
    """
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.is_open(now):
        raise Refused(f"Poll #{poll_id} is closed; it no longer takes votes.")
    if poll.ranked:
        raise Refused(
            f"Poll #{poll_id} is ranked: rank every option, most preferred first, with the Rank "
            f"button or `{rank_example(poll)}`."
        )
    if not 1 <= option <= len(poll.options):
        raise Refused(
            f"Poll #{poll_id} has options 1 to {len(poll.options)}; there is no option "
            f"{option}. Pick a number from 1 to {len(poll.options)}."
        )
    check_voter(poll, voter)
    return poll


def rank_example(poll: Poll) -> str:
    """The `poll rank` line that ranks this poll's options in reverse, as an example."""
    return f"poll rank {poll.id} " + " ".join(str(n) for n in range(len(poll.options), 0, -1))


def check_rankable(poll: Poll | None, poll_id: int, place: Place, now: datetime) -> Poll:
    """The ranked poll `place` may rank in, by the same scope and open rules as a vote."""
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.is_open(now):
        raise Refused(f"Poll #{poll_id} is closed; it no longer takes rankings.")
    if not poll.ranked:
        raise Refused(
            f"Poll #{poll_id} is not a ranked poll; vote in it with "
            f"`poll vote {poll_id} <option-number>`."
        )
    return poll


def check_rank(
    poll: Poll | None,
    poll_id: int,
    place: Place,
    typed: tuple[str, ...],
    now: datetime,
    voter: Voter = NO_GROUPS,
) -> tuple[int, ...]:
    """The ranking `typed` at `place` stores in the poll; NotFound or Refused naming the fix.

    The same scope, open/closed and who-may-vote rules as a vote, and a full ranking.
    """
    poll = check_rankable(poll, poll_id, place, now)
    try:
        ranking = parse_ranking(typed, len(poll.options), poll_id)
    except UserError as exc:
        raise Refused(str(exc)) from None
    check_voter(poll, voter)
    return ranking


def click(poll: Poll, previous: tuple[int, ...], option: int) -> VoteOutcome:
    """What clicking `option` does to a voter holding `previous`: add, move, retract or toggle.

    Clicking a held pick takes it back; on a single-choice poll another option moves the vote;
    on a multi-choice poll it adds one, refused (naming the way out) beyond `max_picks`.
    """
    change: VoteChange
    if option in previous:
        change = "removed" if poll.multi else "retracted"
        picks = tuple(p for p in previous if p != option)
    elif previous and not poll.multi:
        change, picks = "moved", (option,)
    else:
        if len(previous) >= poll.max_picks:
            held = ", ".join(str(p) for p in previous)
            raise Refused(
                f"Poll #{poll.id} allows at most {poll.max_picks} picks and you have "
                f"{held}. Vote for one of those again to drop it, then pick {option}."
            )
        change, picks = "added", tuple(sorted((*previous, option)))
    return VoteOutcome(poll, option, change, previous, picks)


def check_remind(typed: str, closes_at: datetime | None, now: datetime) -> timedelta:
    """How long before the deadline `--remind` asks for; UserError unless it comes before it."""
    raw = typed.strip()
    if closes_at is None:
        raise UserError(f"`--remind {fit(raw, 30)}` needs a deadline: add --closes 2h|<time>.")
    minutes = duration_minutes(raw)
    if minutes is None:
        raise UserError(f"`--remind {fit(raw, 30)}` is not a duration such as 30m, 1h or 1d.")
    total = min(minutes, 10**9)
    if total < 1 or now + timedelta(minutes=total) >= closes_at:
        raise UserError(
            f"`--remind {raw}` is not before its deadline, which is "
            f"{format_remaining(closes_at - now)} away; give a shorter reminder or a later "
            "--closes."
        )
    return timedelta(minutes=total)


def remind_at(closes_at: datetime | None, remind: timedelta | None) -> datetime | None:
    """When a poll's reminder is due: `remind` before its deadline (None without either)."""
    if closes_at is None or remind is None:
        return None
    return closes_at - remind


def visible_to(poll: Poll, now: datetime, *, moderator: bool) -> bool:
    """Whether someone may see the counts: live always, closed after closing, mods for mods."""
    if poll.results == "live":
        return True
    if poll.results == "closed":
        return not poll.is_open(now)
    return moderator


def public_visible(poll: Poll, now: datetime) -> bool:
    """Whether the public card (seen by everyone) shows counts."""
    return visible_to(poll, now, moderator=False)
