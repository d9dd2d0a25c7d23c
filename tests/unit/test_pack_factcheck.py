"""Fact-check of the bundled north-korea-talks pack: what it says is what its sources say."""

from __future__ import annotations

import re

import yaml

from bot.content.loader import BUNDLED, load_pack, normalise
from bot.content.model import Pack

PACK = BUNDLED / "north-korea-talks"


def served_texts(pack: Pack) -> dict[str, str]:
    """Every text of the pack's own writing that the bot serves, by where it is served."""
    texts = {
        "summaries.tldr": pack.summaries.tldr,
        "summaries.short": pack.summaries.short,
        "summaries.long": pack.summaries.long,
    }
    texts.update({c.id: c.text for c in pack.claims})
    texts.update({k.id: k.text for k in pack.counterpoints})
    texts.update({p.id: p.motion for p in pack.prompts})
    texts.update({f"glossary {t.term}": t.text for t in pack.glossary})
    return texts


# Sources that can document what was offered and said at Hanoi (27-28 February 2019) or
# after it; a source published before the summit, or a resolution, cannot.
HANOI_RECORD = ("Hanoi", "11 March 2019", "Chronology of U.S.-North Korean")


def test_every_account_of_hanoi_cites_a_source_on_the_summit() -> None:
    pack = load_pack(PACK)
    for counterpoint in pack.counterpoints:
        if "Hanoi" in counterpoint.text:
            titles = [s.title for s in counterpoint.sources]
            assert any(mark in t for t in titles for mark in HANOI_RECORD), (
                counterpoint.id,
                titles,
            )


def test_north_koreas_hanoi_offer_is_stated_as_its_own_account_gives_it() -> None:
    # Ri Yong-ho's press conference asked for relief from the parts of the five 2016-17
    # resolutions that hamper the civilian economy, not for lifting the resolutions outright.
    for where, text in served_texts(load_pack(PACK)).items():
        if "Hanoi" in text and "2016-17" in text:
            assert "civilian economy" in text, where


def test_biegun_january_flexibility_is_not_shown_without_his_march_line() -> None:
    # 'Simultaneously and in parallel' (31 January 2019) alone overstates U.S. flexibility:
    # on 11 March 2019 Biegun said the U.S. would not denuclearize incrementally.
    pack = load_pack(PACK)
    for counterpoint in pack.counterpoints:
        if "in parallel" in counterpoint.text:
            assert "incrementally" in counterpoint.text, counterpoint.id
            assert any("11 March 2019" in s.title for s in counterpoint.sources), counterpoint.id


