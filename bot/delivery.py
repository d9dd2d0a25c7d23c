"""What happens after a reply is written, the same on every platform.

A command, a click, a deadline close and a scheduled post all end here. This module decides
whether a reply is private, posts it, records the message a tracked card became, opens its
discussion thread, and redraws every public message that shows a changed card, coalesced per
message so a burst of votes is one edit. Adapters only carry things out, through two small
ports: a `Poster` for the platform (post, update, open a thread) and a `Responder` for one
request (answer privately, answer in the channel).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from bot import replies
from bot.coalesce import Coalescer, Timer
from bot.models import Place, User
from bot.ports import Poster, PostFailed
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)

# Redraws of one message are at most this often unless the platform's adapter says otherwise.
EDIT_INTERVAL = 1.0
# Public cards are redrawn as a member sees them, never with a moderator's extra view.
VIEWER = User(id="oped-bot-redraw", name="oped-bot")

Draw = Callable[[str, Place, User], Awaitable[Reply | None]]
# Hears of every answer, post and redraw on its platform, once it is done (a home page's refresh).
Watcher = Callable[[Place], None]
Key = tuple[str, str]  # (channel or thread, message id) on one platform


class Responder(Protocol):
    """The way back to the person behind one request (an interaction, a response URL)."""

    async def private(self, reply: Reply) -> None:
        """Show `reply` to the requester alone; a failure is logged, never raised."""
        ...

    async def public(self, reply: Reply) -> str | None:
        """Answer in the channel; the message id it became, or None if it cannot be tracked.

        Raises PostFailed, worded for the requester, when nothing was posted.
        """
        ...


class Delivery:
    """Sends replies and redraws cards through the platforms' ports in `Services.posters`."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.draw: Draw | None = None  # the card source; the Bot sets it to `Bot.redraw`
        self._edits: dict[str, Coalescer[Key]] = {}
        self._watchers: dict[str, Watcher] = {}

    # Platforms ---------------------------------------------------------------------------

    def attach(
        self,
        platform: str,
        poster: Poster,
        *,
        interval: float = EDIT_INTERVAL,
        timer: Timer | None = None,
    ) -> None:
        """Deliver to `platform` through `poster`, redrawing a message at most every `interval`."""
        self.services.posters[platform] = poster
        self._edits[platform] = Coalescer(interval, timer=timer)

    async def detach(self, platform: str, poster: Poster) -> None:
        """Send the redraws still waiting for `platform`, then stop delivering to it."""
        edits = self._edits.get(platform)
        if edits is not None:
            await edits.close()
        if self.services.posters.get(platform) is poster:
            del self.services.posters[platform]

    def watch(self, platform: str, watcher: Watcher) -> None:
        """Tell `watcher` about each change delivered on `platform`; it must return at once."""
        self._watchers[platform] = watcher

    def unwatch(self, platform: str, watcher: Watcher) -> None:
        """Stop telling `watcher` (if it is still the one watching `platform`)."""
        if self._watchers.get(platform) is watcher:
            del self._watchers[platform]

    def _changed(self, place: Place) -> None:
        watcher = self._watchers.get(place.platform)
        if watcher is None:
            return
        try:
            watcher(place)
        except Exception:
            # A watcher's failure must never undo or hide the delivery it was told about.
            log.warning("a delivery watcher failed", exc_info=True)

    def edits(self, platform: str) -> Coalescer[Key]:
        """The redraw queue of one platform (a default one if its adapter set none)."""
        edits = self._edits.get(platform)
        if edits is None:
            edits = self._edits[platform] = Coalescer(EDIT_INTERVAL)
        return edits

    async def settle(self, platform: str) -> None:
        """Send every redraw of `platform` that is due now and wait for them."""
        await self.edits(platform).settle()

    # Answers to requests -----------------------------------------------------------------

    async def answer(
        self,
        reply: Reply,
        place: Place,
        responder: Responder,
        *,
        button: bool = False,
        clicked: str | None = None,
    ) -> None:
        """Answer one request, then redraw the cards it changed.

        A button's answer is private (a vote's confirmation) unless it posts something new
        and public (a tracked card or a thread). `clicked` is the public message the button
        sat on: it shows the card even when nothing tracked it.
        """
        private = reply.ephemeral or (button and not (reply.track or reply.thread))
        posted: str | None = None
        try:
            if private:
                await responder.private(reply)
            else:
                try:
                    posted = await responder.public(reply)
                except PostFailed as exc:
                    await responder.private(replies.error(f"I could not post the reply: {exc}"))
                else:
                    if posted is not None:
                        await self._posted(reply, place, posted, responder)
        finally:
            # The change is saved whether or not its reply got through: the card must show it.
            await self.refresh(reply.refresh, place, clicked=clicked, posted=posted, to=responder)
            if not reply.is_error:  # a refusal wrote nothing
                self._changed(place)

    # Posts outside any request -----------------------------------------------------------

    async def post(
        self,
        place: Place,
        reply: Reply,
        *,
        on_posted: Callable[[str], Awaitable[None]] | None = None,
    ) -> str:
        """Post publicly (scheduled prompts, announcements); return the message id.

        Raises PostFailed when nothing went out. `on_posted` hears the id before anything else
        is written (the scheduler marks its run posted first, so a crash cannot post it twice).
        Then the tracked card is recorded and its thread opened; a thread that cannot open is
        explained in the channel.
        """
        poster = self._poster(place.platform)
        message_id = await poster.post(place, reply)
        if on_posted is not None:
            await on_posted(message_id)
        await self._posted(reply, place, message_id, None)
        self._changed(place)
        return message_id

    async def _posted(
        self, reply: Reply, place: Place, message_id: str, responder: Responder | None
    ) -> None:
        store = self.services.store
        if reply.track and store is not None:
            await store.remember_message(reply.track, place, message_id)
        if not reply.thread:
            return
        poster = self.services.posters.get(place.platform)
        if poster is None:
            return
        try:
            await poster.open_thread(place, message_id, reply.thread)
        except PostFailed as exc:
            # The post itself went out, so this is no failure to retry (it would post twice).
            log.warning("thread not opened under %s: %s", message_id, exc)
            if responder is not None:
                await responder.private(
                    replies.error(f"It is posted, but I could not open its thread: {exc}")
                )
                return
            note = replies.notice(f"I could not open the discussion thread: {exc}", ephemeral=False)
            try:
                await poster.post(place, note)
            except PostFailed:
                log.warning("could not explain the missing thread", exc_info=True)

    # Redraws -----------------------------------------------------------------------------

    async def refresh(
        self,
        refs: Iterable[str],
        place: Place,
        *,
        clicked: str | None = None,
        posted: str | None = None,
        to: Responder | None = None,
    ) -> None:
        """Queue a redraw of every message on `place`'s platform that shows one of `refs`.

        `posted` just became the card and is current already; `to` hears, privately, of a
        redraw that failed.
        """
        refs = tuple(refs)
        if not refs:
            return
        self._changed(place)
        targets: dict[Key, tuple[str, Place]] = {}
        store = self.services.store
        if store is not None:
            for ref in refs:
                for shown in await store.messages_for(ref):
                    if shown.place.platform == place.platform:
                        key = (shown.place.thread or shown.place.channel, shown.message_id)
                        targets.setdefault(key, (ref, shown.place))
        if clicked is not None:
            # A message the store does not know (no store, or posted through a way that
            # could not be tracked) still shows the card its button belongs to.
            targets.setdefault((place.thread or place.channel, clicked), (refs[0], place))
        edits = self.edits(place.platform)
        for key, (ref, where) in targets.items():
            if key[1] == posted:
                continue
            edits.request(key, self._redraw_job(ref, where, key[1], to))

    def _redraw_job(
        self, ref: str, place: Place, message_id: str, to: Responder | None
    ) -> Callable[[], Awaitable[None]]:
        async def job() -> None:
            await self._redraw(ref, place, message_id, to)

        return job

    async def _redraw(self, ref: str, place: Place, message_id: str, to: Responder | None) -> None:
        poster = self.services.posters.get(place.platform)
        if poster is None or self.draw is None:
            return
        # Drawn when the edit runs, not when it was asked for: the latest state wins.
        reply = await self.draw(ref, place, VIEWER)
        if reply is None:  # not a card this place may show (a stray copy elsewhere)
            return
        try:
            await poster.update(place, message_id, reply)
        except PostFailed as exc:
            log.warning("could not redraw %s in %s: %s", ref, place.channel, exc)
            if to is not None:
                text = f"Your change is saved, but I could not update the message: {exc}"
                await to.private(replies.error(text))

    def _poster(self, platform: str) -> Poster:
        poster = self.services.posters.get(platform)
        if poster is None:
            raise PostFailed(f"Nothing is running to post on {platform}.", retryable=True)
        return poster
