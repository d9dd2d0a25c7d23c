"""Ranked search over a pack's quotes and paragraphs (BM25 over lightly stemmed words)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from bot.content.model import Pack, Quote

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_STOP = frozenset(
    (  # noqa: SIM905  (one line of words reads better than forty)
        "a an and are as at be been but by can do for from has have he his i if in is it its of "
        "on or so that the their them they this to was were will with would"
    ).split()
)


def stem(word: str) -> str:
    """A deliberately small stemmer: plural and possessive endings only."""
    word = word.replace("’", "'").removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class Hit:
    """A search result: a quote, or a paragraph that no quote covers as well."""

    score: float
    paragraph: int
    text: str
    quote: Quote | None


def search(pack: Pack, query: str, limit: int = 5) -> list[Hit]:
    """Quotes and paragraphs ranked by relevance to `query`; empty when nothing matches."""
    wanted = terms(query)
    if not wanted:
        return []
    docs: list[tuple[int, str, Quote | None]] = [(q.paragraph, q.text, q) for q in pack.quotes]
    docs += [(n, text, None) for n, text in enumerate(pack.paragraphs, 1)]
    bags = [Counter(terms(text)) for _, text, _ in docs]
    average = sum(sum(b.values()) for b in bags) / len(bags)
    frequency = Counter(term for bag in bags for term in set(bag))
    hits: list[Hit] = []
    for (paragraph, text, quote), bag in zip(docs, bags, strict=True):
        score = _bm25(wanted, bag, frequency, len(bags), average)
        if score > 0:
            # A quote is the answer people want; the paragraph is context.
            hits.append(Hit(score * (1.25 if quote else 1.0), paragraph, text, quote))
    hits.sort(key=lambda h: (-h.score, h.paragraph, h.quote is None))
    chosen: list[Hit] = []
    covered: set[int] = set()
    for hit in hits:
        if hit.quote is None and hit.paragraph in covered:
            continue  # a quote from this paragraph already ranks higher
        chosen.append(hit)
        covered.add(hit.paragraph)
        if len(chosen) == limit:
            break
    return chosen


def _bm25(
    wanted: list[str], bag: Counter[str], frequency: Counter[str], count: int, average: float
) -> float:
    k1, b = 1.2, 0.75
    length = sum(bag.values())
    score = 0.0
    for term in wanted:
        tf = bag.get(term, 0)
        if not tf:
            continue
        idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
        score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / average))
    return score