# Errata found in the fact-check: (where, what it wrongly said, what it must say now, why).
ERRATA: list[tuple[str, str | None, str, str]] = [
    (
        "K16",
        "tied peace to denuclearization",
        "no order",
        "the Panmunjom Declaration aimed to declare the end of the war in 2018 and set no "
        "order between that and denuclearization",
    ),
    (
        "K19",
        "needs Congress",
        "suspend",
        "the 2016 sanctions act lets the president suspend its sanctions for up to a year by "
        "certification; ending them takes certifying far larger steps",
    ),
    ("C8", "only by", "can avoid", "the article says Trump 'can avoid' the missteps, not 'only'"),
    ("C4", "every time", "time and again", "the article says 'time and time again'"),
    (
        "summaries.tldr",
        None,
        "both sides",
        "the article calls both states' positions unrealistic and maximalist (paragraph 5)",
    ),
    ("C7", "would benefit", "could", "the article says Pyongyang 'could be transformed over time'"),
    (
        "C3",
        "without a realistic reassessment",
        "Trump administration",
        "paragraph 8 asks the Trump administration, not both sides, to reassess",
    ),
    (
        "K2",
        "personal channel between Trump and Kim produced",
        "disputed",
        "the April 2018 test halt came before Trump and Kim met, through Seoul's mediation, and "
        "Kim said the tests were no longer needed",
    ),
    (
        "K3",
        "U.S. government analysts describe",
        "critical to regime survival",
        "U.S. intelligence's own January 2019 reading is the survival one; the objection must "
        "concede it rather than claim the analysts for itself",
    ),
    ("K5", None, "not the order of steps", "the UN resolutions fix the end state, not a sequence"),
    (
        "K7",
        "largely because of North Korean conduct",
        "others fault",
        "who broke the phased deals is disputed; many analysts also fault U.S. delays",
    ),
    ("K7", "a moratorium on tests and enrichment", "at Yongbyon", "the 2012 moratorium terms"),
    (
        "K8",
        "built unnoticed",
        "after inspectors were expelled in 2009",
        "the 2010 centrifuge hall was built after the IAEA left; nothing says it went unnoticed",
    ),
    (
        "K12",
        "debate grows in South Korea and Japan",
        "disputed",
        "no cited source documents the allies' debate; the proliferation chain is a forecast",
    ),
    (
        "K13",
        "reported collaboration with Syria and Iran",
        "Syria build the reactor",
        "U.S. intelligence documented help with Syria's reactor; with Iran the documented "
        "cooperation is on missiles",
    ),
    ("K14", None, "differ", "South Africa and the Soviet successor states are unlike North Korea"),
    (
        "K15",
        "Pyongyang has long argued",
        "disputed",
        "the cited sources do not document Pyongyang's argument; the risk is the critics' fear",
    ),
    (
        "K17",
        "decades of provocations followed",
        "Cheonan",
        "state the provocation the cited source documents",
    ),
    ("K18", None, "argue", "that summitry caused the stall is a judgement, not a fact"),
    (
        "glossary Singapore summit",
        "committed the two sides to new relations, a lasting and stable peace regime, work",
        "North Korea committed",
        "in the statement it is the DPRK that commits to work toward complete denuclearization",
    ),
    (
        "glossary UN Security Council sanctions resolutions",
        None,
        "1695",
        "Resolution 1695 (July 2006, on missile launches) came before 1718",
    ),
    (
        "glossary Maximum pressure",
        "open military threats",
        "fire and fury",
        "name the threat rather than characterise it",
    ),
    (
        "glossary Stephen Biegun",
        "names him among negotiators who could not",
        "argues",
        "that no negotiator could overcome the gap is the article's argument, not a fact",
    ),
    (
        "summaries.long",
        "no diplomat can",
        "can do little",
        "paragraph 4: even the most gifted diplomats 'can only do so much'",
    ),
    (
        "summaries.long",
        "conventional and nuclear deterrent",
        "conventional and strategic",
        "paragraph 13 says 'conventional and strategic deterrence power'",
    ),
    (
        "K1",
        "first met his new North Korean counterparts",
        "began only in January 2019",
        "Biegun was in Pyongyang with Pompeo in October 2018; working-level talks began in 2019",
    ),
]


def test_errata_stay_corrected() -> None:
    texts = served_texts(load_pack(PACK))
    for where, wrong, right, why in ERRATA:
        assert wrong is None or wrong not in texts[where], (where, why)
        assert right in texts[where], (where, why)


def test_only_the_authors_own_words_are_tagged_as_support_for_his_claims() -> None:
    # `counterpoint <claim>` shows a claim's first tagged quote as the author's support for
    # it; Kwon Jong-gun's demand for a new negotiator argues against C1, not for it.
    pack = load_pack(PACK)
    for quote in pack.quotes:
        if quote.claim is not None:
            assert quote.speaker.startswith(pack.author.name), quote.id


# Quotes in which the author describes a position he attacks, not his own view.
DESCRIBED_POSITIONS = {"Q15": "the U.S. position he opposes"}


def test_a_position_the_author_describes_is_not_shown_as_his_view() -> None:
    pack = load_pack(PACK)
    for quote_id, position in DESCRIBED_POSITIONS.items():
        quote = pack.quote(quote_id)
        assert quote is not None
        assert quote.speaker == f"{pack.author.name}, describing {position}", quote.speaker


