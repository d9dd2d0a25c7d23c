"""Poll rules and presentation: checking a new poll, deadlines, tallies, bars and cards.

Pure functions of stored records; the handlers in `bot.features.polls` and the deadline closer
in `bot.deadlines` share them, so a poll looks the same however it is shown.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import actions
from bot.errors import Forbidden, UserError
from bot.limits import (
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN,
    POLL_QUESTION_MAX,
    fit,
)
from bot.models import Place, User
from bot.replies import Attachment, Button, Card
from bot.scope import poll_not_found, reaches
from bot.store.base import (
    Poll,
    PollDraft,
    PollEdit,
    PollVote,
    Refused,
    ResultsMode,
    Tally,
    VoteChange,
    VoteOutcome,
)
from bot.usertext import clean, key, shown, too_long
from bot.wording import plural

BAR_WIDTH = 10
MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(days=90)
# ASCII digits only (re.A): `\d` would otherwise take other scripts' digits.
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$", re.I | re.A)
CLOSES_HELP = "a duration such as 30m, 2h, 1d or 1h30m, or a time such as 2026-03-01T18:00"


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


def check_add(poll: Poll | None, poll_id: int, place: Place, typed: str, now: datetime) -> str:
    """The option `typed` may add to the poll, cleaned; NotFound or Refused naming the fix."""
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.open_options:
        raise Refused(
            f"Poll #{poll_id} takes only its creator's options. A poll made with `--open` "
            "lets members add theirs."
        )
    if not poll.is_open(now):
        raise Refused(f"Poll #{poll_id} is closed; it no longer takes options.")
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


def check_vote(poll: Poll | None, poll_id: int, place: Place, option: int, now: datetime) -> Poll:
    """The poll a click at `place` may vote in; NotFound or Refused (naming the fix) otherwise.

    A poll `place` does not reach is answered exactly like an id that never existed.
    """
    if poll is None or not reaches(place, poll.place):
        raise poll_not_found(poll_id)
    if not poll.is_open(now):
        raise Refused(f"Poll #{poll_id} is closed; it no longer takes votes.")
    if not 1 <= option <= len(poll.options):
        raise Refused(
            f"Poll #{poll_id} has options 1 to {len(poll.options)}; there is no option "
            f"{option}. Pick a number from 1 to {len(poll.options)}."
        )
    return poll


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
    match = _DURATION.match(raw.replace(" ", ""))
    if not raw or not match or not any(match.groups()):
        raise UserError(f"`--remind {fit(raw, 30)}` is not a duration such as 30m, 1h or 1d.")
    weeks, days, hours, mins = (_count(g) for g in match.groups())
    total = min(((weeks * 7 + days) * 24 + hours) * 60 + mins, 10**9)
    if total < 1 or now + timedelta(minutes=total) >= closes_at:
        raise UserError(
            f"`--remind {raw}` is not before its deadline, which is "
            f"{format_remaining(closes_at - now)} away; give a shorter reminder or a later "
            "--closes."
        )
    return timedelta(minutes=total)


def reminder_card(poll: Poll, tally: Tally, now: datetime, timezone: str = "UTC") -> Card:
    """The one public reminder before a poll's deadline, with its turnout and vote buttons."""
    assert poll.closes_at is not None
    left = format_remaining(poll.closes_at - now)
    return Card(
        "poll",
        f"{poll.question}\n\n{option_lines(poll, None)}\n\n{turnout(tally)} so far. Vote with "
        f"the buttons, or `poll vote {poll.id} <option-number>`.",
        title=f"Poll #{poll.id} closes in {left}",
        footer=status(poll, now, timezone),
        buttons=poll_buttons(poll, now),
    )


def remind_at(closes_at: datetime | None, remind: timedelta | None) -> datetime | None:
    """When a poll's reminder is due: `remind` before its deadline (None without either)."""
    if closes_at is None or remind is None:
        return None
    return closes_at - remind


