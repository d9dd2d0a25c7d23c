"""The App Home tab: each person's page of open polls, debates and prompts, kept fresh.

On `app_home_opened` the page is built by the core (`bot.home`) from the store and published
with `views.publish`; the visit is recorded, so after a change any process republishes it
(`bot.home.HomeRefresher`, told by `Delivery.watch`). A button on the page runs its command
through the same dispatch and rights checks as typing it, in the channel its block names.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from adapters.slack.lookups import Remembered
from adapters.slack.poster import SLACK_FAILURES, Clients, NotInstalled, slack_failure
from adapters.slack.render import cap, home_channel, home_view, modal_view, render_messages
from bot import replies
from bot.actions import command_line
from bot.clock import Clock
from bot.coalesce import Timer
from bot.home import HomeData, HomeRefresher, Viewer, build, load
from bot.models import Place, User
from bot.replies import Reply

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter

log = logging.getLogger(__name__)

# How long a person's channel list is trusted: someone who leaves a channel stops seeing its
# polls on their page (and its buttons stop working for them) within this.
CHANNELS_TTL = timedelta(minutes=2)
CHANNELS_FAILURE_TTL = timedelta(seconds=30)
CHANNELS_CACHE_MAX = 10_000
CHANNELS_PAGE = 200
CHANNELS_PAGES_MAX = 25  # 5,000 channels: past that, the rest are left off
CHANNEL_TYPES = "public_channel,private_channel"

GONE = (
    "That button is for a channel you are not in (any more), so it does nothing. Open the "
    "Home tab again to see your channels as they are now."
)


class ChannelCache:
    """The channels a person can see, from `users.conversations` for them, kept briefly.

    The rule: a channel is someone's when Slack lists them as its member, asked with the bot
    token for that user. That lists the public channels they joined and the private channels
    they share with the bot (a bot sees no other private channel); direct messages are left
    out, as the page lists channel polls. One call per person per `ttl` (paged), single-flight.
    If Slack cannot answer, the person gets no channel for a short while: a page never shows
    a poll of a channel its viewer is not in.
    """

    def __init__(self, clients: Clients, clock: Clock, ttl: timedelta = CHANNELS_TTL) -> None:
        self.clients = clients
        self.ttl = ttl
        self._answers: Remembered[tuple[str, str], frozenset[str]] = Remembered(
            clock, CHANNELS_CACHE_MAX
        )

    async def of(self, team: str, user_id: str) -> frozenset[str]:
        """The channel ids `user_id` is a member of (that the bot may know of)."""
        return await self._answers.get((team, user_id), partial(self._look_up, team, user_id))

    async def _look_up(self, team: str, user_id: str) -> tuple[frozenset[str], timedelta]:
        found: set[str] = set()
        cursor = ""
        try:
            client = await self.clients.for_team(team)
            for _ in range(CHANNELS_PAGES_MAX):
                response = await client.users_conversations(
                    user=user_id,
                    types=CHANNEL_TYPES,
                    exclude_archived=True,
                    limit=CHANNELS_PAGE,
                    cursor=cursor or None,
                )
                for channel in response.get("channels") or []:
                    if isinstance(channel, dict) and channel.get("id"):
                        found.add(str(channel["id"]))
                meta = response.get("response_metadata")
                cursor = str(meta.get("next_cursor") or "") if isinstance(meta, dict) else ""
                if not cursor:
                    break
        except (*SLACK_FAILURES, NotInstalled) as exc:
            log.warning("users.conversations failed (%s); showing no channel", slack_failure(exc))
            return frozenset(), CHANNELS_FAILURE_TTL
        return frozenset(found), self.ttl


def home_opened(body: Mapping[str, Any]) -> bool:
    """Whether a request is the event of someone opening one of the bot's tabs (Home, Messages)."""
    event = body.get("event")
    return (
        body.get("type") == "event_callback"
        and isinstance(event, dict)
        and event.get("type") == "app_home_opened"
    )


def from_home(body: Mapping[str, Any]) -> bool:
    """Whether a button press came from the Home tab (which has no channel of its own)."""
    view = body.get("view")
    return isinstance(view, dict) and view.get("type") == "home"


