"""Moderator admin commands end to end through the console, on a real SQLite file.

The matrix test runs every admin command in the catalogue as a member (refused, nothing
written) and as a moderator (works, audited). The Discord and Slack adapter suites walk the
same catalogue on their platforms.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console import ConsolePoster
from bot.app import Bot
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.loader import BUNDLED
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Card, Reply
from bot.schedule.cron import next_run
from bot.schedule.model import NewSchedule
from bot.scheduler import Scheduler
from bot.store.base import PollDraft
from bot.store.sqlite import SqliteStore
from tests.scenarios.chat import Chat
from tests.unit.test_scheduler import RecordingPoster

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
HERE = Place("console", "local", "general")
MOD = "mona"
MEMBER = "max"
REFUSED = "is for moderators"


def make_content(root: Path) -> Path:
    """Two valid packs in a folder we may break: the bundled one and a renamed copy."""
    content = root / "content"
    shutil.copytree(BUNDLED / "north-korea-talks", content / "north-korea-talks")
    second = content / "second-pack"
    shutil.copytree(BUNDLED / "north-korea-talks", second)
    yaml = (second / "pack.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("id: north-korea-talks", "id: second-pack", 1)
    yaml = re.sub(r'(?m)^  tldr: ".*"$', '  tldr: "The second pack in a sentence."', yaml, count=1)
    (second / "pack.yaml").write_text(yaml, encoding="utf-8")
    return content


@dataclass
class World:
    bot: Bot
    store: SqliteStore
    chat: Chat
    poster: RecordingPoster
    clock: FakeClock
    content: Path
    db: Path

    async def as_mod(self, line: str) -> str:
        return await self.chat.as_user(MOD, line, moderator=True)

    async def as_member(self, line: str) -> str:
        return await self.chat.as_user(MEMBER, line)

    async def audit_actions(self) -> list[str]:
        return [e.action for e in await self.store.audit_log("console", "local", 200)]

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table, read through a separate connection."""
        with sqlite3.connect(self.db) as conn:
            tables = [
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return {
                t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables
            }


@pytest.fixture(scope="module")
def two_packs(tmp_path_factory: pytest.TempPathFactory) -> PackRegistry:
    """Loaded once: validating a pack takes a fifth of a second."""
    return PackRegistry.load(make_content(tmp_path_factory.mktemp("packs")), "north-korea-talks")


@pytest.fixture
async def world(tmp_path: Path, two_packs: PackRegistry) -> AsyncIterator[World]:
    clock = FakeClock(NOW)
    content = two_packs.root
    assert content is not None
    packs = PackRegistry(two_packs.all(), two_packs.default_id, content)
    db = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(db, clock=clock)
    poster = RecordingPoster()
    services = Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(db_path=db, content_dir=content),
        rng=random.Random(5),
        posters={"console": poster},
    )
    bot = Bot(services)
    yield World(bot, store, Chat(bot), poster, clock, content, db)
    await store.close()


async def add_schedule(world: World, cron: str = "0 9 * * *", channel: str = "general") -> int:
    made = await world.store.create_schedule(
        NewSchedule(
            Place("console", "local", channel),
            cron,
            "UTC",
            "none",
            False,
            None,
            MOD,
            NOW,
            next_run(cron, "UTC", NOW),
        )
    )
    return made.id


async def add_poll(world: World) -> int:
    poll = await world.store.create_poll(
        PollDraft(HERE, MOD, MOD, "Lift sanctions?", ("Yes", "No", "=cmd|' /C calc'!A0"))
    )
    return poll.id


# The matrix -------------------------------------------------------------------------------


async def objects(world: World) -> dict[str, object]:
    """Something for every command to act on."""
    schedule = await add_schedule(world)
    spare = await add_schedule(world, "30 9 * * *")
    paused = await add_schedule(world, "0 10 * * *")
    await world.store.pause_schedule(paused, "by hand")
    poll, spare_poll = await add_poll(world), await add_poll(world)
    debate = await world.store.create_debate(HERE, MOD, MOD, "This house would talk.", None)
    spare_debate = await world.store.create_debate(HERE, MOD, MOD, "This house would wait.", None)
    await world.store.add_moderator("console", "local", "olga", added_by=MOD)
    return {
        "schedule": schedule,
        "spare": spare,
        "paused": paused,
        "poll": poll,
        "spare_poll": spare_poll,
        "debate": debate.id,
        "spare_debate": spare_debate.id,
    }