def test_no_text_borrows_the_dropped_version_of_the_last_sentence() -> None:
    # The pack keeps 'permanent Washington, including some of his advisors like Bolton';
    # wording found only in the dropped run-together version is not the article's.
    pack = load_pack(PACK)
    raw = yaml.safe_load((PACK / "pack.yaml").read_text(encoding="utf-8"))
    dropped = raw["preparation"]["duplicate_sentence"]["dropped"]

    def words(text: str) -> list[str]:
        folded = normalise(text).lower().replace("adviser", "advisor")
        return re.findall(r"[a-z']+", folded)

    article = " ".join(words(" ".join(pack.paragraphs)))
    dropped_words = words(dropped)
    only_dropped = {
        " ".join(dropped_words[i : i + 3])
        for i in range(len(dropped_words) - 2)
        if " ".join(dropped_words[i : i + 3]) not in article
    }
    for where, text in served_texts(pack).items():
        mine = " ".join(words(text))
        assert not [g for g in only_dropped if g in mine], where


# Documents a counterpoint relies on and must cite: (where, title fragment, why).
CITATIONS: list[tuple[str, str, str]] = [
    ("K2", "Chronology of U.S.-North Korean", "the 2018 test halt and the May 2018 attacks"),
    ("K3", "Worldwide Threat Assessment", "U.S. intelligence's survival assessment"),
    ("K3", "Cheonan", "the investigation into the sinking of the Cheonan"),
    ("K5", "Resolution 2397", "the requirement repeated unanimously up to 2017"),
    ("K7", "Chronology of U.S.-North Korean", "how the phased deals broke down"),
    ("K10", "Resolution 2371", "the 2017 bans on coal, iron and seafood"),
    ("K10", "Resolution 2375", "the 2017 ban on textiles"),
    ("K10", "Resolution 2397", "the 500,000-barrel cap and the recall of workers"),
    ("K13", "Syria's Covert Nuclear Reactor", "the U.S. account of help with Syria's reactor"),
    ("K13", "Iran-North Korea-Syria", "missile cooperation with Iran"),
    ("K14", "Who Has What", "South Africa, Ukraine, Belarus and Kazakhstan giving up weapons"),
    ("K17", "Cheonan", "the provocation it names"),
]


def test_each_counterpoint_cites_the_documents_it_relies_on() -> None:
    pack = load_pack(PACK)
    by_id = {k.id: k for k in pack.counterpoints}
    for where, fragment, why in CITATIONS:
        titles = [s.title for s in by_id[where].sources]
        assert any(fragment in t for t in titles), (where, why, titles)


# Agreements the counterpoints rest on, each of which `explain` should answer.
AGREEMENTS = (
    "Agreed Framework",
    "Six-Party Talks",
    "Leap Day deal",
    "Panmunjom Declaration",
    "Singapore summit",
    "Hanoi summit",
)


def test_agreements_the_counterpoints_rest_on_are_in_the_glossary() -> None:
    pack = load_pack(PACK)
    names = {t.term.lower() for t in pack.glossary}
    names |= {a.lower() for t in pack.glossary for a in t.aliases}
    for agreement in AGREEMENTS:
        assert agreement.lower() in names, agreement


# Where the article's case turns on Pyongyang, an objection must say what it asks of it.
ASKS_OF_PYONGYANG = {
    "C3": "what North Korea should give",  # calls both sides maximalist, asks one to move
    "C7": "asks nothing specific of Pyongyang",  # peace now, nothing in return
}


def test_objections_say_what_the_article_asks_of_pyongyang() -> None:
    pack = load_pack(PACK)
    for claim_id, objection in ASKS_OF_PYONGYANG.items():
        texts = [k.text for k in pack.counterpoints_for(claim_id)]
        assert any(objection in t for t in texts), claim_id


def test_every_source_records_what_it_supports() -> None:
    # The loader ignores `supports`, so the raw YAML is read: it is the fact-check record.
    raw = yaml.safe_load((PACK / "pack.yaml").read_text(encoding="utf-8"))
    seen: dict[str, tuple[str, int]] = {}
    for counterpoint in raw["counterpoints"]:
        for source in counterpoint["sources"]:
            where = (counterpoint["id"], source["title"])
            supports = source.get("supports")
            assert isinstance(supports, str) and supports.strip(), where
            # One document, one citation: the same title never carries another publisher or year.
            cited = (source["publisher"], source["year"])
            assert seen.setdefault(source["title"], cited) == cited, where
