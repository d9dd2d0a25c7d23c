"""Run the Slack adapter in Socket Mode or HTTP mode until told to stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import WSMessage, WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import COMMAND, SlackAdapter
from adapters.slack.events import EVENTS_PATH, BadRequest, bolt_request, check_payload
from adapters.slack.oauth import (
    INSTALL_PATH,
    REDIRECT_PATH,
    OAuthConfig,
    OAuthParts,
    check_sealed,
    oauth_parts,
    scopes_from,
)
from adapters.slack.poster import DEFAULT_API_URL, make_client
from bot.app import Bot
from bot.probes import add_probes
from bot.runtime import AdapterSetupError
from bot.store.sealing import SealError

log = logging.getLogger(__name__)

DEFAULT_PORT = 3000

Mode = Literal["socket", "http"]


class SlackConfigError(AdapterSetupError, ValueError):
    """The environment does not say how to reach Slack; the message names what to set."""


@dataclass(frozen=True)
class SlackConfig:
    """Where and how to reach Slack, read from the environment. Holds secrets: never log it."""

    mode: Mode
    bot_token: str
    app_token: str
    signing_secret: str
    host: str
    port: int
    command: str
    # Set when the app is distributed: every workspace installs it through OAuth.
    oauth: OAuthConfig | None = None

    def __repr__(self) -> str:  # keeps tokens out of logs and tracebacks
        many = ", oauth=True" if self.oauth is not None else ""
        return f"SlackConfig(mode={self.mode!r}, host={self.host!r}, port={self.port!r}{many})"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlackConfig:
        """Read SLACK_* variables; Socket Mode unless SLACK_MODE=http or only a secret is set.

        With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead of SLACK_BOT_TOKEN, HTTP mode
        serves every workspace that installs the app (OAuth).
        """
        bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
        app_token = env.get("SLACK_APP_TOKEN", "").strip()
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        asked = env.get("SLACK_MODE", "").strip().lower()
        if asked not in ("", "socket", "http"):
            raise SlackConfigError(f"SLACK_MODE must be socket or http, not {asked!r}.")
        oauth = _oauth_config(env, bot_token)
        if oauth is not None and asked == "socket":
            raise SlackConfigError(
                "Installing in many workspaces (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET) needs "
                "HTTP mode: unset SLACK_MODE or set it to http."
            )
        mode: Mode = (
            "http"
            if asked == "http" or oauth is not None or (not asked and secret and not app_token)
            else ("socket")
        )
        if oauth is not None and not secret:
            raise SlackConfigError(
                "Installing in many workspaces needs SLACK_SIGNING_SECRET (Basic Information > "
                "App Credentials) to verify that requests come from Slack."
            )
        if oauth is None and not bot_token.startswith("xoxb-"):
            raise SlackConfigError("Set SLACK_BOT_TOKEN to the bot token (it starts with xoxb-).")
        if mode == "socket" and not app_token.startswith("xapp-"):
            raise SlackConfigError(
                "Socket Mode needs SLACK_APP_TOKEN, an app-level token with connections:write "
                "(it starts with xapp-). Or run HTTP mode with --http and SLACK_SIGNING_SECRET."
            )
        if mode == "http" and not secret:
            raise SlackConfigError(
                "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials) "
                "to verify that requests come from Slack."
            )
        api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
        if not api_url.endswith("/api/"):
            raise SlackConfigError(
                f"SLACK_API_URL must end with /api/ (it is {api_url!r}); unset it to use Slack's."
            )
        try:
            port = int(env.get("SLACK_PORT") or DEFAULT_PORT)
        except ValueError:
            raise SlackConfigError("SLACK_PORT must be a port number.") from None
        if not 1 <= port <= 65535:
            raise SlackConfigError(f"SLACK_PORT must be a port number from 1 to 65535, not {port}.")
        return cls(
            mode=mode,
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=secret,
            host=env.get("SLACK_HOST") or "0.0.0.0",
            port=port,
            command=env.get("SLACK_COMMAND") or COMMAND,
            oauth=oauth,
        )


def _oauth_config(env: Mapping[str, str], bot_token: str) -> OAuthConfig | None:
    """The OAuth credentials when the app is distributed; None for one workspace."""
    client_id = env.get("SLACK_CLIENT_ID", "").strip()
    client_secret = env.get("SLACK_CLIENT_SECRET", "").strip()
    if not client_id and not client_secret:
        return None
    if not client_id or not client_secret:
        missing = "SLACK_CLIENT_ID" if not client_id else "SLACK_CLIENT_SECRET"
        raise SlackConfigError(
            f"Set {missing} too (Basic Information > App Credentials) to install in many "
            "workspaces, or unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for one workspace."
        )
    if bot_token:
        raise SlackConfigError(
            "SLACK_BOT_TOKEN is set with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: unset "
            "SLACK_BOT_TOKEN to serve every workspace that installs the app, or unset the "
            "client id and secret to serve the one workspace of that token."
        )
    sealing = env.get("OPED_BOT_SECRET", "").strip()
    if not sealing:
        raise SlackConfigError(
            "Installing in many workspaces needs OPED_BOT_SECRET, a long random value kept "
            "with your other secrets: it encrypts each workspace's token in the database."
        )
    return OAuthConfig(
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes_from(env.get("SLACK_SCOPES", "")),
        redirect_uri=env.get("SLACK_REDIRECT_URI", "").strip() or None,
        secret=sealing,
    )


class PathOnlyAccessLogger(AbstractAccessLogger):
    """aiohttp's access line without the query string or referrer.

    The OAuth redirect's query carries the code Slack grants (with the client secret, it
    becomes the workspace's token) and the state: neither belongs in a log.
    """

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """One line per request: who, what path, the status, the size, how long, the client."""
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %s %s %.3fs "%s"',
            request.remote,
            request.method,
            request.path,
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
            request.headers.get("User-Agent", "-"),
        )


class CheckedSocketModeClient(SocketModeClient):
    """A Socket Mode client that acknowledges and drops envelopes whose payload is junk.

    slack_sdk raises on a payload that is not an object, and Bolt on one whose fields are not
    shaped as Slack sends them: each left a traceback in the log and the envelope unanswered,
    so Slack sent it again.
    """

    async def run_message_listeners(self, message: dict[str, Any], raw_message: str) -> None:
        """Check an envelope's payload as HTTP mode checks a body, then process it."""
        envelope = message.get("envelope_id")
        if envelope and "payload" in message:
            try:
                payload = check_payload(message["payload"])
                bolt_request("", payload, "", {})  # what Bolt will read out of it
            except BadRequest as exc:
                self.logger.warning(
                    "Slack sent a %s envelope this bot cannot read (%s); acknowledged, dropped",
                    message.get("type"),
                    exc,
                )
                await self.send_socket_mode_response(SocketModeResponse(envelope_id=envelope))
                return
        await super().run_message_listeners(message, raw_message)

    async def receive_messages(self) -> None:
        """The SDK's receive loop, reconnecting at once when the connection just ends.

        Without a close frame (a network drop, a proxy's idle timeout) the SDK only notices at
        its next ping, up to two ping intervals later, and events meanwhile went nowhere.
        """
        session = self.current_session
        if session is not None:
            receive = session.receive

            async def watched(*args: Any, **kwargs: Any) -> WSMessage:  # as receive is called
                message = await receive(*args, **kwargs)
                if (
                    message.type == WSMsgType.CLOSED
                    and not self.closed
                    and self.auto_reconnect_enabled
                    and session is self.current_session
                    and self._reconnect is None
                ):
                    self._reconnect = asyncio.ensure_future(self._reconnect_now())
                return message

            session.receive = watched  # type: ignore[method-assign]
        await super().receive_messages()

    _reconnect: asyncio.Future[None] | None = None

    async def _reconnect_now(self) -> None:
        try:
            self.logger.info("The Socket Mode connection ended; reconnecting")
            await self.connect_to_new_endpoint()
        finally:
            self._reconnect = None


class SocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler on a CheckedSocketModeClient."""

    def __init__(self, app: AsyncApp, app_token: str) -> None:
        # Bolt's __init__ would open a client (and its HTTP session) only to have it replaced.
        self.app = app
        self.app_token = app_token
        self.client = CheckedSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]


async def serve(
    bot: Bot,
    env: Mapping[str, str],
    stop: asyncio.Event,
    *,
    ready: Callable[[SlackAdapter], None] | None = None,
) -> None:
    """Serve Slack (Socket Mode, or HTTP per SLACK_MODE/SLACK_PORT) until `stop` is set."""
    config = SlackConfig.from_env(env)
    client = make_client(env)
    oauth = None if config.oauth is None else await _oauth(config.oauth, bot, client)
    adapter = SlackAdapter(
        bot,
        client,
        signing_secret=config.signing_secret,
        command=config.command,
        oauth=None if oauth is None else oauth.settings,
        clients=None if oauth is None else oauth.clients,
    )
    adapter.start()
    readiness = bot.services.readiness
    try:
        if config.mode == "http":
            application = adapter.web_app(EVENTS_PATH)
            # One port for the load balancer: Slack's requests and its health checks.
            add_probes(application, bot.services)
            runner = web.AppRunner(application, access_log_class=PathOnlyAccessLogger)
            await runner.setup()
            try:
                await web.TCPSite(runner, config.host, config.port).start()
                log.info("Slack HTTP mode on %s:%s%s", config.host, config.port, EVENTS_PATH)
                if oauth is not None:
                    log.info("Slack installs: %s, redirect %s", INSTALL_PATH, REDIRECT_PATH)
                readiness.connected("slack")
                if ready is not None:
                    ready(adapter)
                await stop.wait()
            finally:
                await runner.cleanup()
        else:
            handler = SocketModeHandler(adapter.app, config.app_token)
            try:
                await handler.connect_async()  # type: ignore[no-untyped-call]
                log.info("Slack Socket Mode connected")
                # The SDK reconnects on its own, so ask it at each probe.
                readiness.connected("slack", handler.client.is_connected)
                if ready is not None:
                    ready(adapter)
                await stop.wait()
            finally:
                await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        readiness.disconnected("slack")
        await adapter.close()
        log.info("Slack adapter stopped")


async def _oauth(config: OAuthConfig, bot: Bot, client: AsyncWebClient) -> OAuthParts:
    """The OAuth flow on the bot's database; a setup error if the secret cannot open it."""
    store = bot.services.store
    if store is None:
        raise SlackConfigError(
            "Installing in many workspaces keeps each install in the database: set OPED_BOT_DB."
        )
    parts = oauth_parts(config, store, bot.services.clock, client)
    try:
        await check_sealed(store, parts.installs.sealer)
    except SealError as exc:
        raise SlackConfigError(str(exc)) from None
    return parts
