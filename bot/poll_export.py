"""A poll's votes as a CSV file, with cells neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.poll_cards import percent
from bot.replies import Attachment
from bot.store.base import Ballot, Poll, PollVote, Tally


def csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ would run in Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export(
    poll: Poll, tally: Tally, votes: list[PollVote], ballots: Sequence[Ballot] = ()
) -> tuple[Attachment, ...]:
    """CSV files: the tally, and for polls that are not anonymous, who picked (or ranked) what.

    A ranked poll's tally counts first preferences, and its voters' file has one row per voter
    with their whole ranking.
    """
    summary = io.StringIO()
    writer = csv.writer(summary, lineterminator="\n")
    counted = "first_preferences" if poll.ranked else "votes"
    writer.writerow(
        ["poll_id", "question", "option_number", "option", counted, "percent_of_voters", "voters"]
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
    if poll.ranked and not poll.anonymous:
        files.append(rankings_file(poll, ballots))
    elif not poll.anonymous:
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


def rankings_file(poll: Poll, ballots: Sequence[Ballot]) -> Attachment:
    """Each voter's ranking: option numbers most preferred first, then each place's option."""
    detail = io.StringIO()
    writer = csv.writer(detail, lineterminator="\n")
    places = [f"choice_{n}" for n in range(1, len(poll.options) + 1)]
    writer.writerow(["poll_id", "voter_id", "voter_name", "voted_at", "ranking", *places])
    for ballot in ballots:
        writer.writerow(
            [
                poll.id,
                csv_cell(ballot.voter_id or ""),
                csv_cell(ballot.voter_name or ""),
                ballot.voted_at.isoformat() if ballot.voted_at else "",
                " ".join(str(option) for option in ballot.ranking),
                *(csv_cell(poll.options[option - 1]) for option in ballot.ranking),
            ]
        )
    return Attachment(f"poll-{poll.id}-rankings.csv", detail.getvalue().encode())
