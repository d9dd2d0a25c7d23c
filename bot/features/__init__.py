"""Feature modules, each declaring its commands and completion sources."""

from __future__ import annotations

from bot.catalogue import Command
from bot.completion import Completer
from bot.features import admin, debates, polls, reading
from bot.features import help as help_feature
from bot.ports import CardProvider

_MODULES = (reading, polls, debates, admin, help_feature)


def all_commands() -> list[Command]:
    """Every command of every feature, in the order help lists them."""
    return [command for module in _MODULES for command in module.COMMANDS]


def all_completers() -> dict[str, Completer]:
    """Every named completion source."""
    found: dict[str, Completer] = {}
    for module in _MODULES:
        found.update(module.COMPLETERS)
    return found


def all_card_providers() -> dict[str, CardProvider]:
    """Redrawers for tracked cards, by ref prefix (`poll` for `poll:12`)."""
    found: dict[str, CardProvider] = {}
    for module in _MODULES:
        found.update(getattr(module, "CARDS", {}))
    return found
