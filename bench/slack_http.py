"""Benchmark: signed `/oped` slash commands over HTTP, the bot against two bare Bolt apps.

Run with `.venv/bin/python bench/slack_http.py` (or `make bench-slack`). Three servers are
measured on this machine in the same run, each on 127.0.0.1 behind the same load:

- bot:          the shipped SlackAdapter in HTTP mode (signature and body checks, the replay
                claim in a real SQLite database, users.info for rights, the core's `help`).
- bare-ack:     a bare slack-bolt AsyncApp whose command listener answers in its `ack(...)`.
- bare-respond: a bare AsyncApp that acks empty, then posts its answer to the `response_url`.

A command counts as answered when its answer is shown: at the HTTP response when the answer
rode in the acknowledgement, else when the fake Slack received it at the `response_url`. The
load is `--concurrency` commands in flight at once until `--commands` are answered; a warm-up
round runs first (users.info answers are cached by the bot, as in production). Everything runs
on one event loop, the load and the fake Slack included, so the figures are comparable with
each other, not absolute. Each server is measured `--rounds` times, the rounds alternating
between servers so that load from elsewhere on a shared machine falls on all of them; the
ratios are of the medians. `cpu` is this process's CPU time per command (every thread), which
moves less than the rate when the machine is busy. The last line is `slack_http:
bot_per_s=<n> bare_ack_per_s=<n> bare_respond_per_s=<n> ratio_vs_ack=<n> ratio_vs_respond=<n>`
(only the servers measured).

Where the bot's time goes beyond a bare app's (cProfile and py-spy, issue 15): every command is
claimed in SQLite before any work (a replay must not be redone), and its acknowledgement waits
for that claim's commit, an fsync with `synchronous=FULL`. Claims are written in groups, one
statement per commit, queued as soon as a group opens; even so the claim is most of the
remaining gap (the answer itself, parse, dispatch and render, is about 45 us of CPU). In an
experiment with the claim skipped the bot matched bare-ack; the claim stays, since it is what
makes a retry that lands on another replica harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/slack_http.py` from any directory
    sys.path.insert(0, str(ROOT))

from adapters.slack.app import SlackAdapter  # noqa: E402
from adapters.slack.poster import make_client  # noqa: E402
from bot.app import Bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content.loader import BUNDLED  # noqa: E402
from bot.content.registry import PackRegistry  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.store.sqlite import SqliteStore  # noqa: E402

SECRET = "bench-signing-secret-0123456789ab"
TOKEN = "xoxb-bench"
USERS = 20
ANSWER = "The answer, as a bare app would give it."


class FakeSlack:
    """The Web API calls the bot makes (users.info) and the response_urls, on 127.0.0.1."""

    def __init__(self) -> None:
        self.url = ""
        self.waiting: dict[str, asyncio.Future[None]] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{_port(site)}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        form = {**request.query, **(await request.post())}
        if request.match_info["method"] == "auth.test":  # Bolt's check of the token, once
            ids = {"team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT"}
            return web.json_response({"ok": True, **ids})
        if request.match_info["method"] == "users.info":
            user = str(form.get("user"))
            return web.json_response({"ok": True, "user": {"id": user, "name": user}})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def _respond(self, request: web.Request) -> web.Response:
        await request.read()
        waiter = self.waiting.get(request.match_info["key"])
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return web.Response(text="ok")


def _port(site: web.TCPSite) -> int:
    server = site._server
    assert server is not None
    return int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]


def bare_app(fake: FakeSlack, *, in_ack: bool) -> AsyncApp:
    """The least a Bolt app does to answer `/oped`: in its ack, or through the response_url."""
    client = AsyncWebClient(token=TOKEN, base_url=fake.url + "/api/")
    app = AsyncApp(client=client, signing_secret=SECRET)

    async def in_ack_listener(ack: Any) -> None:
        await ack(text=ANSWER, response_type="ephemeral")

    async def respond_listener(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text=ANSWER, response_type="ephemeral")

    app.command("/oped")(in_ack_listener if in_ack else respond_listener)
    return app


@asynccontextmanager
async def served(application: web.Application) -> AsyncIterator[str]:
    """`application` on a free port of 127.0.0.1; its /slack/events URL."""
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{_port(site)}/slack/events"
    finally:
        await runner.cleanup()


_KEYS = itertools.count(1)


def signed(fake: FakeSlack, text: str) -> tuple[str, str, dict[str, str]]:
    """A fresh `/oped <text>` body as Slack signs it; its response_url key and headers."""
    key = f"k{next(_KEYS)}"
    user = f"U{random.randrange(USERS):04d}"
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/oped",
            "text": text,
            "api_app_id": "A0001",
            "response_url": f"{fake.url}/respond/{key}",
            "trigger_id": f"{key}.{time.monotonic_ns()}",
        }
    )
    stamp = str(int(time.time()))
    base = f"v0:{stamp}:{body}".encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest(),
    }
    return key, body, headers


async def measure(
    fake: FakeSlack,
    url: str,
    text: str,
    commands: int,
    concurrency: int,
    drain: Callable[[], Awaitable[None]] | None = None,
) -> tuple[float, float, int]:
    """Answered commands per second, p99 ms, and how many rode in the acknowledgement."""
    latencies: list[float] = []
    in_ack = 0
    remaining = itertools.count()
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal in_ack
            while next(remaining) < commands:
                key, body, headers = signed(fake, text)
                shown = fake.waiting[key] = loop.create_future()
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    answer = await response.read()
                    if response.status != 200:
                        raise SystemExit(f"{url} answered {response.status}: {answer[:200]!r}")
                if answer and "text" in json.loads(answer):
                    in_ack += 1
                else:
                    await shown
                latencies.append(time.perf_counter() - started)
                del fake.waiting[key]

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    if drain is not None:
        await drain()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return commands / elapsed, p99, in_ack


async def main(args: argparse.Namespace) -> int:
    fake = FakeSlack()
    await fake.start()
    figures: dict[str, float] = {}
    rates: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="oped-bench-slack-") as tmp:
            settings = Settings(db_path=Path(tmp) / "bot.sqlite3")
            store = await SqliteStore.open(settings.db_path)
            bot = Bot(
                Services(
                    packs=PackRegistry.load(BUNDLED),
                    store=store,
                    settings=settings,
                    rng=random.Random(7),
                )
            )
            client = make_client({"SLACK_BOT_TOKEN": TOKEN, "SLACK_API_URL": fake.url + "/api/"})
            adapter = SlackAdapter(bot, client, signing_secret=SECRET)
            if args.ack_budget is not None:
                adapter.ack_budget = args.ack_budget
            adapter.start()
            candidates: list[tuple[str, web.Application, Callable[[], Awaitable[None]] | None]] = [
                ("bot", adapter.web_app(), adapter.drain),
                ("bare-ack", bare_app(fake, in_ack=True).web_app(), None),
                ("bare-respond", bare_app(fake, in_ack=False).web_app(), None),
            ]
            print(
                f"{args.commands} signed `/oped {args.text}` commands per server, "
                f"{args.concurrency} in flight, over HTTP on 127.0.0.1"
            )
            chosen = [c for c in candidates if c[0] in args.servers.split(",")]
            rates.update((name, []) for name, _, _ in chosen)
            cpus.update((name, []) for name, _, _ in chosen)
            try:
                # Rounds alternate between the servers, so a neighbour's burst of load on a
                # shared machine falls on all of them rather than on whichever ran then.
                for round_ in range(1, args.rounds + 1):
                    for name, application, drain in chosen:
                        async with served(application) as url:
                            if round_ == 1:
                                await measure(
                                    fake, url, args.text, args.warmup, args.concurrency, drain
                                )
                            cpu = time.process_time()
                            rate, p99, in_ack = await measure(
                                fake, url, args.text, args.commands, args.concurrency, drain
                            )
                            cpu_ms = (time.process_time() - cpu) * 1000 / args.commands
                        rates[name].append(rate)
                        cpus[name].append(cpu_ms)
                        print(
                            f"{name:>12}: {rate:8.0f} commands/s  p99 {p99:6.1f} ms  "
                            f"cpu {cpu_ms:5.2f} ms/command  "
                            f"answered in the ack: {in_ack}/{args.commands}"
                        )
            finally:
                await adapter.close()
                await store.close()
    finally:
        await fake.close()
    for name, measured in rates.items():
        figures[name] = statistics.median(measured)
        if len(measured) > 1:
            spread = f"{min(measured):.0f}-{max(measured):.0f}"
            print(
                f"{name:>12}: median {figures[name]:.0f}/s over {len(measured)} rounds, {spread}; "
                f"cpu {statistics.median(cpus[name]):.2f} ms/command"
            )
    line = " ".join(f"{name.replace('-', '_')}_per_s={rate:.0f}" for name, rate in figures.items())
    if "bot" in figures:
        for bare, label in (("bare-ack", "ratio_vs_ack"), ("bare-respond", "ratio_vs_respond")):
            if bare in figures:
                line += f" {label}={figures['bot'] / figures[bare]:.2f}"
    print(f"slack_http: {line}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Signed slash commands: the bot vs bare Bolt.")
    parser.add_argument("--commands", type=int, default=3_000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--text", default="explain", help="what follows /oped")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per server")
    parser.add_argument("--servers", default="bot,bare-ack,bare-respond", help="which to measure")
    parser.add_argument(
        "--ack-budget", type=float, default=None, help="the bot's wait for an answer to ack with"
    )
    raise SystemExit(asyncio.run(main(parser.parse_args())))
