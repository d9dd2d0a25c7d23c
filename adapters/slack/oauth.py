"""Slack's multi-workspace install (OAuth) on the bot's own database.

Bolt runs its standard flow: `/slack/install` (the Add to Slack page) and
`/slack/oauth_redirect`. The installation and state stores here keep what the flow produces in
the Store, so every replica behind a load balancer sees every install and every state. The
tokens are sealed (`bot.store.installs.Sealer`) before they reach the store, and opened only
to make a request with them; they are never logged.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.poster import NotInstalled, SlackClient
from bot.clock import Clock
from bot.store.base import Store
from bot.store.installs import Install
from bot.store.sealing import Sealer, SealError

log = logging.getLogger(__name__)

PLATFORM = "slack"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of deploy/slack-manifest.yaml: what each install asks a workspace for.
SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "files:write",
    "im:write",
    "usergroups:read",  # polls limited to user groups
    "channels:read",  # the Home tab's channels, and polls limited to a channel's members
    "groups:read",
)
# An install started in a browser must finish within this.
STATE_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class OAuthConfig:
    """The app's credentials for the OAuth flow. Holds secrets: never log it."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    redirect_uri: str | None
    secret: str  # OPED_BOT_SECRET, which seals the installed workspaces' tokens

    def __repr__(self) -> str:  # keeps the client secret and OPED_BOT_SECRET out of logs
        return f"OAuthConfig(client_id={self.client_id!r}, scopes={self.scopes!r})"


class StoreInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on the bot's Store: bot tokens only, sealed at rest."""

    def __init__(self, store: Store, sealer: Sealer) -> None:
        self.store = store
        self.sealer = sealer

    @property
    def logger(self) -> logging.Logger:
        """The logger Bolt asks every store for."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep the bot half of an installation (the bot asks for no user scopes)."""
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a workspace's bot token, sealed, with who and what it is."""
        tokens = {
            "bot_token": bot.bot_token,
            "bot_refresh_token": bot.bot_refresh_token,
            "bot_token_expires_at": bot.bot_token_expires_at,
        }
        org_wide = bool(bot.is_enterprise_install)
        await self.store.save_install(
            Install(
                platform=PLATFORM,
                organisation=bot.enterprise_id or "",
                workspace="" if org_wide else (bot.team_id or ""),
                org_wide=org_wide,
                app_id=bot.app_id or "",
                bot_id=bot.bot_id,
                bot_user_id=bot.bot_user_id,
                scopes=tuple(bot.bot_scopes),
                sealed=self.sealer.seal(json.dumps(tokens)),
                installed_at=datetime.fromtimestamp(bot.installed_at, UTC),
            )
        )
        log.info("Slack app installed in %s", _where(bot.enterprise_id, bot.team_id, org_wide))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The workspace's (or its organisation's) bot, with its token opened; None if none."""
        found = await self.store.find_install(
            PLATFORM,
            team_id or "",
            organisation=enterprise_id or "",
            org_wide=bool(is_enterprise_install),
        )
        if found is None:
            return None
        try:
            tokens = json.loads(self.sealer.open(found.sealed))
        except SealError as exc:
            # Answering as not installed beats a traceback per request; the log says the fix.
            log.error("cannot use the Slack install of %s: %s", found.workspace or "org", exc)
            return None
        return Bot(
            app_id=found.app_id or None,
            enterprise_id=found.organisation or None,
            team_id=found.workspace or None,
            bot_token=tokens["bot_token"],
            bot_refresh_token=tokens.get("bot_refresh_token"),
            bot_token_expires_at=tokens.get("bot_token_expires_at"),
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
            bot_scopes=list(found.scopes),
            is_enterprise_install=found.org_wide,
            installed_at=found.installed_at.timestamp(),
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The workspace's installation (bot token only); None for a user's, which is not kept."""
        if user_id is not None:
            return None
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            bot_refresh_token=bot.bot_refresh_token,
            bot_token_expires_at=bot.bot_token_expires_at,
            user_id=bot.bot_user_id,
            is_enterprise_install=bot.is_enterprise_install,
            installed_at=bot.installed_at,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot token (app uninstalled, or the token revoked)."""
        org_wide = not team_id
        deleted = await self.store.delete_install(
            PLATFORM, team_id or "", organisation=enterprise_id or "", org_wide=org_wide
        )
        if deleted:
            log.info("Slack app removed from %s", _where(enterprise_id, team_id, org_wide))

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        """Forget an installation; a user's revoked token changes nothing (none is kept)."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class StoreStateStore(AsyncOAuthStateStore):
    """Bolt's OAuth state store on the Store: single-use and expiring, seen by every replica."""

    def __init__(self, store: Store, clock: Clock, ttl: timedelta = STATE_TTL) -> None:
        self.store = store
        self.clock = clock
        self.ttl = ttl

    @property
    def logger(self) -> logging.Logger:
        """The logger Bolt asks every store for."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A fresh unguessable state, kept until it expires or is used."""
        state = secrets.token_urlsafe(32)
        await self.store.issue_oauth_state(state, self.clock.now() + self.ttl)
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state this app issued that has not expired."""
        if not state:
            return False
        return await self.store.consume_oauth_state(state)


class ManyWorkspaces:
    """The `Clients` of a distributed app: each workspace's own token, from its install."""

    def __init__(self, base: AsyncWebClient, installs: StoreInstallationStore) -> None:
        self.base = base
        self.installs = installs

    async def for_team(self, team: str) -> AsyncWebClient:
        """A client with `team`'s bot token; NotInstalled if the app is not installed there."""
        bot = await self.installs.async_find_bot(enterprise_id=None, team_id=team)
        if bot is None:
            raise NotInstalled(
                f"The Slack app is not installed in workspace {team} (or was uninstalled): "
                f"install it there again from {INSTALL_PATH}."
            )
        return with_token(self.base, bot.bot_token)


