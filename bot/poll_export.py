"""A poll's votes as a CSV file, with cells neutralised against spreadsheet formulas."""

from __future__ import annotations

import csv
import io

from bot.poll_cards import percent
from bot.replies import Attachment
from bot.store.base import Poll, PollVote, Tally


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
