"""Reading commands: summaries, quotes, claims, counterpoints, glossary and the source."""

from __future__ import annotations

from bot.catalogue import Args, Command, Option
from bot.completion import Choice, Completer, rank
from bot.content.model import Claim, Counterpoint, Pack, Quote
from bot.content.search import search
from bot.context import Context
from bot.errors import NotFound, UsageError
from bot.replies import Card, Field, Reply


def quote_card(quote: Quote) -> Card:
    """A quote with its speaker, paragraph and id."""
    return Card(
        "quote",
        quote.text,
        footer=f"{quote.speaker} · paragraph {quote.paragraph} · {quote.id}",
    )


def claim_card(pack: Pack, claim: Claim) -> Card:
    paragraphs = ", ".join(str(n) for n in claim.paragraphs)
    count = len(pack.counterpoints_for(claim.id))
    return Card(
        "claim",
        claim.text,
        title=f"Claim {claim.id}",
        footer=f"Paragraphs {paragraphs} · {count} counterpoints: counterpoint {claim.id}",
    )


def counterpoint_card(counterpoint: Counterpoint) -> Card:
    sources = "\n".join(f"• {source.cite()}" for source in counterpoint.sources)
    return Card(
        "counterpoint",
        counterpoint.text,
        title=f"Counterpoint {counterpoint.id} (to {counterpoint.claim})",
        fields=(Field("Sources", sources),),
    )


async def summary(ctx: Context, args: Args) -> Reply:
    length = args.text("length") or "short"
    pack = ctx.pack
    return Reply(
        (
            Card(
                "text",
                pack.summaries.get(length),
                title=f"{pack.title} ({length} summary)",
                footer=pack.byline(),
            ),
        )
    )


