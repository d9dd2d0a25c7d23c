"""The Discord client: slash commands, buttons and autocomplete in, rendered replies out.

`DiscordAdapter` holds the behaviour and `OpedClient` (or `OpedShardedClient`) is the
discord.py client that calls it. Every interaction becomes a neutral `Request` for
`Bot.handle`; every reply is rendered by `render` within Discord's limits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Collection
from typing import Any

import discord
from discord import app_commands

from adapters.discord import forms, tree
from adapters.discord.failures import api_trace, explain, retryable
from adapters.discord.poster import DiscordPoster
from adapters.discord.render import Outgoing, render
from adapters.discord.views import OpedButton, make_view, send_kwargs
from bot import replies
from bot.app import Bot
from bot.catalogue import Command, Option
from bot.coalesce import Coalescer, Timer
from bot.completion import Choice, rank
from bot.errors import UserError
from bot.limits import fit
from bot.models import ArgValue, Place, Request, User
from bot.ports import PostFailed
from bot.replies import Reply

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0  # seconds; Discord drops an interaction not answered within 3
EDIT_INTERVAL = 1.5  # seconds between two edits of one message
OUT_OF_DATE = (
    "This command is out of date on Discord. Ask a server admin to run "
    "`oped-bot discord sync`, then try again."
)


def default_intents() -> discord.Intents:
    """Only `guilds`: slash commands and clicks need no privileged intent."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class DiscordGroups:
    """The `Groups` port on Discord: role names for poll cards; roles come with each request.

    Everyone who can see a channel can click in it, so channel membership adds nothing here.
    """

    knows_members = False

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter

    async def role_names(self, place: Place, ids: Collection[str]) -> dict[str, str]:
        """Names from the guild cache, else from the guild's role list; unknown ids left out."""
        return {
            role_id: f"@{name}"
            for role_id, name in (await self._roles(place)).items()
            if role_id in ids
        }

    async def find_roles(self, place: Place, names: Collection[str]) -> dict[str, tuple[str, str]]:
        """Roles by name (case folded), for a role typed in a form, where it is not a mention."""
        found: dict[str, tuple[str, str]] = {}
        for role_id, name in (await self._roles(place)).items():
            if name.casefold() in names:
                found.setdefault(name.casefold(), (role_id, f"@{name}"))
        return found

    async def _roles(self, place: Place) -> dict[str, str]:
        """The server's roles, id to name: cached with the guild, else listed by Discord."""
        client = self.adapter.client
        if client is None or not place.workspace.isdigit():
            return {}
        guild = client.get_guild(int(place.workspace))
        if guild is not None and guild.roles:
            return {str(role.id): role.name for role in guild.roles}
        try:
            listed = await client.http.get_roles(int(place.workspace))
        except discord.HTTPException as exc:
            # The card then shows the role's id: a poll is not refused over a name.
            log.warning("could not read the server's roles: %s", explain(exc))
            return {}
        return {str(role["id"]): str(role["name"]) for role in listed}

    async def member_roles(
        self, place: Place, user_id: str, among: frozenset[str]
    ) -> frozenset[str]:
        """The @everyone role (its id is the server's), which interactions leave out.

        Every other role comes with each interaction.
        """
        return among & {place.workspace}

    async def in_channel(self, place: Place, user_id: str) -> bool:
        """Whoever clicks in a channel can see it."""
        return True