class SlackHome:
    """Publishes Home tabs and runs their buttons for a `SlackAdapter`."""

    def __init__(self, adapter: SlackAdapter, timer: Timer | None = None) -> None:
        self.adapter = adapter
        services = adapter.bot.services
        self.services = services
        self.channels = ChannelCache(adapter.clients, services.clock)
        self.refresher: HomeRefresher | None = None
        if services.store is not None:
            self.refresher = HomeRefresher(
                services.store, "slack", self.publish, services.clock.now, timer=timer
            )

    def start(self) -> None:
        """Refresh open pages after every change delivered on Slack."""
        if self.refresher is not None:
            self.services.delivery.watch("slack", self.refresher.changed)

    async def settle(self) -> None:
        """Publish the refreshes that are due and wait for them."""
        if self.refresher is not None:
            await self.refresher.settle()

    async def close(self) -> None:
        """Stop hearing of changes; publish the refreshes still waiting."""
        if self.refresher is not None:
            self.services.delivery.unwatch("slack", self.refresher.changed)
            await self.refresher.close()

    async def opened(self, body: Mapping[str, Any]) -> None:
        """Someone opened the Home tab: record the visit and publish their page."""
        event: Mapping[str, Any] = body.get("event") or {}
        team = str(body.get("team_id") or "")
        user_id = str(event.get("user") or "")
        if event.get("tab", "home") != "home" or not team or not user_id:
            return  # the Messages tab, or not a visit anyone could be shown a page for
        if self.refresher is not None:
            data = await self.refresher.opened(team, user_id)
        else:
            data = HomeData((), (), ())  # no database: nothing is open anywhere
        try:
            await self.publish(team, user_id, data)
        except (*SLACK_FAILURES, NotInstalled) as exc:
            log.warning("views.publish failed: %s", slack_failure(exc))

    async def publish(self, team: str, user_id: str, data: HomeData | None = None) -> None:
        """Build `user_id`'s page from `data` (read now if None) and publish it."""
        store = self.services.store
        if data is None:
            now = self.services.clock.now()
            data = await load(store, "slack", team, now) if store else HomeData((), (), ())
        channels = await self.channels.of(team, user_id)
        user = await self.adapter._user(team, {"id": user_id})
        moderator = await self.adapter.bot.is_moderator(Place("slack", team, ""), user)
        viewer = Viewer(user_id, channels, moderator)
        page = build(data, viewer, self.services.clock.now(), self.services.settings.timezone)
        client = await self.adapter.clients.for_team(team)
        await client.views_publish(user_id=user_id, view=home_view(page))

    async def clicked(self, body: Mapping[str, Any], action: Mapping[str, Any]) -> None:
        """A Home button: its command, run by the presser in its channel, as if typed there."""
        user_info: Mapping[str, Any] = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user_info.get("team_id") or "")
        channel = home_channel(str(action.get("block_id") or ""))
        line = action.get("value") or command_line(str(action.get("action_id", "")))
        user = await self.adapter._user(team, user_info)
        place = Place("slack", team, channel or "")
        answer = HomeResponder(self.adapter, place, user, str(body.get("trigger_id") or ""))
        # Checked again at the click: the page may be older than the person's membership.
        if not line or channel is None or channel not in await self.channels.of(team, user.id):
            await answer.private(replies.error(GONE))
            return
        reply = await self.adapter.bot.handle_text(str(line), place, user)
        await self.services.delivery.answer(reply, place, answer)


class HomeResponder:
    """The `Responder` for a Home button: privately in a modal, publicly in its channel."""

    def __init__(self, adapter: SlackAdapter, place: Place, user: User, trigger_id: str) -> None:
        self.adapter = adapter
        self.place = place
        self.user = user
        self.trigger_id = trigger_id

    async def private(self, reply: Reply) -> None:
        """A modal over the Home tab; files (and a modal that fails) go the usual private way."""
        if not reply.attachments and self.trigger_id:
            try:
                client = await self.adapter.clients.for_team(self.place.workspace)
                await client.views_open(trigger_id=self.trigger_id, view=modal_view(reply))
                return
            except SLACK_FAILURES as exc:
                log.warning("views.open failed: %s", slack_failure(exc))
        if reply.attachments:
            await self.adapter._ephemeral(reply, self.place, self.user, None)
        elif self.place.channel:
            await self.adapter._send_ephemeral(
                cap(render_messages(reply)), self.place, self.user, None
            )

    async def public(self, reply: Reply) -> str | None:
        """A message in the button's channel; its ts."""
        return await self.adapter._public(reply, self.place, None)
