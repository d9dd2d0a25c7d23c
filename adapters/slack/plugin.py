"""The Slack platform as the core's registry sees it; imports no SDK (see `bot.platforms`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.platforms import Plugin, RoleMention

COMMAND = "/oped"


def _distributed(env: Mapping[str, str]) -> bool:
    """Installed in many workspaces through OAuth: the app's client id and secret, no bot token."""
    return bool(env.get("SLACK_CLIENT_ID") or env.get("SLACK_CLIENT_SECRET")) and not env.get(
        "SLACK_BOT_TOKEN"
    )


# `<!subteam^S123|@editors>` (the handle is there when the app escapes mentions) or bare.
_GROUP = re.compile(r"<!subteam\^([A-Z0-9]{1,40})(?:\|@?([^<>|]{1,100}))?>")


def read_role(word: str) -> RoleMention | None:
    """A user group mention, what picking @group in Slack writes: its id and handle."""
    found = _GROUP.fullmatch(word.strip())
    if found is None:
        return None
    handle = found.group(2)
    return found.group(1), f"@{handle.strip()}" if handle else None


def _detect(env: Mapping[str, str]) -> bool:
    if _distributed(env):
        return True  # the adapter names any variable still missing
    return bool(env.get("SLACK_BOT_TOKEN")) and bool(
        env.get("SLACK_APP_TOKEN") or env.get("SLACK_SIGNING_SECRET")
    )


def _half_set(env: Mapping[str, str]) -> list[str]:
    if _distributed(env):
        return []
    bot_token = bool(env.get("SLACK_BOT_TOKEN"))
    other = bool(env.get("SLACK_APP_TOKEN") or env.get("SLACK_SIGNING_SECRET"))
    if bot_token and not other:
        return ["SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET"]
    if other and not bot_token:
        return ["a Slack app token or signing secret is set but SLACK_BOT_TOKEN is not"]
    return []


PLUGIN = Plugin(
    name="slack",
    title="Slack",
    adapter="adapters.slack",
    sdks=("slack_bolt", "slack_sdk"),
    secrets=("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET"),
    # Bot, user and app tokens.
    token_shapes=(r"\bxox[abposre]-[A-Za-z0-9-]+", r"\bxapp-[A-Za-z0-9-]+"),
    detect=_detect,
    enable=(
        "SLACK_BOT_TOKEN with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
        "(HTTP mode) for Slack, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
        "SLACK_SIGNING_SECRET for every workspace that installs it"
    ),
    half_set=_half_set,
    cli="adapters.slack.cli",
    doctor="adapters.slack.health:slack_checks",
    text_prefix=COMMAND,
    read_role=read_role,
    role_hint="Type @ and pick each user group from Slack's list, so it becomes a mention.",
)