SAMPLES = {
    "admin schedule add": 'admin schedule add "0 9 * * 1-5" --tz Europe/London --with poll',
    "admin schedule list": "admin schedule list",
    "admin schedule pause": "admin schedule pause {schedule}",
    "admin schedule resume": "admin schedule resume {paused}",
    "admin schedule remove": "admin schedule remove {spare}",
    "admin schedule run": "admin schedule run {schedule}",
    "admin poll close": "admin poll close {poll}",
    "admin poll delete": "admin poll delete {spare_poll}",
    "admin debate advance": "admin debate advance {debate}",
    "admin debate close": "admin debate close {spare_debate}",
    "admin export polls": "admin export polls --since 2026-01-01",
    "admin audit": "admin audit 5",
    "admin moderators add": "admin moderators add <@ursula>",
    "admin moderators remove": "admin moderators remove olga",
    "admin moderators list": "admin moderators list",
    "admin content reload": "admin content reload",
    "admin pack list": "admin pack list",
    "admin pack use": "admin pack use second-pack",
}


def test_the_matrix_covers_every_admin_command(bot: Bot) -> None:
    admin = {c.name for c in bot.catalogue.commands if c.path[0] == "admin"}
    assert admin == set(SAMPLES)
    assert all(c.moderator for c in bot.catalogue.commands if c.path[0] == "admin")


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_members_are_refused_and_nothing_is_written(world: World, name: str) -> None:
    line = SAMPLES[name].format(**await objects(world))
    before = world.snapshot()
    out = await world.as_member(line)
    assert f"`{name}` {REFUSED}" in out
    assert "admin moderators add" in out  # says how to get the rights
    assert "only you can see this" in out
    assert world.snapshot() == before
    assert world.poster.posts == []


# Views only show what is there, so they leave no audit line; everything else is an action.
VIEWS = {"admin schedule list", "admin audit", "admin moderators list", "admin pack list"}


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_moderators_can_and_every_action_is_audited(world: World, name: str) -> None:
    line = SAMPLES[name].format(**await objects(world))
    before = await world.audit_actions()
    out = await world.as_mod(line)
    assert "Error:" not in out, out
    after = await world.audit_actions()
    if name in VIEWS:
        assert after == before
        return
    assert len(after) == len(before) + 1
    assert after[0] in (name, name.removeprefix("admin "))


# Schedules --------------------------------------------------------------------------------


async def test_schedule_lifecycle(world: World) -> None:
    out = await world.as_mod(
        'admin schedule add "0 9 * * 1-5" --tz europe/london --with poll --thread '
        "--channel #debates"
    )
    assert "Schedule 1 posts a debate prompt in #debates" in out
    assert "At 09:00 on Monday through Friday `0 9 * * 1-5` Europe/London" in out
    assert "with a poll, in a thread" in out
    assert "First post: Mon 05 Jan 2026 09:00 GMT" in out
    listed = await world.as_mod("admin schedule list")
    assert "#1 in #debates" in listed and "next: Mon 05 Jan 2026 09:00 GMT" in listed
    assert "not run yet" in listed

    ran = await world.as_mod("admin schedule run 1")
    assert "Posted prompt P" in ran and "in #debates (schedule 1)" in ran
    [(place, reply)] = world.poster.posts
    assert place == Place("console", "local", "debates")
    assert reply.cards[1].kind == "poll" and reply.thread

    assert "is paused" in await world.as_mod("admin schedule pause 1")
    assert "already paused" in await world.as_mod("admin schedule pause 1")
    assert "PAUSED: paused by mona" in await world.as_mod("admin schedule list")
    world.clock.set(NOW + timedelta(days=2))  # Wednesday 08:00 UTC
    resumed = await world.as_mod("admin schedule resume 1")
    assert "running again. Next post: Wed 07 Jan 2026 09:00 GMT" in resumed
    assert "is not paused" in await world.as_mod("admin schedule resume 1")
    assert "is removed" in await world.as_mod("admin schedule remove 1")
    assert "No schedules yet" in await world.as_mod("admin schedule list")
    assert "No schedule `#1`" in await world.as_mod("admin schedule run 1")


