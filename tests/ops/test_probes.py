"""`/healthz`, `/readyz` and `/metrics` over real HTTP on 127.0.0.1, in process and in `run`."""

from __future__ import annotations

import asyncio
import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FakeClock
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.probes import ProbeConfigError, probe_address, probe_app, serve_probes
from bot.store.sqlite import SqliteStore
from bot.store.work import Work, q
from tests.ops.conftest import clean_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Probes:
    """The probe server of one bot, started on a free 127.0.0.1 port."""

    def __init__(self, services: Services, base: str) -> None:
        self.services = services
        self.base = base

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(self.base + path) as answer:
            return answer.status, await answer.text()


@pytest.fixture
async def services(tmp_path: Path, packs: PackRegistry) -> AsyncIterator[Services]:
    clock = FakeClock()
    store = await SqliteStore.open(tmp_path / "bot.sqlite3", clock=clock)
    yield Services(
        packs=packs,
        store=store,
        clock=clock,
        settings=Settings(db_path=tmp_path / "bot.sqlite3"),
        rng=random.Random(7),
    )
    await store.close()


@pytest.fixture
async def probes(services: Services) -> AsyncIterator[Probes]:
    stop = asyncio.Event()
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve_probes(services, "127.0.0.1", 0, stop, ready=port.set_result))
    done, _ = await asyncio.wait([task, port], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    assert port in done, task
    yield Probes(services, f"http://127.0.0.1:{port.result()}")
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_healthz_answers_while_the_process_lives(probes: Probes) -> None:
    status, body = await probes.get("/healthz")
    assert status == 200 and json.loads(body) == {"alive": True}


async def test_readyz_needs_every_adapter_connected(probes: Probes) -> None:
    readiness = probes.services.readiness
    readiness.expect("console")
    readiness.expect("slack")
    status, body = await probes.get("/readyz")
    assert status == 503
    assert json.loads(body)["reason"] == "not connected: console, slack"
    readiness.connected("console")
    readiness.connected("slack")
    status, body = await probes.get("/readyz")
    assert status == 200
    assert json.loads(body) == {
        "ready": True,
        "database": "ok",
        "adapters": {"console": "connected", "slack": "connected"},
    }
    readiness.disconnected("slack")  # Slack's socket dropped
    status, body = await probes.get("/readyz")
    assert status == 503
    assert json.loads(body)["reason"] == "not connected: slack"
    assert await probes.get("/healthz") == (200, '{"alive": true}')  # alive all the same


async def test_readyz_fails_when_the_database_is_gone(probes: Probes) -> None:
    assert (await probes.get("/readyz"))[0] == 200
    store = probes.services.store
    assert store is not None
    await store.close()
    status, body = await probes.get("/readyz")
    assert status == 503
    answer = json.loads(body)
    assert answer["ready"] is False
    assert answer["reason"] == "database unreachable (StoreError: the store is closed)"


async def test_readyz_gives_up_on_a_database_that_does_not_answer(services: Services) -> None:
    store = services.store
    assert isinstance(store, SqliteStore)
    held = threading.Event()

    def slow() -> Work[None]:
        # A unit of work runs on the reader's thread: this one holds it, so the readiness read
        # queues behind it.
        held.wait(10)
        yield q("SELECT 1")

    busy = asyncio.ensure_future(store._read(slow))
    runner = aiohttp.web.AppRunner(probe_app(services, timeout=0.2))
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/readyz"
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            assert answer.status == 503
            assert (await answer.json())["reason"] == "database no answer within 0.2 s"
    finally:
        held.set()
        await busy
        await runner.cleanup()


async def test_metrics_are_served_in_the_prometheus_format(probes: Probes) -> None:
    probes.services.metrics.vote("poll")
    probes.services.metrics.vote("poll")
    status, body = await probes.get("/metrics")
    assert status == 200
    families = {f.name: f for f in text_string_to_metric_families(body)}
    assert [s.value for s in families["oped_bot_votes"].samples if s.name.endswith("_total")] == [
        2.0
    ]


def test_the_probe_port_is_off_unless_set() -> None:
    assert probe_address({}) is None
    assert probe_address({"OPED_BOT_HTTP_PORT": ""}) is None
    assert probe_address({"OPED_BOT_HTTP_PORT": "9100"}) == ("0.0.0.0", 9100)
    assert probe_address({"OPED_BOT_HTTP_PORT": "9100", "OPED_BOT_HTTP_HOST": "127.0.0.1"}) == (
        "127.0.0.1",
        9100,
    )
    for bad in ("http", "0", "70000", "-1"):
        with pytest.raises(ProbeConfigError, match="OPED_BOT_HTTP_PORT must be a port number"):
            probe_address({"OPED_BOT_HTTP_PORT": bad})


# --- `oped-bot run` as a real process -------------------------------------------------------


def start(cwd: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        cwd=cwd,
        env=clean_env(**env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_until(stream: Any, marker: bytes, proc: subprocess.Popen[bytes]) -> bytes:
    """`stream` until `marker` appears; fails the test rather than hanging."""
    seen = b""
    deadline = time.monotonic() + 30
    while marker not in seen:
        ready, _, _ = select.select([stream], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            proc.kill()
            pytest.fail(f"no {marker!r} within 30 s; got {seen!r}")
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            pytest.fail(f"closed before {marker!r}; got {seen!r}")
        seen += chunk
    return seen


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def metric(body: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_run_serves_the_probes_on_oped_bot_http_port(tmp_path: Path) -> None:
    port = free_port()
    proc = start(
        tmp_path,
        OPED_BOT_DB=str(tmp_path / "bot.sqlite3"),
        OPED_BOT_HTTP_PORT=str(port),
        OPED_BOT_HTTP_HOST="127.0.0.1",
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        read_until(proc.stderr, b"health and metrics on 127.0.0.1", proc)
        proc.stdin.write(
            b'poll create "Talks by 2020?" "Yes" "No"\n:user ana\npoll vote 1 2\n'
            b":user bo\npoll vote 1 1\npoll vote 1 7\nnonsense\n:user cy\nsummary tldr\n"
        )
        proc.stdin.flush()
        read_until(proc.stdout, b"(tldr summary)", proc)
        base = f"http://127.0.0.1:{port}"
        assert get(base + "/healthz") == (200, '{"alive": true}')
        status, body = get(base + "/readyz")
        assert status == 200, body
        assert json.loads(body)["adapters"] == {"console": "connected"}
        status, body = get(base + "/metrics")
        assert status == 200
        total = "oped_bot_commands_total"
        assert metric(body, total, command="poll create", outcome="ok") == 1
        assert metric(body, total, command="poll vote", outcome="ok") == 2
        assert metric(body, total, command="poll vote", outcome="refused") == 1
        assert metric(body, total, command="unknown", outcome="refused") == 1
        assert metric(body, total, command="summary", outcome="ok") == 1
        assert metric(body, "oped_bot_votes_total", kind="poll") == 2
        assert metric(body, "oped_bot_command_seconds_count", command="poll vote") == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_run_opens_no_port_without_oped_bot_http_port(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="summary tldr\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(OPED_BOT_DB=str(tmp_path / "bot.sqlite3")),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "health and metrics" not in result.stderr
    assert "loop:probes" not in result.stderr


def test_run_refuses_a_malformed_oped_bot_http_port_before_starting(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="summary tldr\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(OPED_BOT_DB=str(tmp_path / "bot.sqlite3"), OPED_BOT_HTTP_PORT="metrics"),
        timeout=60,
    )
    assert result.returncode == 2
    assert "OPED_BOT_HTTP_PORT must be a port number from 1 to 65535 (it is 'metrics')" in (
        result.stderr
    )
    assert "(tldr summary)" not in result.stdout
    assert not (tmp_path / "bot.sqlite3").exists()  # nothing written on refusal


def test_run_says_which_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start(
            tmp_path,
            OPED_BOT_DB=str(tmp_path / "bot.sqlite3"),
            OPED_BOT_HTTP_PORT=str(port),
            OPED_BOT_HTTP_HOST="127.0.0.1",
        )
        try:
            _, stderr = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port} for /healthz, /readyz and /metrics" in (
        stderr.decode()
    )
    assert "Traceback" not in stderr.decode()  # a setting to change, said in one line


async def test_doctor_checks_the_probe_port_only_when_it_is_set(tmp_path: Path) -> None:
    from bot import doctor

    db = {"OPED_BOT_DB": str(tmp_path / "bot.sqlite3")}
    names = [check.name for check in await doctor.diagnose(None, db)]
    assert "health port" not in names  # off by default: nothing to check
    checks = await doctor.diagnose(None, {**db, "OPED_BOT_HTTP_PORT": "9100"})
    (port,) = [check for check in checks if check.name == "health port"]
    assert port.ok and port.detail == "/healthz, /readyz and /metrics on 0.0.0.0:9100"
    checks = await doctor.diagnose(None, {**db, "OPED_BOT_HTTP_PORT": "ninety"})
    (port,) = [check for check in checks if check.name == "health port"]
    assert not port.ok
    assert "OPED_BOT_HTTP_PORT must be a port number" in port.detail
    assert "OPED_BOT_HTTP_PORT" in port.fix


async def test_an_adapter_check_that_raises_counts_as_not_connected(probes: Probes) -> None:
    async def broken() -> bool:
        raise RuntimeError("the SDK's session is gone")

    probes.services.readiness.connected("slack", broken)
    status, body = await probes.get("/readyz")
    assert status == 503
    assert json.loads(body)["reason"] == "not connected: slack"
