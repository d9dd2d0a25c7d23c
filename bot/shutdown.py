"""Graceful stop: SIGTERM and SIGINT set one event that every adapter and loop watches."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

log = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[list[str]]:
    """Set `stop` on SIGTERM or SIGINT while inside; yields the names of signals received.

    Must be entered from within the running loop. The previous handlers come back on exit, so a
    signal during the final clean-up still ends the process the ordinary way.
    """
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig.name)
        if stop.is_set():
            log.warning("already stopping", extra={"signal": sig.name})
            return
        log.info("stopping", extra={"signal": sig.name})
        stop.set()

    installed = []
    for sig in SIGNALS:
        try:
            loop.add_signal_handler(sig, on_signal, sig)
        except (NotImplementedError, RuntimeError):  # not the main thread, or not Unix
            continue
        installed.append(sig)
    try:
        yield received
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
