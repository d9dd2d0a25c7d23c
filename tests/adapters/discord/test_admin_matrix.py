"""Issue 6's matrix on Discord: every moderator command as a member and as a moderator.

Parametrised over the catalogue's `moderator=True` commands (the `admin` group plus `poll
export` and `debate start|advance|close`), so a new one joins the matrix the day it lands.
Each case makes real objects first (a poll and a debate through slash commands, a schedule and a
bot-granted moderator in the store), so the moderator's run gets past every lookup and the
member is refused a call that would otherwise have worked. The database is a real SQLite file,
read through its own connection.

The platform-neutral half (which commands are views, the snapshot) is shared with the Slack
matrix, which imports it from here so the two cannot drift apart.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import tree as derived
from adapters.discord.render import COLOURS
from bot.catalogue import Command
from bot.clock import FakeClock
from bot.models import Place
from bot.schedule.model import NewSchedule
from bot.store.base import Store
from bot.textparse import parse
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER,
    MODERATOR,
    Call,
    Harness,
    Member,
    message_calls,
)
from tests.adapters.discord.test_discord_commands import (
    CATALOGUE,
    discord_value,
    make_things,
    minimal,
)

MODERATED = [command for command in CATALOGUE.commands if command.moderator]
# Views show moderators what is there: they write nothing, not even an audit line (a log full
# of "read the log" would bury the actions). Exports change nothing either, but who took the
# data is audited. Any command not listed here is an action: audited, free to write what it
# acts on.
VIEWS = frozenset(
    {"admin schedule list", "admin audit", "admin moderators list", "admin pack list"}
)
EXPORTS = frozenset({"poll export", "admin export polls"})
HERE = Place("discord", str(GUILD_ID), str(CHANNEL_ID))
GRANTED_ROLE = "1100000000000000077"  # granted in the bot, for `admin moderators remove`
Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(db: Path) -> Snapshot:
    """Every row of every table, read through a separate connection to the SQLite file.

    No table is left out: nothing a refused command may touch counts as bookkeeping.
    """
    with sqlite3.connect(db) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


def changed(before: Snapshot, after: Snapshot) -> set[str]:
    """The tables whose rows differ."""
    return {
        table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
    }


async def audit_ids(store: Store, place: Place) -> set[int]:
    return {entry.id for entry in await store.audit_log(place.platform, place.workspace, 500)}


async def check_one_audit_line(
    store: Store, place: Place, seen: set[int], command: Command, actor_id: str, actor_name: str
) -> None:
    """Exactly one new audit line, by this actor, naming the command (none for a view).

    `admin poll close` and `admin debate advance|close` run the poll and debate features'
    handlers, which audit as `poll close`, `debate advance` and `debate close`.
    """
    entries = await store.audit_log(place.platform, place.workspace, 500)
    new = [entry for entry in entries if entry.id not in seen]
    if command.name in VIEWS:
        assert new == []
        return
    assert len(new) == 1, [(e.action, e.detail) for e in new]
    assert new[0].actor_id == actor_id
    assert new[0].actor_name == actor_name
    assert new[0].action in (command.name, command.name.removeprefix("admin "))


def check_writes(command: Command, before: Snapshot, after: Snapshot) -> None:
    """A view writes nothing; an export only its audit line; an action at least its audit line."""
    if command.name in VIEWS:
        assert changed(before, after) == set()
        return
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1
    if command.name in EXPORTS:
        assert changed(before, after) == {"audit_log"}
        assert set(before["audit_log"]) <= set(after["audit_log"])


async def make_schedule(store: Store, clock: FakeClock, place: Place, paused: bool) -> int:
    """A daily schedule in `place`; paused for `admin schedule resume`, which needs one."""
    now = clock.now()
    made = await store.create_schedule(
        NewSchedule(
            place, "0 9 * * *", "UTC", "none", False, None, "setup", now, now + timedelta(days=1)
        )
    )
    if paused:
        await store.pause_schedule(made.id, "paused for the test")
    return made.id


def arguments(command: Command, made: Mapping[str, Any]) -> dict[str, Any]:
    """Slash options as the every-command test derives them, pointed at the objects made.

    The first example's values, else `minimal` placeholders; a placeholder whose option name
    names a made object (`who`) takes it, and `discord_value` swaps ids for made ones.
    """
    examples = [e for e in command.examples if parse(e, CATALOGUE)[0] is command]
    raw = parse(examples[0], CATALOGUE)[1] if examples else minimal(command)
    if not examples:
        raw = {name: made.get(name, value) for name, value in raw.items()}
    return {n: discord_value(command.option(n), v, dict(made)) for n, v in raw.items()}


async def prepare(harness: Harness, clock: FakeClock, command: Command) -> dict[str, Any]:
    """Real objects for `command` to act on, keyed by completion source or option name."""
    store = harness.bot.services.store
    assert store is not None
    made: dict[str, Any] = dict(await make_things(harness))
    resume = command.path[-2:] == ("schedule", "resume")
    made["schedules"] = await make_schedule(store, clock, HERE, paused=resume)
    made["packs"] = harness.bot.services.packs.default_id
    await store.add_moderator(HERE.platform, HERE.workspace, GRANTED_ROLE, kind="role")
    made["who"] = GRANTED_ROLE
    return made


def is_error(call: Call) -> bool:
    return any(embed.get("color") == COLOURS["error"] for embed in call.embeds)


def test_the_matrix_covers_every_admin_command() -> None:
    admin = {c.name for c in CATALOGUE.commands if c.path[0] == "admin"}
    names = {c.name for c in MODERATED}
    assert admin and admin <= names  # every admin command is a moderator command
    assert names >= VIEWS | EXPORTS  # a renamed view must not silently drop out of its check


@dataclass
class Case:
    """One moderator command, its options pointing at real objects, on a started client."""

    command: Command
    options: dict[str, Any]
    harness: Harness

    @property
    def db(self) -> Path:
        return self.harness.bot.services.settings.db_path

    async def slash(self, member: Member) -> list[Call]:
        return await self.harness.slash(derived.discord_path(self.command), member, **self.options)


@pytest.fixture(params=MODERATED, ids=lambda c: c.name)
async def case(request: pytest.FixtureRequest, start_bot: StartBot, clock: FakeClock) -> Case:
    command: Command = request.param
    harness = await start_bot()
    return Case(command, arguments(command, await prepare(harness, clock, command)), harness)


async def test_a_member_is_refused_privately_and_nothing_is_written(case: Case) -> None:
    before = snapshot(case.db)
    calls = await case.slash(MEMBER)
    [reply] = message_calls(calls)
    assert reply is calls[0] and reply.kind == 4
    assert reply.ephemeral and is_error(reply)
    assert f"`{case.command.name}` is for moderators" in reply.text
    assert "admin moderators add" in reply.text  # how to get the rights
    assert not [c for c in calls if c.path.startswith("/channels/")]
    assert snapshot(case.db) == before


async def test_a_moderator_runs_it_and_it_is_audited(case: Case) -> None:
    store = case.harness.bot.services.store
    assert store is not None
    before, seen = snapshot(case.db), await audit_ids(store, HERE)
    calls = await case.slash(MODERATOR)
    # `admin schedule run` posts in the channel before it answers, so find the answer.
    [answer] = [call for call in calls if call.path.endswith("/callback")]
    assert answer.kind == 4  # at once, within the 3 seconds
    assert not any(is_error(call) for call in message_calls(calls)), answer.text
    assert "is for moderators" not in answer.text
    name = MODERATOR.name.title()  # the display name the harness gives
    await check_one_audit_line(store, HERE, seen, case.command, str(MODERATOR.id), name)
    check_writes(case.command, before, snapshot(case.db))
