"""Every catalogue command through real discord.py: raw payload in, the HTTP it sends out.

The cases are derived from the catalogue, so a new command is covered (and must work on
Discord) the moment it lands.
"""

from __future__ import annotations

import re
from typing import Any

import discord
import pytest

from adapters.discord import forms
from adapters.discord import tree as derived
from adapters.discord.client import OpedClient
from bot.app import Bot
from bot.catalogue import Catalogue, Command, Option
from bot.config import Settings
from bot.errors import UsageError
from bot.features import all_commands
from bot.textparse import parse
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import (
    MEMBER,
    MOD_ROLE_ID,
    MODERATOR,
    Call,
    Harness,
    Member,
    message_calls,
)

CATALOGUE = Catalogue(all_commands())
INTERNAL = "Something went wrong on our side"
REFUSED = "is for moderators"


def discord_value(option: Option, value: Any, made: dict[str, int]) -> Any:
    """A raw text-syntax value as a Discord client would send it for this option.

    Ids of polls and debates point at ones made for the test, so handlers get past the lookup.
    """
    if option.autocomplete in made:
        return made[option.autocomplete]
    if option.kind == "list":
        return "|".join(value) if isinstance(value, tuple) else str(value)
    if option.kind == "flag":
        return True
    if option.kind == "int":
        return int(value)
    return value


def minimal(command: Command) -> dict[str, Any]:
    """Required options filled with plain values, for commands without examples."""
    values: dict[str, Any] = {}
    for option in command.options:
        if not option.required:
            continue
        if option.kind == "int":
            values[option.name] = option.min_value if option.min_value is not None else 1
        elif option.kind == "choice":
            values[option.name] = option.choices[0]
        elif option.kind == "list":
            values[option.name] = tuple(f"item {n}" for n in range(max(2, option.min_items)))
        elif option.kind == "flag":
            values[option.name] = True
        else:
            values[option.name] = "test"
    return values


def cases() -> list[Any]:
    found = []
    for command in CATALOGUE.commands:
        examples = [e for e in command.examples if parse(e, CATALOGUE)[0] is command]
        raws = [parse(e, CATALOGUE)[1] for e in examples] or [minimal(command)]
        for number, raw in enumerate(raws):
            found.append(pytest.param(command, raw, id=f"{command.name}-{number}"))
    return found


def replies(calls: list[Call]) -> list[Call]:
    return message_calls(calls)


async def make_poll(harness: Harness, member: Member = MEMBER) -> int:
    """A poll to point poll-id options at (0 when this build has no polls)."""
    if derived.find(harness.adapter.commands, ("poll", "create")) is None:
        return 0
    calls = await harness.slash(
        "poll create", member, question="Accept a nuclear North Korea?", options="Yes|No|Unsure"
    )
    return first_id(calls[0])


def first_id(call: Call) -> int:
    found = re.search(r"#(\d+)", call.text)
    assert found, call.text
    return int(found.group(1))


async def make_things(harness: Harness) -> dict[str, int]:
    """A poll and a debate (where this build has them), by completion source name."""
    made = {}
    if poll_id := await make_poll(harness):
        made["polls"] = poll_id
    if derived.find(harness.adapter.commands, ("debate", "start")) is not None:
        calls = await harness.slash("debate start", MODERATOR, motion="P1")
        made["debates"] = first_id(calls[0])
    return made


def test_parity_every_catalogue_command_has_a_discord_command(bare: OpedClient) -> None:
    client = bare
    adapter = client.adapter
    assert adapter.problems == []
    registered = {c.qualified_name for c in client.tree.walk_commands()}
    for command in CATALOGUE.commands:
        assert " ".join(derived.discord_path(command)) in registered


def test_parity_check_fails_for_a_command_discord_cannot_hold() -> None:
    async def handler(ctx: Any, args: Any) -> Any:
        raise AssertionError

    clash = Catalogue(
        [
            Command(("poll",), "A group name used as a command.", handler),
            Command(("poll", "create"), "Create.", handler),
            Command(("too", "deeply", "nested", "path"), "Four words.", handler),
        ]
    )

    async def invoke(*args: Any) -> None: ...
    async def suggest(*args: Any) -> list[Any]:
        return []

    built = derived.build(clash, invoke, suggest)
    assert len(built.problems) == 2


