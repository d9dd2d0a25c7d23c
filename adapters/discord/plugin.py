"""The Discord platform as the core's registry sees it; imports no SDK (see `bot.platforms`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.platforms import Plugin, RoleMention

HELP_NOTE = (
    "Type / and pick a command: each word of a command above is a slash command or group "
    "(`poll create` is `/poll create`, `quote` is `/quote get`) and each argument is a named "
    "option. Lists take | between items, or leave them empty for a form."
)


_ROLE = re.compile(r"<@&([0-9]{1,20})>")


def read_role(word: str) -> RoleMention | None:
    """A role mention (`<@&123>`, what picking @Role in Discord writes); its name is not in it."""
    found = _ROLE.fullmatch(word.strip())
    return (found.group(1), None) if found else None


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
    doctor="adapters.discord.health:discord_checks",
    # Moderators are granted by role on Discord, and its ids are unique across channels/threads.
    moderator_roles=True,
    thread_ids_unique=True,
    read_role=read_role,
    role_hint="Type @ and pick each role from Discord's list, so it becomes a mention.",
    help_note=HELP_NOTE,
)
