"""What a results chart shows: bars, their labels and numbers, the title, and its alt text.

Pure data, no plotting: `bot.chart_png` draws a `Chart`, and every number on it comes from
here, computed as the text cards compute it, so the picture and the words always agree.
Poll bars are percentages of voters (not of votes), like the poll's text; a debate shows each
side's opening and closing share, as `debate close` reports them, with the swing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import debates
from bot.debates import LABELS, PhaseTally, Results
from bot.emoji import split_emoji
from bot.limits import fit
from bot.poll_cards import percent
from bot.poll_rules import public_visible
from bot.store.base import SIDES, Debate, Poll, Side, Tally
from bot.wording import plural

# A label sits on its own line above its bar: most options fit whole, none runs off the picture.
LABEL_MAX = 60
TITLE_MAX = 120
# The tightest platform limit on an image's alt text: 1000 characters.
ALT_TEXT_MAX = 1000


@dataclass(frozen=True)
class Bar:
    """One bar: its share of the axis (0-100) and the words printed beside it."""

    series: int  # index into `Chart.series`
    count: int
    share: float  # percent, the bar's length
    value: str  # e.g. "50% · 5 votes"


@dataclass(frozen=True)
class Group:
    """A labelled row of bars (one option, or one debate side), with an optional note."""

    label: str
    bars: tuple[Bar, ...]
    note: str = ""  # e.g. a debate side's swing


@dataclass(frozen=True)
class Chart:
    """Everything a renderer needs; `alt_text` describes it for people who cannot see it."""

    filename: str
    title: str
    subtitle: str
    series: tuple[str, ...]  # names of the bars in each group, in order ("Opening vote", ...)
    groups: tuple[Group, ...]
    alt_text: str
    footer: str = ""  # e.g. a debate's winner


def _label(number: int | None, text: str) -> str:
    emoji, rest = split_emoji(text)
    # The leading emoji is dropped on the picture only: most fonts cannot draw it.
    shown = rest if emoji else text
    shown = " ".join(shown.split())
    prefix = f"{number}. " if number is not None else ""
    return prefix + fit(shown, LABEL_MAX - len(prefix))


def poll_chart(poll: Poll, tally: Tally) -> Chart | None:
    """The chart of a poll's results; None when nobody has voted (there is nothing to draw).

    The caller decides whether the viewer may see the counts, as for the text results.
    """
    if tally.voters <= 0:
        return None
    groups = []
    sentences = []
    for number, option in enumerate(poll.options, 1):
        count = tally.counts[number - 1] if number <= len(tally.counts) else 0
        share = percent(count, tally.voters)
        value = f"{share}% · {plural(count, 'vote')}"
        groups.append(Group(_label(number, option), (Bar(0, count, float(share), value),)))
        sentences.append(f"{number}. {option}: {plural(count, 'vote')}, {share}% of voters.")
    subtitle = f"% of {plural(tally.voters, 'voter')}"
    if poll.ranked:
        # The runoff rounds are in the text; the picture shows where they started.
        subtitle = f"first preferences, {subtitle}"
    if poll.multi:
        subtitle += f"; each could pick up to {poll.max_picks}, so bars can add up past 100%"
    title = fit(f"Poll #{poll.id}: {' '.join(poll.question.split())}", TITLE_MAX)
    summary = f"Bar chart of poll #{poll.id} results for “{poll.question}”. Bars show {subtitle}."
    return Chart(
        filename=f"poll-{poll.id}-results.png",
        title=title,
        subtitle=subtitle,
        series=("Votes",),
        groups=tuple(groups),
        alt_text=fit(" ".join([summary, *sentences]), ALT_TEXT_MAX),
    )


def public_poll_chart(poll: Poll, tally: Tally, now: datetime) -> Chart | None:
    """The chart for everyone (a closing announcement): None while the counts are hidden."""
    return poll_chart(poll, tally) if public_visible(poll, now) else None


def debate_chart(debate: Debate, results: Results) -> Chart | None:
    """Opening against closing share per side, with the swing; None when nobody voted."""
    before, after = results.before, results.after
    if before.total == 0 and after.total == 0:
        return None
    groups = []
    sentences = []
    for side in SIDES:
        bars = (
            Bar(0, before.count(side), before.share(side), _debate_value(before, side)),
            Bar(1, after.count(side), after.share(side), _debate_value(after, side)),
        )
        note = f"swing {debates.points(results.swing(side))}" if results.has_swing else ""
        groups.append(Group(LABELS[side], bars, note))
        sentence = (
            f"{LABELS[side]}: opening {_debate_value(before, side)}, "
            f"closing {_debate_value(after, side)}"
        )
        sentences.append(sentence + (f", {note}." if note else "."))
    subtitle = (
        f"% of each vote's voters: opening {plural(before.total, 'voter')}, "
        f"closing {plural(after.total, 'voter')}"
    )
    title = fit(f"Debate #{debate.id}: {' '.join(debate.motion.split())}", TITLE_MAX)
    summary = (
        f"Bar chart of debate #{debate.id} results for “{debate.motion}”. Bars show {subtitle}."
    )
    outcome = f"Result: {debates.winner_text(results)}"
    return Chart(
        filename=f"debate-{debate.id}-results.png",
        title=title,
        subtitle=subtitle,
        series=("Opening vote", "Closing vote"),
        groups=tuple(groups),
        alt_text=fit(" ".join([summary, *sentences, outcome]), ALT_TEXT_MAX),
        footer=outcome,
    )


def _debate_value(phase: PhaseTally, side: Side) -> str:
    if not phase.total:
        return "no votes"
    return f"{phase.share(side):.1f}% ({phase.count(side)})"
