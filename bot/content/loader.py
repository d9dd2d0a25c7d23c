"""Load and validate content packs; a broken pack is refused with file, path and problem."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from bot import limits, safe_yaml
from bot.content.model import (
    Author,
    Claim,
    Counterpoint,
    Pack,
    Prompt,
    Quote,
    Source,
    Summaries,
    Term,
)

BUNDLED = Path(__file__).resolve().parents[2] / "content"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}$")
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_DEBRIS = (
    re.compile(r"\{[a-z]+\}"),  # ad markers such as {mosads}
    re.compile(r"^Tags ", re.M),
    re.compile(r"^(See All|Load more|Most Popular|More \w+ News)$", re.M | re.I),
)


# A field whose text starts with this is a placeholder `content new` wrote for an editor to fill.
DRAFT_MARK = "DRAFT:"

_ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|vs|e\.g|i\.e)\.")
_TYPOGRAPHIC = {0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "}


@dataclass(frozen=True)
class PackError:
    """One problem in a pack: the file, where inside it, and what is wrong."""

    file: Path
    where: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.where}: {self.message}"
            if self.where
            else f"{self.file}: {self.message}"
        )


class PackInvalid(Exception):
    """A pack failed validation; `errors` lists every problem found."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def normalise(text: str) -> str:
    """Fold whitespace and typographic quotes so verbatim checks ignore typesetting only."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TYPOGRAPHIC)
    return " ".join(text.split())


def count_sentences(text: str) -> int:
    """Sentences in `text`, not fooled by abbreviations such as U.S. or D.C."""
    plain = _ABBREVIATION.sub("X", text)
    return len([s for s in re.split(r"(?<=[.!?])\s+", plain.strip()) if s])


def read_article(path: Path) -> tuple[str, ...]:
    """Paragraphs of article.md: blocks separated by blank lines, numbered from 1."""
    text = safe_yaml.read_text(path, safe_yaml.PACK_FILE_MAX_BYTES)
    blocks = re.split(r"\n\s*\n", text.strip())
    return tuple(" ".join(block.split()) for block in blocks if block.strip())


def _has_pack_yaml(folder: Path) -> bool:
    # Present in any form (even a FIFO or a device): the reader refuses it by name, rather
    # than the pack vanishing from the list.
    return (folder / "pack.yaml").exists() or (folder / "pack.yaml").is_symlink()


def discover(root: Path) -> list[Path]:
    """Pack folders under `root`, or `root` itself when it is a pack."""
    if _has_pack_yaml(root):
        return [root]
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if _has_pack_yaml(p))


def load_pack(folder: Path) -> Pack:
    """Load and validate one pack folder; raise PackInvalid listing every problem."""
    return _Reader(folder).read()


def check(root: Path) -> tuple[list[Pack], list[PackError]]:
    """Validate every pack under `root`; return the good packs and all problems."""
    folders = discover(root)
    if not folders:
        return [], [PackError(root, "", "no pack here (a pack is a folder with pack.yaml)")]
    packs: list[Pack] = []
    errors: list[PackError] = []
    for folder in folders:
        try:
            packs.append(load_pack(folder))
        except PackInvalid as exc:
            errors.extend(exc.errors)
    return packs, errors


# The keys each mapping may hold: anything else is a typo that would otherwise vanish silently.
_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        [
            "id",
            "title",
            "author",
            "outlet",
            "published",
            "published_note",
            "language",
            "preparation",
            "summaries",
            "claims",
            "quotes",
            "counterpoints",
            "prompts",
            "glossary",
        ]
    ),
    "author": frozenset({"name", "affiliation", "bio"}),
    "summaries": frozenset({"tldr", "short", "long"}),
    "claims": frozenset({"id", "text", "paragraphs", "topics"}),
    "quotes": frozenset({"id", "text", "paragraph", "speaker", "topics", "claim"}),
    "counterpoints": frozenset({"id", "claim", "text", "sources"}),
    "sources": frozenset({"title", "publisher", "year", "url", "supports"}),
    "prompts": frozenset({"id", "motion", "kind"}),
    "glossary": frozenset({"term", "text", "aliases"}),
}


class _Reader:
    """Walks pack.yaml collecting every problem rather than stopping at the first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.yaml_path = folder / "pack.yaml"
        self.article_path = folder / "article.md"
        self.errors: list[PackError] = []
        self.drafts: list[str] = []

    def fail(self, where: str, message: str, file: Path | None = None) -> None:
        self.errors.append(PackError(file or self.yaml_path, where, message))

    def known(self, data: dict[str, Any], kind: str, where: str) -> None:
        """Name every key of `data` that a `kind` mapping does not have, with the closest one."""
        allowed = _KEYS[kind]
        for key in data:
            if key in allowed:
                continue
            path = f"{where}.{key}" if where else str(key)
            close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(sorted(allowed))
            )
            self.fail(path, f"is not a known key; {hint}")

    def read(self) -> Pack:
        data = self._load_yaml()
        paragraphs = self._load_article()
        if self.errors:
            raise PackInvalid(self.errors)
        pack = self._build(data, paragraphs)
        if self.errors or pack is None:
            raise PackInvalid(self.errors)
        self._cross_check(pack)
        if self.errors:
            raise PackInvalid(self.errors)
        return replace(pack, drafts=tuple(self.drafts))

    def _load_yaml(self) -> dict[str, Any]:
        try:
            data = safe_yaml.load(self.yaml_path, safe_yaml.PACK_FILE_MAX_BYTES)
        except FileNotFoundError:
            self.fail("", "missing")
            return {}
        except safe_yaml.FileRefused as exc:
            self.fail("", str(exc))
            return {}
        except OSError as exc:
            self.fail("", f"cannot be read ({exc.strerror})")
            return {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            self.fail(where, f"not valid YAML ({getattr(exc, 'problem', exc)})")
            return {}
        if not isinstance(data, dict):
            self.fail("", "must be a mapping of keys such as id, title, claims")
            return {}
        return data

    def _load_article(self) -> tuple[str, ...]:
        try:
            paragraphs = read_article(self.article_path)
        except FileNotFoundError:
            self.fail("", "missing", self.article_path)
            return ()
        except safe_yaml.FileRefused as exc:
            self.fail("", str(exc), self.article_path)
            return ()
        except OSError as exc:
            self.fail("", f"cannot be read ({exc.strerror})", self.article_path)
            return ()
        if not paragraphs:
            self.fail("", "has no paragraphs", self.article_path)
        for number, paragraph in enumerate(paragraphs, 1):
            for pattern in _DEBRIS:
                found = pattern.search(paragraph)
                if found:
                    self.fail(
                        f"paragraph {number}",
                        f"looks like scraper debris ({found.group(0)!r}); remove it",
                        self.article_path,
                    )
        return paragraphs

    # Typed field readers: each records a problem and returns a harmless default.
    def text(self, data: Any, key: str, where: str, limit: int | None = None) -> str:
        value = data.get(key) if isinstance(data, dict) else None
        path = f"{where}.{key}" if where else key
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "must be a non-empty text")
            return ""
        value = value.strip()
        if value.startswith(DRAFT_MARK):
            self.drafts.append(path)
        if limit is not None and len(value) > limit:
            self.fail(path, f"is {len(value)} characters; the limit is {limit}")
        return value

    def optional_text(self, data: Any, key: str, where: str) -> str:
        if isinstance(data, dict) and data.get(key) is None:
            return ""
        return self.text(data, key, where)

    def items(self, data: dict[str, Any], key: str) -> Iterator[tuple[str, dict[str, Any]]]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty list")
            return
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(item, dict):
                self.known(item, key, where)
                yield where, item
            else:
                self.fail(where, "must be a mapping")

    def words(
        self, data: dict[str, Any], key: str, where: str, pattern: re.Pattern[str]
    ) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}.{key}", "must be a list of texts")
            return ()
        for item in value:
            if not pattern.match(item):
                self.fail(
                    f"{where}.{key}", f"{item!r} must be lowercase letters, digits and hyphens"
                )
        return tuple(value)

    def numbers(self, data: dict[str, Any], key: str, where: str) -> tuple[int, ...]:
        value = data.get(key)
        if isinstance(value, str) and value.startswith(DRAFT_MARK):
            self.drafts.append(f"{where}.{key}")
            return ()
        if not isinstance(value, list) or not value or not all(isinstance(v, int) for v in value):
            self.fail(f"{where}.{key}", "must be a non-empty list of paragraph numbers")
            return ()
        return tuple(value)

    def _build(self, data: dict[str, Any], paragraphs: tuple[str, ...]) -> Pack | None:
        pack_id = self.text(data, "id", "")
        if pack_id and not _ID.match(pack_id):
            self.fail("id", "must be lowercase letters, digits and hyphens")
        if pack_id and pack_id != self.folder.name:
            self.fail("id", f"is {pack_id!r} but the folder is named {self.folder.name!r}")
        self.known(data, "", "")
        author = data.get("author")
        if not isinstance(author, dict):
            self.fail("author", "must be a mapping with name (and affiliation, bio)")
            author = {}
        self.known(author, "author", "author")
        summaries = data.get("summaries")
        if not isinstance(summaries, dict):
            self.fail("summaries", "must be a mapping with tldr, short and long")
            summaries = {}
        self.known(summaries, "summaries", "summaries")
        long_summary = self.text(summaries, "long", "summaries", limits.LONG_SUMMARY_MAX)
        if len(long_summary.split()) > limits.LONG_SUMMARY_WORDS:
            self.fail(
                "summaries.long",
                f"is {len(long_summary.split())} words; the limit is {limits.LONG_SUMMARY_WORDS}",
            )
        short_summary = self.text(summaries, "short", "summaries", 1000)
        if count_sentences(short_summary) > 3:
            self.fail("summaries.short", "must be at most 3 sentences")
        preparation = data.get("preparation", {})
        notes: list[tuple[str, str]] = []
        if isinstance(preparation, dict):
            for key, value in preparation.items():
                notes.append((str(key), _describe(value)))
        return Pack(
            id=pack_id,
            title=self.text(data, "title", "", 256),
            author=Author(
                name=self.text(author, "name", "author", 100),
                affiliation=self.optional_text(author, "affiliation", "author"),
                bio=self.optional_text(author, "bio", "author"),
            ),
            outlet=self.text(data, "outlet", "", 100),
            published=self.text(data, "published", "", 100),
            published_note=self.optional_text(data, "published_note", ""),
            preparation=tuple(notes),
            summaries=Summaries(
                tldr=self.text(summaries, "tldr", "summaries", limits.TLDR_MAX),
                short=short_summary,
                long=long_summary,
            ),
            paragraphs=paragraphs,
            claims=tuple(self._claims(data)),
            quotes=tuple(self._quotes(data)),
            counterpoints=tuple(self._counterpoints(data)),
            prompts=tuple(self._prompts(data)),
            glossary=tuple(self._glossary(data)),
            folder=self.folder,
        )

    def _claims(self, data: dict[str, Any]) -> Iterator[Claim]:
        for where, item in self.items(data, "claims"):
            yield Claim(
                id=self.text(item, "id", where),
                text=self.text(item, "text", where, limits.CLAIM_MAX),
                paragraphs=self.numbers(item, "paragraphs", where),
                topics=self.words(item, "topics", where, _TOPIC),
            )

    def _quotes(self, data: dict[str, Any]) -> Iterator[Quote]:
        for where, item in self.items(data, "quotes"):
            paragraph = item.get("paragraph")
            if not isinstance(paragraph, int):
                self.fail(f"{where}.paragraph", "must be a paragraph number")
                paragraph = 0
            claim = item.get("claim")
            yield Quote(
                id=self.text(item, "id", where),
                text=self.text(item, "text", where, limits.QUOTE_MAX),
                paragraph=paragraph,
                speaker=self.text(item, "speaker", where, 100),
                topics=self.words(item, "topics", where, _TOPIC),
                claim=str(claim) if claim is not None else None,
            )

    def _counterpoints(self, data: dict[str, Any]) -> Iterator[Counterpoint]:
        for where, item in self.items(data, "counterpoints"):
            sources: list[Source] = []
            raw_sources = item.get("sources")
            if not isinstance(raw_sources, list) or not raw_sources:
                self.fail(
                    f"{where}.sources", "must list at least one source (title, publisher, year)"
                )
                raw_sources = []
            for index, source in enumerate(raw_sources):
                spot = f"{where}.sources[{index}]"
                if not isinstance(source, dict):
                    self.fail(spot, "must be a mapping with title, publisher, year")
                    continue
                self.known(source, "sources", spot)
                year = source.get("year")
                if isinstance(year, str) and year.startswith(DRAFT_MARK):
                    self.drafts.append(f"{spot}.year")
                    year = 0
                elif not isinstance(year, int) or not 1800 <= year <= 2100:
                    self.fail(f"{spot}.year", "must be a four-digit year")
                    year = 0
                url = source.get("url")
                sources.append(
                    Source(
                        title=self.text(source, "title", spot, limits.SOURCE_TITLE_MAX),
                        publisher=self.text(source, "publisher", spot, 200),
                        year=year,
                        url=str(url) if url else None,
                        supports=self.optional_text(source, "supports", spot) or None,
                    )
                )
            yield Counterpoint(
                id=self.text(item, "id", where),
                claim=str(item.get("claim", "")),
                text=self.text(item, "text", where, limits.COUNTERPOINT_MAX),
                sources=tuple(sources),
            )

    def _prompts(self, data: dict[str, Any]) -> Iterator[Prompt]:
        for where, item in self.items(data, "prompts"):
            kind = item.get("kind")
            if kind not in ("oxford", "question"):
                self.fail(f"{where}.kind", "must be oxford or question")
            yield Prompt(
                id=self.text(item, "id", where),
                motion=self.text(item, "motion", where, limits.MOTION_MAX),
                kind=str(kind),
            )

    def _glossary(self, data: dict[str, Any]) -> Iterator[Term]:
        for where, item in self.items(data, "glossary"):
            aliases = item.get("aliases", [])
            if not isinstance(aliases, list):
                self.fail(f"{where}.aliases", "must be a list of texts")
                aliases = []
            yield Term(
                term=self.text(item, "term", where, 100),
                text=self.text(item, "text", where, limits.TERM_TEXT_MAX),
                aliases=tuple(str(a) for a in aliases),
            )

    def _cross_check(self, pack: Pack) -> None:
        self._unique("claims", [c.id for c in pack.claims], "C")
        self._unique("quotes", [q.id for q in pack.quotes], "Q")
        self._unique("counterpoints", [k.id for k in pack.counterpoints], "K")
        self._unique("prompts", [p.id for p in pack.prompts], "P")
        self._unique("glossary", [t.term for t in pack.glossary], None, field="term")
        claim_ids = {c.id for c in pack.claims}
        count = len(pack.paragraphs)
        normalised = [normalise(p) for p in pack.paragraphs]
        for index, claim in enumerate(pack.claims):
            for number in claim.paragraphs:
                if not 1 <= number <= count:
                    self.fail(
                        f"claims[{index}].paragraphs",
                        f"paragraph {number} does not exist (article.md has {count})",
                    )
            if not pack.counterpoints_for(claim.id):
                self.fail(f"claims[{index}]", f"claim {claim.id} has no counterpoint; add one")
        for index, quote in enumerate(pack.quotes):
            where = f"quotes[{index}]"
            if quote.claim is not None and quote.claim not in claim_ids:
                self.fail(f"{where}.claim", f"{quote.claim!r} is not a claim id")
            if not 1 <= quote.paragraph <= count:
                self.fail(
                    f"{where}.paragraph",
                    f"paragraph {quote.paragraph} does not exist (article.md has {count})",
                )
            elif normalise(quote.text) not in normalised[quote.paragraph - 1]:
                elsewhere = [n for n, p in enumerate(normalised, 1) if normalise(quote.text) in p]
                hint = (
                    f"; it is in paragraph {elsewhere[0]}"
                    if elsewhere
                    else "; quotes must be word for word"
                )
                self.fail(
                    f"{where}.text",
                    f"not found verbatim in paragraph {quote.paragraph} of article.md{hint}",
                )
        for index, counterpoint in enumerate(pack.counterpoints):
            if counterpoint.claim not in claim_ids:
                self.fail(
                    f"counterpoints[{index}].claim", f"{counterpoint.claim!r} is not a claim id"
                )

    def _unique(self, key: str, ids: list[str], prefix: str | None, field: str = "id") -> None:
        # Case-insensitive, as every lookup is (`quote q3`, `explain kcna`).
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id.lower() in seen:
                self.fail(f"{key}[{index}].{field}", f"{item_id!r} is used twice")
            seen.add(item_id.lower())
            if prefix and item_id and not re.fullmatch(rf"{prefix}\d+", item_id):
                self.fail(
                    f"{key}[{index}].{field}",
                    f"{item_id!r} must look like {prefix}1, {prefix}2, ...",
                )


def _describe(value: Any, nested: bool = False) -> str:
    # A preparation note's list items and keys each get a line; deeper levels stay on theirs.
    if isinstance(value, list):
        if nested:
            return "; ".join(_describe(v, True) for v in value)
        return "\n".join(f"• {_describe(v, True)}" for v in value)
    if isinstance(value, dict):
        return ("; " if nested else "\n").join(
            f"{k}: {_describe(v, True)}" for k, v in value.items()
        )
    return str(value)
