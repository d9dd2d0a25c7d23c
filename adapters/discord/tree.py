"""Derive Discord slash commands from the catalogue.

Path length 1 becomes `/name`, 2 becomes `/group sub`, 3 becomes `/group subgroup sub`;
`Command.leaf_path` overrides the path where Discord needs another shape (a group cannot be
invoked itself, so `quote` beside `quote search` is `/quote get`). Options keep their catalogue
names and get Discord types: text and words are strings with a maximum length, int is an
integer with its range, choice offers choices, flag is a boolean, and list is one string split
on "|".

discord.py reads a command's options from its callback's signature, so each callback gets a
synthesised `__signature__` and the public `describe` / `rename` / `choices` / `autocomplete`
decorators; nothing private is touched.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import discord
from discord import app_commands

from adapters.discord import forms
from bot.catalogue import Catalogue, Command, Option
from bot.limits import fit
from bot.models import ArgValue

log = logging.getLogger(__name__)

DESCRIPTION_MAX = 100
CHOICES_MAX = 25
OPTIONS_MAX = 25
CHILDREN_MAX = 25
STRING_MAX = 6000  # Discord's ceiling for a string option's max_length
LIST_SEPARATOR = "|"
MODERATOR_HINT = discord.Permissions(manage_guild=True)

Invoke = Callable[[discord.Interaction, Command, dict[str, ArgValue]], Awaitable[None]]
Suggest = Callable[[discord.Interaction, Option, str], Awaitable[list[app_commands.Choice[Any]]]]
AppCommand = app_commands.Command[Any, ..., Any] | app_commands.Group


def discord_path(command: Command) -> tuple[str, ...]:
    """The path a catalogue command has on Discord."""
    return command.leaf_path or command.path


def describe(text: str) -> str:
    """A description Discord accepts: one line, 1-100 characters."""
    return fit(" ".join(text.split()) or "…", DESCRIPTION_MAX)


def split_list(value: str) -> tuple[str, ...]:
    """A list option's single string, split on "|" into its items."""
    return tuple(item.strip() for item in value.split(LIST_SEPARATOR) if item.strip())


def from_discord(option: Option, value: Any) -> ArgValue:
    """A value as Discord delivered it, converted to what `coerce` expects."""
    if value is None:
        return None
    if option.kind == "list":
        return split_list(str(value))
    if option.kind == "flag":
        return bool(value)
    if option.kind == "int":
        return int(value)
    return str(value)


def option_description(option: Option, *, form: bool = False) -> str:
    """The option's help, saying how to type a list (or that a form asks for it)."""
    extra = ""
    if option.kind == "list":
        extra = f" (separate with {LIST_SEPARATOR}" + ("; leave empty for a form)" if form else ")")
    return describe(option.help + extra)


def annotation(option: Option, required: bool) -> Any:
    """The Python annotation discord.py turns into this option's Discord type and limits."""
    base: Any
    if option.kind == "flag":
        base = bool
    elif option.kind == "int":
        if option.min_value is None and option.max_value is None:
            base = int
        else:
            base = app_commands.Range[int, option.min_value, option.max_value]
    else:
        longest = option.max_length
        if option.kind == "list" and option.max_length is not None:
            items = option.max_items or 25
            longest = items * (option.max_length + len(LIST_SEPARATOR) + 2)
        if option.kind == "choice":
            longest = None
        base = app_commands.Range[str, 1, min(longest, STRING_MAX)] if longest is not None else str
    return base if required else Optional[base]  # noqa: UP045 (discord.py reads typing)


def _param(index: int) -> str:
    # Option names need not be Python identifiers; `rename` restores the real names.
    return f"o{index}"


