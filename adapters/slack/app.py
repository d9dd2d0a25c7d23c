"""The Slack adapter: `/oped`, buttons, the poll modal and the Home tab on a slack-bolt AsyncApp.

Every listener does its work in a task it keeps and acknowledges within Slack's 3 seconds; a
command whose answer is ready within `ACK_BUDGET_S` carries it in the acknowledgement itself,
saving Slack a second request to the response_url. A listener returns once it has acknowledged
(slow work stays in its task): Bolt runs listeners to their end and then answers Slack
(`process_before_response`), instead of running each in a task of its own and polling every
10 ms for the acknowledgement, which cost every request at least one 10 ms wait. The core does
the rest: the text after `/oped` goes to `Bot.handle_text`, a button's value is a command line,
and a modal becomes a `poll create` request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse

from adapters.slack.events import EVENTS_PATH, FrontDoorOnly, web_app
from adapters.slack.groups import SlackGroups
from adapters.slack.home import SlackHome, from_home, home_opened
from adapters.slack.lookups import Remembered
from adapters.slack.modal import (
    block_for_error,
    block_for_pick_error,
    build_modal,
    build_pick_modal,
    error_text,
    read_metadata,
    read_picks,
    read_submission,
)
from adapters.slack.oauth import add_oauth_routes, listen_for_revocations
from adapters.slack.poster import (
    SLACK_FAILURES,
    Clients,
    NotInstalled,
    OneWorkspace,
    SlackClient,
    SlackPoster,
    slack_failure,
    upload_fields,
)
from adapters.slack.render import Message, attachment_blocks, cap, render_messages, unescape
from bot import replies
from bot.actions import PREFIX, command_line
from bot.app import Bot
from bot.catalogue import Catalogue, Command, Option
from bot.clock import Clock
from bot.coalesce import Coalescer, Timer
from bot.errors import UserError
from bot.metrics import ApiErrorKind, api_error_kind
from bot.models import ArgValue, Place, Request, User
from bot.ports import PostFailed
from bot.replies import Card, Reply
from bot.textparse import left_out, parse, split

log = logging.getLogger(__name__)

# A response_url sender: Bolt's `respond`, or an `AckSlot` standing in front of it.
Respond = Callable[..., Awaitable[WebhookResponse]]


class _TokenUnusedFilter(logging.Filter):
    """Drops bolt's "`token` will be unused": it reads SLACK_BOT_TOKEN itself, and the client
    we hand it carries that same token, so the warning has nothing for a user to act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOG = logging.getLogger("adapters.slack.bolt")
BOLT_LOG.addFilter(_TokenUnusedFilter())

COMMAND = "/oped"
POLL_CREATE = ("poll", "create")
POLL_MODAL = "oped_poll_create"
# A form for the text a button's command line leaves out (Add option's `poll add 12`).
LINE_MODAL = "oped_line_form"
PICK_MODAL = "oped_pick"  # a reply's neutral form (the Rank button's), see `bot.replies.Form`
# Slack-only subcommands, routed before the catalogue; the parity test keeps them disjoint.
SLACK_ONLY = {("poll", "new"): "Open a form to create a poll."}
# How long a users.info answer is trusted: an admin who is demoted loses rights within this.
ADMIN_TTL = timedelta(minutes=5)
ADMIN_FAILURE_TTL = timedelta(seconds=30)
ADMIN_CACHE_MAX = 10_000
# A modal must be answered within 3 s; within this budget the handler's verdict shows in the form.
MODAL_BUDGET_S = 2.0
# Likewise a command's first answer rides in its acknowledgement when it is ready within this.
ACK_BUDGET_S = 2.0
CANNOT_POST = frozenset({"not_in_channel", "channel_not_found"})
# Slack answers a flood of chat.update calls with 429s; one redraw per message per second keeps a
# busy poll clear of that while its results still look live.
UPDATE_INTERVAL = 1.0
# A claimed delivery is remembered past Slack's 5-minute signature window, then pruned.
DELIVERY_TTL = timedelta(minutes=10)


