"""Draft packs: what `content new` writes for an editor to finish, and what is still unfinished.

A draft is an ordinary pack whose unwritten fields hold a `DRAFT:` placeholder. It loads, so it
can be tried in the console, but `content check` lists every placeholder by path and fails, and
`admin pack use` refuses it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import limits
from bot.content.clean import Cleaned, clean
from bot.content.loader import DRAFT_MARK, PackError, PackInvalid, load_pack
from bot.content.model import Pack

PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}$")
CLAIMS = 3
PROMPTS = (("oxford", 2), ("question", 2))
MAX_QUOTES = 12
MAX_TERMS = 10


class DraftRefused(Exception):
    """`content new` cannot draft this pack; `str(e)` names what to change. Nothing was written."""


@dataclass(frozen=True)
class Drafted:
    """A pack written by `content new`: where, what the cleaner did, and what it guessed."""

    folder: Path
    cleaned: Cleaned
    pack: Pack


def draft(text: str, pack_id: str, out: Path, source_name: str) -> Drafted:
    """Clean `text` and write `out/pack_id` with article.md and a draft pack.yaml.

    Raises DraftRefused, having written nothing, on a bad id, an existing folder or no text.
    """
    if not PACK_ID.match(pack_id):
        raise DraftRefused(
            f"--id {pack_id!r}: a pack id is 1 to 49 lowercase letters, digits and hyphens, "
            "starting with a letter or digit, e.g. --id carbon-tax-2024"
        )
    folder = out / pack_id
    if folder.exists():
        raise DraftRefused(
            f"{folder} already exists; choose another --id or --out, or remove that folder"
        )
    cleaned = clean(text)
    if not cleaned.paragraphs:
        raise DraftRefused(
            f"{source_name}: no article text is left once page debris is removed; "
            "is it the right file?"
        )
    article = "\n\n".join(cleaned.paragraphs) + "\n"
    data = pack_data(cleaned, pack_id, source_name)
    out.mkdir(parents=True, exist_ok=True)
    # Written and validated beside the target, then moved in whole: a refusal leaves nothing.
    with tempfile.TemporaryDirectory(dir=out, prefix=f".{pack_id}-") as scratch:
        staged = Path(scratch) / pack_id
        staged.mkdir()
        (staged / "article.md").write_text(article, encoding="utf-8")
        (staged / "pack.yaml").write_text(render_yaml(data, source_name), encoding="utf-8")
        try:
            load_pack(staged)
        except PackInvalid as exc:
            problems = "; ".join(
                f"{error.file.name}: {error.where}: {error.message}" for error in exc.errors
            )
            raise DraftRefused(
                f"the draft would not load ({problems}); edit the article text and run again"
            ) from None
        shutil.move(staged, folder)
    return Drafted(folder, cleaned, load_pack(folder))


def pack_data(cleaned: Cleaned, pack_id: str, source_name: str) -> dict[str, Any]:
    """pack.yaml's content: what the text gives, candidates to prune, and placeholders."""
    guesses = cleaned.guesses
    author: dict[str, Any] = {"name": guesses.get("author") or f"{DRAFT_MARK} the author's name"}
    if guesses.get("affiliation"):
        author["affiliation"] = guesses["affiliation"]
    if guesses.get("bio"):
        author["bio"] = guesses["bio"]
    claims = [
        {
            "id": f"C{n}",
            "text": f"{DRAFT_MARK} a main claim of the article, in one sentence.",
            "paragraphs": f"{DRAFT_MARK} the paragraphs that make it, e.g. [2, 5]",
            "topics": [],
        }
        for n in range(1, CLAIMS + 1)
    ]
    counterpoints = [
        {
            "id": f"K{n}",
            "claim": f"C{n}",
            "text": f"{DRAFT_MARK} the strongest answer to C{n}, in a short paragraph.",
            "sources": [
                {
                    "title": f"{DRAFT_MARK} a source for it",
                    "publisher": f"{DRAFT_MARK} who published it",
                    "year": f"{DRAFT_MARK} the year",
                }
            ],
        }
        for n in range(1, CLAIMS + 1)
    ]
    prompts: list[dict[str, Any]] = []
    for kind, count in PROMPTS:
        for _ in range(count):
            prompts.append(
                {
                    "id": f"P{len(prompts) + 1}",
                    "motion": (
                        f"{DRAFT_MARK} This house believes ... (a motion to vote for or against)"
                        if kind == "oxford"
                        else f"{DRAFT_MARK} an open question for discussion?"
                    ),
                    "kind": kind,
                }
            )
    return {
        "id": pack_id,
        "title": guesses.get("title") or f"{DRAFT_MARK} the article's headline",
        "author": author,
        "outlet": guesses.get("outlet") or f"{DRAFT_MARK} where it was published",
        "published": guesses.get("published")
        or f"{DRAFT_MARK} when it was published, e.g. 2019-04 (say how you know in published_note)",
        "language": "en",
        "preparation": {
            "source": f"{source_name} (drafted by oped-bot content new)",
            "removed": cleaned.removals() or ["nothing: the text had no page debris"],
            "fixes": cleaned.changes(),
            **(
                {
                    "duplicate_sentences": [
                        {
                            "paragraph": d.paragraph,
                            "kept": d.kept,
                            "dropped": d.dropped,
                            "why": d.why,
                        }
                        for d in cleaned.duplicates
                    ]
                }
                if cleaned.duplicates
                else {}
            ),
        },
        "summaries": {
            "tldr": f"{DRAFT_MARK} the article in one or two sentences (280 characters at most).",
            "short": f"{DRAFT_MARK} the argument in three sentences at most.",
            "long": f"{DRAFT_MARK} the argument step by step, in 250 words at most.",
        },
        "claims": claims,
        "quotes": candidate_quotes(cleaned.paragraphs, guesses.get("author")),
        "counterpoints": counterpoints,
        "prompts": prompts,
        "glossary": candidate_terms(cleaned.paragraphs, guesses.get("author")),
    }


