"""Hostile config and pack files are refused quickly, in bounded memory, naming the file.

Each case runs the real command in a child process with a memory cap and a time limit, so a
file that would hang the bot (a FIFO, `/dev/zero`) or blow up its memory (alias expansion)
fails the test instead of the machine.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot import safe_yaml
from bot.content.loader import BUNDLED
from tests.ops.conftest import clean_env

MEMORY_CAP = 1024 * 1024 * 1024
TIME_LIMIT = 60.0
# Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
LAUGHS = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)
)
RECURSIVE = "loop: &loop [*loop]\n"
DEEP = "[" * 20000 + "]" * 20000 + "\n"


def cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def oped_bot(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=cwd,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            preexec_fn=cap_memory,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"oped-bot {' '.join(args)} did not finish within {TIME_LIMIT}s")


def sparse(path: Path) -> None:
    """A 4 GiB file that takes no disk space: regular, and far too big."""
    with path.open("wb") as handle:
        handle.truncate(4 * 1024**3)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def device(target: str) -> Callable[[Path], None]:
    def link(path: Path) -> None:
        path.symlink_to(target)

    return link


def text(content: str | bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode())

    return write


CASES = {
    "billion laughs": (text(LAUGHS), "aliases (*l0) are not allowed"),
    "recursive anchor": (text(RECURSIVE), "aliases (*loop) are not allowed"),
    "deep nesting": (text(DEEP), "maximum nesting depth"),
    # Within libyaml's limit, yet deep enough to overflow code that walks the result.
    "900 levels": (text("a: " + "[" * 900 + "]" * 900 + "\n"), "maximum nesting depth of 64"),
    "gigantic file": (sparse, "is larger than"),
    "/dev/zero": (device("/dev/zero"), "is not a regular file"),
    "/dev/urandom": (device("/dev/urandom"), "is not a regular file"),
    "FIFO": (fifo, "is not a regular file"),
    "not UTF-8": (text(b"timezone: \xff\xfe\n"), "is not UTF-8 text"),
    # Values YAML reads as something else, and then cannot build: refused, not a traceback.
    "impossible date": (text("a: 2019-13-45\n"), "(month must be in 1..12); quote it"),
    "5000-digit number": (text("a: " + "1" * 5000 + "\n"), "value has 5000 digits); quote it"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_config_file_is_refused(tmp_path: Path, case: str) -> None:
    make, reason = CASES[case]
    config = tmp_path / "oped-bot.yaml"
    make(config)
    for command in (["doctor", "--offline"], ["run"]):
        result = oped_bot(tmp_path, *command)
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert "oped-bot.yaml: " in output and reason in output
        assert "Traceback" not in output


YAML_ONLY = (
    "billion laughs",
    "recursive anchor",
    "deep nesting",
    "900 levels",
    "impossible date",
    "5000-digit number",
)


@pytest.mark.parametrize(
    ("name", "case"),
    [
        (name, case)
        for name in ("pack.yaml", "article.md")
        for case in CASES
        if name == "pack.yaml" or case not in YAML_ONLY  # article.md is not YAML
    ],
)
def test_a_hostile_pack_file_is_refused(tmp_path: Path, name: str, case: str) -> None:
    make, reason = CASES[case]
    pack = tmp_path / "packs" / "north-korea-talks"
    shutil.copytree(BUNDLED / "north-korea-talks", pack)
    (pack / name).unlink()
    if "alias" in reason:
        # Valid pack.yaml otherwise: the aliases hide where the loader walks freely.
        original = (BUNDLED / "north-korea-talks" / "pack.yaml").read_text(encoding="utf-8")
        nested = "".join(
            f"  {line}\n" for line in (LAUGHS if "l0" in reason else RECURSIVE).splitlines()
        )
        text(original + "\npreparation:\n" + nested)(pack / name)
    else:
        make(pack / name)
    result = oped_bot(tmp_path, "content", "check", str(tmp_path / "packs"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{pack / name}: " in result.stderr and reason in result.stderr
    assert "Traceback" not in result.stderr


def test_the_size_cap_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("a: " + "x" * 97 + "\n")  # 101 bytes
    assert safe_yaml.load(path, 101) == {"a": "x" * 97}
    with pytest.raises(safe_yaml.FileRefused, match="is larger than"):
        safe_yaml.load(path, 100)


@pytest.mark.parametrize("loader", ["libyaml", "pure Python"])
def test_either_parser_refuses_aliases_and_deep_nesting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    if loader == "pure Python":
        monkeypatch.setattr(safe_yaml, "_LOADER", yaml.SafeLoader)
    path = tmp_path / "f.yaml"
    path.write_text(LAUGHS)
    with pytest.raises(safe_yaml.FileRefused, match=r"line 2, column 10: aliases \(\*l0\)"):
        safe_yaml.load(path, 1024)
    path.write_text(DEEP)
    # libyaml refuses this itself while scanning ahead; the pure-Python parser reaches our cap.
    with pytest.raises((safe_yaml.FileRefused, yaml.YAMLError), match="maximum nesting depth"):
        safe_yaml.load(path, len(DEEP))
    # Deep enough for any walker to recurse out of stack, yet within libyaml's own limit.
    path.write_text("a: " + "[" * 900 + "]" * 900 + "\n")
    with pytest.raises(safe_yaml.FileRefused, match="maximum nesting depth of 64 levels"):
        safe_yaml.load(path, 4096)