def test_registered_shapes_follow_discord_rules(bare: OpedClient) -> None:
    adapter = bare.adapter
    for command in CATALOGUE.commands:
        found = derived.find(adapter.commands, derived.discord_path(command))
        assert isinstance(found, discord.app_commands.Command)
        assert 1 <= len(found.description) <= 100
        by_name = {p.display_name: p for p in found.parameters}
        assert set(by_name) == {o.name for o in command.options}
        for option in command.options:
            param = by_name[option.name]
            assert 1 <= len(param.description) <= 100
            assert param.required == forms.discord_required(command, option)
            if option.kind == "int":
                assert param.type is discord.AppCommandOptionType.integer
                assert (param.min_value, param.max_value) == (option.min_value, option.max_value)
            elif option.kind == "flag":
                assert param.type is discord.AppCommandOptionType.boolean
            else:
                assert param.type is discord.AppCommandOptionType.string
            if option.choices:
                assert [c.value for c in param.choices] == list(option.choices)
            if option.kind in ("text", "words") and option.max_length:
                assert param.max_value == option.max_length
            assert bool(param.autocomplete) == bool(option.autocomplete)


@pytest.mark.parametrize(("command", "raw"), cases())
async def test_every_command_answers_on_discord(
    start_bot: StartBot, command: Command, raw: dict[str, Any]
) -> None:
    harness = await start_bot()
    member = MODERATOR if command.moderator else MEMBER
    made = await make_things(harness)
    options = {
        name: discord_value(command.option(name), value, made) for name, value in raw.items()
    }
    calls = await harness.slash(derived.discord_path(command), member, **options)
    sent = replies(calls)
    assert sent, calls
    # The first answer (a `--roles` example reads the server's roles first).
    first = next(c for c in calls if c.path.startswith("/interactions/"))
    assert first.kind == 4  # answered at once, within the 3 seconds
    assert INTERNAL not in first.text
    assert REFUSED not in first.text
    for call in sent:
        assert call.message["allowed_mentions"] == {"parse": []}


async def test_typed_options_reach_the_handler(discord_bot: Harness) -> None:
    calls = await discord_bot.slash("summary", length="long")
    assert "(long summary)" in calls[0].text
    calls = await discord_bot.slash("quote get", query="Q3")
    assert "Q3" in calls[0].text
    calls = await discord_bot.slash("explain", term="CVID")
    assert calls[0].embeds[0]["title"] == "CVID"


async def test_a_user_error_is_private(discord_bot: Harness) -> None:
    calls = await discord_bot.slash("explain", term="no-such-term")
    assert calls[0].kind == 4
    assert calls[0].ephemeral
    assert "No glossary term" in calls[0].text


@pytest.mark.parametrize(
    "command", [c for c in CATALOGUE.commands if c.moderator], ids=lambda c: c.name
)
async def test_moderator_command_refused_to_a_member(start_bot: StartBot, command: Command) -> None:
    harness = await start_bot()
    made = await make_things(harness)
    raw = minimal(command)
    options = {n: discord_value(command.option(n), v, made) for n, v in raw.items()}
    calls = await harness.slash(derived.discord_path(command), MEMBER, **options)
    assert calls[0].ephemeral
    assert REFUSED in calls[0].text


async def test_rights_come_from_manage_server_or_a_configured_role(start_bot: StartBot) -> None:
    settings = Settings(moderator_roles=frozenset({str(MOD_ROLE_ID)}))
    harness = await start_bot(settings)
    seen: list[Any] = []

    async def capture(request: Any) -> Any:
        seen.append((request.user, await harness.bot.is_moderator(request.place, request.user)))
        return await Bot.handle(harness.bot, request)

    harness.bot.handle = capture  # type: ignore[method-assign]
    await harness.slash("claims", MEMBER)
    await harness.slash("claims", MODERATOR)
    await harness.slash("claims", Member(id=77, name="rolf", roles=(MOD_ROLE_ID,)))
    admin = Member(id=78, name="ad", permissions=discord.Permissions(administrator=True))
    await harness.slash("claims", admin)
    assert [(user.is_moderator, decided) for user, decided in seen] == [
        (False, False),
        (True, True),
        (False, True),  # the role is configured in the bot, not known to Discord
        (True, True),
    ]
    assert seen[2][0].roles == frozenset({str(MOD_ROLE_ID)})
    assert seen[0][0].name == "Ana"  # the display name


