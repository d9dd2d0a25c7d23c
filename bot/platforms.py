"""The platform plug-in registry: the one place in the core that names the platforms.

Each adapter package declares a `PLUGIN` in a module that imports no SDK: what the platform is
called, how its credentials are detected, the SDKs it needs, its secrets, its CLI sub-command,
its doctor checks, how moderators and roles are named in mentions, and a note for help.
Everything else in the core asks this registry. Adding a platform is its own package plus one
line in `REGISTERED`.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# One line per platform: the module holding its `PLUGIN`.
REGISTERED: tuple[str, ...] = (
    "adapters.console",
    "adapters.discord.plugin",
    "adapters.slack.plugin",
)


def _never(env: Mapping[str, str]) -> bool:
    return False


def _no_problems(env: Mapping[str, str]) -> list[str]:
    return []


# A role as typed: its id, and its name when the mention carries one.
RoleMention = tuple[str, str | None]


def typed_name(word: str) -> RoleMention | None:
    """A role typed as its name (`@Editors`), where the platform has no role mentions.

    The name, case folded, is the id the platform's users are given roles by (`:roles`).
    """
    name = word.strip().removeprefix("@").strip()
    return (name.casefold(), f"@{name}") if name else None


@dataclass(frozen=True)
class Plugin:
    """What the core needs to know about one platform, declared by its adapter package."""

    name: str
    title: str  # as people write it, in messages
    adapter: str  # the module whose `serve(bot, env, stop)` runs it inside `oped-bot run`
    sdks: tuple[str, ...] = ()  # imported before start, so a broken install fails early
    secrets: tuple[str, ...] = ()  # environment variables whose values are never logged
    token_shapes: tuple[str, ...] = ()  # regular expressions of its tokens, redacted anywhere
    detect: Callable[[Mapping[str, str]], bool] = _never  # whether its credentials are set
    enable: str = ""  # how to turn it on, for "nothing to serve"
    half_set: Callable[[Mapping[str, str]], list[str]] = _no_problems  # credentials partly set
    cli: str | None = None  # module with `configure(parser)` and `run(args, settings) -> int`
    # "module:function" giving doctor's checks of its settings and tokens: f(env, offline).
    doctor: str | None = None
    text_prefix: str | None = None  # a slash command the text syntax may start with
    finite: bool = False  # ends when its input does, as opposed to failing if it returns
    fallback: bool = False  # what `oped-bot run` starts when no platform's credentials are set
    moderator_roles: bool = False  # moderator rights go to roles: a bare id names a role
    thread_ids_unique: bool = False  # a thread id never names another channel (see bot.scope)
    # How a role (or user group) is read from a command (`--roles`), and how to type one.
    read_role: Callable[[str], RoleMention | None] = typed_name
    role_hint: str = "Type each role's name: --roles @Editors @Staff."
    help_note: str = ""


@functools.cache
def plugins() -> tuple[Plugin, ...]:
    """Every registered platform, in registration order."""
    found = []
    for module_name in REGISTERED:
        plugin = getattr(importlib.import_module(module_name), "PLUGIN", None)
        if not isinstance(plugin, Plugin):
            raise TypeError(f"{module_name} declares no PLUGIN: add `PLUGIN = Plugin(...)` to it.")
        found.append(plugin)
    return tuple(found)


def plugin(name: str) -> Plugin | None:
    """The platform registered as `name`, if any."""
    return next((p for p in plugins() if p.name == name), None)


def load(reference: str) -> Callable[..., Any]:
    """The function a "module:function" reference names, imported only now."""
    module_name, _, name = reference.partition(":")
    found = getattr(importlib.import_module(module_name), name)
    if not callable(found):
        raise TypeError(f"{reference} is not a function.")
    return found  # type: ignore[no-any-return]


def role_reader(name: str) -> tuple[Callable[[str], RoleMention | None], str]:
    """How `name`'s users type roles, and the hint naming how; names where it has no plug-in."""
    found = plugin(name)
    if found is None:
        return typed_name, Plugin.role_hint
    return found.read_role, found.role_hint


def text_prefixes() -> tuple[str, ...]:
    """The slash commands a line in the text syntax may start with (`/oped poll vote 1 2`)."""
    return tuple(p.text_prefix for p in plugins() if p.text_prefix)
