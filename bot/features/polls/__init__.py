"""Poll commands: create, vote, rank, add, results, voters, list, close, edit, reopen, export."""

from __future__ import annotations

from bot.catalogue import Command
from bot.completion import Completer
from bot.features.polls.base import open_poll_choices
from bot.features.polls.create import CREATE
from bot.features.polls.manage import CLOSE, EDIT, REOPEN
from bot.features.polls.results import EXPORT, LIST, RESULTS, VOTERS, redraw
from bot.features.polls.voting import ADD, RANK, VOTE
from bot.ports import CardProvider

CARDS: dict[str, CardProvider] = {"poll": redraw}
COMPLETERS: dict[str, Completer] = {"polls": open_poll_choices}

# Help and the platforms' command menus list the commands in this order.
COMMANDS: list[Command] = [
    CREATE,
    VOTE,
    RANK,
    ADD,
    RESULTS,
    VOTERS,
    LIST,
    CLOSE,
    EDIT,
    REOPEN,
    EXPORT,
]