async def quote(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    asked = args.text("query")
    if asked is None:
        return Reply((quote_card(ctx.services.rng.choice(pack.quotes)),))
    found = pack.quote(asked)
    if found is not None:
        return Reply((quote_card(found),))
    topic = asked.lower().replace(" ", "-")
    on_topic = [q for q in pack.quotes if topic in q.topics]
    if on_topic:
        return Reply((quote_card(ctx.services.rng.choice(on_topic)),))
    raise NotFound(
        "quote id or topic",
        asked,
        [q.id for q in pack.quotes] + pack.quote_topics(),
        f"Topics: {', '.join(pack.quote_topics())}. To search the text: `quote search {asked}`.",
    )


async def quote_search(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    words = args.text("words") or ""
    hits = search(pack, words)
    if not hits:
        raise UsageError(
            f"Nothing in the article matches `{words}`. Try other words, or a topic: "
            + ", ".join(pack.quote_topics())
        )
    cards = []
    for hit in hits:
        if hit.quote is not None:
            cards.append(quote_card(hit.quote))
        else:
            cards.append(
                Card("quote", hit.text, footer=f"{pack.author.name} · paragraph {hit.paragraph}")
            )
    header = Card("text", f"{len(hits)} best matches for “{words}”, best first.", title="Search")
    return Reply((header, *cards))


async def claims(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    fields = tuple(
        Field(
            claim.id,
            f"{claim.text}\n(paragraphs {', '.join(map(str, claim.paragraphs))})",
        )
        for claim in pack.claims
    )
    return Reply(
        (
            Card(
                "claim",
                f"The main arguments of “{pack.title}”. "
                "Ask for the other side with `counterpoint <claim-id>`.",
                title="Claims",
                fields=fields,
                footer=pack.byline(),
            ),
        )
    )


async def counterpoint(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    asked = args.text("query")
    rng = ctx.services.rng
    if asked is None:
        chosen = [rng.choice(pack.counterpoints)]
    elif (claim := pack.claim(asked)) is not None:
        chosen = list(pack.counterpoints_for(claim.id))
    elif single := next((k for k in pack.counterpoints if k.id.lower() == asked.lower()), None):
        chosen = [single]
    else:
        topic = asked.lower().replace(" ", "-")
        on_topic = [c for c in pack.claims if topic in c.topics]
        if not on_topic:
            raise NotFound(
                "claim id or topic",
                asked,
                [c.id for c in pack.claims] + pack.claim_topics(),
                "Type `claims` to list the claims.",
            )
        chosen = [rng.choice(pack.counterpoints_for(rng.choice(on_topic).id))]
    claim = pack.claim(chosen[0].claim)
    assert claim is not None  # the loader checked every reference
    cards = [claim_card(pack, claim)]
    supporting = pack.quotes_for(claim.id)
    if supporting:
        cards.append(quote_card(supporting[0]))
    cards.extend(counterpoint_card(k) for k in chosen)
    return Reply(tuple(cards))


async def explain(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    asked = (args.text("term") or "").strip()
    lowered = asked.lower()
    for term in pack.glossary:
        if lowered == term.term.lower() or lowered in (a.lower() for a in term.aliases):
            also = f"Also: {', '.join(term.aliases)}" if term.aliases else None
            return Reply((Card("text", term.text, title=term.term, footer=also),))
    names = [t.term for t in pack.glossary] + [a for t in pack.glossary for a in t.aliases]
    raise NotFound(
        "glossary term",
        asked,
        names,
        "Type `explain` with one of: " + ", ".join(t.term for t in pack.glossary),
    )


async def source(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    details = args.flag("details")
    fields = [
        Field(
            "Author",
            f"{pack.author.name}"
            + (f", {pack.author.affiliation}" if pack.author.affiliation else ""),
            True,
        ),
        Field("Outlet", pack.outlet, True),
        Field("Published", pack.published, True),
    ]
    if pack.published_note:
        fields.append(Field("How the date is known", pack.published_note))
    if details:
        for heading, note in pack.preparation:
            name = f"Preparation: {heading.replace('_', ' ')}"
            for index, piece in enumerate(_pieces(note, NOTE_MAX)):
                fields.append(Field(name if index == 0 else f"{name} (continued)", piece))
    fields.append(
        Field(
            "This pack",
            f"{pack.id}: {len(pack.paragraphs)} paragraphs, {len(pack.claims)} claims, "
            f"{len(pack.quotes)} quotes, {len(pack.counterpoints)} counterpoints, "
            f"{len(pack.prompts)} prompts, {len(pack.glossary)} glossary terms",
        )
    )
    footer = None
    if pack.preparation and not details:
        footer = "How the text was prepared from the original page: source --details"
    card = Card("text", pack.author.bio, title=pack.title, fields=tuple(fields), footer=footer)
    return Reply((card,))


# The smallest card field holds 1024 characters; longer notes go on in further fields, whole.
NOTE_MAX = 1000


def _pieces(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut between lines, else between words."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces, current = _flush(pieces, current), ""
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        if current and len(current) + 1 + len(line) > limit:
            pieces, current = _flush(pieces, current), ""
        current = f"{current}\n{line}" if current else line
    return _flush(pieces, current)


def _flush(pieces: list[str], current: str) -> list[str]:
    return [*pieces, current] if current else pieces


async def prompts(ctx: Context, args: Args) -> Reply:
    pack = ctx.pack
    motions = [p for p in pack.prompts if p.kind == "oxford"]
    questions = [p for p in pack.prompts if p.kind != "oxford"]
    cards = []
    if motions:
        cards.append(
            Card(
                "text",
                "Motions for an Oxford-style debate: a moderator opens one with "
                f"`debate start {motions[0].id}`.",
                title=f"Debate motions ({len(motions)})",
                fields=tuple(Field(p.id, p.motion) for p in motions),
            )
        )
    if questions:
        cards.append(
            Card(
                "text",
                "Questions for an open discussion.",
                title=f"Discussion questions ({len(questions)})",
                fields=tuple(Field(p.id, p.motion) for p in questions),
                footer=pack.title,
            )
        )
    return Reply(tuple(cards))


async def _topics_and_quotes(ctx: Context, typed: str) -> list[Choice]:
    pack = ctx.pack
    choices = [Choice(f"topic: {t}", t) for t in pack.quote_topics()]
    choices += [Choice(f"{q.id}: {q.text}"[:100], q.id) for q in pack.quotes]
    return rank(typed, choices)


async def _claims_and_topics(ctx: Context, typed: str) -> list[Choice]:
    pack = ctx.pack
    choices = [Choice(f"{c.id}: {c.text}"[:100], c.id) for c in pack.claims]
    choices += [Choice(f"topic: {t}", t) for t in pack.claim_topics()]
    return rank(typed, choices)


async def _terms(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(t.term, t.term) for t in ctx.pack.glossary])


async def _prompts(ctx: Context, typed: str) -> list[Choice]:
    return rank(typed, [Choice(f"{p.id}: {p.motion}"[:100], p.id) for p in ctx.pack.prompts])


COMPLETERS: dict[str, Completer] = {
    "quotes": _topics_and_quotes,
    "claims": _claims_and_topics,
    "terms": _terms,
    "prompts": _prompts,
}

COMMANDS = [
    Command(
        ("summary",),
        "Summarise the op-ed: tldr, short or long.",
        summary,
        (Option("length", "choice", "How long", choices=("tldr", "short", "long")),),
        examples=("summary", "summary long"),
    ),
    Command(
        ("quote",),
        "A verbatim quote: at random, by id (Q3) or by topic (sanctions).",
        quote,
        (Option("query", "words", "A quote id or a topic", autocomplete="quotes", max_length=100),),
        examples=("quote", "quote Q3", "quote sanctions"),
        leaf_path=("quote", "get"),
    ),
    Command(
        ("quote", "search"),
        "Search the article's quotes and paragraphs, best matches first.",
        quote_search,
        (Option("words", "words", "Words to look for", required=True, max_length=200),),
        examples=("quote search regime change",),
    ),
    Command(("claims",), "List the article's main claims.", claims),
    Command(
        ("counterpoint",),
        "The other side of a claim, with sources: at random, by claim id (C1) or by topic.",
        counterpoint,
        (Option("query", "words", "A claim id or a topic", autocomplete="claims", max_length=100),),
        examples=("counterpoint", "counterpoint C1", "counterpoint sanctions"),
    ),
    Command(
        ("explain",),
        "Explain a term from the article (KCNA, CVID, Yongbyon...).",
        explain,
        (Option("term", "words", "The term", required=True, autocomplete="terms", max_length=100),),
        examples=("explain CVID",),
    ),
    Command(
        ("prompts",),
        "The pack's debate motions and discussion questions, by id (P1...).",
        prompts,
        examples=("prompts",),
    ),
    Command(
        ("source",),
        "Where the article comes from; --details adds how its text was prepared.",
        source,
        (
            Option(
                "details",
                "flag",
                "Also show how the text was prepared from the original page",
                positional=False,
            ),
        ),
        examples=("source", "source --details"),
    ),
]