class DiscordAdapter:
    """Translates Discord interactions to bot requests and replies back to Discord."""

    def __init__(
        self,
        bot: Bot,
        *,
        timer: Timer | None = None,
        edit_interval: float = EDIT_INTERVAL,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self.bot = bot
        self.edit_interval = edit_interval
        self.timer = timer
        self.defer_after = defer_after
        self.client: discord.Client | None = None
        self.commands: list[tree.AppCommand] = []
        self.problems: list[str] = []
        self.poster: DiscordPoster | None = None
        bot.services.groups["discord"] = DiscordGroups(self)

    # Start and stop -----------------------------------------------------------------------

    def install(self, client: discord.Client, command_tree: app_commands.CommandTree[Any]) -> None:
        """Add the derived commands to the tree and register the one persistent button type."""
        self.client = client
        built = tree.build(self.bot.catalogue, self.run_command, self.suggest)
        self.commands, self.problems = built.commands, built.problems
        for command in built.commands:
            command_tree.add_command(command)
        client.add_dynamic_items(OpedButton)

    async def start(self, client: discord.Client) -> None:
        """Make this adapter the bot's Discord poster (every post and redraw goes through it)."""
        self.poster = DiscordPoster(client)
        self.bot.services.delivery.attach(
            "discord", self.poster, interval=self.edit_interval, timer=self.timer
        )

    @property
    def edits(self) -> Coalescer[tuple[str, str]]:
        """The queue of coalesced redraws of Discord messages."""
        return self.bot.services.delivery.edits("discord")

    def connected(self, up: bool) -> None:
        """Tell readiness whether the gateway can deliver interactions now."""
        if up:
            self.bot.services.readiness.connected("discord")
        else:
            self.bot.services.readiness.disconnected("discord")

    async def stop(self) -> None:
        """Finish waiting edits and stop posting."""
        self.connected(False)
        if self.poster is not None:
            await self.bot.services.delivery.detach("discord", self.poster)

    # Who and where -------------------------------------------------------------------------

    @staticmethod
    def place(interaction: discord.Interaction) -> Place:
        """Where the interaction came from; in a thread, its parent channel and the thread."""
        workspace = str(interaction.guild_id) if interaction.guild_id else "dm"
        channel = interaction.channel
        if isinstance(channel, discord.Thread):
            # Discord gives a thread's id as the channel id; polls and debates belong to the
            # parent channel, so a vote typed in a debate's own thread must name that channel.
            return Place("discord", workspace, str(channel.parent_id), str(channel.id))
        return Place("discord", workspace, str(interaction.channel_id or 0))

    @staticmethod
    def user(interaction: discord.Interaction) -> User:
        """The caller, with Manage Server as the platform's moderator right and role ids."""
        member = interaction.user
        permissions = interaction.permissions
        in_guild = interaction.guild_id is not None
        # Role ids come straight from the interaction payload, so they are right even when the
        # guild is not cached (Member.roles needs the cache).
        roles = frozenset(str(role) for role in getattr(member, "_roles", ()))
        return User(
            id=str(member.id),
            name=member.display_name,
            is_moderator=in_guild and (permissions.manage_guild or permissions.administrator),
            roles=roles,
        )

    # Interactions ------------------------------------------------------------------------

    async def run_command(
        self, interaction: discord.Interaction, command: Command, values: dict[str, ArgValue]
    ) -> None:
        """A slash command: handle it and answer, deferring if it takes long."""
        if forms.needs_form(command, values):
            await self.open_form(interaction, command, values)
            return
        request = Request(self.place(interaction), self.user(interaction), command.path, values)
        await self.answer(interaction, self.bot.handle(request), button=False)

    async def open_form(
        self, interaction: discord.Interaction, command: Command, values: dict[str, ArgValue]
    ) -> None:
        """Ask for a left-out list in a form (a Discord modal)."""
        modal = forms.build(command, values)
        if modal is None:
            names = ", ".join(o.name for o in forms.form_options(command) if o.kind == "list")
            await self.report_text(
                interaction, f"Fill in {names} in the command, separating items with |."
            )
            return
        try:
            await interaction.response.send_modal(modal)
        except discord.HTTPException as exc:
            await self.report(interaction, "I could not open the form", exc)
        # The submission is handled from its custom id (`on_form`), so nothing is kept waiting
        # in memory and a form sent before a restart still works.
        modal.stop()

    async def open_pick_form(self, interaction: discord.Interaction, form: replies.Form) -> bool:
        """Open a reply's form as a modal; False (show the reply instead) if Discord cannot."""
        modal = forms.pick_modal(form)
        if modal is None or interaction.response.is_done():
            return False
        try:
            await interaction.response.send_modal(modal)
        except discord.HTTPException:
            log.warning("could not open a form; showing the reply instead", exc_info=True)
            return False
        finally:
            modal.stop()  # the answer is read from its custom id (`on_form`), not kept waiting
        return True

    async def on_form(self, interaction: discord.Interaction) -> None:
        """A submitted form: run the command it stands for."""
        data: Any = interaction.data or {}
        line = forms.picked(str(data.get("custom_id", "")), data)
        if line is not None:
            work = self.bot.handle_text(line, self.place(interaction), self.user(interaction))
            await self.answer(interaction, work, button=False)
            return
        try:
            found = forms.submitted(self.bot.catalogue, str(data.get("custom_id", "")), data)
        except UserError as exc:
            await self.report_text(interaction, str(exc))
            return
        if found is None:
            return
        command, values = found
        request = Request(self.place(interaction), self.user(interaction), command.path, values)
        await self.answer(interaction, self.bot.handle(request), button=False)

    async def click(self, interaction: discord.Interaction, line: str) -> None:
        """A button: run the command line it carries for whoever clicked.

        A line that leaves out required text (Add option's `poll add 12`) opens a form for it;
        the submission runs the line with the text through the same dispatch.
        """
        modal = forms.click_form(self.bot.catalogue, line)
        if modal is not None:
            try:
                await interaction.response.send_modal(modal)
            except discord.HTTPException as exc:
                await self.report(interaction, "I could not open the form", exc)
            modal.stop()  # answered from its custom id (`on_form`), even after a restart
            return
        work = self.bot.handle_text(line, self.place(interaction), self.user(interaction))
        await self.answer(interaction, work, button=True)

    async def suggest(
        self, interaction: discord.Interaction, option: Option, typed: str
    ) -> list[app_commands.Choice[Any]]:
        """Autocomplete from the bot's completion sources, at most 25, in Discord's shape."""
        if option.autocomplete:
            found = await self.bot.complete(
                option.autocomplete, self.place(interaction), self.user(interaction), typed
            )
        else:
            found = rank(typed, [Choice(c, c) for c in option.choices])
        choices: list[app_commands.Choice[Any]] = []
        for choice in found[: tree.CHOICES_MAX]:
            value: str | int = choice.value[:100]
            if option.kind == "int":
                try:
                    value = int(choice.value)
                except ValueError:
                    continue
            choices.append(
                app_commands.Choice(name=fit(choice.label, 100) or str(value), value=value)
            )
        return choices

    async def answer(
        self, interaction: discord.Interaction, work: Awaitable[Reply], *, button: bool
    ) -> None:
        """Answer within Discord's 3 s: reply at once if the work is quick, else defer first.

        What is private, tracked, threaded and redrawn is `bot.delivery`'s to decide.
        """
        task = asyncio.ensure_future(work)
        deferred: bool | None = None  # None: not deferred; else whether the defer was private
        if not task.done():
            done, _ = await asyncio.wait({task}, timeout=self.defer_after)
            if not done:
                # A guess made before the reply exists: a click's answer is usually private.
                deferred = button
                try:
                    await interaction.response.defer(ephemeral=button, thinking=True)
                except discord.HTTPException:
                    log.warning("could not defer an interaction", exc_info=True)
        reply = await task
        if (
            reply.form is not None
            and deferred is None
            and await self.open_pick_form(interaction, reply.form)
        ):
            return
        message = interaction.message
        clicked = str(message.id) if button and message and not message.flags.ephemeral else None
        await self.bot.services.delivery.answer(
            reply,
            self.place(interaction),
            InteractionResponder(self, interaction, deferred),
            button=button,
            clicked=clicked,
        )

    # Failures ------------------------------------------------------------------------------

    async def report(self, interaction: discord.Interaction, lead: str, exc: BaseException) -> None:
        """Tell the user, privately, what Discord refused and what to do."""
        await self.report_text(interaction, f"{lead}: {explain(exc)}")

    async def report_text(self, interaction: discord.Interaction, text: str) -> None:
        outgoing = render(replies.error(text))[0]
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**send_kwargs(outgoing), ephemeral=True)
            else:
                await interaction.response.send_message(**send_kwargs(outgoing), ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about a failure: %s", text, exc_info=True)


class InteractionResponder:
    """The `Responder` for one interaction: its first answer, a deferred one, or follow-ups."""

    def __init__(
        self, adapter: DiscordAdapter, interaction: discord.Interaction, deferred: bool | None
    ) -> None:
        self.adapter = adapter
        self.interaction = interaction
        self.deferred = deferred  # whether a "thinking…" waits to be replaced, and how private

    async def private(self, reply: Reply) -> None:
        """Answer only the caller; a refusal is explained to them if Discord lets us."""
        try:
            await self._send(render(reply), private=True)
        except discord.HTTPException as exc:
            log.warning("reply not delivered", exc_info=True)
            await self.adapter.report(self.interaction, "I could not post the reply", exc)

    async def public(self, reply: Reply) -> str | None:
        """Answer in the channel; the id of the message it became."""
        try:
            sent = await self._send(render(reply), private=False)
        except discord.HTTPException as exc:
            log.warning("reply not delivered", exc_info=True)
            raise PostFailed(explain(exc), retryable=retryable(exc)) from exc
        return str(sent.id) if sent is not None else None

    async def _send(self, messages: list[Outgoing], *, private: bool) -> discord.Message | None:
        interaction = self.interaction
        first, *rest = messages
        sent: discord.Message | None
        deferred, self.deferred = self.deferred, None
        if deferred is None and not interaction.response.is_done():
            response = await interaction.response.send_message(
                **send_kwargs(first), ephemeral=private
            )
            resource = response.resource
            sent = resource if isinstance(resource, discord.Message) else None
        elif deferred == private:
            sent = await interaction.edit_original_response(
                content=first.content,
                embeds=first.embeds,
                attachments=first.discord_files(),
                view=make_view(first.buttons),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        else:
            if deferred is not None:
                # A public "thinking…" cannot turn private: remove it and answer privately.
                await interaction.delete_original_response()
            sent = await interaction.followup.send(
                **send_kwargs(first), ephemeral=private, wait=True
            )
        for message in rest:
            await interaction.followup.send(**send_kwargs(message), ephemeral=private, wait=True)
        return sent


class OpedTree(app_commands.CommandTree[Any]):
    """The command tree; failures the bot did not turn into replies end up here."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        adapter = getattr(interaction.client, "adapter", None)
        if not isinstance(adapter, DiscordAdapter):
            return
        if isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
            await adapter.report_text(interaction, OUT_OF_DATE)
            return
        if isinstance(error, app_commands.TransformerError):
            await adapter.report_text(interaction, f"That value was not accepted: {error}")
            return
        log.error("slash command failed", exc_info=error)
        await adapter.report_text(
            interaction, "Something went wrong on our side. Nothing was changed; try again."
        )


class OpedClient(discord.Client):
    """A discord.py client wired to a `DiscordAdapter`.

    Mentions are off for every message it sends, whatever the text says.
    """

    def __init__(
        self,
        adapter: DiscordAdapter,
        *,
        intents: discord.Intents | None = None,
        **options: Any,
    ) -> None:
        options.setdefault("http_trace", api_trace(adapter.bot.services.metrics))
        super().__init__(
            intents=intents if intents is not None else default_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.adapter = adapter
        self.tree: OpedTree = OpedTree(self)
        adapter.install(self, self.tree)

    async def setup_hook(self) -> None:
        """Start-up before the gateway connects: register the poster. Never syncs commands."""
        await self.adapter.start(self)

    # Gateway state for `/readyz`: discord.py reconnects by itself and reports each step.
    async def on_ready(self) -> None:
        self.adapter.connected(True)

    async def on_resumed(self) -> None:
        self.adapter.connected(True)

    async def on_disconnect(self) -> None:
        self.adapter.connected(False)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await self.adapter.on_form(interaction)

    async def close(self) -> None:
        await self.adapter.stop()
        await super().close()


class OpedShardedClient(OpedClient, discord.AutoShardedClient):
    """The same client, sharded automatically within one process (large installs)."""
