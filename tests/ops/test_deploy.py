"""The deploy files agree with the code: entry point, sub-commands, env names, paths.

Docker is not available where the tests run, so the Dockerfile, compose file and systemd unit
are checked as text against what the code actually provides.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.cli import parser
from bot.config import Settings, parse_mapping
from bot.logs import secret_env
from bot.metrics import Metrics
from bot.probes import PORT_ENV, probe_address
from tests.ops.conftest import ROOT

DEPLOY = ROOT / "deploy"
ENV_NAME = re.compile(r"^(?:OPED_BOT|DISCORD|SLACK)_[A-Z0-9_]+$")


def env_names_in_code() -> set[str]:
    """Every OPED_BOT_*/DISCORD_*/SLACK_* name written as a string in bot/ or adapters/."""
    names: set[str] = set()
    for folder in ("bot", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and ENV_NAME.match(node.value)
                ):
                    names.add(node.value)
    return names


def env_example() -> dict[str, bool]:
    """Names in .env.example, with whether each is set (uncommented) there."""
    found: dict[str, bool] = {}
    for line in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match.group(2)] = match.group(1) is None
    return found


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def instructions(name: str) -> list[str]:
    return [rest for word, rest in dockerfile() if word == name]


def docker_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for rest in instructions("ENV"):
        for item in shlex.split(rest):
            key, _, value = item.partition("=")
            env[key] = value
    return env


def subcommands() -> set[str]:
    action = next(a for a in parser()._actions if a.dest == "command")
    return set(action.choices)  # type: ignore[arg-type]


def unit() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (DEPLOY / "oped-bot.service").read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def test_env_example_lists_exactly_the_names_the_code_reads() -> None:
    code = env_names_in_code()
    example = set(env_example())
    assert code - example == set(), "add these to deploy/.env.example"
    assert example - code == set(), "deploy/.env.example names variables no code reads"
    assert {"DISCORD_TOKEN", "SLACK_BOT_TOKEN", "OPED_BOT_DB", "OPED_BOT_CONFIG"} <= code


def test_env_example_holds_no_value_for_a_secret() -> None:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for name in secret_env():
        assert re.search(rf"^#?\s*{name}=$", text, re.M), f"{name} must be listed, empty"
    # The optional settings stay commented so an empty value cannot override the image's ENV.
    set_there = {name for name, active in env_example().items() if active}
    assert set_there <= {
        "DISCORD_TOKEN",
        "DISCORD_APPLICATION_ID",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    }


def test_dockerfile_builds_the_package_and_runs_it_as_a_non_root_user() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["oped-bot"] == "bot.cli:main"
    assert instructions("FROM") == ["python:3.11-slim"]
    copies = instructions("COPY")
    for source in ("pyproject.toml", "README.md", "bot/", "adapters/", "content/"):
        assert any(source in copy.split() for copy in copies), f"COPY {source} missing"
        assert (ROOT / source.rstrip("/")).exists()
    assert any("pip install" in run and " ." in run for run in instructions("RUN"))
    user = instructions("USER")
    assert user and user[-1] not in ("root", "0")
    assert any("useradd" in run and user[-1] in run for run in instructions("RUN"))
    # Exec form, so oped-bot is PID 1 and gets SIGTERM; the default command is `oped-bot run`.
    entry = yaml.safe_load(instructions("ENTRYPOINT")[-1])
    cmd = yaml.safe_load(instructions("CMD")[-1])
    assert entry[0] in scripts and [*entry, *cmd][1:] == ["run"]
    assert cmd[0] in subcommands()


def test_dockerfile_paths_match_the_code() -> None:
    env = docker_env()
    assert set(env) & {n for n in env_names_in_code()} == {"OPED_BOT_CONTENT", "OPED_BOT_DB"}
    volume = yaml.safe_load(instructions("VOLUME")[-1])
    assert env["OPED_BOT_DB"].startswith(volume[0].rstrip("/") + "/")
    # Content is copied to where OPED_BOT_CONTENT points.
    workdir = instructions("WORKDIR")[0]
    assert (
        any(copy.split() == ["content/", "content/"] for copy in instructions("COPY"))
        and env["OPED_BOT_CONTENT"] == f"{workdir}/content"
    )
    settings = Settings.from_env(env)
    assert settings.db_path == Path("/data/oped-bot.sqlite3")
    check = shlex.split(instructions("HEALTHCHECK")[-1].split("CMD", 1)[1].strip().strip("[]"))
    health = [part.strip('",') for part in check]
    assert health[0] == "oped-bot" and health[1] in subcommands()
    assert parser().parse_args(health[1:]).offline is True


def test_compose_builds_from_the_repository_with_env_file_and_volume() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["oped-bot"]
    build = service["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert service["env_file"] == ".env"  # deploy/.env, made from deploy/.env.example
    volume, mount = service["volumes"][0].split(":")[:2]
    assert volume in compose["volumes"]
    assert mount == yaml.safe_load(instructions("VOLUME")[-1])[0]


def test_systemd_unit_runs_a_real_subcommand_with_state_and_secrets() -> None:
    entries = unit()
    commands = subcommands()
    for key in ("ExecStart", "ExecStartPre"):
        argv = shlex.split(entries[key][0])
        assert Path(argv[0]).name == "oped-bot"
        assert argv[1] in commands
        parser().parse_args(argv[1:])  # exits (fails the test) on an unknown option
    assert shlex.split(entries["ExecStart"][0])[1:] == ["run"]
    assert entries["Restart"] == ["on-failure"]
    assert entries["DynamicUser"] == ["yes"] or "User" in entries
    assert entries["EnvironmentFile"][0].startswith("/")
    state = entries["StateDirectory"][0]
    db = dict(e.split("=", 1) for e in entries["Environment"])["OPED_BOT_DB"]
    assert Path(db).parent == Path("/var/lib") / state
    assert entries["KillSignal"] == ["SIGTERM"]


def test_readme_documents_docker_and_systemd() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker build -f deploy/Dockerfile" in readme
    assert "docker compose -f deploy/compose.yaml" in readme
    assert "deploy/oped-bot.service" in readme
    assert "oped-bot doctor" in readme
    # The config example in the README is a valid config.
    block = re.search(r"```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    parse_mapping(yaml.safe_load(block.group(1)), Path("oped-bot.yaml"))


def readme_systemd_commands() -> list[str]:
    """The shell lines of the README's systemd section, without `sudo` and comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running with systemd", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line.removeprefix("sudo ") for line in lines if line]


