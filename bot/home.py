"""The home page: what is open in someone's channels, what is coming, and, for moderators,
the schedules and the latest audit lines, with buttons that run the ordinary commands.

Platform-neutral. `load` reads a workspace from the store once; `build` is a pure function of
that data and the viewer, so the rule "never show a poll from a channel the viewer is not in"
is decided here, not by each platform. A platform that has a home page (a per-person tab)
decides which channels a person can see, renders the reply, and publishes it; `HomeRefresher`
tells it whose page to publish again after a change, coalesced per workspace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial

from bot import actions, poll_cards
from bot.coalesce import Coalescer, Timer
from bot.limits import fit
from bot.models import Place
from bot.replies import Button, Card, Reply, Style
from bot.schedule.cron import explain, zone
from bot.schedule.model import Schedule
from bot.store.base import AuditEntry, Debate, Poll, Store
from bot.wording import plural

log = logging.getLogger(__name__)

# What one page shows at most: a home view holds 100 blocks on the tightest platform, and a
# poll or schedule with its buttons takes two; the rest is named with the command listing it.
POLLS_MAX = 12
DEBATES_MAX = 6
NEXT_MAX = 5
SCHEDULES_MAX = 10
AUDIT_MAX = 10
AUDIT_DETAIL_MAX = 160

# A page is refreshed for people who opened it within this window; older visits are pruned.
VIEWER_WINDOW = timedelta(hours=1)
VIEWERS_MAX = 200  # refreshed per change, most recent visit first
# One refresh per workspace at most this often: a burst of closes is one refresh.
REFRESH_INTERVAL = 5.0


@dataclass(frozen=True)
class HomeData:
    """A workspace's open polls and debates, schedules and latest audit lines, as stored."""

    polls: tuple[Poll, ...]
    debates: tuple[Debate, ...]
    schedules: tuple[Schedule, ...]
    audit: tuple[AuditEntry, ...] = ()

    @property
    def signature(self) -> Hashable:
        """What a page shows that can change; equal signatures draw equal pages."""
        return (
            tuple((p.id, p.question, p.closes_at) for p in self.polls),
            tuple((d.id, d.phase) for d in self.debates),
            tuple((s.id, s.next_due, s.paused) for s in self.schedules),
            self.audit[0].id if self.audit else None,
        )


@dataclass(frozen=True)
class Viewer:
    """Who the page is for: their id, the channels they can see, and their rights."""

    user_id: str
    channels: frozenset[str]
    moderator: bool = False


async def load(store: Store, platform: str, workspace: str, now: datetime) -> HomeData:
    """Read what any page of the workspace may show (one read for every viewer)."""
    open_polls = [p for p in await store.open_polls(platform, workspace) if p.is_open(now)]
    debates = await store.open_debates(platform, workspace)
    schedules = await store.list_schedules(platform, workspace)
    audit = await store.audit_log(platform, workspace, AUDIT_MAX)
    return HomeData(tuple(open_polls), tuple(debates), tuple(schedules), tuple(audit))


def build(data: HomeData, viewer: Viewer, now: datetime, timezone: str = "UTC") -> Reply:
    """The page for `viewer`: only their channels' polls, debates and prompts.

    Moderators also get every schedule of the workspace and the latest audit lines, as
    `admin schedule list` and `admin audit` show them anywhere in it. Buttons carry the
    ordinary command and the channel it runs in; the dispatch checks rights as for typing it.
    """
    cards: list[Card] = [
        *_polls(data, viewer, now, timezone),
        *_debates(data, viewer),
        _next_prompts(data, viewer),
    ]
    if viewer.moderator:
        cards.extend(_schedules(data))
        cards.append(_audit(data, timezone))
    return Reply(tuple(cards), ephemeral=True)


def _button(label: str, line: str, channel: str, style: Style = "secondary") -> Button:
    return replace(actions.button(label, line, style), channel=channel)


def _more(shown: int, total: int, how: str) -> str:
    return f"\n…and {total - shown} more: {how}." if total > shown else ""


def _polls(data: HomeData, viewer: Viewer, now: datetime, timezone: str) -> list[Card]:
    mine = [p for p in data.polls if p.place.channel in viewer.channels]
    if not mine:
        body = 'None in your channels. Start one in a channel: `poll create "Question?" "A" "B"`.'
        return [Card("text", body, title="Open polls")]
    head = f"{plural(len(mine), 'open poll')} in your channels." + _more(
        POLLS_MAX, len(mine), "type `poll list` in a channel"
    )
    cards = [Card("text", head, title="Open polls")]
    for poll in mine[:POLLS_MAX]:
        channel = poll.place.channel
        buttons = [_button("Results", f"poll results {poll.id}", channel)]
        if viewer.moderator or poll.creator_id == viewer.user_id:
            buttons.append(_button("Close", f"poll close {poll.id}", channel, "danger"))
        body = (
            f"*#{poll.id}* {poll.question}\n"
            f"in #{channel} · {poll_cards.kind_text(poll)} · "
            f"{poll_cards.status(poll, now, timezone)}"
        )
        cards.append(Card("poll", body, buttons=tuple(buttons)))
    return cards


def _debates(data: HomeData, viewer: Viewer) -> list[Card]:
    mine = [d for d in data.debates if d.place.channel in viewer.channels]
    if not mine:
        return []
    head = f"{plural(len(mine), 'open debate')} in your channels." + _more(
        DEBATES_MAX, len(mine), "type `debate list` in a channel"
    )
    cards = [Card("text", head, title="Open debates")]
    for debate in mine[:DEBATES_MAX]:
        channel = debate.place.channel
        step = "opening vote" if debate.phase == "before" else "closing vote"
        buttons: list[Button] = []
        if viewer.moderator:
            if debate.phase == "before":
                buttons.append(_button("Open closing vote", f"debate advance {debate.id}", channel))
            buttons.append(_button("Close", f"debate close {debate.id}", channel, "danger"))
        body = f"*#{debate.id}* {debate.motion}\nin #{channel} · {step}"
        cards.append(Card("debate", body, buttons=tuple(buttons)))
    return cards


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(zone(tz))
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


