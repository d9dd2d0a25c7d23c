"""Start-up shared by every adapter: load content, open the store, build the bot."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.app import Bot
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services


def choose_adapters(env: Mapping[str, str]) -> list[str]:
    """The adapters whose credentials are present; the console when there are none."""
    chosen = []
    if env.get("DISCORD_TOKEN"):
        chosen.append("discord")
    if env.get("SLACK_BOT_TOKEN") and (
        env.get("SLACK_APP_TOKEN") or env.get("SLACK_SIGNING_SECRET")
    ):
        chosen.append("slack")
    return chosen or ["console"]


async def build_bot(settings: Settings) -> Bot:
    """Load and validate the packs (raising PackInvalid on a broken one) and wire the bot."""
    packs = PackRegistry.load(settings.content_dir, settings.default_pack)
    return Bot(Services(packs=packs, settings=settings))


def environment() -> dict[str, str]:
    return dict(os.environ)