def test_systemd_unit_verifies_with_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: install the Debian package systemd")
    # verify insists the programs exist: point them at this checkout's real entry point.
    oped_bot = Path(sys.executable).parent / "oped-bot"
    text = (DEPLOY / "oped-bot.service").read_text(encoding="utf-8")
    copy = tmp_path / "oped-bot.service"
    copy.write_text(text.replace("/opt/oped-bot/.venv/bin/oped-bot", str(oped_bot)))
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_systemd_unit_lets_its_dynamic_user_in() -> None:
    entries = unit()
    assert entries["DynamicUser"] == ["yes"]
    # A DynamicUser has no fixed uid to own /etc/oped-bot, so it gets in as "other": the
    # configuration directory (systemd creates it if missing) must be enterable by anyone.
    assert entries["ConfigurationDirectory"] == ["oped-bot"]
    mode = int(entries["ConfigurationDirectoryMode"][0], 8)
    assert mode & 0o005 == 0o005
    # The secrets file is read by systemd itself, as root, before the user is switched.
    assert Path(entries["EnvironmentFile"][0]).parent == Path("/etc/oped-bot")
    assert entries["WorkingDirectory"] == ["/etc/oped-bot"]
    assert entries["RestartPreventExitStatus"] == ["2"]


def test_the_readme_s_systemd_steps_make_a_directory_the_service_can_enter() -> None:
    # Run as a stranger uid, like the unit's dynamic user: the tree must be reachable by
    # "other", so it cannot live under pytest's private (0700) tmp folder.
    root = Path(tempfile.mkdtemp(prefix="oped-bot-root-"))
    try:
        root.chmod(0o755)
        steps = [
            line.replace("/etc/", f"{root}/etc/")
            for line in readme_systemd_commands()
            if line.startswith("install ")
        ]
        (root / "etc").mkdir()
        for step in steps:
            subprocess.run(["sh", "-c", step], cwd=ROOT, check=True, timeout=30)
        etc = root / "etc" / "oped-bot"
        assert stat.S_IMODE((etc / "oped-bot.env").stat().st_mode) == 0o600
        assert (etc / "oped-bot.yaml").is_file()
        Settings.load(etc / "oped-bot.yaml", {})  # the installed config is valid as it is
        if os.geteuid() != 0:
            assert stat.S_IMODE(etc.stat().st_mode) & 0o005 == 0o005
            return
        # The dynamic user: enters the working directory, reads the config, not the secrets.
        probe = (
            f"cd {shlex.quote(str(etc))} && cat oped-bot.yaml >/dev/null "
            "&& ! cat oped-bot.env 2>/dev/null"
        )
        stranger = subprocess.run(
            ["sh", "-c", probe], user=61234, group=61234, capture_output=True, timeout=30
        )
        assert stranger.returncode == 0, stranger.stderr
    finally:
        shutil.rmtree(root)


