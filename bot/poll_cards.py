"""How a poll looks: its card, buttons, results with bars, voters, reminders and announcements.

Shared by every path that shows a poll (commands, clicks, deadline closes, scheduled posts),
so a poll looks the same however it is shown.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import actions
from bot.durations import format_remaining, format_time
from bot.emoji import split_emoji
from bot.limits import POLL_OPTION_MAX, POLL_OPTIONS_MAX, fit
from bot.poll_rules import public_visible, rank_example, visible_to, who_can_vote
from bot.ranked import TIE_RULE, Count, TieBreak
from bot.replies import Button, Card, Form, Pick
from bot.store.base import Ballot, Poll, PollVote, RankOutcome, Refused, Tally, VoteOutcome
from bot.wording import plural

BAR_WIDTH = 10


def reminder_card(poll: Poll, tally: Tally, now: datetime, timezone: str = "UTC") -> Card:
    """The one public reminder before a poll's deadline, with its turnout and vote buttons."""
    assert poll.closes_at is not None
    left = format_remaining(poll.closes_at - now)
    return Card(
        "poll",
        f"{poll.question}\n\n{option_lines(poll, None)}\n\n{turnout(tally)} so far. "
        + how_to_vote(poll),
        title=f"Poll #{poll.id} closes in {left}",
        footer=" · ".join(
            [f"Who can vote: {who}" for who in (who_can_vote(poll),) if who]
            + [status(poll, now, timezone)]
        ),
        buttons=poll_buttons(poll, now),
    )


def how_to_vote(poll: Poll) -> str:
    """The line telling people how to vote in this poll, by button or by typing."""
    if poll.ranked:
        return f"Rank the options with the Rank button, or `{rank_example(poll)}`."
    return f"Vote with the buttons, or `poll vote {poll.id} <option-number>`."


def percent(count: int, total: int) -> int:
    """Whole-number percentage, rounding half up; 0 when nobody voted."""
    if total <= 0:
        return 0
    return (200 * count + total) // (2 * total)


def bar(count: int, total: int, width: int = BAR_WIDTH) -> str:
    """A text bar of `width` cells, filled in proportion to count/total."""
    filled = 0 if total <= 0 else (2 * width * count + total) // (2 * total)
    return "█" * filled + "░" * (width - filled)


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
    if tally is not None and poll.ranked:
        lines.append("\nFirst preferences; the results show the instant-runoff count.")
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
    if poll.ranked:
        text = "Ranked choice"
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
    who = who_can_vote(poll)
    if who:
        footer.append(f"Who can vote: {who}")
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


def poll_buttons(poll: Poll, now: datetime) -> tuple[Button, ...]:
    """One button per option while open (a leading emoji as the button's), and Results.

    An `--open` poll with room for more has "Add option": `poll add 12` without its text, which
    platforms with forms ask for in one (a console user types the rest).
    """
    buttons = []
    if poll.is_open(now) and poll.ranked:
        buttons.append(actions.button("Rank", f"poll rank {poll.id}", "primary"))
    elif poll.is_open(now):
        for n, label in enumerate(poll.options, 1):
            emoji, text = split_emoji(label)
            made = actions.button(fit(f"{n}. {text}", POLL_OPTION_MAX), f"poll vote {poll.id} {n}")
            buttons.append(replace(made, emoji=emoji) if emoji else made)
        if poll.open_options and len(poll.options) < POLL_OPTIONS_MAX:
            buttons.append(actions.button("Add option", f"poll add {poll.id}"))
    buttons.append(actions.button("Results", f"poll results {poll.id}"))
    return tuple(buttons)


def results_card(
    poll: Poll,
    tally: Tally,
    now: datetime,
    *,
    moderator: bool,
    timezone: str = "UTC",
    runoff: Count | None = None,
) -> Card:
    """The results as one viewer may see them (for `poll results` and announcements).

    A ranked poll's `runoff` (its instant-runoff count) replaces the bars when shown.
    """
    shown = visible_to(poll, now, moderator=moderator)
    body = f"{poll.question}\n\n{option_lines(poll, tally if shown else None)}"
    if shown and runoff is not None:
        body = f"{poll.question}\n\n{option_lines(poll, None)}\n\n{runoff_text(poll, runoff)}"
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


def announcement(
    poll: Poll, tally: Tally, now: datetime, timezone: str = "UTC", runoff: Count | None = None
) -> Card:
    """The public 'poll closed' message, posted once."""
    card = results_card(poll, tally, now, moderator=False, timezone=timezone, runoff=runoff)
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


