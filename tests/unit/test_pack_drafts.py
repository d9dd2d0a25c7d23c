"""Draft packs: `DRAFT:` placeholders load (so the console can try them) but never pass a check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.loader import BUNDLED, load_pack
from bot.content.registry import PackRegistry

SHIPPED = BUNDLED / "north-korea-talks"
# Field paths and the placeholder each gets, as `content new` writes them.
PLACEHOLDERS = {
    "summaries.tldr": "DRAFT: the article in one or two sentences.",
    "claims[2].text": "DRAFT: the article's third claim.",
    "counterpoints[0].sources[0].title": "DRAFT: a source for this counterpoint",
    "counterpoints[0].sources[0].year": "DRAFT: its year",
    "prompts[7].motion": "DRAFT: a discussion question",
}


def draft_pack(root: Path, pack_id: str = "my-draft") -> Path:
    """A copy of the shipped pack with some fields put back to placeholders."""
    folder = root / pack_id
    shutil.copytree(SHIPPED, folder)
    path = folder / "pack.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["id"] = pack_id
    data["summaries"]["tldr"] = PLACEHOLDERS["summaries.tldr"]
    data["claims"][2]["text"] = PLACEHOLDERS["claims[2].text"]
    data["counterpoints"][0]["sources"][0]["title"] = PLACEHOLDERS[
        "counterpoints[0].sources[0].title"
    ]
    data["counterpoints"][0]["sources"][0]["year"] = PLACEHOLDERS[
        "counterpoints[0].sources[0].year"
    ]
    data["prompts"][7]["motion"] = PLACEHOLDERS["prompts[7].motion"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_a_draft_loads_and_knows_which_fields_are_still_drafts(tmp_path: Path) -> None:
    pack = load_pack(draft_pack(tmp_path))
    assert sorted(pack.drafts) == sorted(PLACEHOLDERS)
    assert pack.is_draft
    assert not load_pack(SHIPPED).is_draft


def test_content_check_lists_each_draft_field_by_path_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = draft_pack(tmp_path)
    assert main(["content", "check", str(folder)]) == 1
    captured = capsys.readouterr()
    for where in PLACEHOLDERS:
        assert f"{folder / 'pack.yaml'}: {where}: still a draft" in captured.err, where
    assert "draft my-draft: 5 fields still to fill in" in captured.err
    assert f"oped-bot console --pack {folder}" in captured.err
    assert "ok my-draft" not in captured.out


def test_content_check_of_a_folder_with_a_draft_and_a_finished_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft_pack(tmp_path)
    shutil.copytree(SHIPPED, tmp_path / SHIPPED.name)
    assert main(["content", "check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "ok north-korea-talks" in captured.out
    assert "draft my-draft" in captured.err


def test_a_draft_is_never_the_default_unless_named(tmp_path: Path) -> None:
    draft_pack(tmp_path, "a-draft")  # sorts before the finished pack
    shutil.copytree(SHIPPED, tmp_path / SHIPPED.name)
    assert PackRegistry.load(tmp_path).default.id == "north-korea-talks"
    assert PackRegistry.load(tmp_path, "a-draft").default.id == "a-draft"


def console(tmp_path: Path, *args: str, lines: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPED_"))}
    env["OPED_BOT_DB"] = str(tmp_path / "bot.sqlite3")
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


def test_the_console_tries_a_draft_pack_by_folder_or_id(tmp_path: Path) -> None:
    folder = draft_pack(tmp_path / "packs")
    result = console(tmp_path, "--pack", str(folder), lines="summary tldr\n")
    assert result.returncode == 0, result.stderr
    assert PLACEHOLDERS["summaries.tldr"] in result.stdout
    # An id is looked up in the content folder.
    result = console(
        tmp_path, "--pack", "my-draft", "--config", str(config(tmp_path)), lines="summary tldr\n"
    )
    assert result.returncode == 0, result.stderr
    assert PLACEHOLDERS["summaries.tldr"] in result.stdout


def test_the_console_names_a_missing_pack(tmp_path: Path) -> None:
    result = console(tmp_path, "--pack", "nowhere", lines="summary\n")
    assert result.returncode == 2
    assert "--pack nowhere: no pack folder there" in result.stderr
    assert "oped-bot content new" in result.stderr


def config(tmp_path: Path) -> Path:
    path = tmp_path / "oped-bot.yaml"
    path.write_text("content: {dir: packs}\n", encoding="utf-8")
    return path