def test_compose_postgres_profile_runs_the_bot_on_a_healthy_postgres() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    # The default (SQLite) bot is untouched: `docker compose up` needs no database server.
    assert "profiles" not in services["oped-bot"]
    assert "depends_on" not in services["oped-bot"]
    database = services["postgres"]
    assert database["profiles"] == ["postgres"]
    assert database["image"] == "postgres:16"
    assert database["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    data_volume, data_mount = database["volumes"][0].split(":")[:2]
    assert data_volume in compose["volumes"]
    assert data_mount == "/var/lib/postgresql/data"
    env = database["environment"]
    user, name = env["POSTGRES_USER"], env["POSTGRES_DB"]

    bot = services["oped-bot-postgres"]
    assert bot["profiles"] == ["postgres"]
    assert bot["build"] == services["oped-bot"]["build"] and bot["env_file"] == ".env"
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    url = bot["environment"]["OPED_BOT_DB"]
    assert url.startswith(f"postgresql://{user}:")
    assert url.endswith(f"@postgres:5432/{name}")
    assert env["POSTGRES_PASSWORD"] in url  # the same ${...} on both sides
    # Health for a load balancer or the engine: /readyz on OPED_BOT_HTTP_PORT.
    port = bot["environment"]["OPED_BOT_HTTP_PORT"]
    assert probe_address({"OPED_BOT_HTTP_PORT": port}) is not None
    check = " ".join(bot["healthcheck"]["test"])
    assert f"127.0.0.1:{port}/readyz" in check
    # Every ${NAME} used is one compose can fill from deploy/.env, with a default.
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for found in re.findall(r"\$\{([^}]*)\}", text):
        assert ":-" in found, f"${{{found}}} needs a default so plain `up` works without it"


def test_readme_scaling_out_names_the_real_metrics_paths_and_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scaling out", 1)[1].split("\n## ", 1)[0]
    for needed in (
        "DISCORD_SHARD_ID",
        "SLACK_MODE=http",
        "OPED_BOT_HTTP_PORT",
        "oped-bot db copy",
        "--profile postgres",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert needed in section, needed
    # Every metric the bot exports is documented, under the name Prometheus shows.
    exported = {
        family.name + ("_total" if family.type == "counter" else "")
        for family in Metrics().registry.collect()
    }
    assert exported == set(re.findall(r"`(oped_bot_[a-z_]+)", section))
    assert f"`{PORT_ENV}`" in readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    # The compose command in the section names a service the profile has.
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    for service in re.findall(r"--profile postgres (?:up -d --build|run --rm) ([\w-]+)", section):
        assert "postgres" in compose["services"][service]["profiles"]