def render_yaml(data: dict[str, Any], source_name: str) -> str:
    """pack.yaml with a header telling the editor what to do next."""
    header = (
        f"# Drafted by `oped-bot content new` from {source_name}.\n"
        f"# Replace every '{DRAFT_MARK} ...' text; `oped-bot content check` lists those left.\n"
        "# The quotes and glossary terms are candidates found in the text: keep the good ones,\n"
        "# give them topics and claims, and write what each term means.\n"
    )
    # One line per text, as in a hand-written pack, so each field is edited in one place.
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    return header + body


# Sentences end at . ! ? (after any closing quote) before a capital, a digit or an opening quote.
_SENTENCE_END = re.compile(r"[.!?…][”’\")]*(?=\s+[“\"‘(]?[A-Z0-9]|\s*$)")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:(?:[A-Z]\.){2,}|Mr\.|Mrs\.|Ms\.|Dr\.|St\.|Sen\.|Rep\.|Gov\.|Gen\.|Lt\.|Col\."
    r"|Jr\.|Sr\.|Prof\.|vs\.|No\.|e\.g\.|i\.e\.)$"
)
# Words that mark an argument rather than a report: the sentences worth quoting in a debate.
_ARGUING = re.compile(
    r"\b(?:must|should|will|won’t|won't|never|only|cannot|can’t|can't|truth|clear|fail\w*|"
    r"matters?|better|worse|easier|harder|wrong|right|need\w*|real\w*|simply|nothing|everyone|"
    r"always|foolish|mistake\w*|impossible|existential)\b",
    re.I,
)


def sentences(paragraph: str) -> list[str]:
    """The sentences of `paragraph`, verbatim, not split after U.S. or Mr."""
    found: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(paragraph):
        if _ABBREVIATION.search(paragraph[start : end.end()]) and end.end() < len(paragraph):
            continue
        sentence = paragraph[start : end.end()].strip()
        if sentence:
            found.append(sentence)
        start = end.end()
    rest = paragraph[start:].strip()
    if rest:
        found.append(rest)
    return found