# Ranked choice -----------------------------------------------------------------------------


def _named(poll: Poll, option: int) -> str:
    return f"{option}. {poll.options[option - 1]}"


TIE_BREAKS: dict[TieBreak, str] = {
    "first preferences": "fewer first preferences",
    "option number": "the later option number",
}


def runoff_text(poll: Poll, runoff: Count) -> str:
    """The instant-runoff count in words: each round, the winner or the tie, and the tie rule."""
    if not runoff.rounds:
        return f"No rankings yet. {TIE_RULE}"
    lines = [f"Instant-runoff count of {plural(runoff.ballots, 'ballot')}:"]
    for number, step in enumerate(runoff.rounds, 1):
        held = " · ".join(f"{_named(poll, option)}: {votes}" for option, votes in step.counts)
        if step.exhausted:
            held += f" · {step.exhausted} exhausted"
        line = f"Round {number}: {held}"
        if step.eliminated is not None:
            line += f". Out: {_named(poll, step.eliminated)}"
            if step.tie_break is not None:
                line += f" (tied for fewest; {TIE_BREAKS[step.tie_break]})"
        lines.append(line + ".")
    last = runoff.rounds[-1]
    if runoff.winner is not None:
        votes = dict(last.counts)[runoff.winner]
        lines.append(
            f"Winner: {_named(poll, runoff.winner)}, with {votes} of {last.active} ballots "
            f"({percent(votes, last.active)}%) in round {len(runoff.rounds)}."
        )
    else:
        tied = " and ".join(_named(poll, option) for option in runoff.tied)
        lines.append(f"Tie: {tied} hold the same count in the last round, so no option wins.")
    lines.append(TIE_RULE)
    return "\n".join(lines)


ORDINALS = ("1st", "2nd", "3rd")


def ordinal(n: int) -> str:
    """`1st`, `2nd`, `3rd`, `4th`... for the places on a ranking (up to 20)."""
    return ORDINALS[n - 1] if n <= len(ORDINALS) else f"{n}th"


def rank_form(poll: Poll) -> tuple[Card, Form]:
    """What `poll rank <id>` alone answers: the form to rank in, and a card saying what to type."""
    card = Card(
        "notice",
        f"{poll.question}\n\n{option_lines(poll, None)}\n\nRank every option, most preferred "
        f"first: `{rank_example(poll)}`. Ranking again replaces your ranking.",
        title=f"Rank poll #{poll.id}",
    )
    choices = tuple((_named(poll, n), str(n)) for n in range(1, len(poll.options) + 1))
    picks = tuple(
        Pick(f"{ordinal(place)} choice", choices) for place in range(1, len(poll.options) + 1)
    )
    example = rank_example(poll).removeprefix(f"poll rank {poll.id} ")
    hint = f"Option numbers, most preferred first, each once: {example}"
    return card, Form(f"Rank poll #{poll.id}", f"poll rank {poll.id}", picks, hint)


def rank_message(outcome: RankOutcome) -> str:
    """The voter's private confirmation of the ranking stored."""
    poll = outcome.poll
    ranking = " > ".join(_named(poll, option) for option in outcome.ranking)
    verb = "replaced your ranking" if outcome.previous else "stored your ranking"
    text = f"I {verb} in poll #{poll.id}: {ranking}. Rank again to change it."
    if poll.anonymous:
        text += " This poll is anonymous: your ranking is stored without your name."
    return text


def ranked_voters_card(
    poll: Poll, ballots: list[Ballot], now: datetime, *, moderator: bool, timezone: str = "UTC"
) -> Card:
    """Who ranked what in a ranked poll, for a viewer who may see its results."""
    voters_card(poll, [], now, moderator=moderator)  # the same refusals as for votes
    lines = [
        f"{ballot.voter_name or ballot.voter_id or '?'}: "
        + " > ".join(str(option) for option in ballot.ranking)
        for ballot in ballots[:VOTERS_SHOWN_MAX]
    ]
    if len(ballots) > VOTERS_SHOWN_MAX:
        lines.append(f"and {len(ballots) - VOTERS_SHOWN_MAX} more (the export has everyone)")
    footer = [kind_text(poll), plural(len(ballots), "voter"), status(poll, now, timezone)]
    return Card(
        "poll",
        f"{poll.question}\n\n{option_lines(poll, None)}\n\n"
        + ("\n".join(lines) or "Nobody has ranked yet."),
        title=f"Voters: poll #{poll.id}",
        footer=" · ".join(footer),
    )
