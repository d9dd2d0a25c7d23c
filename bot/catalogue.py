"""The one command catalogue: every command declared once, with its options and rights.

The text parser, each platform's command tree and every help text are derived
from these declarations, so a command cannot exist on one platform and not another.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.errors import NotFound, UsageError
from bot.models import ArgValue
from bot.replies import Reply
from bot.usertext import clean, shown, too_long

if TYPE_CHECKING:
    from bot.context import Context

# SQLite stores integers in 64 bits; a larger id or count would overflow at the database.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_WHOLE = re.compile(r"[+-]?[0-9]+")

OptionKind = Literal["text", "words", "int", "choice", "list", "flag"]
Handler = Callable[["Context", "Args"], Awaitable[Reply]]


@dataclass(frozen=True)
class Option:
    """One argument of a command.

    Positional options are filled in order; `words` takes the rest of the line as one string and
    `list` takes the rest as separate items. Named options are written `--name value` (or just
    `--name` for a flag).
    """

    name: str
    kind: OptionKind
    help: str
    required: bool = False
    positional: bool = True
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None  # a completion source known to `Bot.complete`
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    min_items: int = 0
    max_items: int | None = None
    # What to type, as usage lines show it (`N`, `2h|1d|<time>`, `"<question>"`); the name if unset.
    placeholder: str | None = None

    @property
    def label(self) -> str:
        """How errors name this option: as the usage line shows it (`<id>`, `--since`)."""
        if not self.positional:
            return f"--{self.name}"
        shown = (self.placeholder or "").replace('"', "")
        if not shown or self.kind == "list" or "|" in shown:
            return f"<{self.name}>"  # `<options>`, not the whole `"<option>" ...` pattern
        return shown if shown.startswith("<") else f"<{shown}>"

    @property
    def usage(self) -> str:
        if not self.positional:
            value = self.placeholder or f"<{self.name}>"
            inner = f"--{self.name}" if self.kind == "flag" else f"--{self.name} {value}"
            if self.choices:
                inner = f"--{self.name} {'|'.join(self.choices)}"
            return f"[{inner}]"
        if self.placeholder:
            return self.placeholder if self.required else f"[{self.placeholder}]"
        shown = "|".join(self.choices) if self.choices else self.name
        if self.kind == "list":
            shown = f'"{self.name}" ...'
        elif self.kind == "words":
            shown = f"{shown}..."
        return f"<{shown}>" if self.required else f"[{shown}]"


@dataclass(frozen=True)
class Command:
    """A command: its path (`("poll", "create")`), options, rights and handler."""

    path: tuple[str, ...]
    help: str
    handler: Handler
    options: tuple[Option, ...] = ()
    moderator: bool = False
    examples: tuple[str, ...] = ()
    # Where a slash-command tree cannot invoke a group itself, `quote` beside `quote search`
    # is reached as `quote get`: the path such a tree uses instead of `path`.
    leaf_path: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def usage(self) -> str:
        return " ".join([self.name, *(option.usage for option in self.options)])

    def option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        raise KeyError(name)


class Args:
    """Validated arguments of one call, read with typed getters."""

    def __init__(self, values: Mapping[str, ArgValue]) -> None:
        self._values = dict(values)

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if isinstance(value, str) else None

    def integer(self, name: str) -> int | None:
        value = self._values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def flag(self, name: str) -> bool:
        return self._values.get(name) is True

    def items(self, name: str) -> tuple[str, ...]:
        value = self._values.get(name)
        return value if isinstance(value, tuple) else ()


class Catalogue:
    """The set of commands, looked up by path."""

    def __init__(self, commands: Iterable[Command]) -> None:
        self.commands: tuple[Command, ...] = tuple(commands)
        self._by_path: dict[tuple[str, ...], Command] = {}
        for command in self.commands:
            if command.path in self._by_path:
                raise ValueError(f"command {command.name!r} is declared twice")
            self._by_path[command.path] = command

    def get(self, path: tuple[str, ...]) -> Command:
        try:
            return self._by_path[path]
        except KeyError:
            raise NotFound("command", " ".join(path), self.names(), "Type `help`.") from None

    def names(self) -> list[str]:
        return [command.name for command in self.commands]

    def longest_match(self, words: list[str]) -> Command | None:
        """The command whose path is the longest prefix of `words`."""
        lowered = [w.lower() for w in words]
        for size in range(min(3, len(lowered)), 0, -1):
            command = self._by_path.get(tuple(lowered[:size]))
            if command is not None:
                return command
        return None

    def group_of(self, words: list[str]) -> tuple[str, ...]:
        """The longest prefix of `words` (lower case) that is a group of commands, or ()."""
        groups = self.groups()
        for size in range(len(words), 0, -1):
            if tuple(words[:size]) in groups:
                return tuple(words[:size])
        return ()

    def groups(self) -> set[tuple[str, ...]]:
        """Every group of commands, at every depth: `("admin",)`, `("admin", "schedule")`..."""
        return {c.path[:size] for c in self.commands for size in range(1, len(c.path))}


def coerce(command: Command, raw: Mapping[str, ArgValue]) -> Args:
    """Check and convert raw values against a command's options; raise UsageError on bad input."""
    values: dict[str, ArgValue] = {}
    known = {option.name for option in command.options}
    for name in raw:
        if name not in known:
            raise UsageError(f"`{command.name}` has no option `{name}`.", command.usage)
    for option in command.options:
        value = raw.get(option.name)
        # "" was typed (`""`, a blank form field): it is refused as empty, not taken as absent.
        if value is None or value == ():
            if option.required:
                raise UsageError(f"`{command.name}` needs {option.label}.", command.usage)
            # Left out: every getter reads a missing option as not given (None, False, ()).
            continue
        values[option.name] = _coerce_one(command, option, value)
    return Args(values)


