"""`oped-bot doctor`: each check says ok or FAIL with a fix; tokens checked against fake APIs."""

from __future__ import annotations

import asyncio
import io
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from adapters.discord import health as discord_health
from adapters.slack import health as slack_health
from bot import doctor
from bot.cli import main
from bot.content.loader import BUNDLED
from bot.doctor import PlatformCheck
from bot.platforms import load, plugins
from bot.store.sqlite import SqliteStore
from tests.ops.conftest import Serve, clean_env

GOOD_DISCORD = "MTA4NjY4NzQ1MjE4NjQ3NDU2MA.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB"
GOOD_BOT = "xoxb-1111-2222-goodgoodgood"
GOOD_APP = "xapp-1-A111-2222-goodgoodgood"


@pytest.fixture(autouse=True)
def piped_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctor run in-process sees a pipe, as under `make run`, whatever the test runner's stdin."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {check.name: check for check in checks}


def run_doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["doctor", "--offline", *args])
    return code, capsys.readouterr().out


def test_a_fresh_checkout_is_healthy(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_doctor(capsys)
    assert code == 0, out
    assert out.splitlines() == [
        "ok   config: no config file, defaults; time zone UTC, grace period 1h, log info as text",
        "ok   credentials: no platform token: `oped-bot run` starts the console",
        out.splitlines()[2],
        "ok   database: data/oped-bot.sqlite3 will be created and migrated at first start",
        "all good",
    ]
    assert out.splitlines()[2].startswith("ok   content: ") and "north-korea-talks" in out
    assert not (in_tmp / "data").exists()  # doctor looks, it does not create


async def test_a_migrated_database_passes_and_an_old_one_fails(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    store = await SqliteStore.open(db)
    await store.close()
    checks = by_name(await doctor.diagnose(None, {"OPED_BOT_DB": str(db)}))
    assert checks["database"].ok
    assert f"schema version {doctor.LATEST_SCHEMA}, writable" in checks["database"].detail
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {doctor.LATEST_SCHEMA - 1}")
    old = by_name(await doctor.diagnose(None, {"OPED_BOT_DB": str(db)}))["database"]
    assert not old.ok
    assert f"schema version {doctor.LATEST_SCHEMA - 1}, this release needs" in old.detail
    assert "`oped-bot run` migrates at start" in old.fix
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {doctor.LATEST_SCHEMA + 1}")
    new = by_name(await doctor.diagnose(None, {"OPED_BOT_DB": str(db)}))["database"]
    assert not new.ok and "newer than this release" in new.detail


async def test_unusable_databases_fail_with_a_fix(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database, just some bytes" * 100)
    check = doctor.database(doctor.Settings(db_path=garbage))
    assert not check.ok and "cannot be read as SQLite" in check.detail and check.fix
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    check = doctor.database(doctor.Settings(db_path=blocker / "data" / "bot.sqlite3"))
    assert not check.ok and f"cannot create or write in {blocker}" in check.detail
    assert "OPED_BOT_DB" in check.fix


def test_bad_config_and_broken_content_fail(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "oped-bot.yaml").write_text("timezone: Atlantis/Capital\n")
    empty = in_tmp / "packs"
    empty.mkdir()
    code, out = main(["doctor", "--offline"]), capsys.readouterr().out
    assert code == 1
    assert 'FAIL config: oped-bot.yaml: timezone: "Atlantis/Capital" is not an IANA' in out
    assert "fix: correct the file (every key is explained in deploy/oped-bot.example.yaml)" in out
    assert out.rstrip().endswith("1 problem: config")
    code = main(["doctor", "--offline", "--config", "missing.yaml"])
    assert code == 1 and "FAIL config: missing.yaml: no such file" in capsys.readouterr().out
    code = main(["--config", "before.yaml", "doctor", "--offline"])  # either side of the command
    assert code == 1 and "FAIL config: before.yaml: no such file" in capsys.readouterr().out
    (in_tmp / "oped-bot.yaml").write_text(f"content: {{dir: {empty}}}\n")
    code, out = main(["doctor", "--offline"]), capsys.readouterr().out
    assert code == 1
    assert f"FAIL content: {empty}: no pack here" in out
    assert f"fix: run `oped-bot content check {empty}`" in out


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SLACK_BOT_TOKEN": GOOD_BOT}, "neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": GOOD_APP}, "SLACK_BOT_TOKEN is not"),
        ({"SLACK_SIGNING_SECRET": "s3cret"}, "SLACK_BOT_TOKEN is not"),
    ],
)
def test_half_configured_slack_fails(env: dict[str, str], problem: str) -> None:
    check = doctor.credentials(env)
    assert not check.ok and problem in check.detail
    assert "deploy/.env.example" in check.fix


def test_credentials_say_what_run_will_start() -> None:
    both = doctor.credentials(
        {"DISCORD_TOKEN": GOOD_DISCORD, "SLACK_BOT_TOKEN": GOOD_BOT, "SLACK_SIGNING_SECRET": "s"}
    )
    assert both.ok and both.detail == "`oped-bot run` starts discord and slack"


def platform_checks(
    env: dict[str, str], *, offline: bool, discord_api: str = discord_health.DISCORD_API
) -> list[PlatformCheck]:
    """Every plug-in's doctor checks, as `oped-bot doctor` gathers them from the registry."""
    checks: list[PlatformCheck] = []
    for plugin in plugins():
        if plugin.name == "discord":
            checks += discord_health.discord_checks(env, offline, discord_api)
        elif plugin.doctor is not None:
            checks += load(plugin.doctor)(env, offline)
    return checks


def test_each_platform_declares_its_own_doctor_checks() -> None:
    declared = {plugin.name: plugin.doctor for plugin in plugins() if plugin.doctor}
    assert declared == {
        "discord": "adapters.discord.health:discord_checks",
        "slack": "adapters.slack.health:slack_checks",
    }
    assert load(declared["discord"]) is discord_health.discord_checks
    assert load(declared["slack"]) is slack_health.slack_checks


@pytest.mark.parametrize(
    ("env", "name", "ok", "detail"),
    [
        ({"DISCORD_TOKEN": GOOD_DISCORD}, "discord settings", True, "one connection"),
        (
            {"DISCORD_TOKEN": GOOD_DISCORD, "DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_ID": "1"},
            "discord settings",
            True,
            "shard 1 of 4",
        ),
        (
            {"DISCORD_TOKEN": GOOD_DISCORD, "DISCORD_SHARD_ID": "1"},
            "discord settings",
            False,
            "DISCORD_SHARD_ID needs DISCORD_SHARD_COUNT as well.",
        ),
        (
            {"SLACK_BOT_TOKEN": GOOD_BOT, "SLACK_APP_TOKEN": GOOD_APP},
            "slack settings",
            True,
            "Socket Mode",
        ),
        (
            {"SLACK_BOT_TOKEN": GOOD_BOT, "SLACK_SIGNING_SECRET": "s", "SLACK_PORT": "8080"},
            "slack settings",
            True,
            "HTTP mode on 0.0.0.0:8080",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user", "SLACK_APP_TOKEN": GOOD_APP},
            "slack settings",
            False,
            "Set SLACK_BOT_TOKEN to the bot token (it starts with xoxb-).",
        ),
        (
            {"SLACK_BOT_TOKEN": GOOD_BOT, "SLACK_APP_TOKEN": GOOD_APP, "SLACK_MODE": "carrier"},
            "slack settings",
            False,
            "SLACK_MODE must be socket or http, not 'carrier'.",
        ),
        (
            {
                "SLACK_BOT_TOKEN": GOOD_BOT,
                "SLACK_SIGNING_SECRET": "s3cret-s3cret",
                "SLACK_PORT": "70000",
            },
            "slack settings",
            False,
            "SLACK_PORT must be a port number from 1 to 65535, not 70000.",
        ),
    ],
)
async def test_each_adapter_checks_its_own_settings_offline(
    env: dict[str, str], name: str, ok: bool, detail: str
) -> None:
    checks = by_name([await check() for check in platform_checks(env, offline=True)])
    assert list(checks) == [name]
    assert (checks[name].ok, checks[name].detail) == (ok, detail)
    assert ok or checks[name].fix == "see deploy/.env.example"


def test_offline_doctor_runs_the_settings_checks(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", GOOD_BOT)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cret-s3cret")
    monkeypatch.setenv("SLACK_PORT", "http")
    code, out = run_doctor(capsys)
    assert code == 1
    assert "FAIL slack settings: SLACK_PORT must be a port number." in out
    assert "slack bot token" not in out  # offline: no call to Slack


def fake_discord() -> web.Application:
    async def me(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {GOOD_DISCORD}":
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return web.json_response({"id": "111", "username": "oped-bot", "bot": True})

    async def application(request: web.Request) -> web.Response:
        return web.json_response({"id": "111", "name": "oped-bot"})

    app = web.Application()
    app.router.add_get("/api/v10/users/@me", me)
    app.router.add_get("/api/v10/oauth2/applications/@me", application)
    return app


def fake_slack(calls: list[str]) -> web.Application:
    def handler(good: str, answer: dict[str, object]) -> web.RequestHandler:
        async def respond(request: web.Request) -> web.Response:
            calls.append(request.path)
            if request.headers.get("Authorization") != f"Bearer {good}":
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, **answer})

        return respond

    app = web.Application()
    app.router.add_post(
        "/api/auth.test", handler(GOOD_BOT, {"team": "Acme Newsroom", "user": "oped"})
    )
    app.router.add_post(
        "/api/apps.connections.open", handler(GOOD_APP, {"url": "wss://127.0.0.1/link"})
    )
    return app


