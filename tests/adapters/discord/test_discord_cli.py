"""`oped-bot discord`, `discord sync`, `discord invite-url` and `serve()` against the fake."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest

from adapters.discord.cli import SCOPES, permissions
from adapters.discord.client import DiscordAdapter, OpedClient, OpedShardedClient
from adapters.discord.service import DiscordConfigError, make_client, serve, shard_options
from adapters.discord.views import OpedButton
from bot.app import Bot
from bot.cli import main
from bot.features import all_commands
from tests.adapters.discord.discord_harness import (
    APP_ID,
    FakeDiscord,
    command_data,
    dynamic_item_types,
    interaction,
)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DISCORD_TOKEN", "DISCORD_APPLICATION_ID", "OPED_BOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPED_BOT_DB", str(tmp_path / "cli.sqlite3"))
    monkeypatch.chdir(tmp_path)


def test_invite_url_asks_for_exactly_what_the_bot_needs(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discord", "invite-url", "--app-id", "4242"]) == 0
    url = urlparse(capsys.readouterr().out.strip())
    query = parse_qs(url.query)
    assert url.netloc == "discord.com" and url.path == "/oauth2/authorize"
    assert query["client_id"] == ["4242"]
    assert query["scope"] == [" ".join(SCOPES)] == ["bot applications.commands"]
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == permissions()
    assert {name for name, on in granted if on} == {
        "read_messages",  # View Channel
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "attach_files",
        "create_public_threads",
    }
    assert granted.value == 309237697536


def test_invite_url_reads_the_application_id_from_the_environment(
    cli_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discord", "invite-url"]) == 2
    assert "DISCORD_APPLICATION_ID" in capsys.readouterr().err
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "777")
    assert main(["discord", "invite-url"]) == 0
    assert "client_id=777" in capsys.readouterr().out


def test_running_without_a_token_says_where_to_get_one(
    cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discord"]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


@pytest.mark.parametrize("guild", [None, 987654321098765432])
def test_sync_registers_every_command_once(
    cli_env: None,
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    guild: int | None,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    argv = ["discord", "sync"] + (["--guild", str(guild)] if guild else [])
    assert main(argv) == 0
    puts = [c for c in fake.calls if c.method == "PUT"]
    assert len(puts) == 1
    where = f"/guilds/{guild}" if guild else ""
    assert puts[0].path == f"/applications/{APP_ID}{where}/commands"
    names = {command["name"] for command in puts[0].body}
    assert names == {c.path[0] if not c.leaf_path else c.leaf_path[0] for c in all_commands()}
    for command in puts[0].body:
        assert 1 <= len(command["description"]) <= 100
    out = capsys.readouterr()
    assert f"Registered {len(names)} commands" in out.out
    assert "secret-token" not in out.out + out.err


async def test_starting_the_client_never_syncs(fake: FakeDiscord, bot: Bot) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(bot, {"DISCORD_TOKEN": "t"}, stop))
    await fake.wait_for(lambda: len(fake.identifies) == 1)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert not [c for c in fake.calls if c.method == "PUT"]


async def test_serve_answers_interactions_from_the_gateway_and_stops_cleanly(
    fake: FakeDiscord, bot: Bot
) -> None:
    stop = asyncio.Event()
    env = {"DISCORD_TOKEN": "gateway-token"}
    adapter = DiscordAdapter(bot)
    client = make_client(bot, env, adapter=adapter)
    task = asyncio.create_task(serve(bot, env, stop, client=client))
    await fake.wait_for(lambda: len(fake.identifies) == 1)
    identify = fake.identifies[0]
    assert identify["token"] == "gateway-token"
    assert identify["intents"] == discord.Intents(guilds=True).value  # nothing privileged
    assert bot.services.posters["discord"] is adapter.poster

    data = command_data(adapter.commands, ("summary",), {"length": "tldr"})
    await asyncio.to_thread(fake.dispatch, "INTERACTION_CREATE", interaction(2, data))
    await fake.wait_for(lambda: any(c.kind == 4 for c in fake.calls))
    answer = next(c for c in fake.calls if c.kind == 4)
    assert "tldr summary" in answer.text

    stop.set()
    await asyncio.wait_for(task, 10)
    assert client.is_closed()
    assert "discord" not in bot.services.posters


async def test_one_shard_per_process(fake: FakeDiscord, bot: Bot) -> None:
    stop = asyncio.Event()
    env = {"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "3", "DISCORD_SHARD_ID": "2"}
    task = asyncio.create_task(serve(bot, env, stop))
    await fake.wait_for(lambda: len(fake.identifies) == 1)
    assert fake.identifies[0]["shard"] == [2, 3]
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_auto_sharding_in_one_process(fake: FakeDiscord, bot: Bot) -> None:
    fake.shards = 2  # what Discord recommends for this fake bot
    stop = asyncio.Event()
    env = {"DISCORD_TOKEN": "t", "DISCORD_SHARD_COUNT": "auto"}
    client = make_client(bot, env)
    assert isinstance(client, OpedShardedClient)

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        """Discord spaces identifies 5 s apart; the fake does not need it."""

    client.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    task = asyncio.create_task(serve(bot, env, stop, client=client))
    await fake.wait_for(lambda: len(fake.identifies) == 2)
    assert sorted(i["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    # Buttons work on every shard: the dynamic item is registered once, client-wide.
    assert dynamic_item_types(client) == [OpedButton]
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_a_rejected_token_is_a_clear_error(fake: FakeDiscord, bot: Bot) -> None:
    fake.fail("GET", r"^/users/@me$", 401, message="401: Unauthorized")
    with pytest.raises(DiscordConfigError, match="rejected DISCORD_TOKEN"):
        await serve(bot, {"DISCORD_TOKEN": "wrong"}, asyncio.Event())


@pytest.mark.parametrize(
    ("env", "sharded", "options"),
    [
        ({}, False, {}),
        ({"DISCORD_SHARD_COUNT": "auto"}, True, {}),
        ({"DISCORD_SHARD_COUNT": "4"}, True, {"shard_count": 4}),
        (
            {"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_ID": "3"},
            False,
            {"shard_id": 3, "shard_count": 4},
        ),
    ],
)
def test_shard_settings(env: dict[str, str], sharded: bool, options: dict[str, int]) -> None:
    assert shard_options(env) == (sharded, options)


@pytest.mark.parametrize(
    "env",
    [
        {"DISCORD_SHARD_ID": "1"},
        {"DISCORD_SHARD_COUNT": "auto", "DISCORD_SHARD_ID": "1"},
        {"DISCORD_SHARD_COUNT": "two"},
        {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_ID": "2"},
    ],
)
def test_bad_shard_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(DiscordConfigError):
        shard_options(env)


def test_the_client_is_silent_and_asks_for_guilds_only(bot: Bot) -> None:
    client = OpedClient(DiscordAdapter(bot))
    assert client.intents.value == discord.Intents(guilds=True).value
    assert client.allowed_mentions is not None
    assert client.allowed_mentions.to_dict() == {"parse": []}
