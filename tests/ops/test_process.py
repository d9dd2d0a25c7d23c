"""`oped-bot run` as a real process: SIGTERM/SIGINT exit 0 quickly, any working directory."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.content.loader import BUNDLED
from bot.store.base import PollVote
from bot.store.sqlite import SqliteStore
from tests.ops.conftest import clean_env

STOP_LIMIT = 5.0


def start(cwd: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean_env(**env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run_once(cwd: Path, stdin: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`oped-bot run` on `stdin` (the console, with no token) to the end of its input."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(**env),
        timeout=60,
    )


def read_until(proc: subprocess.Popen[bytes], marker: bytes, timeout: float = 30) -> bytes:
    """Stdout until `marker` appears; fails the test rather than hanging."""
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([proc.stdout], [], [], max(left, 0))
        if not ready:
            proc.kill()
            pytest.fail(f"no {marker!r} on stdout within {timeout}s; got {seen!r}")
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            pytest.fail(f"stdout closed before {marker!r}; got {seen!r}")
        seen += chunk
    return seen


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_bot_cleanly_and_fast(tmp_path: Path, sig: signal.Signals) -> None:
    proc = start(tmp_path, "run")
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"summary tldr\n")
        proc.stdin.flush()  # stdin stays open: the console is waiting for the next line
        read_until(proc, b"(tldr summary)")
        began = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(timeout=10)
        elapsed = time.monotonic() - began
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()
    assert code == 0, stderr
    assert elapsed < STOP_LIMIT
    assert f"signal={sig.name}" in stderr and "stopped status=0" in stderr
    assert "Traceback" not in stderr


def test_an_acknowledged_vote_survives_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    proc = start(tmp_path, "run", OPED_BOT_DB=str(db))
    try:
        assert proc.stdin is not None
        proc.stdin.write(b'poll create "Talks by 2020?" "Yes" "No"\n:user ana\npoll vote 1 2\n')
        proc.stdin.flush()
        read_until(proc, b"Your vote in poll #1: 2. No")
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == 0
    votes = asyncio.run(stored_votes(db, 1))
    assert [(v.option, v.voter_id) for v in votes] == [(2, "ana")]


async def stored_votes(db: Path, poll_id: int) -> list[PollVote]:
    store = await SqliteStore.open(db)
    try:
        return await store.poll_votes(poll_id)
    finally:
        await store.close()


def test_run_without_tokens_is_the_console_with_data_under_the_working_directory(
    tmp_path: Path,
) -> None:
    result = run_once(tmp_path, "summary tldr\nexplain KCNA\n")
    assert result.returncode == 0, result.stderr
    assert "(tldr summary)" in result.stdout  # bundled content, found from another directory
    assert "Korean Central News Agency" in result.stdout
    assert (tmp_path / "data").is_dir()
    assert "adapters=console" in result.stderr


def test_oped_bot_db_names_another_place(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere" / "bot.sqlite3"
    result = run_once(tmp_path, "claims\n", OPED_BOT_DB=str(db))
    assert result.returncode == 0, result.stderr
    assert db.parent.is_dir()
    assert not (tmp_path / "data").exists()


def test_a_bad_config_stops_the_bot_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "oped-bot.yaml").write_text('scheduler:\n  grace_period: "1 hour"\n')
    result = run_once(tmp_path, "")
    assert result.returncode == 2
    assert (
        'oped-bot.yaml: scheduler.grace_period: "1 hour" is not a duration like 30m, 1h, 2d'
        in result.stderr
    )
    assert result.stdout == ""


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"OPED_BOT_DB={tmp_path / 'from-dotenv' / 'x.db'}\n")
    result = run_once(tmp_path, "")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-dotenv").is_dir()
    result = run_once(tmp_path, "", OPED_BOT_DB=str(tmp_path / "from-env" / "x.db"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env").is_dir()


def test_an_unusable_database_stops_the_bot_with_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = run_once(tmp_path, "", OPED_BOT_DB=str(blocker / "bot.sqlite3"))
    assert result.returncode == 2
    assert f"The bot cannot start: the database {blocker / 'bot.sqlite3'} cannot be opened" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_ctrl_c_in_an_interactive_console_exits_cleanly(tmp_path: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal session running the bot
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "bot", "run"], clean_env())
    seen = b""

    def wait_for(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 30
        while marker not in seen:
            assert time.monotonic() < deadline, f"no {marker!r}; got {seen!r}"
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                seen += os.read(fd, 65536)

    status = None
    try:
        wait_for(b"guest@#general> ")
        os.write(fd, b"summary tldr\n")
        wait_for(b"(tldr summary)")
        wait_for(b"guest@#general> ")
        began = time.monotonic()
        os.write(fd, b"\x03")  # Ctrl-C: the terminal sends SIGINT to the bot
        _, status = os.waitpid(pid, 0)
        elapsed = time.monotonic() - began
    finally:
        if status is None:  # not reaped: the test failed midway, so do not leave it running
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert elapsed < STOP_LIMIT
    assert b"Traceback" not in seen
    assert b"INFO" not in seen  # start-up chatter stays off an interactive terminal


def oped_bot(cwd: Path, *args: str, stdin: int | str) -> subprocess.CompletedProcess[str]:
    """`oped-bot ARGS` with no token, its standard input /dev/null or a pipe holding `stdin`."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        stdin=stdin if isinstance(stdin, int) else None,
        input=stdin if isinstance(stdin, str) else None,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(),
        timeout=60,
    )


