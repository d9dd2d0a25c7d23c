"""Admin flows that leave the interaction: a schedule added with a slash command posts later."""

from __future__ import annotations

import re

from adapters.discord import tree as derived
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    MEMBER,
    MODERATOR,
    Harness,
    message_calls,
)


async def test_a_schedule_added_on_discord_posts_through_the_discord_poster(
    discord_bot: Harness,
) -> None:
    assert derived.find(discord_bot.adapter.commands, ("admin", "schedule", "run"))
    added = await discord_bot.slash(
        "admin schedule add", MODERATOR, cron="0 9 * * 1-5", channel=f"<#{CHANNEL_ID}>", thread=True
    )
    found = re.search(r"Schedule (\d+)", added[0].text)
    assert found, added[0].text
    ran = await discord_bot.slash("admin schedule run", MODERATOR, id=int(found.group(1)))
    posts = [c for c in message_calls(ran) if c.path == f"/channels/{CHANNEL_ID}/messages"]
    assert len(posts) == 1
    assert posts[0].message["allowed_mentions"] == {"parse": []}
    assert [c for c in ran if c.path.endswith("/threads")]


async def test_a_member_cannot_add_a_schedule(discord_bot: Harness) -> None:
    assert derived.find(discord_bot.adapter.commands, ("admin", "schedule", "add"))
    calls = await discord_bot.slash("admin schedule add", MEMBER, cron="0 9 * * 1-5")
    assert calls[0].ephemeral and "is for moderators" in calls[0].text
    listed = await discord_bot.slash("admin schedule list", MODERATOR)
    assert "Schedule 1" not in listed[0].text
