"""The core must never depend on a platform SDK."""

from __future__ import annotations

import ast
import re
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "bot"
PLATFORM_MODULES = ("discord", "slack_bolt", "slack_sdk", "slack")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_core_imports_no_platform_sdk() -> None:
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 10
    offenders = [
        f"{path.relative_to(CORE.parent)} imports {name}"
        for path in files
        for name in imported_modules(path)
        if name.split(".")[0] in PLATFORM_MODULES
    ]
    assert offenders == []


def test_checker_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("import os\nfrom discord import ui\n")
    assert imported_modules(sample) == ["os", "discord"]


def test_the_core_names_no_platform_outside_the_plugin_registry() -> None:
    registry = CORE / "platforms.py"
    named = re.compile(r"discord|slack", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(CORE.parent)}:{number}: {line.strip()}"
        for path in sorted(CORE.rglob("*.py"))
        if path != registry
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if named.search(line)
    ]
    assert offenders == []
