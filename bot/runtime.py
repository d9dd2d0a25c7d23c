"""Start-up shared by every adapter: load content, open the store, build the bot."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.app import Bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.store.sqlite import SqliteStore


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
    """Load the packs (PackInvalid if one is broken), open the store and wire the bot.

    The caller closes the store with `close_bot`.
    """
    packs = PackRegistry.load(settings.content_dir, settings.default_pack)
    clock = SystemClock()
    # Keys the voter hashes of anonymous polls; without it the store keeps a generated key.
    secret = os.environ.get("OPED_BOT_SECRET") or None
    store = await SqliteStore.open(settings.db_path, clock=clock, secret=secret)
    return Bot(Services(packs=packs, store=store, clock=clock, settings=settings))


def environment() -> dict[str, str]:
    return dict(os.environ)
