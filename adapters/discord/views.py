"""The one persistent button type, and message keyword arguments built from `Outgoing`."""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.render import STYLES, Outgoing, button_label
from bot.actions import PREFIX, command_line
from bot.replies import Button

TEMPLATE = re.escape(PREFIX) + r"(?P<line>.+)"


class OpedButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """A button whose custom id is the command it runs (`oped:poll vote 12 3`).

    Registered once with `add_dynamic_items`, it is rebuilt from the custom id of any click, so
    buttons on old messages keep working after a restart and on every shard.
    """

    def __init__(
        self,
        action: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        row: int | None = None,
        emoji: str | discord.PartialEmoji | None = None,
    ) -> None:
        button = discord.ui.Button[Any](label=label, custom_id=action, style=style, emoji=emoji)
        super().__init__(button, row=row)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> OpedButton:
        """Rebuild the button from a click's custom id (no state in memory is needed)."""
        label = getattr(item, "label", None) or "…"
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        emoji = getattr(item, "emoji", None)
        return cls(match.string, label=label, style=style, emoji=emoji)

    async def callback(self, interaction: discord.Interaction) -> None:
        line = command_line(self.item.custom_id or "")
        adapter = getattr(interaction.client, "adapter", None)
        if line is not None and adapter is not None:
            await adapter.click(interaction, line)


def make_view(buttons: list[Button]) -> discord.ui.View | None:
    """A view of persistent buttons, five to a row; None when there are none.

    `timeout=None` keeps discord.py from starting a timer per message; the buttons need no
    stored view because `OpedButton` is registered as a dynamic item.
    """
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(buttons):
        view.add_item(
            OpedButton(
                button.action,
                label=button_label(button),
                style=STYLES.get(button.style, discord.ButtonStyle.secondary),
                row=index // 5,
                emoji=button.emoji,
            )
        )
    return view


def send_kwargs(outgoing: Outgoing) -> dict[str, Any]:
    """Keyword arguments for `send`, `send_message` and `followup.send`."""
    values: dict[str, Any] = {
        "content": outgoing.content,
        "embeds": outgoing.embeds,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    files = outgoing.discord_files()
    if files:
        values["files"] = files
    view = make_view(outgoing.buttons)
    if view is not None:
        values["view"] = view
    return values