def _coerce_one(command: Command, option: Option, value: ArgValue) -> ArgValue:
    label = option.label
    if option.kind == "flag":
        if isinstance(value, bool):
            return value
        raise UsageError(f"{label} is a switch and takes no value.", command.usage)
    if option.kind == "int":
        return _whole_number(command, option, label, value)
    if option.kind == "list":
        items = value if isinstance(value, tuple) else (str(value),)
        if len(items) < option.min_items:
            raise UsageError(
                f"{label} needs at least {option.min_items} {option.name}; you gave "
                f"{len(items)}. Put each in its own quotes.",
                command.usage,
            )
        if option.max_items is not None and len(items) > option.max_items:
            raise UsageError(
                f"{label} takes at most {option.max_items} {option.name}; you gave {len(items)}.",
                command.usage,
            )
        singular = option.name.removesuffix("s").capitalize()
        fields = [f"{singular} {number}" for number in range(1, len(items) + 1)]
        items = tuple(clean(item, field) for item, field in zip(items, fields, strict=True))
        for item, field in zip(items, fields, strict=True):
            _check_length(command, option, field, item)
        return items
    raw = " ".join(value) if isinstance(value, tuple) else str(value)
    field = f"The {option.name}" if option.positional else label
    text = clean(raw, field)
    if option.kind == "choice":
        lowered = text.lower()
        if lowered not in option.choices:
            raise UsageError(
                f"{label} must be one of {', '.join(option.choices)}; not `{shown(text)}`.",
                command.usage,
            )
        return lowered
    _check_length(command, option, field, text)
    return text


def _check_length(command: Command, option: Option, field: str, text: str) -> None:
    if option.max_length is not None and len(text) > option.max_length:
        raise UsageError(too_long(field, text, option.max_length), command.usage)


def _whole_number(command: Command, option: Option, label: str, value: ArgValue) -> int:
    low = INT_MIN if option.min_value is None else option.min_value
    high = INT_MAX if option.max_value is None else option.max_value
    if isinstance(value, int) and not isinstance(value, bool):
        number, text = value, str(value)
    else:
        text = str(value).strip()
        # ASCII digits only: int() would also take `1_000` and other scripts' digits.
        if not _WHOLE.fullmatch(text):
            raise UsageError(
                f"{label} must be a whole number, not `{shown(text, 30)}`.", command.usage
            )
        digits = text.lstrip("+-").lstrip("0")
        # Past 20 digits it is out of any 64-bit range; int() of thousands of digits would raise.
        number = int(text) if len(digits) <= 20 else (low - 1 if text[0] == "-" else high + 1)
    if low <= number <= high:
        return number
    bound = f"at least {low}" if number < low else f"at most {high}"
    raise UsageError(
        f"{label} must be {bound} (a whole number from {low} to {high}); not `{shown(text, 30)}`.",
        command.usage,
    )
