"""`content new`: an article's text in, a clean article.md and a draft pack.yaml out.

The real seed (the scraped page the shipped pack was prepared from) is the main input: the draft
must give exactly the shipped paragraphs, and its report must name every piece of debris the
shipped pack's preparation notes name. Articles of other shapes are written out below.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.clean import Cleaned, clean
from bot.content.loader import BUNDLED, load_pack

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / ".." / "shared" / "seed" / "oped-article.txt"
SHIPPED = BUNDLED / "north-korea-talks"


def seed_text() -> str:
    if not SEED.is_file():
        pytest.fail(
            f"the seed article is missing: expected {SEED.resolve()} (the shared/ folder beside "
            "the repository). These tests check `content new` against it and cannot run without it."
        )
    return SEED.read_text(encoding="utf-8")


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SHIPPED / "pack.yaml").read_text(encoding="utf-8"))
    return data


def new(tmp_path: Path, text: str, pack_id: str = "drafted") -> tuple[Path, dict[str, Any]]:
    source = tmp_path / "article.txt"
    source.write_text(text, encoding="utf-8")
    assert main(["content", "new", str(source), "--id", pack_id, "--out", str(tmp_path)]) == 0
    folder = tmp_path / pack_id
    return folder, yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))


def blocks(path: Path) -> list[str]:
    """article.md's paragraphs exactly as written: no whitespace folded."""
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")