async def test_a_schedule_posts_a_moderators_own_poll_or_text(world: World) -> None:
    line = 'admin schedule add "0 9 * * 1" --poll "Lunch on Friday?" "Pizza" "Sushi" --thread'
    out = await world.as_mod(line)
    assert "Schedule 1 posts your poll in #general" in out
    assert "own poll: Lunch on Friday?" in out
    ran = await world.as_mod("admin schedule run 1")
    assert "Posted your poll in #general (schedule 1)" in ran
    [(place, reply)] = world.poster.posts
    assert place == HERE
    (card,) = reply.cards
    assert card.kind == "poll" and "Lunch on Friday?" in card.body and "2. Sushi" in card.body
    assert reply.track is not None and reply.thread == "Lunch on Friday?"
    world.clock.advance(timedelta(minutes=1))
    await world.as_mod("admin schedule run 1")  # each run is a poll of its own
    assert [r.track for _, r in world.poster.posts] == ["poll:1", "poll:2"]

    out = await world.as_mod('admin schedule add "0 17 * * 5" --text "Weekly: what did you read?"')
    assert "Schedule 2 posts your text" in out
    await world.as_mod("admin schedule run 2")
    (text_card,) = world.poster.posts[-1][1].cards
    assert text_card.body == "Weekly: what did you read?"
    assert "own text: Weekly: what did you read?" in await world.as_mod("admin schedule list")

    refusals = {
        'admin schedule add "0 9 * * 1" --poll "Q?" "Only one"': "needs 2 to 20 options",
        'admin schedule add "0 9 * * 1" --poll "Q?" "A" "a"': "Options 1 and 2 are the same",
        'admin schedule add "0 9 * * 1" "A" "B"': "Options go with a poll",
        'admin schedule add "0 9 * * 1" --poll "Q?" "A" "B" --text "T"': "not both",
        'admin schedule add "0 9 * * 1" --text "T" --with poll': "leave out --with and --pack",
    }
    before = world.snapshot()
    for typed, expected in refusals.items():
        assert expected in await world.as_mod(typed), typed
    assert world.snapshot() == before


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ('admin schedule add "0 9 * *"', "has 4 fields; a schedule needs 5"),
        ('admin schedule add "0 25 * * *"', "25 is outside the hour field, which takes 0 to 23"),
        ('admin schedule add "0 9 * * *" --tz Europe/Londn', "Did you mean `Europe/London`"),
        ('admin schedule add "0 9 * * *" --with vote', "must be one of none, poll, debate"),
        ('admin schedule add "0 9 * * *" --pack nope', "No pack `nope`"),
        ('admin schedule add "0 9 * * *" --channel "two words"', "is not a channel"),
        ("admin schedule add", "needs <cron>"),
        ("admin schedule pause 99", "No schedule `#99`"),
        ("admin schedule run x", "must be a whole number"),
    ],
)
async def test_bad_schedule_input_is_refused_and_writes_nothing(
    world: World, line: str, complaint: str
) -> None:
    before = world.snapshot()
    out = await world.as_mod(line)
    assert "Error:" in out and complaint in out
    assert world.snapshot() == before


async def test_schedules_of_another_workspace_are_invisible(world: World) -> None:
    other = await world.store.create_schedule(
        NewSchedule(
            Place("slack", "T1", "C1"), "0 9 * * *", "UTC", "none", False, None, "x", NOW, NOW
        )
    )
    assert f"No schedule `#{other.id}`" in await world.as_mod(f"admin schedule remove {other.id}")
    assert await world.store.get_schedule(other.id) is not None


async def test_channel_mentions_are_understood(world: World) -> None:
    await world.as_mod('admin schedule add "0 9 * * *" --channel <#C024BE91L|debates>')
    [schedule] = await world.store.list_schedules("console", "local")
    assert schedule.place.channel == "C024BE91L"


async def test_schedule_run_posts_into_the_console(world: World) -> None:
    printed: list[str] = []
    world.bot.services.posters["console"] = ConsolePoster(printed.append)
    await world.as_mod('admin schedule add "0 9 * * *" --with debate --thread')
    out = await world.as_mod("admin schedule run 1")
    assert "Posted prompt P" in out
    [post] = printed
    assert post.startswith("[posted in #general as console-1]\n== Debate motion ==")
    assert "Debate #1 (Oxford style)" in post and "(type: debate vote 1 for)" in post
    assert "(a discussion thread opens: P" in post
    assert "only you can see this" not in post
    poster = world.bot.services.posters["console"]
    await poster.update(HERE, "console-1", Reply((Card("debate", "Redrawn"),)))
    assert printed[-1] == "[console-1 in #general now reads]\nRedrawn\n\n"


