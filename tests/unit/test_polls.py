"""Poll rules: checking new polls, deadlines, percentages, bars, visibility, cards and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot import durations, poll_cards, poll_export, poll_rules
from bot.actions import command_line
from bot.errors import NotFound, UserError
from bot.models import Place
from bot.store.base import PollVote, Refused, Tally, VoteOutcome
from tests.unit.pollmaker import ANA, NOW, PLACE, make


def check(*options: str, **kwargs: object) -> object:
    return poll_rules.draft(PLACE, ANA, "Question?", options, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_draft_cleans_whitespace_and_keeps_settings() -> None:
    made = poll_rules.draft(
        PLACE,
        ANA,
        "  Which   issues?  ",
        (" Sanctions ", "Peace  treaty", "Human rights"),
        multi=2,
        anonymous=True,
        results="mods",
        closes="1d",
        now=NOW,
    )
    assert made.question == "Which issues?"
    assert made.options == ("Sanctions", "Peace treaty", "Human rights")
    assert (made.max_picks, made.anonymous, made.results) == (2, True, "mods")
    assert made.closes_at == NOW + timedelta(days=1)
    assert (made.creator_id, made.creator_name, made.place) == ("ana", "Ana", PLACE)


@pytest.mark.parametrize(
    ("options", "kwargs", "message"),
    [
        (("Yes", "YES"), {}, "Options 1 and 2 are the same"),
        (("Yes", "  "), {}, "Option 2 is empty"),
        (("Yes",), {}, "needs 2 to 20 options; you gave 1"),
        (tuple(f"o{n}" for n in range(21)), {}, "you gave 21"),
        (("Yes", "x" * 76), {}, "Option 2 is 76 characters; the limit is 75"),
        (("Yes", "No"), {"multi": 3}, r"between 1 and the number of options \(2\)"),
        (("Yes", "No"), {"closes": "soon"}, "is not a duration"),
    ],
)
def test_draft_refusals_name_the_fix(
    options: tuple[str, ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        check(*options, **kwargs)


def test_question_limits() -> None:
    with pytest.raises(UserError, match="empty"):
        poll_rules.draft(PLACE, ANA, "   ", ("a", "b"), now=NOW)
    with pytest.raises(UserError, match="301 characters; the limit is 300"):
        poll_rules.draft(PLACE, ANA, "q" * 301, ("a", "b"), now=NOW)
    assert poll_rules.draft(PLACE, ANA, "q" * 300, ("a", "b"), now=NOW).question == "q" * 300


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1H 30M", timedelta(hours=1, minutes=30)),
        ("2w", timedelta(weeks=2)),
        ("45min", timedelta(minutes=45)),
        ("2026-01-05T18:00", timedelta(hours=6)),
        ("2026-01-05T18:00+01:00", timedelta(hours=5)),
        ("2026-01-05 13:00Z", timedelta(hours=1)),
    ],
)
def test_parse_closes(text: str, delta: timedelta) -> None:
    assert durations.parse_closes(text, NOW) == NOW + delta


def test_parse_closes_reads_a_bare_time_in_the_configured_zone() -> None:
    # 18:00 in New York in January is 23:00 UTC.
    moment = durations.parse_closes("2026-01-05T18:00", NOW, "America/New_York")
    assert moment.astimezone(UTC) == datetime(2026, 1, 5, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0m", "in the past"),
        ("2026-01-05T12:00:30", "too soon"),
        ("2025-12-31T00:00", "in the past"),
        ("91d", "more than 90 days"),
        ("tomorrow", "not a duration"),
        ("", "not a duration"),
        ("h", "not a duration"),
    ],
)
def test_parse_closes_refusals(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        durations.parse_closes(text, NOW)


def test_percent_and_bar() -> None:
    assert (
        poll_cards.percent(1, 3) == 33
        and poll_cards.percent(2, 3) == 67
        and poll_cards.percent(1, 8) == 13
    )
    assert poll_cards.percent(0, 0) == 0 and poll_cards.percent(5, 5) == 100
    assert poll_cards.bar(0, 0) == "░" * 10
    assert poll_cards.bar(1, 2) == "█████░░░░░"
    assert poll_cards.bar(3, 3) == "█" * 10
    assert poll_cards.bar(1, 3, width=6) == "██░░░░"


def test_visibility_rules() -> None:
    closed_at = NOW - timedelta(minutes=1)
    for mode, open_member, open_mod, closed_member, closed_mod in [
        ("live", True, True, True, True),
        ("closed", False, False, True, True),
        ("mods", False, True, False, True),
    ]:
        poll = make(results=mode)
        shut = make(results=mode, closed_at=closed_at)
        assert poll_rules.visible_to(poll, NOW, moderator=False) is open_member, mode
        assert poll_rules.visible_to(poll, NOW, moderator=True) is open_mod, mode
        assert poll_rules.visible_to(shut, NOW, moderator=False) is closed_member, mode
        assert poll_rules.visible_to(shut, NOW, moderator=True) is closed_mod, mode
    # A passed deadline counts as closed even before the sweep marks it.
    due = make(results="closed", closes_at=NOW - timedelta(seconds=1))
    assert poll_rules.visible_to(due, NOW, moderator=False)


def test_public_card_of_a_live_poll() -> None:
    card = poll_cards.poll_card(make(closes_at=NOW + timedelta(hours=2)), Tally((2, 1, 0), 3), NOW)
    assert card.kind == "poll" and card.title == "Poll #12"
    assert card.body.startswith("Who should negotiate?\n\n1. Pompeo\n███████░░░ 67% · 2 votes")
    assert "2. Bolton\n███░░░░░░░ 33% · 1 vote\n" in card.body
    assert card.footer is not None
    assert "Single choice · 3 voters · Open · closes Mon 05 Jan 2026 14:00 UTC (in 2h)" in (
        card.footer
    )
    lines = [command_line(b.action) for b in card.buttons]
    assert lines == ["poll vote 12 1", "poll vote 12 2", "poll vote 12 3", "poll results 12"]
    assert [b.label for b in card.buttons][:2] == ["1. Pompeo", "2. Bolton"]


def test_public_card_hides_counts_and_turnout_until_allowed() -> None:
    hidden = poll_cards.poll_card(make(results="closed"), Tally((2, 1, 0), 3), NOW)
    assert "%" not in hidden.body and "votes" not in hidden.body
    assert hidden.footer is not None and "3 voters" not in hidden.footer
    assert "Results are shown when the poll closes." in hidden.footer
    mods = make(results="mods", closed_at=NOW)
    after = poll_cards.poll_card(mods, Tally((2, 1, 0), 3), NOW)
    assert "%" not in after.body
    assert after.footer is not None and "3 voters" in after.footer
    assert "visible to moderators only" in after.footer
    # A closed poll keeps only its Results button.
    assert [command_line(b.action) for b in after.buttons] == ["poll results 12"]


def test_button_labels_fit_the_tightest_platform() -> None:
    poll = make(options=("a" * 75, "b"))
    card = poll_cards.poll_card(poll, Tally((0, 0), 0), NOW)
    assert all(len(b.label) <= 75 for b in card.buttons)
    assert card.buttons[0].label.endswith("…")


def test_multi_choice_percentages_are_of_voters() -> None:
    poll = make(max_picks=2)
    card = poll_cards.results_card(poll, Tally((3, 2, 1), 3), NOW, moderator=False)
    assert "1. Pompeo\n██████████ 100% · 3 votes" in card.body
    assert card.footer is not None and card.footer.startswith("Pick up to 2 · 3 voters")


def test_results_card_for_a_moderator_of_a_mods_poll() -> None:
    card = poll_cards.results_card(make(results="mods"), Tally((1, 0, 0), 1), NOW, moderator=True)
    assert "100% · 1 vote" in card.body
    assert card.footer is not None and "Only moderators see these counts." in card.footer


def test_status_texts() -> None:
    assert poll_cards.status(make(), NOW) == "Open, no deadline"
    late = make(closes_at=NOW - timedelta(hours=1))
    assert poll_cards.status(late, NOW) == "Closed Mon 05 Jan 2026 11:00 UTC (deadline)"
    assert durations.format_remaining(timedelta(days=2, hours=3, minutes=5)) == "2d 3h"
    assert durations.format_remaining(timedelta(seconds=30)) == "under a minute"
    assert durations.format_remaining(timedelta(minutes=90)) == "1h 30m"


def test_vote_messages() -> None:
    poll = make()
    added = VoteOutcome(poll, 2, "added", (), (2,))
    assert poll_cards.vote_message(added) == (
        "Your vote in poll #12: 2. Bolton. Vote for it again to take it back."
    )
    moved = VoteOutcome(poll, 3, "moved", (2,), (3,))
    assert "from 2. Bolton to 3. Someone new" in poll_cards.vote_message(moved)
    back = VoteOutcome(poll, 3, "retracted", (3,), ())
    assert "took back your vote" in poll_cards.vote_message(back)
    multi = VoteOutcome(make(max_picks=2, anonymous=True), 1, "added", (3,), (1, 3))
    text = poll_cards.vote_message(multi)
    assert "Added 1. Pompeo to your picks" in text and "Your picks: 1, 3 (up to 2)" in text
    assert "anonymous" in text


def test_export_csv_neutralises_formulas_and_drops_anonymous_voters() -> None:
    poll = make(options=("=HYPERLINK(1)", "+1", "ok"))
    votes = [PollVote(1, "u1", "@ann", NOW), PollVote(3, "u2", "Bo", NOW)]
    files = poll_export.export(poll, Tally((1, 0, 1), 2), votes)
    assert [f.filename for f in files] == ["poll-12-results.csv", "poll-12-votes.csv"]
    rows = list(csv.reader(io.StringIO(files[0].content.decode())))
    assert rows[0][:5] == ["poll_id", "question", "option_number", "option", "votes"]
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[2][3] == "'+1" and rows[1][5] == "50"
    voters = list(csv.reader(io.StringIO(files[1].content.decode())))
    assert voters[1][3:5] == ["u1", "'@ann"]
    anonymous = poll_export.export(make(anonymous=True), Tally((1, 0, 1), 2), [])
    assert [f.filename for f in anonymous] == ["poll-12-results.csv"]


# What a click does: the rule the store applies, decided here without a database.


def test_a_click_adds_moves_and_retracts_on_a_single_choice_poll() -> None:
    poll = make()
    assert poll_rules.click(poll, (), 2) == VoteOutcome(poll, 2, "added", (), (2,))
    assert poll_rules.click(poll, (2,), 3) == VoteOutcome(poll, 3, "moved", (2,), (3,))
    assert poll_rules.click(poll, (3,), 3) == VoteOutcome(poll, 3, "retracted", (3,), ())


def test_a_click_toggles_up_to_the_limit_on_a_multi_choice_poll() -> None:
    poll = make(max_picks=2)
    assert poll_rules.click(poll, (1,), 3).picks == (1, 3)
    assert poll_rules.click(poll, (1, 3), 1) == VoteOutcome(poll, 1, "removed", (1, 3), (3,))
    with pytest.raises(Refused, match=r"at most 2 picks and you have 1, 3\. Vote for one"):
        poll_rules.click(poll, (1, 3), 2)


def test_a_vote_is_checked_for_place_state_and_option() -> None:
    poll = make(closes_at=NOW + timedelta(hours=1))
    assert poll_rules.check_vote(poll, 12, PLACE, 3, NOW) is poll
    elsewhere = Place("console", "local", "random")
    for missing, place in ((None, PLACE), (poll, elsewhere)):
        with pytest.raises(NotFound, match="#12"):
            poll_rules.check_vote(missing, 12, place, 1, NOW)
    with pytest.raises(Refused, match=r"no option 4\. Pick a number from 1 to 3"):
        poll_rules.check_vote(poll, 12, PLACE, 4, NOW)
    with pytest.raises(Refused, match="closed"):
        poll_rules.check_vote(poll, 12, PLACE, 1, NOW + timedelta(hours=1))
    with pytest.raises(Refused, match="closed"):
        poll_rules.check_vote(make(closed_at=NOW), 12, PLACE, 1, NOW)


def test_a_leading_emoji_is_split_from_an_option() -> None:
    from bot.emoji import split_emoji

    assert split_emoji("🍕 Pizza") == ("🍕", "Pizza")
    assert split_emoji("❤️ Love") == ("❤️", "Love")  # with its variation selector
    assert split_emoji("👍🏽 Fine") == ("👍🏽", "Fine")  # with its skin tone
    assert split_emoji("👩‍💻 Coders") == ("👩‍💻", "Coders")  # joined by ZWJ
    assert split_emoji("🇰🇷 Korea") == ("🇰🇷", "Korea")  # a flag
    assert split_emoji("🍕") == (None, "🍕")  # nothing left to label the button
    assert split_emoji("🍕Pizza") == (None, "🍕Pizza")
    assert split_emoji("Pizza 🍕") == (None, "Pizza 🍕")
    assert split_emoji("1 Pizza") == (None, "1 Pizza")
