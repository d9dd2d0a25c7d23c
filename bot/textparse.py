"""Parse the text syntax shared by the console and Slack's `/oped` into a command call."""

from __future__ import annotations

import shlex

from bot.catalogue import Catalogue, Command
from bot.errors import NotFound, UsageError
from bot.models import ArgValue

# Slack and phone keyboards turn straight quotes into curly ones; users mean straight.
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})


def split(text: str) -> list[str]:
    """Split a command line into words; double quotes group words, backslash escapes."""
    line = text.strip().translate(_QUOTES)
    if line.startswith("/oped"):
        line = line[len("/oped") :]
    line = line.strip().removeprefix("/")
    if '"' not in line and "\\" not in line:
        # Button clicks (`poll vote 12 3`) take this path: shlex costs a third of a vote.
        return line.split()
    lexer = shlex.shlex(line, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = ""
    # Apostrophes are common in prose ("don't"); only double quotes group words.
    lexer.quotes = '"'
    try:
        return list(lexer)
    except ValueError:
        raise UsageError('A double quote (") is not closed. Close it and try again.') from None


def parse(text: str, catalogue: Catalogue) -> tuple[Command, dict[str, ArgValue]]:
    """Find the command a line names and sort its words into that command's raw options."""
    words = split(text)
    if not words:
        raise UsageError("Type a command, or `help` to see them all.")
    command = catalogue.longest_match(words)
    if command is None:
        lowered = [w.lower() for w in words]
        group = catalogue.group_of(lowered)
        if group:
            # `poll` or `admin schedule frob`: the group is right, the command is missing.
            asked = " ".join(lowered[: len(group) + 1])
            hint = f"Type `help {' '.join(group)}` for its commands."
        else:
            asked, hint = words[0], "Type `help` for the list."
        raise NotFound("command", asked, catalogue.names(), hint)
    return command, sort_words(command, words[len(command.path) :])


def sort_words(command: Command, words: list[str]) -> dict[str, ArgValue]:
    """Assign words to options: `--name value` pairs first, the rest by position."""
    raw: dict[str, ArgValue] = {}
    positional: list[str] = []
    named = {option.name: option for option in command.options if not option.positional}
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--") and len(word) > 2:
            name, has_value, inline = word[2:].partition("=")
            option = named.get(name.lower())
            if option is None:
                known = ", ".join(f"--{n}" for n in named) or "none"
                raise UsageError(
                    f"`{command.name}` has no option `--{name}` (its options: {known}).",
                    command.usage,
                )
            if option.kind == "flag":
                # `--anonymous=no` must not switch it on: the value is kept so coerce refuses it.
                raw[option.name] = inline if has_value else True
            elif has_value:
                raw[option.name] = inline
            elif index + 1 < len(words):
                index += 1
                raw[option.name] = words[index]
            else:
                raise UsageError(f"`--{name}` needs a value.", command.usage)
        else:
            positional.append(word)
        index += 1
    slots = [option for option in command.options if option.positional]
    for option in slots:
        if not positional:
            break
        if option.kind == "list":
            raw[option.name] = tuple(positional)
            positional = []
        elif option.kind == "words":
            raw[option.name] = " ".join(positional)
            positional = []
        else:
            raw[option.name] = positional.pop(0)
    if positional:
        raise UsageError(f"`{command.name}` does not take `{' '.join(positional)}`.", command.usage)
    return raw