def with_token(base: AsyncWebClient, token: str) -> AsyncWebClient:
    """A copy of `base` (its API URL, retries, failure counting) that sends `token`."""
    client = SlackClient(
        token=token,
        base_url=base.base_url,
        timeout=base.timeout,
        ssl=base.ssl,
        proxy=base.proxy,
        session=base.session,
        trust_env_in_session=base.trust_env_in_session,
        headers=base.headers,
        logger=base.logger,
        retry_handlers=list(base.retry_handlers or []),
    )
    if isinstance(base, SlackClient):
        client.on_failure = base.on_failure
    return client


@dataclass(frozen=True)
class OAuthParts:
    """What the adapter needs to serve many workspaces."""

    settings: AsyncOAuthSettings
    installs: StoreInstallationStore
    clients: ManyWorkspaces


def oauth_parts(
    config: OAuthConfig, store: Store, clock: Clock, client: AsyncWebClient
) -> OAuthParts:
    """Bolt's OAuth settings on this Store, and the per-workspace clients they feed."""
    installs = StoreInstallationStore(store, Sealer(config.secret))
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        user_scopes=[],
        redirect_uri=config.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installs,
        installation_store_bot_only=True,
        state_store=StoreStateStore(store, clock),
        state_expiration_seconds=int(STATE_TTL.total_seconds()),
        logger=log,
    )
    # Bolt asks auth.test about a workspace's token on every request unless told to remember
    # the answer. It remembers it per token, after finding the install in the store each time,
    # so an uninstalled workspace is still refused at once, on every replica.
    settings.authorize.cache_enabled = True  # type: ignore[attr-defined]
    return OAuthParts(settings, installs, ManyWorkspaces(client, installs))


async def check_sealed(store: Store, sealer: Sealer) -> None:
    """Raise SealError unless this secret opens the newest install (if there is one)."""
    for install in await store.list_installs(PLATFORM, limit=1):
        sealer.open(install.sealed)


def add_oauth_routes(application: web.Application, flow: AsyncOAuthFlow) -> None:
    """Serve Bolt's install page and OAuth redirect on `application`."""

    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    application.router.add_get(flow.install_path, install)
    application.router.add_get(flow.redirect_uri_path, redirect)


def listen_for_revocations(app: AsyncApp, installs: AsyncInstallationStore) -> None:
    """`app_uninstalled` and `tokens_revoked` delete the install before they are acknowledged.

    Bolt's own listeners delete after the acknowledgement, in a task nobody waits for: a
    shutdown could drop it, and a request just after could still find the stale token.
    """
    revocations = AsyncTokenRevocationListeners(installs)

    async def forget(
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        event = req.body.get("event") if req.body.get("type") == "event_callback" else None
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "app_uninstalled":
            work = revocations.handle_app_uninstalled_events(req.context)
        elif kind == "tokens_revoked" and isinstance(event, dict):
            work = revocations.handle_tokens_revoked_events(event, req.context)
        else:
            return await next()
        try:
            await work
        except Exception as exc:
            # The delivery is claimed already, so Slack's retry would be dropped: say so.
            log.error(
                "could not forget the Slack install of %s (%s); its token stays in the "
                "database until the app is installed there again",
                req.context.team_id or req.context.enterprise_id,
                type(exc).__name__,
            )
        return BoltResponse(status=200, body="")

    app.middleware(forget)


def _where(enterprise_id: str | None, team_id: str | None, org_wide: bool) -> str:
    return f"organisation {enterprise_id}" if org_wide else f"workspace {team_id}"


def scopes_from(text: str, default: Sequence[str] = SCOPES) -> tuple[str, ...]:
    """SLACK_SCOPES as a tuple (comma-separated), or the manifest's scopes when unset."""
    given = tuple(scope.strip() for scope in text.split(",") if scope.strip())
    return given or tuple(default)