class AdminCache:
    """Workspace admins and owners, from `users.info`, remembered for a while.

    Lookups are single-flight per user: a burst of clicks by one person waits for one call.
    """

    def __init__(self, clients: Clients, clock: Clock, ttl: timedelta = ADMIN_TTL) -> None:
        self.clients = clients
        self.clock = clock
        self.ttl = ttl
        self._answers: Remembered[tuple[str, str], bool] = Remembered(clock, ADMIN_CACHE_MAX)

    async def is_admin(self, team: str, user_id: str) -> bool:
        """Whether the user is a workspace admin or owner; False if Slack cannot say."""
        return await self._answers.get((team, user_id), partial(self._look_up, team, user_id))

    async def _look_up(self, team: str, user_id: str) -> tuple[bool, timedelta]:
        try:
            client = await self.clients.for_team(team)
            response = await client.users_info(user=user_id)
        except Exception as exc:
            # Refusing rights is the safe answer; ask again soon in case it was a blip.
            log.warning("users.info failed (%s); treating the user as a member", _why(exc))
            return False, ADMIN_FAILURE_TTL
        info = response.get("user")
        if not isinstance(info, dict):
            info = {}
        admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        return admin, self.ttl


class SlackAdapter:
    """Wires a Bot into a slack-bolt AsyncApp."""

    def __init__(
        self,
        bot: Bot,
        client: AsyncWebClient,
        *,
        signing_secret: str = "",
        command: str = COMMAND,
        timer: Timer | None = None,
        modal_budget: float = MODAL_BUDGET_S,
        ack_budget: float = ACK_BUDGET_S,
        home_timer: Timer | None = None,
        oauth: AsyncOAuthSettings | None = None,
        clients: Clients | None = None,
    ) -> None:
        """One workspace on `client`'s token; or, with `oauth`, every workspace that installs
        the app, each answered with its own token from `clients`."""
        self.bot = bot
        self.signing_secret = signing_secret
        self.modal_budget = modal_budget
        self.ack_budget = ack_budget
        self.client = client
        self._api_failed = partial(bot.services.metrics.platform_api_error, "slack")
        if isinstance(client, SlackClient):
            client.on_failure = self._api_failed
        self.command = command
        self.clients: Clients = clients or OneWorkspace(client)
        self.poster = SlackPoster(client, self.clients)
        self.timer = timer
        self.admins = AdminCache(self.clients, bot.services.clock)
        bot.services.groups["slack"] = SlackGroups(self.clients, bot.services.clock)
        self._tasks: set[asyncio.Task[Any]] = set()
        self.app = AsyncApp(
            client=client,
            signing_secret=signing_secret,
            name="oped-bot",
            logger=BOLT_LOG,
            oauth_settings=oauth,
            # `web_app` verified the signature before Bolt saw the request: no second check.
            request_verification_enabled=False,
            before_authorize=FrontDoorOnly(),
            process_before_response=True,  # see the module docstring
        )
        if oauth is not None:
            listen_for_revocations(self.app, oauth.installation_store)
        self.app.middleware(_Once(self))
        self.home = SlackHome(self, home_timer)
        self.app.middleware(self._home_opened)
        self.app.command(command)(self._on_command)
        self.app.action(re.compile("^" + re.escape(PREFIX)))(self._on_action)
        self.app.view(POLL_MODAL)(self._on_poll_modal)
        self.app.view(LINE_MODAL)(self._on_line_modal)
        self.app.view(PICK_MODAL)(self._on_pick_modal)

    def web_app(self, path: str = EVENTS_PATH) -> web.Application:
        """HTTP mode: `path` served by this adapter, refusing requests Slack did not sign."""
        application = web_app(self.app, self.signing_secret, path=path)
        if self.app.oauth_flow is not None:
            add_oauth_routes(application, self.app.oauth_flow)
        return application

    def start(self) -> None:
        """Deliver the bot's Slack posts and redraws through this adapter's Poster."""
        self.bot.services.delivery.attach(
            "slack", self.poster, interval=UPDATE_INTERVAL, timer=self.timer
        )
        self.home.start()

    @property
    def updates(self) -> Coalescer[tuple[str, str]]:
        """The queue of coalesced redraws of Slack messages."""
        return self.bot.services.delivery.edits("slack")

    async def drain(self) -> None:
        """Wait for the work of every acknowledged request, and for redraws that are due."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.updates.settle()
        await self.home.settle()

    async def close(self) -> None:
        """Finish in-flight work and pending redraws; withdraw the Poster."""
        await self.drain()
        await self.home.close()
        await self.bot.services.delivery.detach("slack", self.poster)

    async def _once(
        self,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Process each delivery once; a replay, or Slack's retry of it, is only acknowledged."""
        if await self._claim(req):
            return await next()
        retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
        log.info("Slack delivery seen before (retry %s): acknowledged, not redone", retry)
        return BoltResponse(status=200, body="")

    async def _home_opened(
        self,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """`app_home_opened`: publish the page (`adapters.slack.home`) after acknowledging.

        A middleware rather than an event listener: Bolt acknowledges an event before it starts
        the listener, and the work must be tracked (`drain`) from the start.
        """
        if not home_opened(req.body):
            return await next()
        self._spawn(self.home.opened(req.body))
        return BoltResponse(status=200, body="")

    async def _claim(self, req: AsyncBoltRequest) -> bool:
        store = self.bot.services.store
        if store is None:
            return True  # a bot without a database has no state a replay could corrupt twice
        # A genuine delivery's body is unique (trigger_id, action_ts...); a retry repeats it.
        raw = req.raw_body or json.dumps(req.body, sort_keys=True)
        key = "slack:" + hashlib.sha256(raw.encode()).hexdigest()
        try:
            return await store.claim_delivery(key, self.bot.services.clock.now() + DELIVERY_TTL)
        except Exception as exc:
            # Doing the work, at worst twice, beats dropping it while the database is unwell.
            log.warning("could not claim a Slack delivery (%s); processing it", _why(exc))
            return True

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack request failed", exc_info=task.exception())

    async def _user(self, team: str, user: Mapping[str, Any]) -> User:
        user_id = str(user.get("id", ""))
        name = str(user.get("username") or user.get("name") or user_id)
        return User(user_id, name, is_moderator=await self.admins.is_admin(team, user_id))

    # -- /oped ---------------------------------------------------------------------------

    async def _on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        slot = AckSlot(respond)
        work = self._spawn(self._command(command, slot))
        work.add_done_callback(slot.finished)
        # Slow work (a cold users.info, a slow database) falls back to the response_url. One
        # timer on the slot's own future: `asyncio.wait` built a set, a waiter and callbacks.
        budget = asyncio.get_running_loop().call_later(self.ack_budget, slot.finished)
        try:
            await slot.settled
        except asyncio.CancelledError:
            # The request was dropped (the server is stopping) with no acknowledgement sent:
            # what the work holds for it, and all it sends later, take the response_url.
            kept = slot.close()
            slot.sent.set()
            if kept is not None:
                self._spawn(_respond(slot.respond, self._api_failed, **kept))
            raise
        finally:
            budget.cancel()
        message = slot.close()
        try:
            if message is None:
                await ack()
            else:
                await ack(
                    text=message.get("text", ""),
                    blocks=message.get("blocks"),
                    response_type=message.get("response_type"),
                )
        finally:
            slot.sent.set()

    async def _command(self, body: Mapping[str, Any], respond: Respond) -> None:
        team = str(body.get("team_id", ""))
        place = Place("slack", team, str(body.get("channel_id", "")))
        # Slack escapes what the user typed (`&` arrives as `&amp;`); its own markup for users
        # and channels (`<@U1|ann>`, with escaping on in the manifest) arrives as it is.
        text = unescape(str(body.get("text") or "")).strip()
        reply: Reply | None = None
        route = slack_route(text)
        if route == ("poll", "new"):
            # The trigger_id dies 3 s after the command: open the form before users.info.
            reply = await self._open_poll_modal(body, place)
            if reply is None:
                return
        user = await self._user(team, {"id": body.get("user_id"), "name": body.get("user_name")})
        if route == ("help",):
            reply = await self.bot.handle_text("help", place, user)
            if not reply.is_error and _has_polls(self.bot):
                reply = _with_slack_help(reply, self.command)
        elif route is None:
            reply = await self.bot.handle_text(text, place, user)
            if reply.form is not None and await self._open_pick_modal(body, reply.form, place):
                return
        await self.deliver(reply, place, user, respond=respond)

    async def _open_poll_modal(self, body: Mapping[str, Any], place: Place) -> Reply | None:
        try:
            command = self.bot.command(POLL_CREATE)
        except UserError:
            return replies.error("Polls are not available in this bot.")
        metadata = {"team": place.workspace, "channel": place.channel}
        view = build_modal(command, POLL_MODAL, "Create a poll", metadata)
        try:
            client = await self.clients.for_team(place.workspace)
            await client.views_open(trigger_id=str(body.get("trigger_id", "")), view=view)
        except (*SLACK_FAILURES, NotInstalled) as exc:
            log.warning("views.open failed: %s", _why(exc))
            return replies.error(
                "The poll form could not open. Try again, or use "
                f'`{self.command} poll create "Question?" "Option" "Option"`.'
            )
        return None

    # -- buttons -------------------------------------------------------------------------

    async def _on_action(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:  # Slack ignores the body of a button's acknowledgement: answer afterwards
        self._spawn(self._action(body, action, respond))
        await ack()

    async def _action(
        self, body: Mapping[str, Any], action: Mapping[str, Any], respond: Respond
    ) -> None:
        if from_home(body):
            await self.home.clicked(body, action)
            return
        line = action.get("value") or command_line(str(action.get("action_id", "")))
        if not line:
            return
        user_info: Mapping[str, Any] = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user_info.get("team_id") or "")
        container: Mapping[str, Any] = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        place = Place("slack", team, channel)
        asked = left_out(str(line), self.bot.catalogue)
        if asked is not None:
            # The trigger_id dies 3 s after the click: open the form before users.info.
            await self._open_line_modal(body, place, str(line), *asked, respond)
            return
        user = await self._user(team, user_info)
        message_ts = container.get("message_ts")
        reply = await self.bot.handle_text(str(line), place, user)
        if reply.form is not None and await self._open_pick_modal(body, reply.form, place):
            return
        clicked = str(message_ts) if message_ts and not container.get("is_ephemeral") else None
        await self.deliver(reply, place, user, respond=respond, button=True, clicked=clicked)

    async def _open_line_modal(
        self,
        body: Mapping[str, Any],
        place: Place,
        line: str,
        command: Command,
        missing: tuple[Option, ...],
        respond: Respond,
    ) -> None:
        """Ask for the text a clicked line leaves out; the submission runs the line with it."""
        metadata = {"team": place.workspace, "channel": place.channel, "line": line}
        asking = dataclasses.replace(command, options=missing)
        view = build_modal(asking, LINE_MODAL, command.help, metadata, submit="Add")
        try:
            client = await self.clients.for_team(place.workspace)
            await client.views_open(trigger_id=str(body.get("trigger_id", "")), view=view)
        except (*SLACK_FAILURES, NotInstalled) as exc:
            log.warning("views.open failed: %s", _why(exc))
            typed = " ".join([line, *(o.placeholder or f"<{o.name}>" for o in missing)])
            refusal = replies.error(f"The form could not open. Type `{self.command} {typed}`.")
            user_id = str((body.get("user") or {}).get("id", ""))
            await self._send_ephemeral(
                cap(render_messages(refusal)), place, User(user_id, user_id), respond
            )

    async def _on_line_modal(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        """A submitted form for a clicked line: run the line with the text typed in it."""
        metadata = read_metadata(view)
        try:
            command, raw = parse(metadata.get("line", ""), self.bot.catalogue)
        except UserError:
            await ack()  # the command is gone (turned off since the form opened)
            return
        asked = left_out(metadata.get("line", ""), self.bot.catalogue)
        asking = dataclasses.replace(command, options=asked[1] if asked else ())
        if not metadata.get("channel"):
            await ack()
            return
        values, errors = read_submission(asking, view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        user_info, place = _submitted_from(body, metadata)
        await self._run_modal(ack, asking, {**raw, **values}, place, user_info)

    # -- a reply's form (the Rank button's) ----------------------------------------------

    async def _open_pick_modal(
        self, body: Mapping[str, Any], form: replies.Form, place: Place
    ) -> bool:
        """Open a reply's form; False (the reply is shown instead, saying what to type) if not."""
        metadata = {"team": place.workspace, "channel": place.channel}
        try:
            view = build_pick_modal(form, PICK_MODAL, metadata)
            client = await self.clients.for_team(place.workspace)
            await client.views_open(trigger_id=str(body.get("trigger_id", "")), view=view)
        except ValueError:
            return False  # a command too long to carry: the typed way still works
        except (*SLACK_FAILURES, NotInstalled) as exc:
            log.warning("views.open failed: %s", _why(exc))
            return False
        return True

    async def _on_pick_modal(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        metadata = read_metadata(view)
        picks = read_picks(view)
        command = metadata.get("command")
        if not metadata.get("channel") or not command or not picks:
            await ack(
                response_action="errors",
                errors={
                    block_for_pick_error(picks): error_text(
                        "This form lost track of its poll. Close it and click the button again."
                    )
                },
            )
            return
        user_info, place = _submitted_from(body, metadata)
        # The answers complete the command the form was opened for (`poll rank 12` + `3 1 2`).
        line = " ".join([command, *(value for _, value in picks)])
        work = self._spawn(self._run_from_modal(line, place, user_info))
        await self._answer_form(ack, work, place, lambda _: block_for_pick_error(picks))

    async def _run_from_modal(
        self, line: str, place: Place, user_info: Mapping[str, Any]
    ) -> tuple[Reply, User]:
        user = await self._user(place.workspace, user_info)
        return await self.bot.handle_text(line, place, user), user

    # -- the poll modal ------------------------------------------------------------------

    async def _on_poll_modal(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        try:
            command = self.bot.command(POLL_CREATE)
        except UserError:
            await ack()  # polls were turned off while the form was open; nothing to create
            return
        metadata = read_metadata(view)
        if not metadata.get("channel"):
            # The channel only travels in the form's metadata: without it the poll has no home.
            await ack(
                response_action="errors",
                errors={
                    block_for_error(command, ""): error_text(
                        "This form lost track of its channel. Close it and run "
                        f"`{self.command} poll new` again in the channel."
                    )
                },
            )
            return
        raw, errors = read_submission(command, view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        user_info, place = _submitted_from(body, metadata)
        await self._run_modal(ack, command, raw, place, user_info)

    async def _run_modal(
        self,
        ack: AsyncAck,
        command: Command,
        raw: dict[str, ArgValue],
        place: Place,
        user_info: Mapping[str, Any],
    ) -> None:
        """Run a submitted form's command; a quick refusal shows in the form, under its input."""
        work = self._spawn(self._create_from_modal(command.path, raw, place, user_info))
        await self._answer_form(ack, work, place, partial(block_for_error, command))

    async def _answer_form(
        self,
        ack: AsyncAck,
        work: asyncio.Task[tuple[Reply, User]],
        place: Place,
        error_block: Callable[[str], str],
    ) -> None:
        """Acknowledge a submitted form once its `work` is done or the budget is spent.

        A refusal ready in time shows in the form, under the input `error_block` names;
        anything else closes the form and is answered when the work is done, even if the
        request is dropped meanwhile (the server is stopping).
        """
        # The rights lookup and the handler share the budget; Slack waits 3 s at most.
        try:
            done, _ = await asyncio.wait({work}, timeout=self.modal_budget)
        except asyncio.CancelledError:
            self._spawn(self._after_modal(work, place))
            raise
        if work in done and not work.cancelled() and work.exception() is None:
            reply, _ = work.result()
            if reply.is_error:
                message = "\n".join(card.body for card in reply.cards if card.kind == "error")
                await ack(
                    response_action="errors", errors={error_block(message): error_text(message)}
                )
                return
        await ack()
        self._spawn(self._after_modal(work, place))

    async def _create_from_modal(
        self,
        path: tuple[str, ...],
        raw: dict[str, ArgValue],
        place: Place,
        user_info: Mapping[str, Any],
    ) -> tuple[Reply, User]:
        user = await self._user(place.workspace, user_info)
        return await self.bot.handle(Request(place, user, path, raw)), user

    async def _after_modal(self, work: Awaitable[tuple[Reply, User]], place: Place) -> None:
        reply, user = await work
        await self.deliver(reply, place, user)

    # -- delivering replies --------------------------------------------------------------

    async def deliver(
        self,
        reply: Reply | None,
        place: Place,
        user: User,
        *,
        respond: Respond | None = None,
        button: bool = False,
        clicked: str | None = None,
    ) -> None:
        """Hand a reply to `bot.delivery`, which answers through this request's responder."""
        if reply is None:
            return
        responder = SlackResponder(self, place, user, respond)
        await self.bot.services.delivery.answer(
            reply, place, responder, button=button, clicked=clicked
        )

    async def _ephemeral(
        self, reply: Reply, place: Place, user: User, respond: Respond | None
    ) -> None:
        extra = []
        if reply.attachments:
            # Files cannot be ephemeral in a channel; a direct message keeps them private.
            if await self._send_files_privately(reply, place, user):
                names = ", ".join(a.filename for a in reply.attachments)
                note = Card("notice", f"{names}: sent to you in a direct message.")
                reply = Reply((*reply.cards, note), ephemeral=True)
            else:
                extra = [b for a in reply.attachments for b in attachment_blocks(a)]
        await self._send_ephemeral(cap(render_messages(reply, extra)), place, user, respond)

    async def _send_ephemeral(
        self,
        messages: list[Message],
        place: Place,
        user: User,
        respond: Respond | None,
    ) -> None:
        for message in messages:
            if respond is not None and await _respond(
                respond,
                self._api_failed,
                text=message["text"],
                blocks=message["blocks"],
                response_type="ephemeral",
                replace_original=False,
            ):
                continue
            if not place.channel:
                log.warning("a reply was lost: no response_url worked and no channel is known")
                continue
            # No response_url (a form), or it failed or expired: Slack can still show the
            # user a private message in the channel.
            try:
                client = await self.clients.for_team(place.workspace)
                await client.chat_postEphemeral(channel=place.channel, user=user.id, **message)
            except (*SLACK_FAILURES, NotInstalled) as exc:
                log.warning("chat.postEphemeral failed: %s", _why(exc))

    async def _send_files_privately(self, reply: Reply, place: Place, user: User) -> bool:
        try:
            client = await self.clients.for_team(place.workspace)
            opened = await client.conversations_open(users=user.id)
            channel = str((opened.get("channel") or {}).get("id", ""))
            for attachment in reply.attachments:
                await client.files_upload_v2(channel=channel, **upload_fields(attachment))
        except Exception as exc:
            log.warning("private file delivery failed (%s); showing it inline", _why(exc))
            return False
        return True

    async def _public(self, reply: Reply, place: Place, respond: Respond | None) -> str | None:
        """Post publicly; the first message's ts, or None when it went another way."""
        try:
            return await self.poster.post_messages(place, reply) or None
        except SLACK_FAILURES as exc:
            failure = slack_failure(exc)
            if failure.reason in CANNOT_POST and respond is not None:
                # Private channels and DMs the bot was not invited to: answer through the
                # command's response_url instead; buttons still work there. No file can follow
                # a response_url, so files are shown inline (an image by what it shows).
                extra = [b for a in reply.attachments for b in attachment_blocks(a)]
                for message in cap(render_messages(reply, extra)):
                    await _respond(
                        respond,
                        self._api_failed,
                        text=message["text"],
                        blocks=message["blocks"],
                        response_type="in_channel",
                    )
                return None
            log.warning("chat.postMessage failed: %s", failure)
            if failure.retryable:
                why = f"Slack did not take the message ({failure}). Try again in a minute."
            else:
                why = (
                    f"Slack refused it in this channel ({failure}). Invite me with "
                    "`/invite @oped-bot` and try again."
                )
            raise PostFailed(why, retryable=failure.retryable) from exc


class _Once(AsyncMiddleware):
    """`SlackAdapter._once` as Bolt middleware, called as is rather than through Bolt's
    argument injection, which built every listener argument for each request to pass three."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        """Go on only with a delivery not seen before."""
        return await self.adapter._once(req, resp, next)

    @property
    def name(self) -> str:
        """The middleware's name in Bolt's logs."""
        return "SlackAdapter._once"


class AckSlot:
    """A command's response_url, whose first message is kept for the acknowledgement.

    Until the acknowledgement goes out, the first message sent is held back to ride in it;
    anything later goes to the response_url once the acknowledgement has gone, so the user
    still sees the messages in order.
    """

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.message: dict[str, Any] | None = None
        # Resolved when there is something to acknowledge with, or the work ended without it.
        self.settled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sent = asyncio.Event()
        self._open = True

    async def __call__(self, **message: Any) -> WebhookResponse:
        """Keep the first message for the acknowledgement; send the others to the response_url."""
        if self._open and message.get("response_type") in ("ephemeral", "in_channel"):
            self._open = False
            self.message = message
            self.finished()
            return WebhookResponse(url="", status_code=200, body="ok", headers={})
        await self.sent.wait()
        return await self.respond(**message)

    def finished(self, *_: object) -> None:
        """Stop waiting: a message is kept, or the work is over."""
        if not self.settled.done():
            self.settled.set_result(None)

    def close(self) -> dict[str, Any] | None:
        """The message to acknowledge with, if any; from now on messages take the response_url."""
        self._open = False
        return self.message


class SlackResponder:
    """The `Responder` for one Slack request: its response_url, else the channel."""

    def __init__(
        self, adapter: SlackAdapter, place: Place, user: User, respond: Respond | None
    ) -> None:
        self.adapter = adapter
        self.place = place
        self.user = user
        self.respond = respond

    async def private(self, reply: Reply) -> None:
        """An ephemeral answer (files go by direct message)."""
        await self.adapter._ephemeral(reply, self.place, self.user, self.respond)

    async def public(self, reply: Reply) -> str | None:
        """A message in the channel; its ts."""
        return await self.adapter._public(reply, self.place, self.respond)


def slack_route(text: str) -> tuple[str, ...] | None:
    """The Slack-only subcommand `text` asks for (empty text is `help`), or None for the core."""
    try:
        words = tuple(word.lower() for word in split(text))
    except UserError:
        return None  # the core explains the unclosed quote
    if not words or words == ("help",):
        return ("help",)
    return words if words in SLACK_ONLY else None


def unreachable(catalogue: Catalogue) -> list[str]:
    """Catalogue commands that `/oped <command>` would not reach: the parity check."""
    return [
        command.name
        for command in catalogue.commands
        if slack_route(command.name) not in (None, ("help",))
        or catalogue.longest_match(split(command.name)) is not command
    ]


def _has_polls(bot: Bot) -> bool:
    return any(command.path == POLL_CREATE for command in bot.catalogue.commands)


def _with_slack_help(reply: Reply, command: str) -> Reply:
    lines = [f"`{command} {' '.join(path)}`: {text}" for path, text in SLACK_ONLY.items()]
    note = Card("notice", "\n".join(lines), title="On Slack")
    return Reply((*reply.cards, note), ephemeral=reply.ephemeral)


async def _respond(
    respond: Respond, failed: Callable[[ApiErrorKind], None], **message: Any
) -> bool:
    """Answer through the request's response_url; False (logged and counted) if it failed."""
    try:
        response = await respond(**message)
    except SLACK_FAILURES as exc:
        log.warning("response_url could not be reached: %s", _why(exc))
        failure = slack_failure(exc)
        failed(api_error_kind(failure.status) if failure.status else "network")
        return False
    except ValueError:
        log.warning("the request came without a response_url")
        return False
    if response.status_code != 200:
        log.warning("response_url refused a reply: %s", response.status_code)
        failed(api_error_kind(response.status_code))
        return False
    return True


def _why(exc: BaseException) -> str:
    return str(slack_failure(exc))


def _submitted_from(
    body: Mapping[str, Any], metadata: Mapping[str, str]
) -> tuple[dict[str, Any], Place]:
    """Who submitted a form, and the channel its metadata says it belongs to."""
    user_info = body.get("user")
    if not isinstance(user_info, dict):
        user_info = {}
    team = str(metadata.get("team") or user_info.get("team_id") or "")
    return user_info, Place("slack", team, metadata["channel"])