def parse_closes(text: str, now: datetime, timezone: str = "UTC") -> datetime:
    """A deadline from `2h`, `1d`, `1h30m` or an ISO time (in `timezone` when it has none)."""
    raw = text.strip()
    match = _DURATION.match(raw.replace(" ", ""))
    if raw and match and any(match.groups()):
        weeks, days, hours, minutes = (_count(g) for g in match.groups())
        # Sum in whole minutes first: timedelta() of a huge count raises OverflowError.
        total = ((weeks * 7 + days) * 24 + hours) * 60 + minutes
        if total > MAX_DURATION // timedelta(minutes=1):
            raise UserError(_too_far(raw))
        delta = timedelta(minutes=total)
        moment = now + delta
    else:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            raise UserError(f"`--closes {fit(raw, 30)}` is not {CLOSES_HELP}.") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
        moment = parsed
        delta = moment - now
    if delta < MIN_DURATION:
        raise UserError(
            f"`--closes {raw}` is {'in the past' if delta <= timedelta(0) else 'too soon'}; "
            "give a deadline at least a minute away."
        )
    if delta > MAX_DURATION:
        raise UserError(_too_far(raw))
    return moment


def _count(digits: str | None) -> int:
    # More digits than any deadline within 90 days needs: any such count is too far.
    if digits and len(digits.lstrip("0")) > 9:
        return 10**9
    return int(digits) if digits else 0


def _too_far(raw: str) -> str:
    return f"`--closes {fit(raw, 30)}` is more than 90 days away; choose a nearer deadline."


def percent(count: int, total: int) -> int:
    """Whole-number percentage, rounding half up; 0 when nobody voted."""
    if total <= 0:
        return 0
    return (200 * count + total) // (2 * total)


