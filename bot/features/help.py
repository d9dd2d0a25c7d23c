"""Help: the command list and each command's usage, derived from the catalogue."""

from __future__ import annotations

from bot.blocks import Card, Field, Reply
from bot.catalogue import Args, Command, Option
from bot.completion import Choice, Completer, rank
from bot.context import Context
from bot.textparse import split


async def show_help(ctx: Context, args: Args) -> Reply:
    asked = args.text("command")
    catalogue = ctx.catalogue
    # `help /oped` splits to no words at all: that asks for the listing too.
    words = split(asked) if asked else []
    if words:
        command = catalogue.longest_match(words)
        if command is None or len(command.path) != len(words):
            group = [c for c in catalogue.commands if c.path[0] == words[0].lower()]
            if not group:
                catalogue.get(tuple(w.lower() for w in words))  # raises NotFound with suggestions
            return Reply(
                (_listing(group, f"Commands under `{words[0].lower()}`", ctx.is_moderator),),
                ephemeral=True,
            )
        return Reply((_detail(command),), ephemeral=True)
    return Reply(
        (_listing(list(catalogue.commands), "oped-bot commands", ctx.is_moderator),), ephemeral=True
    )


def _listing(commands: list[Command], title: str, moderator: bool) -> Card:
    lines = []
    for command in commands:
        mark = " (moderators)" if command.moderator else ""
        lines.append(f"{command.usage}{mark}\n    {command.help}")
    footer = "`help <command>` for details." + (
        "" if moderator else " Moderator commands need moderator rights."
    )
    return Card("help", "\n".join(lines), title=title, footer=footer)


def _detail(command: Command) -> Card:
    fields = [
        Field(_option_name(o), o.help + (f" ({', '.join(o.choices)})" if o.choices else ""))
        for o in command.options
    ]
    if command.examples:
        fields.append(Field("Examples", "\n".join(command.examples)))
    who = "Moderators only. " if command.moderator else ""
    return Card("help", f"{who}{command.help}", title=command.usage, fields=tuple(fields))


def _option_name(option: Option) -> str:
    return option.name if option.positional else f"--{option.name}"


async def _commands(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(c.name, c.name) for c in ctx.catalogue.commands])


COMPLETERS: dict[str, Completer] = {"commands": _commands}

COMMANDS = [
    Command(
        ("help",),
        "List the commands, or explain one.",
        show_help,
        (Option("command", "words", "A command name", autocomplete="commands", max_length=50),),
        examples=("help", "help poll create"),
    ),
]