def make_command(
    command: Command, name: str, invoke: Invoke, suggest: Suggest
) -> app_commands.Command[Any, ..., Any]:
    """One Discord command for a catalogue command."""
    options = command.options

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        converted = {
            option.name: from_discord(option, values.get(_param(index)))
            for index, option in enumerate(options)
        }
        await invoke(interaction, command, {k: v for k, v in converted.items() if v is not None})

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    renames: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    completions: dict[str, Any] = {}
    for index, option in enumerate(options):
        param = _param(index)
        required = forms.discord_required(command, option)
        parameters.append(
            inspect.Parameter(
                param,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=annotation(option, required),
                default=inspect.Parameter.empty if required else None,
            )
        )
        renames[param] = option.name
        descriptions[param] = option_description(option, form=required != option.required)
        if option.choices and len(option.choices) <= CHOICES_MAX:
            choices[param] = [app_commands.Choice(name=c, value=c) for c in option.choices]
        elif option.autocomplete or option.choices:
            completions[param] = _completer(option, suggest)
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = f"cmd_{'_'.join(command.path)}"
    func: Any = callback
    if renames:
        func = app_commands.rename(**renames)(func)
        func = app_commands.describe(**descriptions)(func)
    if choices:
        func = app_commands.choices(**choices)(func)
    if completions:
        func = app_commands.autocomplete(**completions)(func)
    made: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name=name, description=describe(command.help), callback=func
    )
    made.extras["oped_command"] = command
    return made


def _completer(option: Option, suggest: Suggest) -> Any:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[Any]]:
        return (await suggest(interaction, option, str(current or "")))[:CHOICES_MAX]

    return complete


@dataclass
class _Node:
    command: Command | None = None
    children: dict[str, _Node] = field(default_factory=dict)

    def commands(self) -> list[Command]:
        found = [self.command] if self.command else []
        for child in self.children.values():
            found.extend(child.commands())
        return found


@dataclass
class Built:
    """The Discord commands and what could not be made (the parity test reads `problems`)."""

    commands: list[AppCommand]
    problems: list[str]


def build(catalogue: Catalogue, invoke: Invoke, suggest: Suggest) -> Built:
    """Every catalogue command as a Discord command, groups included."""
    root = _Node()
    problems: list[str] = []
    for command in catalogue.commands:
        path = discord_path(command)
        node = root
        if not 1 <= len(path) <= 3:
            problems.append(f"`{command.name}`: Discord paths have 1 to 3 words, not {path}")
            continue
        for word in path:
            node = node.children.setdefault(word, _Node())
        if node.command is not None:
            problems.append(f"`{command.name}`: the Discord path {' '.join(path)} is taken")
            continue
        node.command = command
    made: list[AppCommand] = []
    for name, node in root.children.items():
        try:
            made.append(_make(name, node, None, invoke, suggest, problems))
        except (TypeError, ValueError) as exc:
            problems.append(f"/{name}: {exc}")
    if len(made) > 100:
        problems.append(f"{len(made)} top-level commands; Discord allows 100")
    for problem in problems:
        log.error("discord command not registered: %s", problem)
    return Built(made, problems)


def _make(
    name: str,
    node: _Node,
    parent: app_commands.Group | None,
    invoke: Invoke,
    suggest: Suggest,
    problems: list[str],
) -> AppCommand:
    if node.command is not None and node.children:
        # Discord cannot invoke a group itself: the group wins, the command is reported.
        problems.append(
            f"`{node.command.name}`: a Discord group has this name; give it a `leaf_path`"
        )
        node.command = None
    if node.command is not None:
        command = node.command
        if len(command.options) > OPTIONS_MAX:
            raise ValueError(f"{len(command.options)} options; Discord allows {OPTIONS_MAX}")
        made = make_command(command, name, invoke, suggest)
        if parent is None and command.moderator:
            made.default_permissions = MODERATOR_HINT
        return made
    members = node.commands()
    group = app_commands.Group(
        name=name,
        description=describe(f"{name.capitalize()}: " + ", ".join(node.children)),
        default_permissions=(
            MODERATOR_HINT if parent is None and all(c.moderator for c in members) else None
        ),
    )
    for child_name, child in node.children.items():
        if len(group.commands) >= CHILDREN_MAX:
            problems.append(f"/{name} {child_name}: a group holds at most {CHILDREN_MAX}")
            continue
        try:
            group.add_command(_make(child_name, child, group, invoke, suggest, problems))
        except (TypeError, ValueError) as exc:
            problems.append(f"/{name} {child_name}: {exc}")
    return group


def find(commands: Sequence[AppCommand], path: tuple[str, ...]) -> AppCommand | None:
    """The Discord command at `path` among `commands`, or None."""
    level: Sequence[AppCommand] = commands
    found: AppCommand | None = None
    for word in path:
        found = next((c for c in level if c.name == word), None)
        if found is None:
            return None
        level = found.commands if isinstance(found, app_commands.Group) else ()
    return found
