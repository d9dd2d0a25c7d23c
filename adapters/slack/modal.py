"""A Slack modal derived from a catalogue command (`poll create`), and reading it back.

Inputs follow the command's options, so the form stays in step with the catalogue: text and
words become text inputs, a list becomes a multi-line input (one item per line), an int a number
input, a choice a select, a flag a checkbox.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from adapters.slack.render import fit_escaped, plain
from bot.catalogue import Command, Option, coerce
from bot.errors import UserError
from bot.models import ArgValue
from bot.replies import Form

MODAL_TITLE_MAX = 24
MODAL_BLOCKS_MAX = 100
INPUT_LABEL_MAX = 2000
HINT_MAX = 2000
TEXT_INPUT_MAX = 3000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
SELECT_OPTIONS_MAX = 100
METADATA_MAX = 3000
ERROR_TEXT_MAX = 300
ACTION = "value"


def build_modal(
    command: Command,
    callback_id: str,
    title: str,
    metadata: Mapping[str, str],
    *,
    submit: str = "Create",
) -> dict[str, Any]:
    """A modal view with one input per option of `command`."""
    private = json.dumps(dict(metadata))
    if len(private) > METADATA_MAX:
        raise ValueError("modal metadata is too long")
    blocks = [_input(option) for option in command.options][:MODAL_BLOCKS_MAX]
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_MAX),
        "submit": plain(submit, MODAL_TITLE_MAX),
        "close": plain("Cancel", MODAL_TITLE_MAX),
        "private_metadata": private,
        "blocks": blocks,
    }


def _input(option: Option) -> dict[str, Any]:
    element: dict[str, Any]
    hint = option.help
    if option.kind == "list":
        element = {"type": "plain_text_input", "multiline": True}
        hint = f"{option.help}. One per line."
        if option.min_items or option.max_items:
            hint += f" {option.min_items or 1} to {option.max_items or 'any number'}."
    elif option.kind == "int":
        element = {"type": "number_input", "is_decimal_allowed": False}
        if option.min_value is not None:
            element["min_value"] = str(option.min_value)
        if option.max_value is not None:
            element["max_value"] = str(option.max_value)
    elif option.kind == "choice":
        element = {
            "type": "static_select",
            "options": [_choice(choice) for choice in option.choices[:SELECT_OPTIONS_MAX]],
        }
    elif option.kind == "flag":
        element = {"type": "checkboxes", "options": [_choice(option.name, option.help)]}
    else:
        element = {"type": "plain_text_input"}
        if option.max_length is not None:
            element["max_length"] = min(option.max_length, TEXT_INPUT_MAX)
    element["action_id"] = ACTION
    block: dict[str, Any] = {
        "type": "input",
        "block_id": option.name,
        "label": plain(option.name.replace("_", " ").capitalize(), INPUT_LABEL_MAX),
        "element": element,
        "optional": not option.required or option.kind == "flag",
        "hint": plain(hint, HINT_MAX),
    }
    return block


def _choice(value: str, label: str | None = None) -> dict[str, Any]:
    return {
        "text": plain(label or value, OPTION_TEXT_MAX),
        "value": value[:OPTION_VALUE_MAX],
    }


def read_submission(
    command: Command, view: Mapping[str, Any]
) -> tuple[dict[str, ArgValue], dict[str, str]]:
    """The raw arguments a submitted view holds, and per-input errors (empty when valid)."""
    values = _object(_object(view.get("state")).get("values"))
    raw: dict[str, ArgValue] = {}
    errors: dict[str, str] = {}
    for option in command.options:
        state = _object(_object(values.get(option.name)).get(ACTION))
        value = _value(option, state)
        if value is None:
            continue
        raw[option.name] = value
    for option in command.options:
        # Check each input on its own so each error shows under the input it is about.
        single = dataclasses.replace(command, options=(option,))
        try:
            coerce(single, {option.name: raw[option.name]} if option.name in raw else {})
        except UserError as exc:
            errors[option.name] = error_text(str(exc))
    return raw, errors


def _object(value: Any) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else an empty one: a submission is read, never trusted."""
    return value if isinstance(value, Mapping) else {}


def _value(option: Option, state: Mapping[str, Any]) -> ArgValue:
    if option.kind == "flag":
        return bool(state.get("selected_options"))
    if option.kind == "choice":
        chosen = _object(state.get("selected_option")).get("value")
        return str(chosen) if chosen else None
    text = state.get("value")
    if text is None or isinstance(text, Mapping | list):
        return None
    if option.kind == "list":
        items = tuple(line.strip() for line in str(text).splitlines() if line.strip())
        return items or None
    return str(text) if str(text).strip() else None


def error_text(message: str) -> str:
    """An error as shown under a modal input: the first line, escaped, short."""
    first = message.split("\nUsage:")[0].strip()
    return fit_escaped(first, ERROR_TEXT_MAX)


def read_metadata(view: Mapping[str, Any]) -> dict[str, str]:
    """The string fields of a view's private_metadata; empty if it is missing or not an object."""
    try:
        metadata = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k, v in metadata.items() if isinstance(v, str) and v}


def block_for_error(command: Command, message: str) -> str:
    """The input a handler's refusal most likely concerns (it names the option), else the first."""
    lowered = message.lower()
    for option in command.options:
        if f"<{option.name}>" in lowered or f"--{option.name}" in lowered:
            return option.name
    for option in command.options:
        if option.name.lower() in lowered:
            return option.name
    return command.options[0].name if command.options else "_"


def build_pick_modal(form: Form, callback_id: str, metadata: Mapping[str, str]) -> dict[str, Any]:
    """A modal with one required select per pick of a neutral `Form` (the Rank button's).

    The command its answers complete rides in the metadata, so a submission needs no memory.
    """
    private = json.dumps({**metadata, "command": form.command})
    if len(private) > METADATA_MAX:
        raise ValueError("modal metadata is too long")
    blocks = [
        {
            "type": "input",
            "block_id": f"pick-{number}",
            "label": plain(pick.label, INPUT_LABEL_MAX),
            "element": {
                "type": "static_select",
                "action_id": ACTION,
                "options": [_choice(value, label) for label, value in pick.choices][
                    :SELECT_OPTIONS_MAX
                ],
            },
        }
        for number, pick in enumerate(form.picks, 1)
    ][:MODAL_BLOCKS_MAX]
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(form.title, MODAL_TITLE_MAX),
        "submit": plain("Submit", MODAL_TITLE_MAX),
        "close": plain("Cancel", MODAL_TITLE_MAX),
        "private_metadata": private,
        "blocks": blocks,
    }


def read_picks(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(block id, value picked) of each select of a submitted pick modal, in the form's order."""
    values = _object(_object(view.get("state")).get("values"))
    numbered: list[tuple[int, str, str]] = []
    for block_id in values:
        number = block_id.removeprefix("pick-")
        if not block_id.startswith("pick-") or not number.isdigit():
            continue
        state = _object(_object(values.get(block_id)).get(ACTION))
        chosen = _object(state.get("selected_option")).get("value")
        numbered.append((int(number), block_id, str(chosen) if chosen else ""))
    return [(block_id, value) for _, block_id, value in sorted(numbered)]


def block_for_pick_error(picks: list[tuple[str, str]]) -> str:
    """The select a refused ranking most likely concerns: the first repeat, else the first."""
    seen: set[str] = set()
    for block_id, value in picks:
        if value in seen or not value:
            return block_id
        seen.add(value)
    return picks[0][0] if picks else "pick-1"
