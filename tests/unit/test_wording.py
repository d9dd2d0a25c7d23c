"""Counts read as English: one shared helper, and no "(s)" left in what users or operators read."""

from __future__ import annotations

import re
import tokenize

from bot.wording import plural
from tests.conftest import ROOT


def test_plural_picks_the_singular_only_for_one() -> None:
    assert plural(1, "vote") == "1 vote"
    assert plural(0, "vote") == "0 votes"
    assert plural(2, "poll") == "2 polls"
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"


def test_no_text_says_s_in_brackets() -> None:
    offenders = []
    for folder in ("bot", "adapters"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            with path.open("rb") as source:
                for token in tokenize.tokenize(source.readline):
                    # Strings only; the look-behind skips code inside f-strings (`side.share(s)`).
                    if token.type == tokenize.STRING and re.search(
                        r"(?<![.\w])[A-Za-z]+\(s\)", token.string
                    ):
                        offenders.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert offenders == []