async def test_a_run_that_fails_says_so(world: World) -> None:
    schedule = await add_schedule(world)
    world.poster.failures.append(PostFailed("missing_scope", retryable=False))
    out = await world.as_mod(f"admin schedule run {schedule}")
    assert "could not post in #general: missing_scope" in out
    stored = await world.store.get_schedule(schedule)
    assert stored is not None and not stored.paused  # a moderator's test run pauses nothing


# Reports reach the next moderator, once -----------------------------------------------------


async def test_a_paused_schedule_is_reported_once_to_the_next_moderator(world: World) -> None:
    schedule = await add_schedule(world)
    world.poster.failures.extend(PostFailed("channel_not_found", retryable=False) for _ in range(5))
    scheduler = Scheduler(world.bot.services, world.bot.catalogue)
    for minute in (0, 1, 3, 7, 15):
        await scheduler.tick(NOW.replace(hour=9, minute=minute))
    member = await world.as_member("summary tldr")
    assert "Needs your attention" not in member
    first = await world.as_mod("admin pack list")
    assert "Needs your attention" in first
    assert f"Schedule {schedule} in #general was paused" in first
    assert "channel_not_found" in first and f"admin schedule resume {schedule}" in first
    second = await world.as_mod("admin pack list")
    assert "Needs your attention" not in second
    actions = await world.audit_actions()
    assert "schedule.pause" in actions and "schedule.fail" in actions


async def test_reports_never_go_into_a_public_reply(world: World) -> None:
    poll = await add_poll(world)
    await world.store.add_report("console", "local", "Schedule 9 was paused: test.")
    closed = await world.as_mod(f"admin poll close {poll}")
    assert "has closed" in closed and "only you can see this" not in closed
    assert "Schedule 9" not in closed
    assert "Schedule 9 was paused" in await world.as_mod("admin audit")


# Polls and debates ------------------------------------------------------------------------


async def test_poll_delete_removes_the_poll(world: World) -> None:
    poll = await add_poll(world)
    await world.store.cast_vote(poll, HERE, "v", "V", 1)
    out = await world.as_mod(f"admin poll delete {poll}")
    assert f"Poll #{poll} and its votes are deleted" in out
    assert await world.store.get_poll(poll) is None
    assert f"No poll `#{poll}`" in await world.as_mod(f"admin poll delete {poll}")


async def test_debate_advance_and_close(world: World) -> None:
    debate = await world.store.create_debate(HERE, MOD, MOD, "This house would talk.", None)
    advanced = await world.as_mod(f"admin debate advance {debate.id}")
    assert "Closing vote" in advanced
    closed = await world.as_mod(f"admin debate close {debate.id}")
    assert f"#{debate.id}" in closed and "Error" not in closed
    again = await world.store.get_debate(debate.id)
    assert again is not None and again.phase == "closed"


# Export and audit -------------------------------------------------------------------------


async def test_export_polls_is_a_csv_with_one_row_per_option(world: World) -> None:
    poll = await add_poll(world)
    await world.store.cast_vote(poll, HERE, "v1", "V1", 1)
    await world.store.cast_vote(poll, HERE, "v2", "V2", 1)
    out = await world.as_mod("admin export polls")
    assert "1 poll, one row per option." in out
    header = "poll_id,channel,question,created_at,closes_at,closed_at,anonymous,option_number,"
    assert f"--- polls-2026-01-05.csv ---\n{header}option,votes,voters" in out
    assert f"{poll},general,Lift sanctions?,2026-01-05T08:00:00+00:00,,,no,1,Yes,2,2" in out
    assert f"{poll},general,Lift sanctions?,2026-01-05T08:00:00+00:00,,,no,2,No,0,2" in out
    assert ",'=cmd|' /C calc'!A0,0,2" in out  # a formula is neutralised
    assert f"{header}option,votes,voters,kind\n" in out
    assert ",no,1,Yes,2,2,single choice\n" in out
    ranked = await world.as_mod('poll create "Who leads?" "Ana" "Bo" "Cy" --ranked')
    assert "Error" not in ranked
    await world.as_mod("poll rank 2 3 1 2")
    out = await world.as_mod("admin export polls")
    assert ",no,3,Cy,1,1,ranked (votes are first preferences)\n" in out
    later = await world.as_mod("admin export polls --since 2026-01-06")
    assert "0 polls since 2026-01-06" in later
    assert "is not a date" in await world.as_mod("admin export polls --since yesterday")


