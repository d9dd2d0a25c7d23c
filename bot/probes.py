"""`/healthz`, `/readyz` and `/metrics` over HTTP, for a load balancer and a monitoring stack.

An adapter that serves HTTP itself adds them to its own server; otherwise `oped-bot run` opens
them on `OPED_BOT_HTTP_PORT` when it is set (off by default: a bot on a gateway or socket
connection needs no open port).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.context import Services

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"
METRICS = "/metrics"
PORT_ENV = "OPED_BOT_HTTP_PORT"
HOST_ENV = "OPED_BOT_HTTP_HOST"
DEFAULT_HOST = "0.0.0.0"
# A load balancer polls every few seconds: a database that takes longer than this to answer a
# trivial read is as good as down for the requests it would send.
PING_TIMEOUT = 2.0


class ProbeConfigError(ValueError):
    """OPED_BOT_HTTP_PORT or OPED_BOT_HTTP_HOST is malformed; the message names the variable."""


class ProbeUnavailable(Exception):
    """The probe port cannot be opened; the message says which and what to do."""


def probe_address(env: Mapping[str, str]) -> tuple[str, int] | None:
    """(host, port) for the probes from the environment; None when OPED_BOT_HTTP_PORT is unset."""
    raw = env.get(PORT_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ProbeConfigError(
            f"{PORT_ENV} must be a port number from 1 to 65535 (it is {raw!r}); unset it to "
            "serve no /healthz, /readyz and /metrics."
        )
    host = env.get(HOST_ENV, "").strip() or DEFAULT_HOST
    return host, int(raw)


async def readiness(services: Services, ping_timeout: float = PING_TIMEOUT) -> dict[str, Any]:
    """What `/readyz` answers: `ready`, and a short `reason` when not."""
    problems: list[str] = []
    store = services.store
    database = "none"
    if store is not None:
        try:
            await asyncio.wait_for(store.ping(), ping_timeout)
            database = "ok"
        except TimeoutError:
            database = f"no answer within {ping_timeout:g} s"
        except Exception as exc:
            database = f"unreachable ({type(exc).__name__}: {exc})"[:200]
        if database != "ok":
            problems.append(f"database {database}")
    adapters = await services.readiness.adapters()
    waiting = sorted(name for name, up in adapters.items() if not up)
    if waiting:
        problems.append("not connected: " + ", ".join(waiting))
    answer: dict[str, Any] = {
        "ready": not problems,
        "database": database,
        "adapters": {name: "connected" if up else "not connected" for name, up in adapters.items()},
    }
    if problems:
        answer["reason"] = "; ".join(problems)
    return answer


def add_probes(app: web.Application, services: Services, timeout: float = PING_TIMEOUT) -> None:
    """Serve `/healthz`, `/readyz` and `/metrics` from `app` as well."""

    # Imported here: the console and most commands never serve HTTP, and aiohttp is slow to load.
    from aiohttp import web
    from prometheus_client.aiohttp import make_aiohttp_handler

    async def healthz(request: web.Request) -> web.Response:
        # The process answers: that is all a liveness probe may ask, or a slow database would
        # get a healthy process restarted.
        return web.json_response({"alive": True})

    async def readyz(request: web.Request) -> web.Response:
        answer = await readiness(services, timeout)
        return web.json_response(answer, status=200 if answer["ready"] else 503)

    app.router.add_get(HEALTHZ, healthz)
    app.router.add_get(READYZ, readyz)
    app.router.add_get(METRICS, make_aiohttp_handler(services.metrics.registry))


def probe_app(services: Services, timeout: float = PING_TIMEOUT) -> web.Application:
    """An aiohttp application with only the probes."""
    from aiohttp import web

    app = web.Application()
    add_probes(app, services, timeout)
    return app


async def serve_probes(
    services: Services,
    host: str,
    port: int,
    stop: asyncio.Event,
    *,
    ready: Callable[[int], None] | None = None,
) -> None:
    """Serve the probes on host:port until `stop` is set; `ready` gets the port once listening."""
    from aiohttp import web

    # No access log: a load balancer polling every few seconds would drown everything else.
    runner = web.AppRunner(probe_app(services), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise ProbeUnavailable(
                f"cannot listen on {host}:{port} for /healthz, /readyz and /metrics "
                f"({exc.strerror or exc}). Free that port or set {PORT_ENV} to another one "
                "(not an adapter's own HTTP port: an adapter serving HTTP has them there already)."
            ) from exc
        bound = int(runner.addresses[0][1])
        log.info("health and metrics on %s:%s", host, bound)
        if ready is not None:
            ready(bound)
        await stop.wait()
    finally:
        await runner.cleanup()
