"""Every bad input gets a clear refusal, writes nothing and never becomes an incident.

Each line is typed in the console against a real SQLite file; the database is compared before
and after, row by row, through a separate connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.models import Place, User
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot

INCIDENT = "Something went wrong on our side"


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, read through a separate connection."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


async def refused(chat: Chat, db: Path, line: str) -> str:
    """What the console shows for `line`, asserting it was a refusal that wrote nothing."""
    before = snapshot(db)
    out = await chat.as_user("mona", line, moderator=True)
    assert INCIDENT not in out, out
    assert "only you can see this" in out, out
    assert snapshot(db) == before
    return out


async def test_ids_beyond_64_bits_are_refused_with_the_range(chat: Chat, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    await chat.say('poll create "Q?" "A" "B"')
    biggest = 2**63 - 1
    for line in [f"poll vote {biggest + 1} 1", "poll results 99999999999999999999"]:
        out = await refused(chat, db, line)
        assert f"<id> must be at most {biggest} (a whole number from 1 to {biggest})" in out
    out = await refused(chat, db, f"poll results -{'9' * 5000}")
    assert "<id> must be at least 1 (a whole number from 1 to" in out
    # On the limit itself the number reaches the store and is simply not found.
    assert f"No poll `#{biggest}`" in await refused(chat, db, f"poll results {biggest}")
    for line in ["poll vote 1 21", "poll vote 1 ١"]:
        out = await refused(chat, db, line)
        assert "<option-number> must be" in out
    assert "Your vote in poll #1" in await chat.say("poll vote 1 1")


@pytest.mark.parametrize(
    ("closes", "complaint"),
    [
        ("99999999999d", "is more than 90 days away"),
        ("9" * 30 + "w", "is more than 90 days away"),
        ("1e400h", "is not a duration such as 30m"),
        ("9999-12-31T23:59", "is more than 90 days away"),
        ("10000-01-01", "is not a duration such as 30m"),
        ("0001-01-01T00:00", "is in the past"),
        ("90d1m", "is more than 90 days away"),
        ("59s", "is not a duration"),
        ("١h", "is not a duration"),
    ],
)
async def test_huge_deadlines_are_refused_clearly(
    chat: Chat, tmp_path: Path, closes: str, complaint: str
) -> None:
    out = await refused(
        chat, tmp_path / "bot.sqlite3", f'poll create "Q?" "A" "B" --closes {closes}'
    )
    assert complaint in out


@pytest.mark.parametrize(
    ("cron", "complaint"),
    [
        ("*/99999999999999999999999 * * * *", "the step `/99999999999…` in the minute field must"),
        ("*/0 * * * *", "the step `/0` in the minute field must be a whole number from 1 to 60"),
        ("0 */25 * * *", "the step `/25` in the hour field must be a whole number from 1 to 24"),
        ("0-99 * * * *", "99 is outside the minute field, which takes 0 to 59"),
        ("0 9 32 * *", "32 is outside the day-of-month field, which takes 1 to 31"),
        ("0 9 * 13 *", "13 is outside the month field, which takes 1 to 12"),
        ("0 9 * * 8", "8 is outside the day-of-week field, which takes 0 to 7"),
        ("0 9 0 * *", "0 is outside the day-of-month field"),
        ("0 9 15W * *", "the day-of-month field is not valid"),
    ],
)
async def test_absurd_cron_fields_are_refused_naming_the_field(
    chat: Chat, tmp_path: Path, cron: str, complaint: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", f'admin schedule add "{cron}"')
    assert complaint in out


async def test_cron_fields_on_their_limits_are_accepted(chat: Chat) -> None:
    for cron in ["*/60 23 31 12 7", "59 0 1 1 0", "0-59/1 * * * 1#2", "*/1 */24 * * *"]:
        assert "Schedule added" in await chat.as_user(
            "mona", f'admin schedule add "{cron}"', moderator=True
        )


@pytest.mark.parametrize(
    ("options", "same"),
    [
        ('"A" "A\u200b"', "Options 1 and 2 are the same"),
        ('"A" "Ａ"', "Options 1 and 2 are the same"),
        ('"Yes" "No" "y\u00adES"', "Options 1 and 3 are the same"),
        ('"Café" "Cafe\u0301"', "Options 1 and 2 are the same"),
        ('"ﬁne" "FINE"', "Options 1 and 2 are the same"),
        ('"A" "B" "\ufeffb\u2060"', "Options 2 and 3 are the same"),
    ],
)
async def test_options_that_look_the_same_are_duplicates(
    chat: Chat, tmp_path: Path, options: str, same: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", f'poll create "Q?" {options}')
    assert same in out and "Make each option different" in out


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('poll create "\u200b" "A" "B"', "The question is empty once invisible characters"),
        ('poll create "\u2060\ufeff\u00ad" "A" "B"', "The question is empty once invisible"),
        ('poll create "Q?" "A" "\ufe0f"', "Option 2 is empty once invisible characters"),
        ('poll create "Q?" "A" "\u200d\u200c"', "Option 2 is empty once invisible"),
        ('poll create "Q?" "A" "\u3164"', "Option 2 is empty once invisible"),
        ('poll create "Q\x00?" "A" "B"', "The question contains a control character (U+0000)"),
        ('poll create "Q?" "A" "B\x1b[31m"', "Option 2 contains a control character (U+001B)"),
        ('poll create "Q?" "A" "\ud800"', "Option 2 has a broken character (U+D800"),
        ('poll create "Q?" "A" "B" --closes "2h\x00"', "--closes contains a control character"),
        ('debate start "\u200b\u200b"', "The motion is empty once invisible characters"),
        ('debate start "This house\x07 believes"', "The motion contains a control character"),
        ('debate start "\udfff"', "The motion has a broken character (U+DFFF"),
        ('admin schedule add "0 9 * * *" --channel "gen\x00eral"', "--channel contains a control"),
        ('admin pack use "\u200b"', "The id is empty once invisible characters"),
        ('admin moderators add "\x7f"', "The who contains a control character (U+007F)"),
    ],
)
async def test_invisible_control_and_broken_text_is_refused_naming_the_field(
    chat: Chat, tmp_path: Path, line: str, complaint: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", line)
    assert complaint in out


async def test_stored_text_keeps_what_is_visible(chat: Chat, tmp_path: Path) -> None:
    card = await chat.say('poll create "\u200bLunch?\u200b" "❤️" "👩\u200d💻" "Ａ\tB\nC"')
    assert "Lunch?\n\n1. ❤️\n" in card and "2. 👩\u200d💻\n" in card and "3. Ａ B C\n" in card
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        (question,) = conn.execute("SELECT question FROM polls").fetchone()
    assert question == "Lunch?"


async def test_a_quoted_word_is_always_text(chat: Chat) -> None:
    card = await chat.say('poll create "Q?" "A" "B" "--anonymous" "--closes" "2h"')
    assert "3. --anonymous\n" in card and "4. --closes\n" in card and "5. 2h\n" in card
    assert "Single choice ·" in card and "· anonymous" not in card  # the poll is not anonymous
    assert "Open, no deadline" in card


@pytest.mark.parametrize(
    ("line", "twice"),
    [
        ('poll create "Q?" "A" "B" --closes 2h --closes 3h', "`--closes` is given twice"),
        ('poll create "Q?" "A" "B" --anonymous --anonymous', "`--anonymous` is given twice"),
        ('poll create "Q?" "A" "B" --multi 1 --MULTI=2', "`--multi` is given twice"),
        ('admin schedule add "0 9 * * *" --tz UTC --tz=Europe/London', "`--tz` is given twice"),
    ],
)
async def test_a_repeated_option_is_refused_naming_it(
    chat: Chat, tmp_path: Path, line: str, twice: str
) -> None:
    assert twice in await refused(chat, tmp_path / "bot.sqlite3", line)


@pytest.mark.parametrize(
    ("line", "ready"),
    [
        (
            "poll create Talks by 2020? Yes No",
            "Put the question and each option in quotes, like this: "
            'poll create "Talks by 2020?" "Yes" "No"',
        ),
        (
            'poll create Will talks resume? "Yes, soon" Never --closes 2h --results closed',
            'poll create "Will talks resume?" "Yes, soon" "Never" --closes 2h --results closed',
        ),
        (
            "poll create Lunch Pizza Tacos",
            "The question `Lunch` is not in quotes, so its end is unclear. If it is the whole "
            "question, copy this; otherwise put the whole question in one pair of quotes: "
            'poll create "Lunch" "Pizza" "Tacos"',
        ),
    ],
)
async def test_an_unquoted_question_is_refused_with_the_quoted_line_to_copy(
    chat: Chat, tmp_path: Path, line: str, ready: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", line)
    assert ready in out
    copy = out.split("quotes: " if "pair of quotes" in out else "like this: ")[1].split("\n")[0]
    card = await chat.say(copy)
    assert "== Poll #1 ==" in card


async def test_an_unquoted_one_word_question_ending_in_a_question_mark_is_clear(
    chat: Chat,
) -> None:
    card = await chat.say("poll create Lunch? Pizza Tacos")
    assert "Lunch?\n\n1. Pizza\n" in card and "2. Tacos\n" in card


@pytest.mark.parametrize(
    ("line", "question", "options"),
    [
        ("poll create “Is it?” “A b” c", "Is it?", ["A b", "c"]),
        (
            "poll create ‘Kim’s plan?’ ‘Yes, it’s fine’ don't Kim’s",
            "Kim’s plan?",
            ["Yes, it’s fine", "don't", "Kim’s"],
        ),
        ("poll create „Gut so?“ «Ja» »Nein«", "Gut so?", ["Ja", "Nein"]),
        ('poll create “Say \\"hi\\"?” A B', 'Say "hi"?', ["A", "B"]),
    ],
)
async def test_curly_quotes_work_as_quotes_and_apostrophes_stay(
    chat: Chat, line: str, question: str, options: list[str]
) -> None:
    card = await chat.say(line)
    assert f"{question}\n\n" in card
    for number, option in enumerate(options, 1):
        assert f"{number}. {option}\n" in card


async def test_an_unclosed_curly_quote_is_named(chat: Chat, tmp_path: Path) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", "poll create ‘Is it? Yes No")
    assert "A quote (‘) is not closed. Close it with ’ and try again." in out


async def test_a_too_long_option_question_or_motion_is_named_with_its_start(
    chat: Chat, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    fits, over = "o" * 74 + "!", "Lorem ipsum dolor sit amet " + "x" * 49
    assert len(fits) == 75 and len(over) == 76
    out = await refused(chat, db, f'poll create "Q?" "A" "B" "{over}"')
    assert (
        "Option 3 is 76 characters; the limit is 75 (it starts `Lorem ipsum dolor sit…`). "
        "Shorten it and try again." in out
    )
    question = "Why " + "q" * 297
    out = await refused(chat, db, f'poll create "{question}" "A" "B"')
    assert "The question is 301 characters; the limit is 300 (it starts `Why qqqq" in out
    motion = "This house " + "m" * 290
    out = await refused(chat, db, f'debate start "{motion}"')
    assert "The motion is 301 characters; the limit is 300 (it starts `This house…`)" in out
    # Exactly on each limit is accepted.
    assert "== Poll #1 ==" in await chat.say(f'poll create "{question[:300]}" "A" "{fits}"')
    made = await chat.as_user("mona", f'debate start "{motion[:300]}"', moderator=True)
    assert "== Debate #1" in made


def poll_line(options: int, extra: str = "") -> str:
    return 'poll create "Q?" ' + " ".join(f'"o{n}"' for n in range(1, options + 1)) + extra


async def test_option_counts_and_multi_on_both_sides_of_each_limit(
    chat: Chat, tmp_path: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    assert "needs at least 2 options; you gave 1" in await refused(chat, db, poll_line(1))
    assert "takes at most 20 options; you gave 21" in await refused(chat, db, poll_line(21))
    out = await refused(chat, db, poll_line(3, " --multi 4"))
    assert "`--multi 4` must be between 1 and the number of options (3)" in out
    out = await refused(chat, db, poll_line(20, " --multi 21"))
    assert "--multi must be at most 20 (a whole number from 1 to 20); not `21`" in out
    assert "--multi must be at least 1" in await refused(chat, db, poll_line(3, " --multi 0"))
    assert "Pick up to 3" in await chat.say(poll_line(3, " --multi 3"))
    card = await chat.say(poll_line(20, " --multi 20"))
    assert "20. o20\n" in card and "Pick up to 20" in card
    assert "== Poll #3 ==" in await chat.say(poll_line(2))


@pytest.mark.parametrize(
    ("closes", "accepted"),
    [
        ("1m", True),
        ("2026-01-05T12:01", True),  # the clock stands at 2026-01-05 12:00 UTC
        ("2026-01-05T12:00:59", False),
        ("0m", False),
        ("90d", True),
        ("12w6d", True),
        ("2026-04-05T12:00", True),
        ("2026-04-05T12:00:01", False),
        ("129600m", True),
        ("129601m", False),
    ],
)
async def test_deadlines_on_both_sides_of_a_minute_and_90_days(
    chat: Chat, tmp_path: Path, closes: str, accepted: bool
) -> None:
    line = f'poll create "Q?" "A" "B" --closes {closes}'
    if accepted:
        assert "== Poll #1 ==" in await chat.say(line)
    else:
        out = await refused(chat, tmp_path / "bot.sqlite3", line)
        assert "too soon" in out or "in the past" in out or "more than 90 days away" in out


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('poll create "" "A" "B"', "The question is empty. Give it some text."),
        ('poll create "  \t " "A" "B"', "The question is empty. Give it some text."),
        ('poll create "Q?" "A" " "', "Option 2 is empty. Give it some text."),
        ('debate start ""', "The motion is empty. Give it some text."),
        ('debate start "   "', "The motion is empty. Give it some text."),
        ('poll create "Q?" "A" "B" --closes ""', "`--closes` has an empty value"),
        ('poll create "Q?" "A" "B" --multi=', "`--multi` has an empty value"),
        ('poll create "Q?" "A" "B" --results " "', "`--results` has an empty value"),
        ('admin schedule add "0 9 * * *" --tz=', "`--tz` has an empty value"),
        ('poll create "Q?" "A" "B" --anonymous=yes', "--anonymous is a switch and takes no value"),
        ('poll create "Q?" "A" "B" --anonymous=', "--anonymous is a switch and takes no value"),
    ],
)
async def test_empty_values_are_refused_not_taken_as_absent(
    chat: Chat, tmp_path: Path, line: str, complaint: str
) -> None:
    assert complaint in await refused(chat, tmp_path / "bot.sqlite3", line)


async def test_tabs_in_a_one_line_field_are_spaces(chat: Chat) -> None:
    card = await chat.say('poll create "Talks\tby 2020?" "Yes\t\tsoon" "No"')
    assert "Talks by 2020?\n\n1. Yes soon\n" in card


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        (
            'poll create "Q?" "A" "B" --closes 2026-03-01 18:00',
            "`18:00` follows `--closes 2026-03-01`. If it is part of that value, put the value "
            'in quotes (--closes "2026-03-01 18:00"); otherwise move `18:00` before the options '
            "that start with --.",
        ),
        (
            "poll create Lunch? Pizza --closes 2h Tacos",
            "`Tacos` follows `--closes 2h`.",
        ),
    ],
)
async def test_a_word_after_a_named_value_is_not_silently_an_option(
    chat: Chat, tmp_path: Path, line: str, complaint: str
) -> None:
    assert complaint in await refused(chat, tmp_path / "bot.sqlite3", line)


async def test_quoted_words_after_named_values_are_still_options(chat: Chat) -> None:
    card = await chat.say('poll create "Q?" --closes "2026-03-01 18:00" "A" "B" --multi 2 "C"')
    assert "3. C\n" in card and "Pick up to 2" in card and "Sun 01 Mar 2026 18:00" in card


async def test_a_platform_name_with_broken_characters_is_stored_readably(
    bot: Bot, tmp_path: Path
) -> None:
    place = Place("console", "local", "general")
    odd = User("u1", "Ana\ud800\x00 Lee\u200b")
    reply = await bot.handle_text('poll create "Q?" "A" "B"', place, odd)
    assert reply.cards[0].title == "Poll #1"
    assert "Your vote" in (await bot.handle_text("poll vote 1 1", place, odd)).cards[0].body
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        assert conn.execute("SELECT creator_name FROM polls").fetchone() == ("Ana\ufffd\ufffd Lee",)


async def test_an_unknown_command_is_echoed_with_hidden_characters_shown(chat: Chat) -> None:
    out = await chat.say("po\x00ll\u200b")
    assert "No command `poU+0000llU+200B`." in out


@pytest.mark.parametrize(
    ("line", "echo"),
    [
        ('poll list "a\x00"', "`poll list` does not take `aU+0000`."),
        ("claims " + "x" * 5000, "`claims` does not take `xxxxxxxx"),
        ('poll create "Q?" A B --\x00', "has no option `--U+0000`"),
        ('poll create "Q?" A B --clo\ud800ses', "has no option `--cloU+D800ses`"),
        (
            'poll create Talks by 2020? "Yes\x00" No',
            'Put the question and each option in double quotes: poll create "Question?" '
            '"Option" "Option"',
        ),
        (
            "poll create Talks by 2020? " + "x" * 3000 + " No",
            'Put the question and each option in double quotes: poll create "Question?" '
            '"Option" "Option"',
        ),
    ],
)
async def test_refusals_echo_typed_text_short_and_visible(
    chat: Chat, tmp_path: Path, line: str, echo: str
) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", line)
    assert echo in out
    assert len(out) < 1000 and "\x00" not in out and "\ud800" not in out


async def test_counts_on_both_sides_of_their_maximum(chat: Chat, tmp_path: Path) -> None:
    out = await refused(chat, tmp_path / "bot.sqlite3", "admin audit 51")
    assert "<N> must be at most 50 (a whole number from 1 to 50); not `51`." in out
    assert "Error" not in await chat.as_user("mona", "admin audit 50", moderator=True)
    await chat.say('poll create "Q?" ' + " ".join(f'"o{n}"' for n in range(1, 21)))
    assert "Your vote in poll #1: 20. o20" in await chat.say("poll vote 1 20")
    out = await refused(chat, tmp_path / "bot.sqlite3", "poll vote 1 21")
    assert "<option-number> must be at most 20 (a whole number from 1 to 20); not `21`." in out
