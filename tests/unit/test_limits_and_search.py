from __future__ import annotations

from bot.content.registry import PackRegistry
from bot.content.search import search, terms
from bot.limits import MARKER, fit


def test_fit_leaves_short_text_alone_and_marks_cuts() -> None:
    assert fit("short", 10) == "short"
    cut = fit("word " * 100, 50)
    assert len(cut) <= 50 and cut.endswith(MARKER)
    assert fit("x" * 500, 10) == "x" * 9 + MARKER
    assert fit("abc", 1) == MARKER


def test_terms_fold_plurals_and_drop_stopwords() -> None:
    assert terms("The sanctions on Kim's regimes") == ["sanction", "kim", "regime"]


def test_search_prefers_quotes_and_skips_covered_paragraphs(packs: PackRegistry) -> None:
    pack = packs.default
    hits = search(pack, "Houdini")
    assert hits, "Houdini is in the article"
    assert "Houdini" in hits[0].text
    paragraphs = [h.paragraph for h in hits if h.quote is None]
    quoted = {h.paragraph for h in hits if h.quote is not None}
    assert not set(paragraphs) & quoted
    assert search(pack, "the of and") == []
