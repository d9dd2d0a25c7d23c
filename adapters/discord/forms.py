"""Forms (Discord modals) for commands that take a list, such as `poll create`'s options.

Typing twenty poll options as one "a | b | c" string is error-prone, so on Discord a command
with a required list may leave it out: the adapter then opens a form with one line per item,
pre-filled with whatever text was typed. The form's custom id carries the rest of the call in
the shared text syntax (`oped-form:poll create --multi 2`), so a form submitted after a restart
still works and nothing is kept in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord

from bot.catalogue import Catalogue, Command, Option
from bot.limits import fit
from bot.models import ArgValue
from bot.replies import Form
from bot.textparse import left_out, parse

PREFIX = "oped-form:"
# A neutral `Form` (the Rank button's): its id is the command line its answers complete.
PICK_PREFIX = "oped-pick:"
SELECT_OPTIONS_MAX = 25
SELECT_LABEL_MAX = 100
ANSWER = "answer"  # the one text input of a form whose picks do not fit
TEXT_KINDS = ("text", "words", "list")
INPUTS_MAX = 5  # text inputs in one modal
TITLE_MAX = 45
LABEL_MAX = 45
VALUE_MAX = 4000
CUSTOM_ID_MAX = 100


def form_options(command: Command) -> tuple[Option, ...]:
    """The options a form asks for, or () when the command gets no form.

    A form is offered for a required list, when all the text options fit in one modal and
    every other option is named (so it can ride along in the custom id).
    """
    texts = tuple(o for o in command.options if o.kind in TEXT_KINDS)
    others = [o for o in command.options if o.kind not in TEXT_KINDS]
    if not any(o.kind == "list" and o.required for o in texts):
        return ()
    if len(texts) > INPUTS_MAX or any(o.positional for o in others):
        return ()
    return texts


def discord_required(command: Command, option: Option) -> bool:
    """Whether Discord must demand the option (a list the form can ask for need not)."""
    if option.required and option.kind == "list" and option in form_options(command):
        return False
    return option.required


def needs_form(command: Command, values: Mapping[str, ArgValue]) -> bool:
    """Whether a slash call left out a list that the form should ask for."""
    return any(
        option.kind == "list" and option.required and not values.get(option.name)
        for option in form_options(command)
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', "'") + '"' if (" " in value or not value) else value


def form_id(command: Command, values: Mapping[str, ArgValue]) -> str | None:
    """The custom id carrying the non-text values; None if they do not fit in 100 characters."""
    words = [command.name]
    for option in command.options:
        value = values.get(option.name)
        if option.kind in TEXT_KINDS or value is None or value is False:
            continue
        words.append(f"--{option.name}")
        if option.kind != "flag":
            words.append(_quoted(str(value)))
    custom_id = PREFIX + " ".join(words)
    return custom_id if len(custom_id) <= CUSTOM_ID_MAX else None


def build(command: Command, values: Mapping[str, ArgValue]) -> discord.ui.Modal | None:
    """The form for `command`, pre-filled from `values`; None if the call cannot be carried."""
    custom_id = form_id(command, values)
    if custom_id is None:
        return None
    modal = discord.ui.Modal(title=fit(command.help, TITLE_MAX), custom_id=custom_id)
    for option in form_options(command):
        typed = values.get(option.name)
        default = "\n".join(typed) if isinstance(typed, tuple) else (str(typed) if typed else None)
        longest = _longest(option)
        is_list = option.kind == "list"
        modal.add_item(
            discord.ui.Label(
                text=fit(option.name.capitalize(), LABEL_MAX),
                description=fit(option.help + (" (one per line)" if is_list else ""), 100),
                component=discord.ui.TextInput(
                    custom_id=option.name,
                    style=(
                        discord.TextStyle.paragraph
                        if is_list or longest > 200
                        else discord.TextStyle.short
                    ),
                    required=option.required,
                    default=default[:VALUE_MAX] if default else None,
                    max_length=longest,
                    placeholder="One per line" if is_list else None,
                ),
            )
        )
    return modal


def _longest(option: Option) -> int:
    if option.kind == "list":
        if option.max_length is None:
            return VALUE_MAX
        return min(VALUE_MAX, (option.max_items or 25) * (option.max_length + 1))
    return min(VALUE_MAX, option.max_length or VALUE_MAX)


def click_form(catalogue: Catalogue, line: str) -> discord.ui.Modal | None:
    """The form a button asks for when its command leaves out required text (`poll add 12`).

    The custom id is the clicked line itself, so the submission runs it with the text added.
    """
    found = left_out(line, catalogue)
    custom_id = PREFIX + line
    if found is None or len(custom_id) > CUSTOM_ID_MAX:
        return None
    command, missing = found
    modal = discord.ui.Modal(title=fit(command.help, TITLE_MAX), custom_id=custom_id)
    for option in missing:
        modal.add_item(
            discord.ui.Label(
                text=fit(option.help, LABEL_MAX),
                component=discord.ui.TextInput(
                    custom_id=option.name,
                    style=discord.TextStyle.short,
                    required=True,
                    max_length=_longest(option),
                ),
            )
        )
    return modal


def submitted(
    catalogue: Catalogue, custom_id: str, data: Mapping[str, Any]
) -> tuple[Command, dict[str, ArgValue]] | None:
    """The command and values a submitted form stands for, or None if it is not ours."""
    if not custom_id.startswith(PREFIX):
        return None
    command, raw = parse(custom_id[len(PREFIX) :], catalogue)
    fields = dict(_inputs(data.get("components") or []))
    # A command's list form, or a button's form for text its line leaves out (`click_form`).
    asked = form_options(command) or tuple(
        o for o in command.options if o.kind in TEXT_KINDS and o.name not in raw
    )
    for option in asked:
        if option.name not in fields:
            continue
        text = fields[option.name]
        if option.kind == "list":
            items = tuple(line.strip() for line in text.splitlines() if line.strip())
            if items:
                raw[option.name] = items
        elif text.strip():
            raw[option.name] = text.strip()
    return command, raw


def pick_modal(form: Form) -> discord.ui.Modal | None:
    """A modal with one select menu per pick of `form`; None if its command cannot be carried.

    Discord shows at most five inputs in a modal, so a form with more picks (a ranked poll of
    six or more options) asks for the whole answer in one line, as `form.hint` says to type it.
    """
    custom_id = PICK_PREFIX + form.command
    if len(custom_id) > CUSTOM_ID_MAX:
        return None
    modal = discord.ui.Modal(title=fit(form.title, TITLE_MAX), custom_id=custom_id)
    fits = len(form.picks) <= INPUTS_MAX and all(
        len(pick.choices) <= SELECT_OPTIONS_MAX for pick in form.picks
    )
    if not fits:
        modal.add_item(
            discord.ui.Label(
                text=fit(form.title, LABEL_MAX),
                description=fit(form.hint, 100) or None,
                component=discord.ui.TextInput(
                    custom_id=ANSWER, style=discord.TextStyle.short, required=True, max_length=200
                ),
            )
        )
        return modal
    for number, pick in enumerate(form.picks, 1):
        options = [
            discord.SelectOption(label=fit(label, SELECT_LABEL_MAX), value=value)
            for label, value in pick.choices
        ]
        modal.add_item(
            discord.ui.Label(
                text=fit(pick.label, LABEL_MAX),
                component=discord.ui.Select[Any](custom_id=f"pick-{number}", options=options),
            )
        )
    return modal


def picked(custom_id: str, data: Mapping[str, Any]) -> str | None:
    """The command line a submitted pick form stands for, or None if it is not one."""
    if not custom_id.startswith(PICK_PREFIX):
        return None
    fields = dict(_inputs(data.get("components") or []))
    if ANSWER in fields:
        answers = [fields[ANSWER]]
    else:
        numbered = [
            (int(key.removeprefix("pick-")), value)
            for key, value in fields.items()
            if key.startswith("pick-") and key.removeprefix("pick-").isdigit()
        ]
        answers = [value for _, value in sorted(numbered)]
    return " ".join([custom_id[len(PICK_PREFIX) :], *answers])


def _inputs(components: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, str]]:
    """(custom id, value) of every text input and select in a modal submission, any layout."""
    for component in components:
        if component.get("type") == 4:
            yield str(component.get("custom_id")), str(component.get("value") or "")
        if component.get("type") == 3:
            chosen = component.get("values") or []
            yield str(component.get("custom_id")), " ".join(str(v) for v in chosen)
        if "components" in component:
            yield from _inputs(component["components"])
        if "component" in component:
            yield from _inputs([component["component"]])