def words(text: str) -> Counter[str]:
    # A run-together "approachTrump" counts as its two words, on both sides of the comparison.
    return Counter(re.findall(r"\w+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)))


def assert_every_word_accounted_for(text: str, cleaned: Cleaned) -> None:
    """Every word of the input is in the article or in a reported removal; nothing is added."""
    out = words("\n".join(cleaned.paragraphs))
    for removal in cleaned.removed:
        out += words(removal.text)
    for duplicate in cleaned.duplicates:
        out += words(duplicate.dropped)
    assert out == words(text)


# The seed -------------------------------------------------------------------------------------


def test_the_seed_gives_exactly_the_shipped_paragraphs(tmp_path: Path) -> None:
    folder, _ = new(tmp_path, seed_text(), "nk-draft")
    assert blocks(folder / "article.md") == blocks(SHIPPED / "article.md")
    assert (folder / "article.md").read_text(encoding="utf-8") == (
        SHIPPED / "article.md"
    ).read_text(encoding="utf-8")
    assert_every_word_accounted_for(seed_text(), clean(seed_text()))


# Notes of the shipped pack that quote nothing name what was moved into one of its fields.
MOVED = {
    "headline": lambda pack: ["headline", f'"{pack["title"]}"'],
    "author bio": lambda pack: ["author bio line", f'"{pack["author"]["bio"]}"'],
    "run-together": lambda pack: [
        "run-together",
        f'dropped "{pack["preparation"]["duplicate_sentence"]["dropped"]}"',
    ],
    "{mosads}": lambda pack: ['ad marker "{mosads}"', "paragraph 3"],
}


def expected_mentions(note: str, pack: dict[str, Any]) -> list[str]:
    """What a draft report line must hold to name the same debris as one shipped note."""
    for key, mentions in MOVED.items():
        if key in note:
            return mentions(pack)
    quoted = re.findall(r'"([^"]+)"', note)
    assert quoted, f"a shipped note this test does not understand: {note}"
    kind = re.sub(r'\(?"[^"]+"\)?|\btrailing\b', "", note).strip().removesuffix("s")
    parts = " ... ".join(quoted).split(" ... ")
    return [kind, f'"{parts[0]}', f'{parts[-1]}"', *parts]


def test_the_report_names_every_piece_of_debris_the_shipped_notes_name(tmp_path: Path) -> None:
    _, draft = new(tmp_path, seed_text(), "nk-draft")
    pack = shipped()
    report: list[str] = draft["preparation"]["removed"]
    notes: list[str] = pack["preparation"]["removed"]
    unmatched = list(report)
    for note in notes:
        mentions = expected_mentions(note, pack)
        line = next((r for r in unmatched if all(m in r for m in mentions)), None)
        assert line is not None, f"no report line for {note!r}: needs {mentions} in {unmatched}"
        unmatched.remove(line)
    assert unmatched == []  # and it removed nothing the shipped notes do not name
    duplicate = draft["preparation"]["duplicate_sentences"][0]
    assert duplicate["kept"] == pack["preparation"]["duplicate_sentence"]["kept"]
    assert duplicate["dropped"] == pack["preparation"]["duplicate_sentence"]["dropped"]


def test_the_report_names_the_spacing_fixes_the_shipped_notes_name(tmp_path: Path) -> None:
    _, draft = new(tmp_path, seed_text(), "nk-draft")
    fixes = "\n".join(draft["preparation"]["fixes"])
    shipped_fixes = "\n".join(shipped()["preparation"]["fixes"])
    assert "paragraphs 4, 6, 9 and 15" in shipped_fixes
    assert "no-break space (U+00A0) before an em dash" in fixes
    assert "paragraphs 4, 6, 9 and 15" in fixes
    [comma] = re.findall(r'\("unrealistic[^)]*"\)', shipped_fixes)
    assert "in paragraph 5 " + comma in fixes


def test_the_seed_draft_guesses_what_the_page_gives(tmp_path: Path) -> None:
    _, draft = new(tmp_path, seed_text(), "nk-draft")
    pack = shipped()
    assert draft["title"] == pack["title"]
    assert draft["author"] == pack["author"]
    assert draft["outlet"] == pack["outlet"]
    assert draft["published"].startswith("DRAFT:")  # the page has no dateline


def test_the_draft_loads_offers_verbatim_candidates_and_is_still_a_draft(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, data = new(tmp_path, seed_text(), "nk-draft")
    out = capsys.readouterr().out
    assert "Removed:" in out and 'navigation link "See All"' in out
    pack = load_pack(folder)  # the loader checks every quote is verbatim in its paragraph
    assert len(pack.quotes) >= 5
    assert all(q.text in pack.paragraphs[q.paragraph - 1] for q in pack.quotes)
    assert "KCNA" in [t.term for t in pack.glossary]
    assert {p.kind for p in pack.prompts} == {"oxford", "question"}
    for where in ("summaries.tldr", "claims[0].text", "counterpoints[0].text", "prompts[0].motion"):
        assert where in pack.drafts
    assert data["summaries"]["tldr"].startswith("DRAFT:")
    assert main(["content", "check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'pack.yaml'}: claims[0].paragraphs: still a draft" in err
    assert f"draft nk-draft: {len(pack.drafts)} fields still to fill in" in err


def test_the_draft_runs_in_the_console(tmp_path: Path) -> None:
    folder, _ = new(tmp_path, seed_text(), "nk-draft")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "OPED_"))}
    env["OPED_BOT_DB"] = str(tmp_path / "bot.sqlite3")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--pack", str(folder)],
        input="summary\nquote Q1\nexplain KCNA\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "US-North Korea diplomacy stalled" in result.stdout
    assert "Can a negotiation between two adversarial governments survive" in result.stdout
    assert "DRAFT: what KCNA is" in result.stdout


# Other shapes ---------------------------------------------------------------------------------

CLEAN_ARTICLE = (
    "Cities have spent a century building parking nobody pays for. The cost hides in rents, "
    "in taxes and in the shape of every street.\n\n"
    "A modest charge at the kerb would change that. Drivers who value a space most would pay "
    "for it, and everyone else would stop subsidising them.\n\n"
    "Critics say the poor would suffer. But the poorest households own the fewest cars, so "
    "they gain the most when the subsidy ends.\n"
)


def test_an_article_with_no_debris_is_kept_as_it_is(tmp_path: Path) -> None:
    folder, data = new(tmp_path, CLEAN_ARTICLE)
    assert blocks(folder / "article.md") == CLEAN_ARTICLE.rstrip("\n").split("\n\n")
    assert data["preparation"]["removed"] == ["nothing: the text had no page debris"]
    assert "duplicate_sentences" not in data["preparation"]
    assert len(data["preparation"]["fixes"]) == 1  # only the note that nothing else changed
    for field in ("title", "outlet", "published"):
        assert data[field].startswith("DRAFT:"), field
    assert data["author"]["name"].startswith("DRAFT:")
    assert load_pack(folder).is_draft


OTHER_DEBRIS = """Opinion: Cities should charge for parking
By Jane Q. Public
March 3, 2024

Advertisement

Cities have spent a century building parking nobody pays for. [ad] The cost hides in rents.

A modest charge at the kerb would change that , and quickly.

A modest charge at the kerb would change that , and quickly.

Story continues below advertisement

Critics say the poor would suffer.But the poorest households own the fewest cars.

Share this article
Read more
Sign up for our newsletter to get the latest updates.
© 2024 The Daily Example. All rights reserved.
"""


def test_other_debris_patterns_are_removed_and_reported(tmp_path: Path) -> None:
    folder, data = new(tmp_path, OTHER_DEBRIS)
    assert blocks(folder / "article.md") == [
        "Cities have spent a century building parking nobody pays for. The cost hides in rents.",
        "A modest charge at the kerb would change that, and quickly.",
        "Critics say the poor would suffer.But the poorest households own the fewest cars.",
    ]
    assert data["title"] == "Opinion: Cities should charge for parking"
    assert data["author"]["name"] == "Jane Q. Public"
    assert data["published"] == "March 3, 2024"
    assert data["outlet"] == "The Daily Example"
    removed = "\n".join(data["preparation"]["removed"])
    for line in (
        'headline "Opinion: Cities should charge for parking" on line 1',
        'byline "By Jane Q. Public" on line 2 (moved verbatim to pack.yaml author.name)',
        'dateline "March 3, 2024" on line 3',
        'advertisement label "Advertisement" on line 5',
        'ad marker "[ad]" inside paragraph 1',
        "repeated paragraph",
        'advertisement label "Story continues below advertisement" on line 13',
        'navigation link "Share this article" on line 17',
        'navigation link "Read more" on line 18',
        'newsletter prompt "Sign up for our newsletter to get the latest updates." on line 19',
        'copyright line "© 2024 The Daily Example. All rights reserved." on line 20',
    ):
        assert line in removed, line
    assert "(a copy of paragraph 2)" in removed
    assert 'in paragraph 2 ("that , and" -> "that, and")' in "\n".join(data["preparation"]["fixes"])
    assert_every_word_accounted_for(OTHER_DEBRIS, clean(OTHER_DEBRIS))


def test_two_complete_run_together_sentences_that_differ_are_left_alone(tmp_path: Path) -> None:
    # "suffer.But" is two different sentences, not two versions of one: nothing is dropped.
    assert clean(OTHER_DEBRIS).duplicates == ()


SINGLE = (
    "Four-day weeks work: in every trial so far, output held steady while sick days fell, and "
    "the firms that tried it mostly kept it."
)


def test_a_single_paragraph_is_an_article_not_a_headline(tmp_path: Path) -> None:
    folder, data = new(tmp_path, SINGLE)
    assert blocks(folder / "article.md") == [SINGLE]
    assert data["title"].startswith("DRAFT:")
    assert data["quotes"][0]["text"] == SINGLE and data["quotes"][0]["paragraph"] == 1
    assert load_pack(folder).paragraphs == (SINGLE,)


def test_one_paragraph_per_line_and_wrapped_paragraphs(tmp_path: Path) -> None:
    lines = CLEAN_ARTICLE.replace("\n\n", "\n")
    folder, _ = new(tmp_path, lines, "per-line")
    assert blocks(folder / "article.md") == CLEAN_ARTICLE.rstrip("\n").split("\n\n")
    wrapped = CLEAN_ARTICLE.replace("The cost hides", "The cost\nhides")
    folder, data = new(tmp_path, wrapped, "wrapped")
    assert blocks(folder / "article.md") == CLEAN_ARTICLE.rstrip("\n").split("\n\n")
    assert any("Joined 1 line break" in fix for fix in data["preparation"]["fixes"])


# Refusals: each names what to change, and nothing is written ----------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "Bad Id"], "--id 'Bad Id': a pack id is 1 to 49 lowercase letters"),
        (["--id", "taken"], "already exists; choose another --id or --out"),
    ],
)
def test_refusals_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "taken").mkdir()
    source = tmp_path / "article.txt"
    source.write_text(CLEAN_ARTICLE, encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    assert main(["content", "new", str(source), *args, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(tmp_path.rglob("*")) == before


def test_missing_or_empty_article_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "packs"
    assert main(["content", "new", str(tmp_path / "nope.txt"), "--id", "x", "--out", str(out)]) == 2
    assert "nope.txt does not exist" in capsys.readouterr().err
    debris = tmp_path / "debris.txt"
    debris.write_text("See All\n\nLoad more\n", encoding="utf-8")
    assert main(["content", "new", str(debris), "--id", "x", "--out", str(out)]) == 2
    assert "no article text is left" in capsys.readouterr().err
    assert not out.exists()


def test_a_draft_the_loader_would_refuse_is_refused_with_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The loader takes a paragraph opening with "Tags " for scraper debris; the cleaner keeps
    # it (it is a sentence), so the draft cannot load: say why, and write nothing.
    text = CLEAN_ARTICLE + "\nTags are a poor way to sort ideas, and readers know it.\n"
    source = tmp_path / "article.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "packs"
    assert main(["content", "new", str(source), "--id", "tagged", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Nothing drafted: the draft would not load" in err
    assert "article.md: paragraph 4: looks like scraper debris ('Tags ')" in err
    assert list(out.iterdir()) == []


def test_an_unreadable_article_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "packs"
    assert main(["content", "new", str(tmp_path), "--id", "x", "--out", str(out)]) == 2
    assert f"Nothing drafted: {tmp_path} cannot be read" in capsys.readouterr().err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 society.".encode("latin-1"))
    assert main(["content", "new", str(latin), "--id", "x", "--out", str(out)]) == 2
    assert "is not UTF-8 text; save it as UTF-8" in capsys.readouterr().err
    assert not out.exists()


def test_each_of_several_run_together_versions_in_a_paragraph_is_undone() -> None:
    text = (
        "The McDonald plan would cut fares for every family in the cityThe McDonald plan would "
        "cut fares for every family in town. Buses would run all night, paid for by parking "
        "feesBuses would run all night, paid for by parking fees and a small levy."
    )
    cleaned = clean(text)
    assert cleaned.paragraphs == (
        "The McDonald plan would cut fares for every family in town. Buses would run all night, "
        "paid for by parking fees and a small levy.",
    )
    assert [d.dropped for d in cleaned.duplicates] == [
        "Buses would run all night, paid for by parking fees",
        "The McDonald plan would cut fares for every family in the city",
    ]
    assert_every_word_accounted_for(text, cleaned)


def test_an_article_paragraph_that_mentions_comments_is_kept() -> None:
    paragraph = (
        "Newspapers learned this the hard way. When one of them announced that its comments are "
        "closed for good, readers did not fall silent; they moved to forums the paper could not "
        "moderate, and the worst of the arguments followed its stories around the web for years, "
        "which is exactly what the editors had hoped to avoid when they made the change. Nobody "
        "would call that a success."
    )
    text = CLEAN_ARTICLE + "\n" + paragraph + "\n"
    assert clean(text).paragraphs[-1] == paragraph


def test_a_short_paragraph_about_copyright_is_kept() -> None:
    text = CLEAN_ARTICLE + "\nCopyright law protects authors for seventy years.\n"
    assert clean(text).paragraphs[-1] == "Copyright law protects authors for seventy years."
    notice = clean(CLEAN_ARTICLE + "\nCopyright 2024 The Daily Example\n")
    assert notice.guesses["outlet"] == "The Daily Example"
