"""`oped-bot discord`: run the bot, register its slash commands, print the invite link.

Only argparse is imported at module level: `oped-bot --help` and the console never load
discord.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.runtime import environment

if TYPE_CHECKING:
    import discord

SCOPES = ("bot", "applications.commands")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `sync` and `invite-url` under `oped-bot discord` (which alone runs the bot)."""
    commands = parser.add_subparsers(dest="discord_command")
    commands.add_parser("run", help="run the bot with DISCORD_TOKEN (the default)")
    sync = commands.add_parser(
        "sync",
        help="register the slash commands with Discord; run once after install or upgrade",
    )
    sync.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="register in one server only: instant, good for trying changes",
    )
    invite = commands.add_parser("invite-url", help="print the link that adds the bot to a server")
    invite.add_argument(
        "--app-id", type=int, metavar="ID", help="application id (else DISCORD_APPLICATION_ID)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch `oped-bot discord [run|sync|invite-url]`."""
    env = environment()
    action = getattr(args, "discord_command", None) or "run"
    if action == "invite-url":
        return print_invite(args.app_id, env)
    from adapters.discord.service import DiscordConfigError, shard_options, token
    from bot.cli import report_broken_pack
    from bot.cli import run as run_adapters
    from bot.content.loader import PackInvalid

    try:
        token(env)
        if action == "sync":
            return sync_or_explain(settings, env, args.guild)
        shard_options(env)
    except DiscordConfigError as exc:
        print(f"oped-bot discord: {exc}", file=sys.stderr)
        return 2
    except PackInvalid as exc:
        return report_broken_pack(exc)
    # The shared runner: signals, the scheduler and deadline loops, and a clean close.
    return run_adapters(settings, env, ["discord"])


def permissions() -> discord.Permissions:
    """Exactly what the bot does in a channel: post embeds and files, open and post in threads.

    Interaction replies need no permission; scheduled posts, redraws of poll messages (the
    bot's own) and debate threads need these.
    """
    import discord

    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        attach_files=True,
        create_public_threads=True,
    )


def invite_url(app_id: int) -> str:
    """The OAuth2 link that installs the bot with its slash commands and minimal permissions."""
    import discord

    return discord.utils.oauth_url(app_id, permissions=permissions(), scopes=SCOPES)


def print_invite(app_id: int | None, env: Mapping[str, str]) -> int:
    raw = str(app_id) if app_id is not None else env.get("DISCORD_APPLICATION_ID", "").strip()
    if not raw.isdigit():
        print(
            "oped-bot discord invite-url: give --app-id or set DISCORD_APPLICATION_ID "
            "(the Application ID on the developer portal's General Information page).",
            file=sys.stderr,
        )
        return 2
    print(invite_url(int(raw)))
    return 0


def sync_or_explain(settings: Settings, env: Mapping[str, str], guild: int | None) -> int:
    """`sync`, with what went wrong talking to Discord said in one paragraph, not a traceback."""
    import aiohttp
    import discord

    from bot.cli import say
    from bot.doctor import unreachable

    try:
        return asyncio.run(sync(settings, env, guild))
    except discord.LoginFailure:
        problem = (
            "Discord rejected DISCORD_TOKEN; reset the token in the developer portal (your "
            "application > Bot > Reset Token) and update the environment or .env."
        )
    except discord.HTTPException as exc:
        problem = f"Discord refused the request (HTTP {exc.status}: {exc.text or exc}); try again."
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        check = unreachable("discord sync", "Discord", "discord.com", exc)
        problem = f"{check.detail}; {check.fix}, then run it again."
    say(f"oped-bot discord sync: {problem}")
    return 1


async def sync(settings: Settings, env: Mapping[str, str], guild: int | None) -> int:
    """Register the commands once (a bulk overwrite, so it also removes stale ones)."""
    import discord

    from adapters.discord.client import DiscordAdapter, OpedClient
    from adapters.discord.service import token
    from bot.app import Bot
    from bot.content.registry import PackRegistry
    from bot.context import Services

    secret = token(env)
    # The commands come from the catalogue alone: no database is opened to register them.
    packs = PackRegistry.load(settings.content_dir, settings.default_pack)
    bot = Bot(Services(packs=packs, settings=settings))
    # The gateway is never opened; `guilds`, the bot's usual intent, only keeps discord.py
    # from warning about a cache this command does not use.
    client = OpedClient(DiscordAdapter(bot), intents=discord.Intents(guilds=True))
    async with client:
        await client.login(secret)
        target = discord.Object(id=guild) if guild else None
        if target is not None:
            client.tree.copy_global_to(guild=target)
        synced = await client.tree.sync(guild=target)
    where = f"in server {guild}" if guild else "globally (may take up to an hour to appear)"
    print(f"Registered {len(synced)} commands {where}: " + ", ".join(f"/{c.name}" for c in synced))
    for problem in client.adapter.problems:
        print(f"not registered: {problem}", file=sys.stderr)
    return 1 if client.adapter.problems else 0