async def test_discord_token_check(serve_app: Serve) -> None:
    api = await serve_app(fake_discord()) + "/api/v10"
    good = await discord_health.discord_token(GOOD_DISCORD, api)
    assert good.ok and good.detail == "accepted: logged in as oped-bot (id 111)"
    bad = await discord_health.discord_token("MTA.bad.token", api)
    assert not bad.ok and "401" in bad.detail and "Reset Token" in bad.fix
    assert (await discord_health.discord_token(GOOD_DISCORD, api, "111")).ok
    wrong = await discord_health.discord_token(GOOD_DISCORD, api, "999")
    assert not wrong.ok
    assert wrong.detail == (
        "DISCORD_APPLICATION_ID is 999 but the token belongs to application 111"
    )


async def test_slack_token_checks_honour_slack_api_url(tmp_path: Path, serve_app: Serve) -> None:
    calls: list[str] = []
    slack_api = await serve_app(fake_slack(calls)) + "/api/"
    discord_api = await serve_app(fake_discord()) + "/api/v10"
    env = {
        "OPED_BOT_DB": str(tmp_path / "bot.sqlite3"),
        "DISCORD_TOKEN": GOOD_DISCORD,
        "SLACK_BOT_TOKEN": GOOD_BOT,
        "SLACK_APP_TOKEN": GOOD_APP,
        "SLACK_API_URL": slack_api,
    }
    checks = await doctor.diagnose(
        None, env, platform_checks(env, offline=False, discord_api=discord_api)
    )
    assert [(c.name, c.ok) for c in checks] == [
        ("config", True),
        ("credentials", True),
        ("content", True),
        ("database", True),
        ("discord settings", True),
        ("discord token", True),
        ("slack settings", True),
        ("slack bot token", True),
        ("slack app token", True),
    ]
    assert by_name(checks)["slack bot token"].detail == (
        "accepted: workspace Acme Newsroom as oped"
    )
    assert calls == ["/api/auth.test", "/api/apps.connections.open"]
    env |= {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-revoked"}
    failed = by_name(
        await doctor.diagnose(
            None, env, platform_checks(env, offline=False, discord_api=discord_api)
        )
    )
    assert failed["slack bot token"].detail == "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"
    assert "Bot User OAuth Token" in failed["slack bot token"].fix
    assert failed["slack app token"].detail == "Slack rejected SLACK_APP_TOKEN (invalid_auth)"


async def test_an_unreachable_api_is_a_failure_not_a_crash() -> None:
    # A port that was listening a moment ago and is now closed: connection refused.
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    closed = f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()
    discord = await discord_health.discord_token(GOOD_DISCORD, closed + "/api/v10")
    slack = await slack_health.slack_bot_token(GOOD_BOT, closed + "/api/")
    assert not discord.ok and discord.detail.startswith("cannot reach the Discord API")
    assert not slack.ok and slack.detail.startswith("cannot reach the Slack API")


def test_report_format() -> None:
    out = io.StringIO()
    code = doctor.report(
        [doctor.Check("a", True, "fine"), doctor.Check("b", False, "broken", "do this")], out
    )
    assert code == 1
    assert out.getvalue() == "ok   a: fine\nFAIL b: broken\n     fix: do this\n1 problem: b\n"


def test_doctor_and_start_up_never_print_a_token(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (in_tmp / "oped-bot.yaml").write_text(f"moderators: {{users: [{GOOD_BOT}]}}\n")
    code, out = run_doctor(capsys)
    assert code == 1
    assert "FAIL config: oped-bot.yaml: moderators.users[0]: looks like a token" in out
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "moderators.users[0]: looks like a token" in err
    assert GOOD_BOT not in out + err
    # A pack problem that quotes the offending value shows it redacted too.
    (in_tmp / "oped-bot.yaml").unlink()
    pack = in_tmp / "packs" / "leaky"
    shutil.copytree(BUNDLED / "north-korea-talks", pack)
    text = (
        (pack / "pack.yaml")
        .read_text(encoding="utf-8")
        .replace("id: north-korea-talks", f"id: {GOOD_DISCORD}", 1)
    )
    (pack / "pack.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("OPED_BOT_CONTENT", str(in_tmp / "packs"))
    code, out = run_doctor(capsys)
    assert main(["content", "check"]) == 1
    err = capsys.readouterr().err
    assert code == 1 and "FAIL content:" in out and "[redacted]" in out + err
    assert GOOD_DISCORD not in out + err


def doctor_with_writes_failing(cwd: Path, db: Path) -> subprocess.CompletedProcess[str]:
    """`oped-bot doctor --offline` in a process where no file may grow: a full disk, for real."""

    def no_room() -> None:
        # Writes that would extend any file fail with EFBIG (Python ignores SIGXFSZ), as they
        # fail with ENOSPC on a full disk; root cannot bypass it.
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--offline"],
        cwd=cwd,
        env=clean_env(OPED_BOT_DB=str(db), PYTHONDONTWRITEBYTECODE="1"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=no_room,
    )


def test_writable_means_a_write_committed(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    asyncio.run(_create(db))
    # The running bot: its connection keeps the -wal and -shm files, so reading still works.
    running = sqlite3.connect(db)
    try:
        running.execute("SELECT count(*) FROM sqlite_master").fetchone()
        result = doctor_with_writes_failing(tmp_path, db)
        healthy = asyncio.run(doctor.diagnose(None, {"OPED_BOT_DB": str(db)}))
    finally:
        running.close()
    line = next(x for x in result.stdout.splitlines() if "database:" in x)
    assert result.returncode == 1, result.stdout + result.stderr
    assert line.startswith(f"FAIL database: {db} cannot be written ("), line
    assert "fix: free disk space" in result.stdout
    assert "Traceback" not in result.stderr
    assert by_name(healthy)["database"].detail.endswith("writable")
    # A database not yet created: its folder must take a real write too, and is left as it was.
    fresh = tmp_path / "data" / "new.sqlite3"
    result = doctor_with_writes_failing(tmp_path, fresh)
    line = next(x for x in result.stdout.splitlines() if "database:" in x)
    assert line.startswith(f"FAIL database: cannot create or write in {tmp_path} (for {fresh})")
    assert not fresh.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "doctor" in p.name) == []


async def _create(db: Path) -> None:
    store = await SqliteStore.open(db)
    await store.close()


def test_doctor_names_a_draft_pack_as_a_draft(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = in_tmp / "packs"
    shutil.copytree(BUNDLED / "north-korea-talks", packs / "north-korea-talks")
    article = in_tmp / "op-ed.txt"
    article.write_text(
        "Cities should tax congestion\n\n"
        '"Charging drivers for the roads they crowd is the fairest fix we have," the mayor said '
        "on Monday, and the council agreed to study it.\n\n"
        "Critics argue that a charge falls hardest on workers who cannot change when they travel, "
        "and that buses must improve before any toll starts.\n"
    )
    assert main(["content", "new", str(article), "--id", "next-week", "--out", str(packs)]) == 0
    monkeypatch.setenv("OPED_BOT_CONTENT", str(packs))
    capsys.readouterr()
    code, out = run_doctor(capsys)
    line = next(x for x in out.splitlines() if "content:" in x)
    assert code == 0, out  # a draft does not stop the bot: it is never served unasked
    assert "next-week (draft: " in line and " fields to fill in), north-korea-talks" in line
