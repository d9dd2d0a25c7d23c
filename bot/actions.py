"""Buttons carry a command line in the shared text syntax, so a click is just another command.

The id holds all the state (`oped:poll vote 12 3`), which is why buttons keep working after a
restart: nothing in memory is needed to understand them.
"""

from __future__ import annotations

from bot.limits import ACTION_ID_MAX
from bot.replies import Button, Style

PREFIX = "oped:"


def button(label: str, command_line: str, style: Style = "secondary") -> Button:
    """A button that runs `command_line` for whoever clicks it."""
    action = PREFIX + command_line
    if len(action) > ACTION_ID_MAX:
        raise ValueError(f"action {action!r} is longer than {ACTION_ID_MAX} characters")
    return Button(label, action, style)


def command_line(action: str) -> str | None:
    """The command line a button's action carries, or None if the action is not ours."""
    return action[len(PREFIX) :] if action.startswith(PREFIX) else None
