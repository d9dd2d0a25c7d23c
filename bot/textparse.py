"""Parse the text syntax shared by typed commands and buttons into a command call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalogue import Catalogue, Command, Option
from bot.errors import NotFound, UsageError, UserError
from bot.models import ArgValue
from bot.platforms import text_prefixes
from bot.usertext import shown

# Chat apps and phone keyboards turn straight quotes into curly ones; users mean straight. Any of
# these opens a quoted word and any closes it (“…”, „…“, «…», »…«).
_DOUBLE = frozenset('"\u201c\u201d\u201e\u00ab\u00bb')
# ‘…’ quotes too, but ’ is also the apostrophe in Kim’s: ‘ opens only at the start of a word and
# ’ closes only at the end of one. A straight ' is always an apostrophe (don't).
_SINGLE_OPEN = "\u2018"
_SINGLE_CLOSE = "\u2019"
_SPECIAL = _DOUBLE | {_SINGLE_OPEN, "\\"}
_READY_MAX = 600  # a retyped line longer than this is no help to copy


@dataclass(frozen=True)
class Word:
    """One word of a command line, and whether it began in quotes (then it is text)."""

    text: str
    quoted: bool = False


def split(text: str) -> list[str]:
    """Split a command line into words; double quotes group words, backslash escapes."""
    return [word.text for word in words(text)]


def words(text: str) -> list[Word]:
    """The words of a command line, each marked quoted or not (see `split`)."""
    line = text.strip()
    for prefix in text_prefixes():
        if line.startswith(prefix):
            line = line[len(prefix) :]
            break
    line = line.strip().removeprefix("/")
    if not any(char in _SPECIAL for char in line):
        # Button clicks (`poll vote 12 3`) take this path: it is most of the traffic.
        return [Word(word) for word in line.split()]
    found: list[Word] = []
    current: list[str] = []
    quoted = started = False
    closing: str | None = None  # what ends the quote we are in: "double" or "single"
    index = 0
    while index < len(line):
        char = line[index]
        after = line[index + 1] if index + 1 < len(line) else ""
        if closing == "double":
            if char in _DOUBLE:
                closing = None
            elif char == "\\" and (after in _DOUBLE or after == "\\"):
                current.append(after)
                index += 1
            else:
                current.append(char)
        elif closing == "single":
            if char == _SINGLE_CLOSE and (not after or after.isspace()):
                closing = None
            else:
                current.append(char)
        elif char.isspace():
            if started:
                found.append(Word("".join(current), quoted))
            current, quoted, started = [], False, False
        elif char in _DOUBLE or (char == _SINGLE_OPEN and not started):
            closing = "double" if char in _DOUBLE else "single"
            # Only a word that opens with a quote is text: `--results="closed"` is an option.
            quoted = quoted or not started
            started = True
        elif char == "\\" and after:
            current.append(after)
            started = True
            index += 1
        else:
            current.append(char)
            started = True
        index += 1
    if closing == "double":
        raise UsageError('A double quote (") is not closed. Close it and try again.')
    if closing == "single":
        raise UsageError("A quote (\u2018) is not closed. Close it with \u2019 and try again.")
    if started:
        found.append(Word("".join(current), quoted))
    return found


def parse(text: str, catalogue: Catalogue) -> tuple[Command, dict[str, ArgValue]]:
    """Find the command a line names and sort its words into that command's raw options."""
    found = words(text)
    if not found:
        raise UsageError("Type a command, or `help` to see them all.")
    plain = [word.text for word in found]
    command = catalogue.longest_match(plain)
    if command is None:
        lowered = [w.lower() for w in plain]
        group = catalogue.group_of(lowered)
        if group:
            # `poll` or `admin schedule frob`: the group is right, the command is missing.
            asked = " ".join(lowered[: len(group) + 1])
            hint = f"Type `help {' '.join(group)}` for its commands."
        else:
            asked, hint = plain[0], "Type `help` for the list."
        # Echo what was typed visibly: a NUL or lone surrogate would break the reply itself.
        raise NotFound("command", shown(asked, 40), catalogue.names(), hint)
    return command, sort_words(command, found[len(command.path) :])


def left_out(text: str, catalogue: Catalogue) -> tuple[Command, tuple[Option, ...]] | None:
    """The command a line names and the required text it leaves out, for a form to ask for.

    A button such as Add option carries `poll add 12`; None when nothing is missing or the
    line is not a command (the dispatch then explains it).
    """
    try:
        command, raw = parse(text, catalogue)
    except UserError:
        return None
    missing = tuple(
        option
        for option in command.options
        if option.kind in ("text", "words") and option.required and option.name not in raw
    )
    return (command, missing) if missing else None