async def test_audit_shows_who_did_what_newest_first(world: World) -> None:
    await world.as_mod("admin export polls")
    world.clock.advance(timedelta(minutes=5))
    await world.as_mod("admin moderators add <@ursula>")
    out = await world.as_mod("admin audit 2")
    lines = [line for line in out.splitlines() if " · mona · " in line]
    assert lines[0].startswith("2026-01-05 08:05 UTC · mona · admin moderators add")
    assert lines[1].startswith("2026-01-05 08:00 UTC · mona · admin export polls")
    assert " · admin audit" not in (await world.as_mod("admin audit 1")).split("==", 2)[-1]
    assert "Audit log: latest 2" in out
    assert "must be at most 50" in await world.as_mod("admin audit 500")


# Moderators -------------------------------------------------------------------------------


async def test_granting_and_taking_moderator_rights(world: World) -> None:
    assert REFUSED in await world.as_member("admin audit")
    added = await world.as_mod(f"admin moderators add <@{MEMBER}>")
    assert f"user {MEMBER} now has moderator rights" in added
    assert "already a moderator" in await world.as_mod(f"admin moderators add {MEMBER}")
    assert "Audit log" in await world.as_member("admin audit")
    listed = await world.as_mod("admin moderators list")
    assert f"user {MEMBER}, added by mona" in listed
    await world.as_mod(f"admin moderators remove @{MEMBER}")
    assert REFUSED in await world.as_member("admin audit")
    assert "No moderator granted in the bot" in await world.as_mod("admin moderators remove ghost")
    assert "moderator rights go to users, not roles" in await world.as_mod(
        "admin moderators add <@&123>"
    )
    assert "is not an id" in await world.as_mod('admin moderators add "two words"')


# Packs ------------------------------------------------------------------------------------


async def test_pack_use_switches_the_channel_then_the_workspace(world: World) -> None:
    default_tldr = world.bot.services.packs.get("north-korea-talks").summaries.tldr
    assert default_tldr in await world.as_member("summary tldr")
    out = await world.as_mod("admin pack use second-pack")
    assert "#general now uses `second-pack`" in out
    assert "The second pack in a sentence." in await world.as_member("summary tldr")
    await world.chat.say(":channel random")
    assert default_tldr in await world.as_member("summary tldr")
    await world.as_mod("admin pack use second-pack --workspace")
    assert "The second pack in a sentence." in await world.as_member("summary tldr")
    listed = await world.as_mod("admin pack list")
    assert "`second-pack`" in listed and "used here; workspace default" in listed
    assert "Did you mean `second-pack`" in await world.as_mod("admin pack use second-pak")
    both = await world.as_mod("admin pack use second-pack --workspace --channel x")
    assert "not both" in both


async def test_a_broken_pack_is_refused_on_reload_and_the_old_one_stays(
    world: World, tmp_path: Path
) -> None:
    world.content = make_content(tmp_path / "own")  # this test edits the files
    world.bot.services.packs = PackRegistry.load(world.content, "north-korea-talks")
    yaml_path = world.content / "second-pack" / "pack.yaml"
    good = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(good.replace("id: Q1,", "id: Q2,", 1), encoding="utf-8")
    before = world.bot.services.packs.get("second-pack")
    out = await world.as_mod("admin content reload")
    assert "Nothing was reloaded" in out and "live packs stay as they were" in out
    assert "second-pack/pack.yaml" in out and "Q2" in out
    assert world.bot.services.packs.get("second-pack") is before
    assert "admin content reload" not in await world.audit_actions()
    yaml_path.write_text(
        good.replace("The second pack in a sentence.", "Reloaded.", 1), encoding="utf-8"
    )
    out = await world.as_mod("admin content reload")
    assert "Reloaded and validated 2 packs: `north-korea-talks`, `second-pack`" in out
    assert world.bot.services.packs.get("second-pack").summaries.tldr == "Reloaded."