def test_run_with_nothing_to_serve_fails_naming_the_variables(tmp_path: Path) -> None:
    # Docker without -i, or systemd: standard input is /dev/null and no token is set.
    result = oped_bot(tmp_path, "run", stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert "nothing to serve" in result.stderr
    for variable in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was written
    doctor = oped_bot(tmp_path, "doctor", "--offline", stdin=subprocess.DEVNULL)
    assert doctor.returncode == 1
    assert "FAIL credentials: no platform token is set and standard input" in doctor.stdout
    assert "DISCORD_TOKEN" in doctor.stdout


def test_piped_input_still_runs_the_console(tmp_path: Path) -> None:
    result = oped_bot(tmp_path, "run", stdin="summary tldr\n")
    assert result.returncode == 0, result.stderr
    assert "(tldr summary)" in result.stdout
    doctor = oped_bot(tmp_path, "doctor", "--offline", stdin="")
    assert doctor.returncode == 0, doctor.stdout
    assert "ok   credentials: no platform token: `oped-bot run` starts the console" in (
        doctor.stdout
    )


def test_the_readme_config_example_works_from_any_directory(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = tmp_path / "etc" / "oped-bot.yaml"
    config.parent.mkdir()
    config.write_text(example, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    doctor = subprocess.run(
        [sys.executable, "-m", "bot", "--config", "../etc/oped-bot.yaml", "doctor", "--offline"],
        cwd=elsewhere,
        env=clean_env(),
        input="",  # a pipe, as `make run` would have: the console has input
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert doctor.returncode == 0, doctor.stdout
    # Relative paths in the file are relative to the file, and shown resolved.
    db = tmp_path / "etc" / "data" / "oped-bot.sqlite3"
    assert f"ok   database: {db} will be created" in doctor.stdout


def test_relative_paths_in_the_config_file_follow_the_file(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "oped-bot.yaml"
    (tmp_path / "etc" / "packs").mkdir(parents=True)
    shutil.copytree(BUNDLED / "north-korea-talks", tmp_path / "etc" / "packs" / "mine")
    pack = tmp_path / "etc" / "packs" / "mine" / "pack.yaml"
    pack.write_text(pack.read_text().replace("id: north-korea-talks", "id: mine", 1))
    config.write_text("content: {dir: packs}\ndatabase: {path: state/bot.sqlite3}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_once(elsewhere, "summary tldr\n", OPED_BOT_CONFIG="../etc/oped-bot.yaml")
    assert result.returncode == 0, result.stderr
    assert "(tldr summary)" in result.stdout
    assert f"db={tmp_path / 'etc' / 'state' / 'bot.sqlite3'} pack=mine" in result.stderr
    assert (tmp_path / "etc" / "state" / "bot.sqlite3").exists()
    assert list(elsewhere.iterdir()) == []


def test_a_database_path_that_is_a_folder_is_named_as_such(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    result = run_once(tmp_path, "", OPED_BOT_DB=str(folder))
    assert result.returncode == 2
    assert f"{folder} is a folder" in result.stderr and "Traceback" not in result.stderr
    doctor = subprocess.run(
        [sys.executable, "-m", "bot", "doctor", "--offline"],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(OPED_BOT_DB=str(folder)),
        timeout=60,
    )
    assert f"FAIL database: {folder} is a folder" in doctor.stdout
    assert f"{folder / 'oped-bot.sqlite3'}" in doctor.stdout


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"OPED_BOT_DB=\xff\xfe\n", "is not UTF-8 text"), (b"X=1\n" * 100_000, "is larger than")],
)
def test_a_broken_dotenv_is_refused_by_name(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / ".env").write_bytes(content)
    for args in (["run"], ["doctor", "--offline"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input="",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(),
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert f"The bot cannot start: .env: {problem}" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DISCORD_TOKEN": "abc", "DISCORD_SHARD_COUNT": "x"},
            "DISCORD_SHARD_COUNT must be `auto` or a number, not 'x'.",
        ),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s3cret-s3cret",
                "SLACK_PORT": "0",
            },
            "SLACK_PORT must be a port number from 1 to 65535, not 0.",
        ),
    ],
)
def test_an_adapter_setting_error_is_one_line_not_a_traceback(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(**env),
        timeout=60,
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