def sort_words(command: Command, typed: Sequence[Word | str]) -> dict[str, ArgValue]:
    """Assign words to options: `--name value` pairs first, the rest by position.

    A quoted word is always a value: `"--anonymous"` is an option called --anonymous.
    """
    line = [word if isinstance(word, Word) else Word(word) for word in typed]
    raw: dict[str, ArgValue] = {}
    positional: list[Word] = []
    given: list[str] = []  # the named options as typed, to retype them in a suggestion
    named = {option.name: option for option in command.options if not option.positional}
    index = 0
    while index < len(line):
        word = line[index]
        if word.quoted or not word.text.startswith("--") or len(word.text) <= 2:
            positional.append(word)
            index += 1
            continue
        name, has_value, inline = word.text[2:].partition("=")
        option = named.get(name.lower())
        if option is None:
            known = ", ".join(f"--{n}" for n in named) or "none"
            raise UsageError(
                f"`{command.name}` has no option `--{shown(name)}` (its options: {known}).",
                command.usage,
            )
        if option.name in raw:
            raise UsageError(f"`--{option.name}` is given twice; give it once.", command.usage)
        given.append(word.text)
        if option.kind == "flag":
            # `--anonymous=no` must not switch it on: the value is kept so coerce refuses it.
            raw[option.name] = inline if has_value else True
        elif has_value:
            raw[option.name] = _given(option, inline)
        elif option.kind == "list" and index + 1 < len(line):
            # A named list (`--roles @Editors @Staff`) takes the unquoted words up to the next
            # option; quoted words stay the command's own text (a question, options).
            items: list[str] = []
            while index + 1 < len(line) and not line[index + 1].quoted:
                if line[index + 1].text.startswith("--"):
                    break
                index += 1
                items.append(_given(option, line[index].text))
            if not items:
                raise UsageError(f"`--{shown(name)}` needs a value.", command.usage)
            raw[option.name] = tuple(items)
            given.extend(items)
        elif index + 1 < len(line):
            index += 1
            raw[option.name] = _given(option, line[index].text)
            given.append(_quote(line[index].text) if " " in line[index].text else line[index].text)
            if option.kind == "text" and index + 1 < len(line):
                _check_stray(command, option, line[index].text, line[index + 1])
        else:
            raise UsageError(f"`--{shown(name)}` needs a value.", command.usage)
        index += 1
    _check_question(command, positional, given)
    slots = [option for option in command.options if option.positional]
    for index, option in enumerate(slots):
        if not positional:
            break
        if option.kind == "list":
            raw[option.name] = tuple(word.text for word in positional)
            positional = []
        elif option.kind == "words":
            taken = _words_before_list(positional, slots[index + 1 :])
            raw[option.name] = " ".join(word.text for word in positional[:taken])
            positional = positional[taken:]
        else:
            raw[option.name] = positional.pop(0).text
    if positional:
        extra = " ".join(word.text for word in positional)
        raise UsageError(f"`{command.name}` does not take `{shown(extra, 60)}`.", command.usage)
    return raw


def _words_before_list(positional: list[Word], after: Sequence[Option]) -> int:
    """How many words a `words` option takes: all, unless a list follows it.

    Then it takes one quoted word, or the unquoted words up to the first quoted one, and the
    list the rest: `"0 9 * * 1" "Yes" "No"` is a cron and two options.
    """
    if not any(option.kind == "list" for option in after):
        return len(positional)
    if positional[0].quoted:
        return 1
    return next((n for n, word in enumerate(positional) if word.quoted), len(positional))


def _given(option: Option, value: str) -> str:
    # An empty value would read as "not given" and silently use the default.
    if not value.strip():
        raise UsageError(
            f"`--{option.name}` has an empty value. Give one (--{option.name} <{option.name}>) "
            "or leave the option out."
        )
    return value


def _check_stray(command: Command, option: Option, value: str, after: Word) -> None:
    """Refuse an unquoted word right after a text value when it would become a list item.

    `--closes 2026-03-01 18:00` would close at midnight and add an option called `18:00`.
    """
    if after.quoted or after.text.startswith("--"):
        return
    if not any(o.positional and o.kind == "list" for o in command.options):
        return
    word = after.text
    raise UsageError(
        f"`{shown(word)}` follows `--{option.name} {shown(value)}`. If it is part of that "
        f'value, put the value in quotes (--{option.name} "{shown(value)} {shown(word)}"); '
        f"otherwise move `{shown(word)}` before the "
        "options that start with --.",
        command.usage,
    )


def _check_question(command: Command, positional: list[Word], given: list[str]) -> None:
    """Refuse an unquoted question whose end cannot be told from its first option.

    `poll create Talks by 2020? Yes No` would make the question `Talks` and the options `by`,
    `2020?`, `Yes`, `No`. An unquoted one-word question ending in `?` is clear; anything else
    unquoted is refused with the quoted line ready to copy.
    """
    slots = [option for option in command.options if option.positional]
    if len(slots) < 2 or slots[0].kind != "text" or slots[1].kind != "list" or not positional:
        return
    first = positional[0]
    if first.quoted or first.text.endswith("?"):
        return
    ends = next(
        (n for n, word in enumerate(positional) if not word.quoted and word.text.endswith("?")),
        None,
    )
    if ends is None:
        hint = (
            f"The {slots[0].name} `{shown(first.text)}` is not in quotes, so its end is unclear. "
            f"If it is the whole {slots[0].name}, copy this; otherwise put the whole "
            f"{slots[0].name} in one pair of quotes:"
        )
        question, rest = first, positional[1:]
    else:
        hint = f"Put the {slots[0].name} and each {slots[1].name[:-1]} in quotes, like this:"
        joined = " ".join(word.text for word in positional[: ends + 1])
        question, rest = Word(joined), positional[ends + 1 :]
    retyped = [_quote(question.text)] + [_quote(word.text) for word in rest]
    ready = " ".join([command.name, *retyped, *given])
    if shown(ready, _READY_MAX) != ready:
        # Too long or with hidden characters to be worth copying: show the pattern instead.
        pattern = f'"{slots[0].name.capitalize()}?" ' + " ".join(
            [f'"{slots[1].name[:-1].capitalize()}"'] * 2
        )
        raise UsageError(
            f"Put the {slots[0].name} and each {slots[1].name[:-1]} in double quotes: "
            f"{command.name} {pattern}",
            command.usage,
        )
    raise UsageError(f"{hint} {ready}")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
