"""Issue 6's matrix on Slack: every moderator command as a member and as a moderator.

Each case types `/oped <command>` over signed HTTP into the real slack-bolt app, after making
real objects (a poll and a debate through `/oped`, a schedule and a bot-granted moderator in the
store). Moderators are workspace admins, as the fake's `users.info` reports them. Which commands
are views, and the database snapshot, come from the Discord matrix so the two stay one matrix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue import Catalogue, Command, Option
from bot.clock import FakeClock
from bot.models import ArgValue, Place
from bot.textparse import parse
from tests.adapters.discord.test_admin_matrix import (
    MODERATED,
    audit_ids,
    check_one_audit_line,
    check_writes,
    make_schedule,
)
from tests.adapters.discord.test_admin_matrix import snapshot as every_table
from tests.adapters.slack.slackfake import CHANNEL, TEAM, FakeSlack, SlackRig, buttons, shown_text
from tests.adapters.slack.test_commands import COMMANDS, sample_line
from tests.adapters.slack.test_polls import create_poll

CATALOGUE = Catalogue(COMMANDS)
HERE = Place("slack", TEAM, CHANNEL)
MOD, MOD_NAME = "U0MOD", "mona"
MEMBER = "U0MEMBER"
GRANTED = "U0GRANTED"  # granted in the bot, for `admin moderators remove`


def quoted(value: ArgValue) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def words_for(option: Option, value: ArgValue) -> list[str]:
    """`value` for `option` as typed: quoted, named with `--` unless positional."""
    if option.kind == "flag":
        return [f"--{option.name}"] if value else []
    typed = [quoted(v) for v in value] if isinstance(value, tuple) else [quoted(value)]
    return typed if option.positional else [f"--{option.name}", *typed]


def line_for(command: Command, made: Mapping[str, Any]) -> str:
    """What a user types: `sample_line`, with ids and placeholders pointing at made objects.

    An option with a completion source that names a made object takes it; a placeholder (the
    command has no example) whose option name names one (`who`) takes that.
    """
    line = sample_line(command)
    raw = parse(line, CATALOGUE)[1]
    swapped = {}
    for name in raw:
        source = command.option(name).autocomplete
        if source is not None and source in made:
            swapped[name] = made[source]
        elif not command.examples and name in made:
            swapped[name] = made[name]
    if not swapped:
        return line
    raw |= swapped
    typed = [w for o in command.options if o.name in raw for w in words_for(o, raw[o.name])]
    return " ".join([*command.path, *typed])


def first_number(message: Mapping[str, Any]) -> int:
    """The poll or debate number its first button acts on (`poll vote 1 1`)."""
    return int(buttons(message)[0]["value"].split()[2])


async def prepare(rig: SlackRig, clock: FakeClock, command: Command) -> dict[str, Any]:
    """Real objects for `command` to act on, keyed by completion source or option name."""
    store = rig.bot.services.store
    assert store is not None
    made: dict[str, Any] = {"polls": first_number(await create_poll(rig))}
    await rig.command("debate start P1", user=MOD, name=MOD_NAME)
    motion = [m for m in rig.fake.called("chat.postMessage") if buttons(m)][-1]
    made["debates"] = first_number(motion)
    resume = command.path[-2:] == ("schedule", "resume")
    made["schedules"] = await make_schedule(store, clock, HERE, paused=resume)
    made["packs"] = rig.bot.services.packs.default_id
    await store.add_moderator(HERE.platform, HERE.workspace, GRANTED)
    made["who"] = GRANTED
    return made


def snapshot(db: Path) -> dict[str, list[Any]]:
    """Every table but `deliveries`: the receipt of a request, claimed before the command is read.

    It holds a hash of the request and an expiry, nothing the command did; a refused command's
    request is claimed like any other, so a replay of it is not refused twice.
    """
    tables = every_table(db)
    tables.pop("deliveries", None)
    return tables


def is_error(message: Mapping[str, Any]) -> bool:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return any(
        block["type"] == "section" and block["text"]["text"].startswith(":warning:")
        for block in blocks
        if "text" in block
    )


@dataclass
class Case:
    """One moderator command, typed with ids of real objects, into a rig whose admin is MOD."""

    command: Command
    line: str
    rig: SlackRig

    @property
    def db(self) -> Path:
        return self.rig.bot.services.settings.db_path


@pytest.fixture(params=MODERATED, ids=lambda c: c.name)
async def case(
    request: pytest.FixtureRequest, poll_rig: SlackRig, fake: FakeSlack, clock: FakeClock
) -> Case:
    command: Command = request.param
    fake.admins.add(MOD)
    return Case(command, line_for(command, await prepare(poll_rig, clock, command)), poll_rig)


def test_lines_with_made_objects_parse_back_to_them() -> None:
    made = {"schedules": 7, "who": "U0X", "packs": "p-1"}
    for name, want in [
        ("admin schedule pause", {"id": "7"}),
        ("admin moderators remove", {"who": "U0X"}),
        ("admin pack use", {"id": "p-1"}),
    ]:
        command = CATALOGUE.get(tuple(name.split()))
        assert parse(line_for(command, made), CATALOGUE) == (command, want)
    add = CATALOGUE.get(("admin", "schedule", "add"))
    assert line_for(add, made) == add.examples[0]  # nothing to swap: typed as in the example


async def test_a_member_is_refused_privately_and_nothing_is_written(
    case: Case, fake: FakeSlack
) -> None:
    before, mark = snapshot(case.db), len(fake.calls)
    await case.rig.command(case.line, user=MEMBER, name="max")
    sent = fake.calls[mark:]
    assert [c.args["user"] for c in sent if c.method == "users.info"] == [MEMBER]
    shown = ("ack", "response_url", "chat.postEphemeral")
    [refusal] = [c.args for c in sent if c.method in shown]
    assert refusal["response_type"] == "ephemeral" and is_error(refusal)
    assert f"`{case.command.name}` is for moderators" in shown_text(refusal)
    assert "admin moderators add" in shown_text(refusal)  # how to get the rights
    assert [c.method for c in sent if c.method.startswith(("chat.", "files."))] == []
    assert snapshot(case.db) == before


async def test_a_moderator_runs_it_and_it_is_audited(case: Case, fake: FakeSlack) -> None:
    store = case.rig.bot.services.store
    assert store is not None
    before, seen, mark = snapshot(case.db), await audit_ids(store, HERE), len(fake.posted())
    await case.rig.command(case.line, user=MOD, name=MOD_NAME)
    shown = fake.posted()[mark:]
    assert shown, "the moderator saw nothing"
    assert not any(is_error(message) for message in shown), shown_text(shown[-1])
    await check_one_audit_line(store, HERE, seen, case.command, MOD, MOD_NAME)
    check_writes(case.command, before, snapshot(case.db))
