"""The one dispatch: every request from every platform goes through `Bot.handle`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import replace

from bot import replies
from bot.catalogue import Catalogue, Command, coerce
from bot.completion import MAX_CHOICES, Choice, Completer
from bot.context import Context, Services
from bot.errors import Forbidden, UserError
from bot.features import all_card_providers, all_commands, all_completers
from bot.metrics import UNKNOWN_COMMAND, CommandOutcome
from bot.models import Place, Request, User
from bot.pack_choice import pack_for
from bot.replies import Reply
from bot.textparse import parse
from bot.usertext import readable

log = logging.getLogger(__name__)


class Bot:
    """Turns neutral requests into neutral replies."""

    def __init__(self, services: Services, catalogue: Catalogue | None = None) -> None:
        self.services = services
        self.catalogue = catalogue or Catalogue(all_commands())
        self.completers: Mapping[str, Completer] = all_completers()
        self.card_providers = all_card_providers()
        services.delivery.draw = self.redraw

    async def handle_text(self, text: str, place: Place, user: User) -> Reply:
        """Parse a line in the shared text syntax (or a button's action) and handle it."""
        metrics = self.services.metrics
        started = metrics.timer()
        try:
            command, raw = parse(text, self.catalogue)
        except UserError as exc:
            # Counted under one label: what was typed must never become a label.
            metrics.command(UNKNOWN_COMMAND, "refused", metrics.timer() - started)
            return replies.error(str(exc))
        # Through `handle`, which times the command itself: every request takes that one path.
        return await self.handle(Request(place, user, command.path, raw))

    async def handle(self, request: Request) -> Reply:
        """Check rights and arguments, run the handler, and turn refusals into ephemeral errors."""
        metrics = self.services.metrics
        started = metrics.timer()
        name = readable(request.user.name, request.user.id)
        if name != request.user.name:
            # A lone surrogate in a display name would fail UTF-8 encoding at the database.
            request = replace(request, user=replace(request.user, name=name))
        label = UNKNOWN_COMMAND
        outcome: CommandOutcome | None = None  # stays None if the caller cancels the request
        try:
            command = self.catalogue.get(request.command)
            label = command.name
            ctx = await self.context(request)
            if command.moderator and not ctx.is_moderator:
                raise Forbidden(
                    f"`{command.name}` is for moderators. Ask one to run it, or to give you "
                    "the rights with `admin moderators add`."
                )
            args = coerce(command, request.args)
            reply = await command.handler(ctx, args)
            outcome = "refused" if reply.is_error else "ok"
            return reply
        except UserError as exc:
            outcome = "refused"
            return replies.error(str(exc))
        except Exception:
            outcome = "failed"
            incident = uuid.uuid4().hex[:8]
            log.exception(
                "command failed", extra={"incident": incident, "command": request.command}
            )
            return replies.error(
                f"Something went wrong on our side (incident {incident}). Nothing was changed; "
                "try again, and tell a moderator if it keeps happening."
            )
        finally:
            if outcome is not None:
                metrics.command(label, outcome, metrics.timer() - started)

    async def context(self, request: Request) -> Context:
        return Context(
            request=request,
            services=self.services,
            is_moderator=await self.is_moderator(request.place, request.user),
            pack=await pack_for(self.services, request.place),
            catalogue=self.catalogue,
        )

    async def is_moderator(self, place: Place, user: User) -> bool:
        """Platform admins, configured users and roles, and moderators added in the bot."""
        return await self.moderator_source(place, user) is not None

    async def moderator_source(self, place: Place, user: User) -> str | None:
        """Where `user`'s moderator rights come from, or None for a member."""
        if user.is_moderator:
            return "platform"
        settings = self.services.settings
        if user.id in settings.moderator_users or user.roles & settings.moderator_roles:
            return "config"
        store = self.services.store
        if store is None:
            return None
        granted = await store.moderator_ids(place.platform, place.workspace)
        return "bot" if user.id in granted or user.roles & granted else None

    async def complete(self, source: str, place: Place, user: User, typed: str) -> list[Choice]:
        """Autocomplete suggestions from a named source, at most 25, best first."""
        completer = self.completers.get(source)
        if completer is None:
            return []
        ctx = await self.context(Request(place, user, ("help",)))
        return (await completer(ctx, typed))[:MAX_CHOICES]

    async def redraw(self, ref: str, place: Place, user: User) -> Reply | None:
        """The current public card for a tracked ref such as `poll:12`, for message edits."""
        provider = self.card_providers.get(ref.partition(":")[0])
        if provider is None:
            return None
        ctx = await self.context(Request(place, user, ("help",)))
        return await provider(ctx, ref)

    async def remember_message(self, ref: str, place: Place, message_id: str) -> None:
        """Record that `message_id` in `place` shows the tracked card `ref`.

        `bot.delivery` calls this for every post with `track`; tools and tests may too.
        """
        store = self.services.store
        if store is not None:
            await store.remember_message(ref, place, message_id)

    def command(self, path: tuple[str, ...]) -> Command:
        return self.catalogue.get(path)
