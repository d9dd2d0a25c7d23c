"""`make mutate`'s summary: killed / survived / score per module from mutmut's verdict files."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def summary() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mutation_summary", ROOT / "tools" / "mutation_summary.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclass reads its own module's namespace while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def project(tmp_path: Path, verdicts: dict[str, dict[str, int | None]]) -> Path:
    listed = ", ".join(f'"{m}"' for m in ["bot/a.py", "bot/b.py", "bot/c.py"])
    (tmp_path / "pyproject.toml").write_text(f"[tool.mutmut]\nonly_mutate = [{listed}]\n")
    for module, codes in verdicts.items():
        meta = tmp_path / "mutants" / (module + ".meta")
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"exit_code_by_key": codes}))
    return tmp_path


def test_each_checked_module_gets_its_counts_and_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 1 killed, 36 timeout and 37 type check all count as caught; 0 survived, 33 had no test.
    a = {f"bot.a.x_f__mutmut_{n}": code for n, code in enumerate([1, 1, 1, 36, 37, 1, 1, 1, 1, 0])}
    b = {"bot.b.x_g__mutmut_1": 1, "bot.b.x_g__mutmut_2": 33, "bot.b.x_g__mutmut_3": None}
    root = project(tmp_path, {"bot/a.py": a, "bot/b.py": b})
    assert summary().main(["--root", str(root), "--fail-under", "50"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "module    mutants  killed  survived  score",
        "bot/a.py       10       9         1   90.0%",
        "bot/b.py        3       1         1   50.0%  (1 not checked)",
        "total          13      10         2   83.3%",
    ]
    assert out[-2:] == ["  bot.a.x_f__mutmut_9", "  bot.b.x_g__mutmut_2"]


def test_a_module_under_the_threshold_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, {"bot/a.py": {"bot.a.x_f__mutmut_1": 0, "bot.a.x_f__mutmut_2": 1}})
    assert summary().main(["--root", str(root), "--fail-under", "90"]) == 1
    assert capsys.readouterr().err == "\nUnder 90%: bot/a.py\n"


def test_no_results_says_to_run_it_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert summary().main(["--root", str(project(tmp_path, {}))]) == 1
    assert "run `make mutate` first" in capsys.readouterr().err
