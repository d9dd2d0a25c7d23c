"""Summarise a `mutmut run`: mutants, killed, survived and score for each module it mutated.

Reads the verdicts mutmut leaves in `mutants/<module>.meta` for every module listed in
`[tool.mutmut] only_mutate`, prints one row per module that was checked, lists the survivors,
and exits 1 when a module scores under `--fail-under` percent.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

# mutmut's exit codes (mutmut/stats.py): a failing test, an error inside pytest, a timeout and a
# type-check rejection all mean the mutant was caught.
KILLED = {1, 3, 24, -24, 36, 37, 152, 255}
# A surviving mutant, and one no selected test even runs: both are a broken rule nobody notices.
SURVIVED = {0, 5, 33}
SKIPPED = {34}


@dataclass(frozen=True)
class Row:
    """The verdicts for one module."""

    module: str
    mutants: int
    killed: int
    survived: int
    unchecked: int
    survivors: tuple[str, ...]

    @property
    def score(self) -> float:
        """Killed as a percentage of the mutants that got a verdict."""
        judged = self.killed + self.survived
        return 100.0 * self.killed / judged if judged else 0.0


def modules(root: Path) -> list[str]:
    """The modules `[tool.mutmut] only_mutate` names, in the order written."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    names: list[str] = config["tool"]["mutmut"]["only_mutate"]
    return names


def row(root: Path, module: str) -> Row | None:
    """The verdicts mutmut stored for `module`, or None when it has not been mutated yet."""
    meta = root / "mutants" / (module + ".meta")
    if not meta.is_file():
        return None
    codes: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    killed = sum(1 for code in codes.values() if code in KILLED)
    survivors = tuple(sorted(name for name, code in codes.items() if code in SURVIVED))
    skipped = sum(1 for code in codes.values() if code in SKIPPED)
    unchecked = len(codes) - killed - len(survivors) - skipped
    return Row(module, len(codes) - skipped, killed, len(survivors), unchecked, survivors)


def main(argv: list[str] | None = None) -> int:
    """Print the table and the survivors; 1 when a checked module is under the threshold."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder")
    parser.add_argument("--fail-under", type=float, default=0.0, help="minimum score, percent")
    args = parser.parse_args(argv)
    rows = [r for m in modules(args.root) if (r := row(args.root, m)) and r.killed + r.survived]
    if not rows:
        print("No mutation results: run `make mutate` first.", file=sys.stderr)
        return 1
    width = max(len(r.module) for r in rows)
    print(f"{'module':<{width}}  mutants  killed  survived  score")
    for r in rows:
        note = f"  ({r.unchecked} not checked)" if r.unchecked else ""
        print(
            f"{r.module:<{width}}  {r.mutants:>7}  {r.killed:>6}  {r.survived:>8}  "
            f"{r.score:5.1f}%{note}"
        )
    killed = sum(r.killed for r in rows)
    survived = sum(r.survived for r in rows)
    total = Row("total", sum(r.mutants for r in rows), killed, survived, 0, ())
    print(
        f"{'total':<{width}}  {total.mutants:>7}  {killed:>6}  {survived:>8}  {total.score:5.1f}%"
    )
    survivors = [name for r in rows for name in r.survivors]
    if survivors:
        print("\nSurvivors (see one with `.venv/bin/mutmut show <name>`):")
        for name in survivors:
            print(f"  {name}")
    low = [r.module for r in rows if r.score < args.fail_under]
    if low:
        print(f"\nUnder {args.fail_under:g}%: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
