"""The Discord platform as the core's registry sees it; imports no SDK (see `bot.platforms`)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.platforms import Plugin

HELP_NOTE = (
    "Type / and pick a command: each word of a command above is a slash command or group "
    "(`poll create` is `/poll create`, `quote` is `/quote get`) and each argument is a named "
    "option. Lists take | between items, or leave them empty for a form."
)


def _detect(env: Mapping[str, str]) -> bool:
    return bool(env.get("DISCORD_TOKEN"))


PLUGIN = Plugin(
    name="discord",
    title="Discord",
    adapter="adapters.discord",
    sdks=("discord",),
    secrets=("DISCORD_TOKEN",),
    # A bot token is three base64url segments.
    token_shapes=(r"\b[A-Za-z0-9_-]{24,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{27,}",),
    detect=_detect,
    enable="Set DISCORD_TOKEN (Discord)",
    cli="adapters.discord.cli",
    doctor="adapters.health:discord_checks",
    # Moderators are granted by role on Discord, and its ids are unique across channels/threads.
    moderator_roles=True,
    thread_ids_unique=True,
    help_note=HELP_NOTE,
)
