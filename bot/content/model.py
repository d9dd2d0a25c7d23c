"""The frozen model of one content pack."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    bio: str = ""


@dataclass(frozen=True)
class Summaries:
    tldr: str
    short: str
    long: str

    def get(self, length: str) -> str:
        return {"tldr": self.tldr, "short": self.short, "long": self.long}[length]


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    paragraphs: tuple[int, ...]
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    id: str
    text: str
    paragraph: int
    speaker: str
    topics: tuple[str, ...]
    claim: str | None


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: int
    url: str | None = None
    supports: str | None = None  # what the source documents, for an editor checking the pack

    def cite(self) -> str:
        return f"{self.title}. {self.publisher}, {self.year}."


@dataclass(frozen=True)
class Counterpoint:
    id: str
    claim: str
    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Prompt:
    id: str
    motion: str
    kind: str  # "oxford" or "question"


@dataclass(frozen=True)
class Term:
    term: str
    text: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    """One op-ed and everything the bot serves from it."""

    id: str
    title: str
    author: Author
    outlet: str
    published: str
    published_note: str
    preparation: tuple[tuple[str, str], ...]  # (heading, text) pairs, for `source`
    summaries: Summaries
    paragraphs: tuple[str, ...]
    claims: tuple[Claim, ...]
    quotes: tuple[Quote, ...]
    counterpoints: tuple[Counterpoint, ...]
    prompts: tuple[Prompt, ...]
    glossary: tuple[Term, ...]
    folder: Path
    # Paths of fields still holding a `DRAFT:` placeholder; a draft is served only where chosen
    # by hand (`console --pack`), never by `admin pack use`.
    drafts: tuple[str, ...] = ()

    @property
    def is_draft(self) -> bool:
        return bool(self.drafts)

    def claim(self, claim_id: str) -> Claim | None:
        return next((c for c in self.claims if c.id.lower() == claim_id.lower()), None)

    def quote(self, quote_id: str) -> Quote | None:
        return next((q for q in self.quotes if q.id.lower() == quote_id.lower()), None)

    def prompt(self, prompt_id: str) -> Prompt | None:
        return next((p for p in self.prompts if p.id.lower() == prompt_id.lower()), None)

    def counterpoints_for(self, claim_id: str) -> tuple[Counterpoint, ...]:
        return tuple(k for k in self.counterpoints if k.claim == claim_id)

    def quotes_for(self, claim_id: str) -> tuple[Quote, ...]:
        return tuple(q for q in self.quotes if q.claim == claim_id)

    def quote_topics(self) -> list[str]:
        """Topics `quote <topic>` answers, sorted."""
        return sorted({t for q in self.quotes for t in q.topics})

    def claim_topics(self) -> list[str]:
        """Topics `counterpoint <topic>` answers, sorted."""
        return sorted({t for c in self.claims for t in c.topics})

    def byline(self) -> str:
        return f"{self.author.name}, {self.outlet}, {self.published}"