def bar(count: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text bar of `width` cells, filled in proportion to count/total."""
    filled = 0 if total <= 0 else (2 * width * count + total) // (2 * total)
    return "█" * filled + "░" * (width - filled)


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


def format_time(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return local.strftime("%a %d %b %Y %H:%M ") + (local.tzname() or timezone)


def format_remaining(delta: timedelta) -> str:
    """`2d 3h`, `1h 30m`, `5m`, or `under a minute`."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if mins and not days:
        parts.append(f"{mins}m")
    return " ".join(parts)


def option_lines(poll: Poll, tally: Tally | None) -> str:
    """Each option, with its bar, percentage and count when `tally` is given."""
    lines = []
    for number, label in enumerate(poll.options, 1):
        if tally is None:
            lines.append(f"{number}. {label}")
            continue
        count = tally.counts[number - 1]
        lines.append(
            f"{number}. {label}\n{bar(count, tally.voters)} "
            f"{percent(count, tally.voters)}% · {plural(count, 'vote')}"
        )
    if tally is not None and poll.multi and tally.voters:
        # Percentages are per voter, so several picks each push the sum past 100: say so.
        lines.append(
            f"\n% of {plural(tally.voters, 'voter')}; each could pick up to {poll.max_picks}, "
            "so the total can pass 100%."
        )
    return "\n".join(lines)


def turnout(tally: Tally) -> str:
    return plural(tally.voters, "voter")


def status(poll: Poll, now: datetime, timezone: str = "UTC") -> str:
    if poll.closed_at is not None:
        return f"Closed {format_time(poll.closed_at, timezone)}"
    if poll.closes_at is None:
        return "Open, no deadline"
    if poll.closes_at <= now:
        return f"Closed {format_time(poll.closes_at, timezone)} (deadline)"
    remaining = format_remaining(poll.closes_at - now)
    return f"Open · closes {format_time(poll.closes_at, timezone)} (in {remaining})"


def kind_text(poll: Poll) -> str:
    text = "Single choice" if not poll.multi else f"Pick up to {poll.max_picks}"
    return text + (" · anonymous" if poll.anonymous else "")


def hidden_note(poll: Poll) -> str:
    if poll.results == "mods":
        return "Results are visible to moderators only."
    return "Results are shown when the poll closes."


def poll_card(poll: Poll, tally: Tally, now: datetime, timezone: str = "UTC") -> Card:
    """The public card everyone sees: counts only when everyone may see them."""
    shown = public_visible(poll, now)
    body = f"{poll.question}\n\n{option_lines(poll, tally if shown else None)}"
    footer = [kind_text(poll)]
    if shown or not poll.is_open(now):
        footer.append(turnout(tally))
    if not shown:
        footer.append(hidden_note(poll))
    footer.append(status(poll, now, timezone))
    return Card(
        "poll",
        body,
        title=f"Poll #{poll.id}",
        footer=" · ".join(footer),
        buttons=poll_buttons(poll, now),
    )


def split_emoji(label: str) -> tuple[str | None, str]:
    """A leading emoji of an option and the rest (`🍕 Pizza` -> `🍕`, `Pizza`); None if none.

    The emoji is one symbol (Unicode category So) with its variation selector, skin tone and
    zero-width-joined parts, or a flag (two regional indicators), followed by a space.
    """
    if not label or not (unicodedata.category(label[0]) == "So" or _regional(label[0])):
        return None, label
    end = 2 if _regional(label[0]) and len(label) > 1 and _regional(label[1]) else 1
    while end < len(label) and _continues(label[end - 1], label[end]):
        end += 1
    rest = label[end:]
    if not rest.startswith(" ") or not rest.strip():
        return None, label
    return label[:end], rest.strip()


_ZWJ = "\u200d"
_EMOJI_PARTS = frozenset({"\ufe0f", "\u20e3", _ZWJ})


def _continues(before: str, char: str) -> bool:
    """Whether `char` is still part of the emoji that `before` ends."""
    if char in _EMOJI_PARTS or "\U0001f3fb" <= char <= "\U0001f3ff":  # skin tones
        return True
    return before == _ZWJ and unicodedata.category(char) == "So"


def _regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def poll_buttons(poll: Poll, now: datetime) -> tuple[Button, ...]:
    """One button per option while open (a leading emoji as the button's), and Results."""
    buttons = []
    if poll.is_open(now):
        for n, label in enumerate(poll.options, 1):
            emoji, text = split_emoji(label)
            made = actions.button(fit(f"{n}. {text}", POLL_OPTION_MAX), f"poll vote {poll.id} {n}")
            buttons.append(replace(made, emoji=emoji) if emoji else made)
    buttons.append(actions.button("Results", f"poll results {poll.id}"))
    return tuple(buttons)


def results_card(
    poll: Poll, tally: Tally, now: datetime, *, moderator: bool, timezone: str = "UTC"
) -> Card:
    """The results as one viewer may see them (for `poll results` and announcements)."""
    shown = visible_to(poll, now, moderator=moderator)
    body = f"{poll.question}\n\n{option_lines(poll, tally if shown else None)}"
    footer = [kind_text(poll), turnout(tally)]
    if not shown:
        footer.append(hidden_note(poll))
    elif poll.results == "mods":
        footer.append("Only moderators see these counts.")
    footer.append(status(poll, now, timezone))
    return Card("poll", body, title=f"Results: poll #{poll.id}", footer=" · ".join(footer))


VOTERS_SHOWN_MAX = 50


def voters_card(
    poll: Poll, votes: list[PollVote], now: datetime, *, moderator: bool, timezone: str = "UTC"
) -> Card:
    """Who picked what, for a viewer who may see the results; Refused otherwise."""
    if poll.anonymous:
        raise Refused(
            f"Poll #{poll.id} is anonymous: its votes are stored without names, so there is "
            f"no list of voters. `poll results {poll.id}` shows the counts."
        )
    if not visible_to(poll, now, moderator=moderator):
        if poll.results == "mods":
            raise Refused(f"Poll #{poll.id} shows its results and voters to moderators only.")
        raise Refused(
            f"Poll #{poll.id} hides its results until it closes; its voters are shown then."
        )
    names: dict[int, list[str]] = {n: [] for n in range(1, len(poll.options) + 1)}
    for vote in votes:
        names.setdefault(vote.option, []).append(vote.voter_name or vote.voter_id or "?")
    lines = []
    for number, label in enumerate(poll.options, 1):
        who = names[number]
        # A long list would pass a platform's message limit; the export has everyone.
        listed = ", ".join(who[:VOTERS_SHOWN_MAX]) or "nobody"
        if len(who) > VOTERS_SHOWN_MAX:
            listed += f" and {len(who) - VOTERS_SHOWN_MAX} more"
        lines.append(f"{number}. {label} ({len(who)}): {listed}")
    voters = len({vote.voter_id for vote in votes})
    footer = [kind_text(poll), plural(voters, "voter"), status(poll, now, timezone)]
    return Card(
        "poll",
        f"{poll.question}\n\n" + "\n".join(lines),
        title=f"Voters: poll #{poll.id}",
        footer=" · ".join(footer),
    )


def announcement(poll: Poll, tally: Tally, now: datetime, timezone: str = "UTC") -> Card:
    """The public 'poll closed' message, posted once."""
    card = results_card(poll, tally, now, moderator=False, timezone=timezone)
    if poll.closed_by == "deadline":
        how = "its deadline passed"
    elif poll.closed_by == poll.creator_id:
        how = "closed by its creator"
    else:
        how = "closed by a moderator"
    return Card(
        "poll",
        card.body,
        title=f"Poll #{poll.id} has closed ({how})",
        footer=card.footer,
    )


def vote_message(outcome: VoteOutcome) -> str:
    """The voter's private confirmation of what their click did."""
    poll = outcome.poll

    def name(option: int) -> str:
        return f"{option}. {poll.options[option - 1]}"

    ref = f"poll #{poll.id}"
    if outcome.change == "added" and not poll.multi:
        text = f"Your vote in {ref}: {name(outcome.option)}. Vote for it again to take it back."
    elif outcome.change == "moved":
        text = f"You moved your vote in {ref} from {name(outcome.previous[0])} to "
        text += f"{name(outcome.option)}."
    elif outcome.change == "retracted":
        text = f"You took back your vote in {ref} (it was {name(outcome.option)})."
    else:
        verb = "Added" if outcome.change == "added" else "Removed"
        joined = ", ".join(str(p) for p in outcome.picks) or "none"
        text = (
            f"{verb} {name(outcome.option)} {'to' if verb == 'Added' else 'from'} your picks in "
            f"{ref}. Your picks: {joined} (up to {poll.max_picks})."
        )
        if verb == "Added":
            text += " Vote for it again to remove it."
    if poll.anonymous:
        text += " This poll is anonymous: your choice is stored without your name."
    return text


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ would run in Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export(poll: Poll, tally: Tally, votes: list[PollVote]) -> tuple[Attachment, ...]:
    """CSV files: the tally, and for polls that are not anonymous, who picked what."""
    summary = io.StringIO()
    writer = csv.writer(summary, lineterminator="\n")
    writer.writerow(
        ["poll_id", "question", "option_number", "option", "votes", "percent_of_voters", "voters"]
    )
    for number, label in enumerate(poll.options, 1):
        count = tally.counts[number - 1]
        writer.writerow(
            [
                poll.id,
                csv_cell(poll.question),
                number,
                csv_cell(label),
                count,
                percent(count, tally.voters),
                tally.voters,
            ]
        )
    files = [Attachment(f"poll-{poll.id}-results.csv", summary.getvalue().encode())]
    if not poll.anonymous:
        detail = io.StringIO()
        writer = csv.writer(detail, lineterminator="\n")
        writer.writerow(
            ["poll_id", "option_number", "option", "voter_id", "voter_name", "voted_at"]
        )
        for vote in votes:
            writer.writerow(
                [
                    poll.id,
                    vote.option,
                    csv_cell(poll.options[vote.option - 1]),
                    csv_cell(vote.voter_id or ""),
                    csv_cell(vote.voter_name or ""),
                    vote.voted_at.isoformat() if vote.voted_at else "",
                ]
            )
        files.append(Attachment(f"poll-{poll.id}-votes.csv", detail.getvalue().encode()))
    return tuple(files)
