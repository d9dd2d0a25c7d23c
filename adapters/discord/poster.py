"""Scheduled posts and announcements on Discord, outside any interaction (`bot.ports.Poster`)."""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord

from adapters.discord.failures import explain, post_failed, retryable
from adapters.discord.render import render, render_one, thread_name
from adapters.discord.views import make_view, send_kwargs
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Reply

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[1440] = (
    1440  # a day without messages, Discord's default for a new thread
)


def channel_of(place: Place) -> int:
    """The Discord channel (or thread) id of a place; PostFailed when it is only a name."""
    where = place.thread or place.channel
    if not where.isdigit():
        raise PostFailed(
            f"`#{where}` is not a Discord channel id. Pick the channel from Discord's list "
            "(type # in the option and choose it) so the bot gets its id.",
            retryable=False,
        )
    return int(where)


class DiscordPoster:
    """Posts and edits messages in a channel; Discord's refusals become `PostFailed`."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, place: Place) -> Any:
        channel_id = channel_of(place)
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        return channel

    async def post(self, place: Place, reply: Reply) -> str:
        """Post `reply` in `place` and return its first message's id."""
        first: discord.Message | None = None
        try:
            channel = await self._channel(place)
            for outgoing in render(reply):
                sent = await channel.send(**send_kwargs(outgoing))
                first = first or sent
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            if first is None:
                raise post_failed(f"Could not post in channel {place.channel}", exc) from exc
            # Part of a long reply is out: report it as posted, since a retry would repeat it.
            log.warning("only part of a post went out in %s", place.channel, exc_info=True)
        assert first is not None  # render always yields at least one message
        return str(first.id)

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        """Start a public thread on a posted message; PostFailed says why it could not."""
        if place.workspace == "dm" or not message_id.isdigit():
            raise PostFailed("discussion threads need a server channel.", retryable=False)
        try:
            await self.client.http.start_thread_with_message(
                channel_of(place),
                int(message_id),
                name=thread_name(name),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            raise PostFailed(explain(exc), retryable=retryable(exc)) from exc

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        """Redraw an earlier message with a fresh reply (what does not fit is cut visibly)."""
        if not message_id.isdigit():
            raise PostFailed(f"`{message_id}` is not a Discord message id.", retryable=False)
        try:
            await edit(self.client, channel_of(place), int(message_id), reply)
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            raise PostFailed(explain(exc), retryable=retryable(exc)) from exc


async def edit(client: discord.Client, channel_id: int, message_id: int, reply: Reply) -> None:
    """Replace a message's embeds and buttons with `reply`, squeezed into one message."""
    outgoing = render_one(reply)
    message = client.get_partial_messageable(channel_id).get_partial_message(message_id)
    await message.edit(
        content=outgoing.content,
        embeds=outgoing.embeds,
        view=make_view(outgoing.buttons),
        allowed_mentions=discord.AllowedMentions.none(),
    )