def candidate_quotes(paragraphs: tuple[str, ...], author: str | None) -> list[dict[str, Any]]:
    """The most quotable sentence of each paragraph, verbatim, best first, in article order."""
    best: list[tuple[int, int, str]] = []  # (score, paragraph number, sentence)
    for number, paragraph in enumerate(paragraphs, 1):
        scored = [
            (_score(sentence), number, sentence)
            for sentence in sentences(paragraph)
            if 40 <= len(sentence) <= min(400, limits.QUOTE_MAX)
        ]
        if scored:
            best.append(max(scored, key=lambda item: item[0]))
    chosen = sorted(best, key=lambda item: -item[0])[:MAX_QUOTES]
    chosen.sort(key=lambda item: item[1])
    return [
        {
            "id": f"Q{index}",
            "text": sentence,
            "paragraph": number,
            # A sentence holding quotation marks may be someone else's words.
            "speaker": (
                f"{DRAFT_MARK} who says this (the sentence quotes someone)"
                if re.search(r"[“”\"]", sentence) or not author
                else author
            ),
            "topics": [],
        }
        for index, (_, number, sentence) in enumerate(chosen, 1)
    ]


def _score(sentence: str) -> int:
    fits = 60 <= len(sentence) <= 300
    return 2 * len(_ARGUING.findall(sentence)) + (1 if fits else 0)


_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_PHRASE = re.compile(
    r"\b[A-Z][\w’'-]+(?:[ \u00a0]+(?:of[ \u00a0]+(?:the[ \u00a0]+)?)?[A-Z][\w’'-]+)+"
)
TERM_MAX = 60  # a glossary term is a name, not a title-case sentence
_NOT_ACRONYMS = frozenset({"AM", "PM", "TV", "OK", "US", "UK", "EU", "CEO"})


def candidate_terms(paragraphs: tuple[str, ...], author: str | None) -> list[dict[str, Any]]:
    """Acronyms, then names of two or more words used at least twice: terms a reader may need."""
    text = "\n".join(paragraphs)
    lowercase = {word.lower() for word in re.findall(r"\b[a-z][\w’'-]*", text)}
    acronyms = Counter(a for a in _ACRONYM.findall(text) if a not in _NOT_ACRONYMS)
    phrases: Counter[str] = Counter()
    for found in _PHRASE.finditer(text):
        words = found.group(0).split()
        # A capital at the start of a sentence is not a name: "While Pompeo" is "Pompeo".
        while words and words[0].lower() in lowercase:
            words = words[1:]
        if len(words) >= 2 and len(" ".join(words)) <= TERM_MAX:
            phrases[" ".join(words)] += 1
    terms: list[str] = [a for a, _ in acronyms.most_common()]
    terms += [p for p, count in phrases.most_common() if count >= 2]
    seen: set[str] = set()
    chosen: list[str] = []
    for term in terms:
        lowered = term.lower()
        # "North Korean" adds nothing to "North Korea"; one of the two is enough.
        if term == author or any(lowered.startswith(s) or s.startswith(lowered) for s in seen):
            continue
        seen.add(lowered)
        chosen.append(term)
    if not chosen:
        return [
            {
                "term": f"{DRAFT_MARK} a term readers may not know",
                "text": f"{DRAFT_MARK} what it means, in a sentence or two.",
                "aliases": [],
            }
        ]
    return [
        {
            "term": term,
            "text": f"{DRAFT_MARK} what {term} is, in a sentence or two a reader needs.",
            "aliases": [],
        }
        for term in chosen[:MAX_TERMS]
    ]


def unfinished(pack: Pack) -> list[PackError]:
    """One problem per field of `pack` that still holds a draft placeholder, top to bottom."""
    path = pack.folder / "pack.yaml"
    try:
        order = {
            where: n for n, where in enumerate(_paths(yaml.safe_load(path.read_text("utf-8"))))
        }
    except (OSError, yaml.YAMLError):
        order = {}  # changed since it was loaded: the loader's order will do
    return [
        PackError(
            path, where, f"still a draft; replace the {DRAFT_MARK} text with the real content"
        )
        for where in sorted(pack.drafts, key=lambda where: order.get(where, len(order)))
    ]


def _paths(node: Any, where: str = "") -> list[str]:
    """Every field's path in `node`, as the loader names them (claims[0].text), in file order."""
    found = [where] if where else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, f"{where}[{index}]")
    return found


def draft_summary(pack: Pack) -> str:
    """What a draft lacks in one line, and where it may be tried meanwhile."""
    count = len(pack.drafts)
    return (
        f"draft {pack.id}: {count} field{'s' if count != 1 else ''} still to fill in (listed "
        f"above). Try it meanwhile with `oped-bot console --pack {pack.folder}`; "
        "`admin pack use` refuses it until `oped-bot content check` passes."
    )