def test_admin_commands_carry_a_manage_server_hint(bare: OpedClient) -> None:
    adapter = bare.adapter
    for command in adapter.commands:
        members = [
            c.extras["oped_command"]
            for c in (
                command.walk_commands()
                if isinstance(command, discord.app_commands.Group)
                else [command]
            )
            if isinstance(c, discord.app_commands.Command)
        ]
        hint = command.default_permissions
        if all(c.moderator for c in members):
            assert hint is not None and hint.manage_guild
        else:
            assert hint is None  # members must still see mixed groups


async def test_slow_work_is_deferred_then_delivered(start_bot: StartBot) -> None:
    harness = await start_bot(defer_after=0)
    calls = await harness.slash("summary", length="tldr")
    assert [c.kind for c in calls[:1]] == [5]
    assert calls[0].body.get("data") in (None, {})  # a public "thinking…"
    assert calls[1].method == "PATCH" and calls[1].path.endswith("/messages/@original")
    assert "tldr summary" in calls[1].text


async def test_slow_private_reply_replaces_the_public_placeholder(start_bot: StartBot) -> None:
    harness = await start_bot(defer_after=0)
    calls = await harness.slash("help")
    assert calls[0].kind == 5
    assert calls[1].method == "DELETE" and calls[1].path.endswith("/messages/@original")
    assert calls[2].method == "POST" and calls[2].ephemeral
    assert "help" in calls[2].text


async def test_a_stale_command_gets_an_explanation(discord_bot: Harness) -> None:
    data = {"id": "1", "name": "no-longer-here", "type": 1, "options": []}
    from tests.adapters.discord.discord_harness import interaction

    calls = await discord_bot.deliver(interaction(2, data))
    assert calls[0].ephemeral
    assert "oped-bot discord sync" in calls[0].text


@pytest.mark.parametrize(
    ("path", "option"),
    [
        (derived.discord_path(c), o.name)
        for c in CATALOGUE.commands
        for o in c.options
        if o.autocomplete
    ],
)
async def test_autocomplete_answers_at_most_25(
    start_bot: StartBot, path: tuple[str, ...], option: str
) -> None:
    harness = await start_bot()
    await make_things(harness)
    for typed in ("", "a", "1"):
        choices = await harness.autocomplete(path, option, typed)
        assert len(choices) <= 25
        for choice in choices:
            assert 1 <= len(choice["name"]) <= 100
            assert len(str(choice["value"])) <= 100


async def test_autocomplete_suggests_quote_topics(discord_bot: Harness) -> None:
    choices = await discord_bot.autocomplete("quote get", "query", "sanc")
    assert {"name": "topic: sanctions", "value": "sanctions"} in choices


async def test_autocomplete_offers_open_polls_as_integers(discord_bot: Harness) -> None:
    poll_id = await make_poll(discord_bot)
    assert poll_id
    choices = await discord_bot.autocomplete("poll vote", "poll", "")
    assert choices and choices[0]["value"] == poll_id


async def test_autocomplete_from_more_than_25_choices(start_bot: StartBot) -> None:
    many = tuple(f"c{n:02d}" for n in range(40))
    catalogue = Catalogue(
        [Command(("pick",), "Pick one.", _never, (Option("which", "choice", "One", choices=many),))]
    )
    harness = await start_bot(catalogue=catalogue)
    command = harness.adapter.commands[0]
    assert isinstance(command, discord.app_commands.Command)
    assert command.parameters[0].choices == []  # Discord allows 25 fixed choices
    choices = await harness.autocomplete("pick", "which", "c1")
    assert [c["value"] for c in choices] == [f"c1{n}" for n in range(10)]


def test_list_options_split_on_bars() -> None:
    option = Option("options", "list", "Options")
    assert derived.from_discord(option, " Yes | No|| Unsure ") == ("Yes", "No", "Unsure")
    with pytest.raises(UsageError):
        from bot.catalogue import coerce

        coerce(
            Command(("x",), "x", _never, (Option("o", "list", "o", min_items=2),)),
            {"o": derived.from_discord(Option("o", "list", "o"), "only one")},
        )


async def _never(ctx: Any, args: Any) -> Any:
    raise AssertionError


async def test_help_explains_the_slash_form(discord_bot: Harness) -> None:
    calls = await discord_bot.slash("help")
    assert calls[0].ephemeral
    assert "/poll create" in calls[0].text and "/quote get" in calls[0].text
    calls = await discord_bot.slash("help", command="no such thing")
    assert "On Discord" not in calls[0].text  # errors stay as they are
