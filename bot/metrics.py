"""Prometheus metrics for a monitoring stack, on a registry each bot owns.

Every label comes from a fixed set (a catalogue command, an outcome, a platform, an error kind),
never from user text or ids, so the number of series stays bounded whatever people type.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram
    from prometheus_client.metrics import MetricWrapperBase

log = logging.getLogger(__name__)

CommandOutcome = Literal["ok", "refused", "failed"]
# What went wrong talking to a platform: told apart because each calls for a different response
# (back off, wait for the platform, fix a permission or a setting, check the network).
ApiErrorKind = Literal["rate_limited", "server_error", "refused", "network"]
VoteKind = Literal["poll", "debate"]

Metric = TypeVar("Metric", bound="MetricWrapperBase")

# The label for anything that is not a catalogue command (a typo, an unparsable line).
UNKNOWN_COMMAND = "unknown"
# Seconds; a command answers in milliseconds, a slow database or platform call in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The bot's counters and histogram, on their own registry (`render` is `/metrics`).

    prometheus_client is imported when the first figure is counted or the registry is asked
    for, not at start-up: the console, which serves no `/metrics`, starts without it.
    """

    def __init__(self, timer: Callable[[], float] = time.perf_counter) -> None:
        self.timer = timer
        self._made: _Series | None = None
        # Each labelled series, found once: `labels()` checks and locks on every call, and
        # every command would pay that twice. Labels come from fixed sets, so this stays small.
        self._labelled_series: dict[tuple[int, tuple[str, ...]], MetricWrapperBase] = {}

    @property
    def registry(self) -> CollectorRegistry:
        """The registry holding every metric of this bot."""
        return self._series().registry

    def _series(self) -> _Series:
        if self._made is None:
            self._made = _Series.make()
        return self._made

    def _labelled(self, metric: Metric, *values: str) -> Metric:
        key = (id(metric), values)
        series = self._labelled_series.get(key)
        if series is None:
            series = self._labelled_series[key] = metric.labels(*values)
        return series  # type: ignore[return-value]  # keyed by its metric, so of its type

    def command(self, name: str, outcome: CommandOutcome, seconds: float) -> None:
        """Count one handled command and its latency."""
        made = self._series()
        self._labelled(made.commands, name, outcome).inc()
        self._labelled(made.command_seconds, name).observe(seconds)

    def vote(self, kind: VoteKind) -> None:
        """Count one recorded vote."""
        self._labelled(self._series().votes, kind).inc()

    def scheduled_run(self, outcome: str) -> None:
        """Count one scheduled run by its final state for this attempt."""
        self._labelled(self._series().scheduled_runs, outcome).inc()

    def platform_api_error(self, platform: str, kind: ApiErrorKind) -> None:
        """Count one failed call to a platform's API."""
        self._labelled(self._series().platform_api_errors, platform, kind).inc()

    def render(self) -> bytes:
        """Every metric in the Prometheus text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


@dataclass(frozen=True)
class _Series:
    """The metrics themselves, on one registry."""

    registry: CollectorRegistry
    commands: Counter
    command_seconds: Histogram
    votes: Counter
    scheduled_runs: Counter
    platform_api_errors: Counter

    @classmethod
    def make(cls) -> _Series:
        """A fresh registry and its metrics."""
        from prometheus_client import CollectorRegistry, Counter, Histogram

        registry = CollectorRegistry()
        return cls(
            registry=registry,
            commands=Counter(
                "oped_bot_commands",
                "Commands handled, by catalogue command and outcome (ok, refused, failed).",
                ["command", "outcome"],
                registry=registry,
            ),
            command_seconds=Histogram(
                "oped_bot_command_seconds",
                "Time to handle a command, from request to reply, by catalogue command.",
                ["command"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            votes=Counter(
                "oped_bot_votes",
                "Votes recorded (new picks, changes and retractions), by poll or debate.",
                ["kind"],
                registry=registry,
            ),
            scheduled_runs=Counter(
                "oped_bot_scheduled_runs",
                "Scheduled prompt runs handled, by outcome (posted, retry, failed, skipped, ...).",
                ["outcome"],
                registry=registry,
            ),
            platform_api_errors=Counter(
                "oped_bot_platform_api_errors",
                "Failed calls to a platform's API, by platform and kind of failure.",
                ["platform", "kind"],
                registry=registry,
            ),
        )


def api_error_kind(status: int | None) -> ApiErrorKind:
    """The kind of a failed platform call from its HTTP status (None: nothing answered)."""
    if status is None:
        return "network"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    return "refused"


class Readiness:
    """Whether each adapter this process runs is connected to its platform (for `/readyz`).

    An adapter reports `connected` and `disconnected` as they happen, or hands `connected` a
    check that is asked at each probe, when its SDK reconnects behind its back.
    """

    def __init__(self) -> None:
        self._adapters: dict[str, bool | Callable[[], Awaitable[bool]]] = {}

    def expect(self, name: str) -> None:
        """Count `name` as not ready until it reports connected."""
        self._adapters.setdefault(name, False)

    def connected(self, name: str, check: Callable[[], Awaitable[bool]] | None = None) -> None:
        """`name` can take requests (gateway ready, socket connected, server listening)."""
        self._adapters[name] = True if check is None else check

    def disconnected(self, name: str) -> None:
        """`name` lost its connection or is stopping."""
        self._adapters[name] = False

    async def adapters(self) -> dict[str, bool]:
        """Each expected adapter and whether it is connected now."""
        found: dict[str, bool] = {}
        for name, state in list(self._adapters.items()):
            if isinstance(state, bool):
                found[name] = state
                continue
            try:
                found[name] = await state()
            except Exception:
                # An SDK that cannot say whether it is connected is not fit to take requests.
                log.warning("readiness check failed", extra={"adapter": name}, exc_info=True)
                found[name] = False
        return found
