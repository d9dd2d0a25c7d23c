"""Adding a platform: its own package plus one registration line, and the core takes it in.

The stub platform here is a package the core has never heard of. One line appends it to
`bot.platforms.REGISTERED` (in a sitecustomize, standing for the line a real platform adds), and
the real `oped-bot` then offers its sub-command, detects its credentials, starts it, redacts its
token, and names it in doctor and in the refusal to start with nothing to serve.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.ops.conftest import clean_env

REGISTRATION = 'import bot.platforms\nbot.platforms.REGISTERED += ("stubchat.plugin",)\n'

PACKAGE = {
    "__init__.py": """
import pathlib

async def serve(bot, env, stop):
    import logging
    logging.getLogger("stubchat").warning("connecting with %s", env["STUBCHAT_TOKEN"])
    pathlib.Path(env["STUBCHAT_NOTES"]).write_text(",".join(sorted(bot.services.posters)))


def checks(env, offline):
    from bot.doctor import Check

    async def room():
        return Check("stubchat settings", True, "room " + env.get("STUBCHAT_ROOM", "general"))

    return [room] if env.get("STUBCHAT_TOKEN") else []
""",
    "plugin.py": """
from bot.platforms import Plugin

PLUGIN = Plugin(
    name="stubchat",
    title="StubChat",
    adapter="stubchat",
    secrets=("STUBCHAT_TOKEN",),
    token_shapes=(r"\\bstub-[a-z0-9]{12}\\b",),
    detect=lambda env: bool(env.get("STUBCHAT_TOKEN")),
    enable="Set STUBCHAT_TOKEN (StubChat)",
    half_set=lambda env: ["STUBCHAT_ROOM is set but STUBCHAT_TOKEN is not"]
    if env.get("STUBCHAT_ROOM") and not env.get("STUBCHAT_TOKEN")
    else [],
    cli="stubchat.cli",
    doctor="stubchat:checks",
    moderator_roles=True,
)
""",
    "cli.py": """
def configure(parser):
    parser.add_argument("--hello", action="store_true")

def run(args, settings):
    print("stubchat says hello" if args.hello else "stubchat")
    return 0
""",
}

TOKEN = "stub-abcdef123456"


def oped_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inject = tmp_path / "inject"
    if not inject.exists():
        (inject / "stubchat").mkdir(parents=True)
        (inject / "sitecustomize.py").write_text(REGISTRATION)
        for name, text in PACKAGE.items():
            (inject / "stubchat" / name).write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean_env(PYTHONPATH=str(inject), OPED_BOT_DB=str(tmp_path / "bot.sqlite3"), **env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_registered_stub_platform_is_run_redacted_and_offered_by_the_cli(
    tmp_path: Path,
) -> None:
    helped = oped_bot(tmp_path, "--help")
    assert "stubchat" in helped.stdout
    assert oped_bot(tmp_path, "stubchat", "--hello").stdout == "stubchat says hello\n"
    notes = tmp_path / "notes.txt"
    ran = oped_bot(tmp_path, "run", STUBCHAT_TOKEN=TOKEN, STUBCHAT_NOTES=str(notes))
    assert "adapters=stubchat" in ran.stderr, ran.stderr
    assert notes.exists()
    assert "connecting with [redacted]" in ran.stderr and TOKEN not in ran.stderr
    refused = oped_bot(tmp_path, "run")
    assert refused.returncode == 2 and "Set STUBCHAT_TOKEN (StubChat)" in refused.stderr
    doctor = oped_bot(tmp_path, "doctor", "--offline", STUBCHAT_ROOM="general")
    assert "STUBCHAT_ROOM is set but STUBCHAT_TOKEN is not" in doctor.stdout
    assert "set the StubChat variables together" in doctor.stdout
    checked = oped_bot(tmp_path, "doctor", "--offline", STUBCHAT_TOKEN=TOKEN)
    assert "ok   stubchat settings: room general" in checked.stdout, checked.stdout
    assert "`oped-bot run` starts stubchat" in checked.stdout
