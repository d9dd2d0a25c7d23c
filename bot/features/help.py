"""Help: the command list and each command's usage, derived from the catalogue."""

from __future__ import annotations

from bot.catalogue import Args, Catalogue, Command, Option
from bot.completion import Choice, Completer, rank
from bot.context import Context
from bot.errors import NotFound
from bot.platforms import plugin
from bot.replies import Card, Field, Reply
from bot.textparse import split


async def show_help(ctx: Context, args: Args) -> Reply:
    asked = args.text("command")
    catalogue = ctx.catalogue
    # `help /oped` splits to no words at all: that asks for the listing too.
    words = split(asked) if asked else []
    if words:
        return _with_platform_note(ctx, _help_for(catalogue, words, ctx.is_moderator))
    return _with_platform_note(
        ctx,
        _listing(
            list(catalogue.commands),
            "oped-bot commands",
            ctx.is_moderator,
            "`help poll create` explains one command; `help admin` lists one group.",
        ),
    )


def _with_platform_note(ctx: Context, card: Card) -> Reply:
    """The help card, and the caller's platform's note on how its commands are typed there."""
    found = plugin(ctx.place.platform)
    if found is None or not found.help_note:
        return Reply((card,), ephemeral=True)
    note = Card("notice", found.help_note, title=f"On {found.title}")
    return Reply((card, note), ephemeral=True)


def _help_for(catalogue: Catalogue, words: list[str], moderator: bool) -> Card:
    """One command's detail, or a group's listing, at any depth; NotFound with suggestions."""
    path = tuple(w.lower() for w in words)
    path = (path[0].lstrip("/"), *path[1:])  # `help /poll create`, as typed as a slash command
    by_path = {c.path: c for c in catalogue.commands}
    by_path.update({c.leaf_path: c for c in catalogue.commands if c.leaf_path})
    under = [c for c in catalogue.commands if c.path[: len(path)] == path and c.path != path]
    exact = by_path.get(path)
    if exact is not None:
        return _detail(exact, under)
    if under:
        hint = f"`help {under[0].name}` explains one command."
        return _listing(under, f"Commands under `{' '.join(path)}`", moderator, hint)
    # An example pasted whole (`help poll vote 12 2`) asks about its command.
    pasted = catalogue.longest_match(list(path))
    if pasted is not None:
        return _detail(pasted, [])
    groups = sorted(" ".join(group) for group in catalogue.groups())
    raise NotFound("command", " ".join(path), [*catalogue.names(), *groups], "Type `help`.")


def _listing(commands: list[Command], title: str, moderator: bool, hint: str) -> Card:
    lines = []
    for command in commands:
        mark = " (moderators)" if command.moderator else ""
        lines.append(f"{command.usage}{mark}\n    {command.help}")
    footer = hint + ("" if moderator else " Moderator commands need moderator rights.")
    return Card("help", "\n".join(lines), title=title, footer=footer)


def _detail(command: Command, under: list[Command]) -> Card:
    fields = [
        Field(_option_name(o), o.help + (f" ({', '.join(o.choices)})" if o.choices else ""))
        for o in command.options
    ]
    if command.examples:
        fields.append(Field("Examples", "\n".join(command.examples)))
    who = "Moderators only. " if command.moderator else ""
    also = ", ".join(f"`help {c.name}`" for c in under)
    return Card(
        "help",
        f"{who}{command.help}",
        title=command.usage,
        fields=tuple(fields),
        footer=f"Also: {also}." if also else None,
    )


def _option_name(option: Option) -> str:
    return option.name if option.positional else f"--{option.name}"


async def _commands(ctx: Context, typed: str) -> list[Choice]:
    names = dict.fromkeys(
        " ".join(c.path[:n]) for c in ctx.catalogue.commands for n in range(1, len(c.path) + 1)
    )
    return rank(typed, [Choice(name, name) for name in names])


COMPLETERS: dict[str, Completer] = {"commands": _commands}

COMMANDS = [
    Command(
        ("help",),
        "List the commands, or those of one group, or explain one.",
        show_help,
        (
            Option(
                "command",
                "words",
                "A command or group name",
                autocomplete="commands",
                max_length=50,
            ),
        ),
        examples=("help", "help admin schedule", "help poll create"),
    ),
]