def _what(schedule: Schedule) -> str:
    if schedule.own is not None:
        kind = "a poll" if schedule.own.poll else "a post"
        return f"{kind}: {fit(schedule.own.text, 80)}"
    extra = f" with a {schedule.attach}" if schedule.attach != "none" else ""
    return f"the next prompt{extra}"


def _next_prompts(data: HomeData, viewer: Viewer) -> Card:
    coming = sorted(
        (s for s in data.schedules if not s.paused and s.place.channel in viewer.channels),
        key=lambda s: (s.next_due, s.id),
    )
    if not coming:
        return Card("text", "Nothing is scheduled in your channels.", title="Next prompts")
    lines = [
        f"{_local(s.next_due, s.tz)} in #{s.place.channel}: {_what(s)}" for s in coming[:NEXT_MAX]
    ]
    return Card("text", "\n".join(lines), title="Next prompts")


def _schedules(data: HomeData) -> list[Card]:
    if not data.schedules:
        body = 'No schedules yet. Add one: `admin schedule add "0 9 * * 1-5" --with poll`.'
        return [Card("text", body, title="Schedules (moderators)")]
    head = (
        plural(len(data.schedules), "schedule")
        + "."
        + _more(SCHEDULES_MAX, len(data.schedules), "type `admin schedule list`")
    )
    cards = [Card("text", head, title="Schedules (moderators)")]
    for schedule in data.schedules[:SCHEDULES_MAX]:
        channel = schedule.place.channel
        if schedule.paused:
            state = f"PAUSED: {fit(schedule.paused_reason, 200)}"
            toggle = _button("Resume", f"admin schedule resume {schedule.id}", channel, "primary")
        else:
            state = f"next: {_local(schedule.next_due, schedule.tz)}"
            toggle = _button("Pause", f"admin schedule pause {schedule.id}", channel)
        remove = _button("Remove", f"admin schedule remove {schedule.id}", channel, "danger")
        body = (
            f"*Schedule {schedule.id}* in #{channel}: {explain(schedule.cron)} "
            f"`{schedule.cron}` {schedule.tz}, {_what(schedule)}\n{state}"
        )
        cards.append(Card("text", body, buttons=(toggle, remove)))
    return cards


def _audit(data: HomeData, timezone: str) -> Card:
    if not data.audit:
        return Card("text", "Nothing yet.", title="Latest moderator actions")
    lines = [
        f"{_local(entry.at, timezone)} · {entry.actor_name}: {entry.action} "
        f"{fit(entry.detail, AUDIT_DETAIL_MAX)}".rstrip()
        for entry in data.audit[:AUDIT_MAX]
    ]
    return Card(
        "text",
        "\n".join(lines),
        title="Latest moderator actions",
        footer="`admin audit` shows the whole log.",
    )


# Refreshing pages after a change -----------------------------------------------------------

Publish = Callable[[str, str, HomeData], Awaitable[None]]  # (workspace, user id, data)


class HomeRefresher:
    """Publishes again the pages of a platform's recent viewers after a change.

    `changed` is the delivery hook (`Delivery.watch`): every answer and post on the platform
    calls it. A refresh runs at most once per `interval` per workspace; it reads the workspace
    once and publishes only if what a page shows changed since this process last published
    (votes, views and reads change nothing there). Viewers come from the store, so a page
    opened through another process is refreshed too.
    """

    def __init__(
        self,
        store: Store,
        platform: str,
        publish: Publish,
        now: Callable[[], datetime],
        *,
        interval: float = REFRESH_INTERVAL,
        timer: Timer | None = None,
    ) -> None:
        self.store = store
        self.platform = platform
        self.publish = publish
        self.now = now
        self.queue: Coalescer[str] = Coalescer(interval, timer=timer)
        self._shown: dict[str, Hashable] = {}

    async def opened(self, workspace: str, user_id: str) -> HomeData:
        """Note a visit (so later changes refresh it) and return the data to draw it from."""
        now = self.now()
        await self.store.note_home_viewer(
            self.platform, workspace, user_id, forget_before=now - VIEWER_WINDOW
        )
        return await load(self.store, self.platform, workspace, now)

    def changed(self, place: Place) -> None:
        """Something may have changed in `place`'s workspace: refresh its pages soon."""
        if place.platform != self.platform or not place.workspace:
            return
        self.queue.request(place.workspace, partial(self.refresh, place.workspace))

    async def refresh(self, workspace: str) -> None:
        """Publish again every recent viewer's page if what it shows has changed."""
        now = self.now()
        viewers = await self.store.home_viewers(
            self.platform, workspace, now - VIEWER_WINDOW, VIEWERS_MAX
        )
        if not viewers:
            return
        data = await load(self.store, self.platform, workspace, now)
        if self._shown.get(workspace) == data.signature:
            return
        self._shown[workspace] = data.signature
        for user_id in viewers:
            try:
                await self.publish(workspace, user_id, data)
            except Exception:
                # One person's page failing (they left, a rate limit) must not stop the rest.
                log.warning("could not refresh a home page", exc_info=True)

    async def settle(self) -> None:
        """Run the refreshes that are due and wait for them."""
        await self.queue.settle()

    async def close(self) -> None:
        """Run every waiting refresh now and wait for it (at shutdown)."""
        await self.queue.close()
