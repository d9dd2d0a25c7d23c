"""Start-up shared by every adapter: load content, open the store, build the bot.

`run` is `oped-bot run`: every configured adapter in one process, sharing one Bot (so one store
and one set of background loops), until a signal, the end of the console's input, or a failure.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import IO, Any

from bot.app import Bot
from bot.clock import SystemClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.deadlines import run_deadlines
from bot.platforms import plugins
from bot.probes import ProbeUnavailable, probe_address, serve_probes
from bot.scheduler import run_scheduler
from bot.shutdown import stop_on_signals
from bot.store import describe, open_store
from bot.store.work import StoreError

log = logging.getLogger(__name__)


def choose_adapters(env: Mapping[str, str]) -> list[str]:
    """The adapters whose credentials are present; the fallback (the console) when none are."""
    chosen = [p.name for p in plugins() if p.detect(env)]
    return chosen or [p.name for p in plugins() if p.fallback]


def nothing_to_serve() -> str:
    """Why `oped-bot run` refuses to start with no credentials and no input, and what to do."""
    ways = "; or ".join(p.enable for p in plugins() if p.enable)
    return (
        "no platform token is set and standard input is not a terminal or a pipe, so there is "
        f"nothing to serve. {ways}, in the environment or .env (see deploy/.env.example); or "
        "run `oped-bot console` in a terminal."
    )


def console_has_input(stdin: IO[str] | None) -> bool:
    """Whether the console could read commands from `stdin`: a terminal, a pipe or a file.

    Docker without `-i` and systemd give /dev/null (a character device, not a terminal): the
    console would read nothing and exit 0, and the supervisor would restart it for ever.
    """
    if stdin is None or stdin.closed:
        return False
    try:
        fd = stdin.fileno()
    except (OSError, ValueError):
        return True  # an in-memory stream handed over by the caller
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False  # descriptor 0 is closed
    return stdin.isatty() or not stat.S_ISCHR(mode)


async def build_bot(settings: Settings) -> Bot:
    """Load the packs (PackInvalid if one is broken), open the store and wire the bot.

    The caller closes the store with `close_bot`.
    """
    packs = PackRegistry.load(settings.content_dir, settings.default_pack)
    clock = SystemClock()
    # Keys the voter hashes of anonymous polls; without it the store keeps a generated key.
    secret = os.environ.get("OPED_BOT_SECRET") or None
    store = await open_store(settings.database, clock=clock, secret=secret)
    return Bot(Services(packs=packs, store=store, clock=clock, settings=settings))


def environment() -> dict[str, str]:
    return dict(os.environ)


# --- `oped-bot run` ----------------------------------------------------------------------------

# An adapter module exposes `async def serve(bot, env, stop)`: it takes work until `stop` is set,
# then finishes what it acknowledged, closes its connections and returns.
Serve = Callable[[Bot, Mapping[str, str], asyncio.Event], Coroutine[Any, Any, object]]
# A background loop (scheduler, deadlines) runs until `stop` is set.
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, object]]

ADAPTER_MODULES = {p.name: p.adapter for p in plugins()}
# The SDKs each adapter needs, imported up front so a broken install fails before anything starts
# (an adapter may import its SDK lazily, inside serve).
ADAPTER_REQUIRES = {p.name: p.sdks for p in plugins()}
# The console ends when its input does; a platform adapter that returns on its own has failed.
FINITE_ADAPTERS = frozenset(p.name for p in plugins() if p.finite)
# How long adapters and loops get, once stopped, to finish work they acknowledged.
DRAIN_SECONDS = 3.0


class AdapterUnavailable(Exception):
    """An adapter whose credentials are set cannot be loaded."""


class AdapterSetupError(Exception):
    """An adapter's settings are wrong (a malformed variable, a rejected token).

    The message says what to change, so it is logged as one line, without a traceback.
    """


class DatabaseUnavailable(Exception):
    """The database cannot be opened or migrated; the message says where and what to do."""


def load_adapter(name: str) -> Serve:
    """The `serve` function of adapter `name`; AdapterUnavailable if it cannot be imported."""
    module_name = ADAPTER_MODULES[name]
    for required in (*ADAPTER_REQUIRES.get(name, ()), module_name):
        try:
            module = importlib.import_module(required)
        except ImportError as exc:
            raise AdapterUnavailable(
                f"The {name} adapter is enabled by its credentials but cannot be loaded: "
                f"importing {required} failed ({exc}). Reinstall the project "
                "(`pip install -e .`), or unset the adapter's tokens to run without it."
            ) from exc
    serve = getattr(module, "serve", None)
    if not callable(serve):
        raise AdapterUnavailable(f"{module_name} has no serve(bot, env, stop) function.")
    return serve  # type: ignore[no-any-return]


def background_loops(bot: Bot) -> dict[str, Loop]:
    """The loops that run once per process, whatever the adapters: scheduler and deadlines."""
    return {
        "deadlines": functools.partial(run_deadlines, bot),
        "scheduler": functools.partial(run_scheduler, bot),
    }


async def close_bot(bot: Bot) -> None:
    """Release what `build_bot` opened; closing the store finishes its pending writes."""
    store = bot.services.store
    if store is not None:
        await store.close()


async def serve_all(
    bot: Bot,
    env: Mapping[str, str],
    adapters: Mapping[str, Serve],
    loops: Mapping[str, Loop],
    stop: asyncio.Event,
    drain_seconds: float = DRAIN_SECONDS,
) -> int:
    """Run adapters and loops until `stop`, the console's end, or a failure; the exit status."""
    tasks: dict[asyncio.Task[object], str] = {}
    for name in adapters:
        # Not ready until each adapter says it is connected.
        bot.services.readiness.expect(name)
    for name, serve in adapters.items():
        tasks[asyncio.create_task(serve(bot, env, stop), name=f"adapter:{name}")] = name
    for name, loop in loops.items():
        tasks[asyncio.create_task(loop(stop), name=f"loop:{name}")] = name
    stopped = asyncio.create_task(stop.wait())
    code = 0
    done, _ = await asyncio.wait([*tasks, stopped], return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if task is stopped:
            continue
        code = max(code, _outcome(tasks[task], task, stop))
    stop.set()
    stopped.cancel()
    draining = time.monotonic()
    pending = [task for task in tasks if not task.done()]
    if pending:
        _, late = await asyncio.wait(pending, timeout=drain_seconds)
        for task in late:
            log.warning("did not stop in time; cancelled", extra={"task": task.get_name()})
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for task in pending:
            if task not in late:
                code = max(code, _outcome(tasks[task], task, stop))
    log.info("drained", extra={"seconds": round(time.monotonic() - draining, 3)})
    return code


async def _serve_probes(bot: Bot, host: str, port: int, stop: asyncio.Event) -> None:
    """The probes on OPED_BOT_HTTP_PORT; a port that cannot be opened is a setting to change."""
    try:
        await serve_probes(bot.services, host, port, stop)
    except ProbeUnavailable as exc:
        raise AdapterSetupError(str(exc)) from exc


def _outcome(name: str, task: asyncio.Task[object], stop: asyncio.Event) -> int:
    """The exit status a finished task asks for, logging why."""
    if task.cancelled():
        return 0
    error = task.exception()
    if isinstance(error, AdapterSetupError):
        log.error("stopped: %s", error, extra={"task": task.get_name()})
        return 1
    if error is not None:
        log.error(
            "stopped by an error",
            extra={"task": task.get_name()},
            exc_info=(type(error), error, error.__traceback__),
        )
        return 1
    if not stop.is_set() and name not in FINITE_ADAPTERS:
        log.error("returned before the bot was stopped", extra={"task": task.get_name()})
        return 1
    return 0


async def run(
    settings: Settings,
    env: Mapping[str, str],
    names: Sequence[str] | None = None,
    adapters: Mapping[str, Serve] | None = None,
) -> int:
    """`oped-bot run`: the chosen (or configured) adapters in one process; the exit status.

    Raises, before anything starts: ProbeConfigError on a malformed OPED_BOT_HTTP_PORT,
    AdapterUnavailable if an enabled adapter cannot be loaded, PackInvalid on a broken content
    pack, DatabaseUnavailable if the database cannot be opened.
    """
    probes = probe_address(env)
    names = list(names or choose_adapters(env))
    if names == ["console"] and choose_adapters(env) == ["console"]:
        log.info("no platform token is set: the console reads commands from standard input")
    if adapters is None:
        adapters = {name: load_adapter(name) for name in names}
    if settings.db_url is None and settings.db_path.is_dir():
        raise DatabaseUnavailable(
            f"the database path {settings.db_path} is a folder. Point OPED_BOT_DB (or "
            f"database.path in the config) at a file inside it, such as "
            f"{settings.db_path / 'oped-bot.sqlite3'}."
        )
    try:
        if settings.db_url is None:
            settings.db_path.parent.mkdir(parents=True, exist_ok=True)
        bot = await build_bot(settings)
    except (OSError, sqlite3.Error, StoreError) as exc:
        raise DatabaseUnavailable(
            f"the database {describe(settings.database)} cannot be opened ({exc}). Point "
            "OPED_BOT_DB (or database.path / database.url in the config) at a writable file or "
            "a reachable PostgreSQL server; `oped-bot doctor` checks it."
        ) from exc
    stop = asyncio.Event()
    loops = background_loops(bot)
    if probes is not None:
        loops["probes"] = functools.partial(_serve_probes, bot, *probes)
    log.info(
        "starting",
        extra={
            "adapters": ",".join(adapters),
            "db": describe(settings.database),
            "pack": bot.services.packs.default.id,
            "config": str(settings.config_file or "-"),
        },
    )
    try:
        with stop_on_signals(stop) as received:
            code = await serve_all(bot, env, adapters, loops, stop)
    finally:
        await close_bot(bot)
    log.info("stopped", extra={"status": code, "signal": ",".join(received) or "-"})
    return code
