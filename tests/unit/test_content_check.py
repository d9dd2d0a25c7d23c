"""Content packs: the bundled pack is valid, and every kind of breakage is named precisely."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.loader import BUNDLED, PackInvalid, check, load_pack, normalise, read_article

PACK = BUNDLED / "north-korea-talks"


def test_bundled_pack_is_valid_and_complete() -> None:
    pack = load_pack(PACK)
    assert len(pack.claims) >= 6
    assert len(pack.quotes) >= 20
    assert len(pack.prompts) >= 8
    assert len(pack.glossary) >= 10
    assert len(pack.summaries.tldr) <= 280
    assert len(pack.summaries.long.split()) <= 250
    for claim in pack.claims:
        assert len(pack.counterpoints_for(claim.id)) >= 2, claim.id
    for counterpoint in pack.counterpoints:
        assert counterpoint.sources and all(s.year > 1900 for s in counterpoint.sources)


def test_every_quote_is_a_verbatim_span_of_its_paragraph() -> None:
    pack = load_pack(PACK)
    for quote in pack.quotes:
        assert normalise(quote.text) in normalise(pack.paragraphs[quote.paragraph - 1]), quote.id
        assert "..." not in quote.text


def test_article_is_clean_of_scraper_debris() -> None:
    text = (PACK / "article.md").read_text(encoding="utf-8")
    for debris in ("{mosads}", "Tags ", "comment section", "See All", "Load more", "Most Popular"):
        assert debris not in text
    assert "approachTrump" not in text
    assert text.count("Trump can avoid repeating those missteps") == 1
    assert "  " not in text


def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "north-korea-talks"
    shutil.copytree(PACK, target)
    return target


def edit_yaml(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "pack.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(folder: Path) -> list[str]:
    with pytest.raises(PackInvalid) as caught:
        load_pack(folder)
    return [str(e) for e in caught.value.errors]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "paraphrased quote",
        _set("quotes.0.text", "Can negotiators who hate each other agree?"),
        "quotes[0].text: not found verbatim in paragraph",
    ),
    (
        "quote in the wrong paragraph",
        _set("quotes.0.paragraph", 5),
        "quotes[0].text: not found verbatim in paragraph 5 of article.md; it is in paragraph 1",
    ),
    (
        "paragraph out of range",
        _set("quotes.0.paragraph", 99),
        "quotes[0].paragraph: paragraph 99 does not exist",
    ),
    (
        "unknown claim reference",
        _set("quotes.1.claim", "C42"),
        "quotes[1].claim: 'C42' is not a claim id",
    ),
    (
        "counterpoint to unknown claim",
        _set("counterpoints.0.claim", "C42"),
        "counterpoints[0].claim: 'C42' is not a claim id",
    ),
    ("duplicate id", _set("quotes.1.id", "Q1"), "quotes[1].id: 'Q1' is used twice"),
    (
        "duplicate glossary term",
        _set("glossary.1.term", "kcna"),
        "glossary[1].term: 'kcna' is used twice",
    ),
    ("badly formed id", _set("prompts.0.id", "prompt-one"), "must look like P1, P2"),
    ("missing field", _set("title", None), "title: must be a non-empty text"),
    (
        "over-long tldr",
        _set("summaries.tldr", "word " * 80),
        "summaries.tldr: is 399 characters; the limit is 280",
    ),
    (
        "too many sentences",
        _set("summaries.short", "One. Two. Three. Four."),
        "summaries.short: must be at most 3 sentences",
    ),
    (
        "bad prompt kind",
        _set("prompts.0.kind", "duel"),
        "prompts[0].kind: must be oxford or question",
    ),
    (
        "source without year",
        _set("counterpoints.0.sources.0.year", "recent"),
        "sources[0].year: must be a four-digit year",
    ),
    (
        "no sources",
        _set("counterpoints.0.sources", []),
        "counterpoints[0].sources: must list at least one source",
    ),
    (
        "bad topic",
        _set("quotes.0.topics", ["Sanctions Relief"]),
        "must be lowercase letters, digits and hyphens",
    ),
    (
        "id differs from folder",
        _set("id", "other-pack"),
        "id: is 'other-pack' but the folder is named",
    ),
]


@pytest.mark.parametrize(("name", "change", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_each_breakage_is_named(
    tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    folder = copy_pack(tmp_path)
    edit_yaml(folder, change)
    found = problems(folder)
    assert any(expected in p for p in found), found
    assert all(p.startswith(str(folder)) for p in found)


def test_claim_without_counterpoints(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    edit_yaml(
        folder,
        lambda d: d.__setitem__(
            "counterpoints", [k for k in d["counterpoints"] if k["claim"] != "C2"]
        ),
    )
    assert any("claims[1]: claim C2 has no counterpoint" in p for p in problems(folder))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    (folder / "pack.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    [problem] = problems(folder)
    assert "pack.yaml: line 3" in problem and "not valid YAML" in problem


def test_missing_article_and_debris(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path)
    (folder / "article.md").unlink()
    assert any(p.endswith("article.md: missing") for p in problems(folder))
    folder = copy_pack(tmp_path / "again")
    article = folder / "article.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\n\nTags Donald Trump North Korea\n",
        encoding="utf-8",
    )
    assert any("article.md: paragraph 17: looks like scraper debris" in p for p in problems(folder))


def test_article_paragraphs_are_blank_line_blocks(tmp_path: Path) -> None:
    article = tmp_path / "article.md"
    article.write_text("One\nline.\n\n\nTwo.\n  \nThree.\n", encoding="utf-8")
    assert read_article(article) == ("One line.", "Two.", "Three.")


def test_check_reports_every_pack_and_an_empty_folder(tmp_path: Path) -> None:
    packs, errors = check(BUNDLED)
    assert [p.id for p in packs] == ["north-korea-talks"] and errors == []
    _, errors = check(tmp_path)
    assert "no pack here" in str(errors[0])


def test_cli_content_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check"]) == 0
    assert "ok north-korea-talks" in capsys.readouterr().out
    folder = copy_pack(tmp_path)
    edit_yaml(folder, _set("quotes.2.claim", "C77"))
    assert main(["content", "check", str(folder)]) == 1
    assert (
        f"{folder / 'pack.yaml'}: quotes[2].claim: 'C77' is not a claim id"
        in capsys.readouterr().err
    )


def test_bot_refuses_to_start_on_a_broken_pack(tmp_path: Path) -> None:
    folder = copy_pack(tmp_path / "packs")
    edit_yaml(folder, _set("quotes.0.paragraph", 99))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="summary\n",
        capture_output=True,
        text=True,
        env={
            "OPED_BOT_CONTENT": str(folder.parent),
            "OPED_BOT_DB": str(tmp_path / "db.sqlite3"),
            "PATH": "",
        },
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert "a content pack is broken" in result.stderr
    assert "quotes[0].paragraph: paragraph 99 does not exist" in result.stderr


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "claims.0.paragrpahs",
            "claims[0].paragrpahs: is not a known key; did you mean 'paragraphs'?",
        ),
        (
            "counterpoints.0.sources.0.suports",
            "counterpoints[0].sources[0].suports: is not a known key; did you mean 'supports'?",
        ),
        ("summaries.tdlr", "summaries.tdlr: is not a known key; did you mean 'tldr'?"),
        ("author.affilation", "author.affilation: is not a known key; did you mean 'affiliation'?"),
        ("glosary", "glosary: is not a known key; did you mean 'glossary'?"),
        ("prompts.0.color", "prompts[0].color: is not a known key; allowed: id, kind, motion"),
    ],
)
def test_a_misspelled_key_is_named_instead_of_ignored(
    tmp_path: Path, path: str, expected: str
) -> None:
    folder = copy_pack(tmp_path)
    edit_yaml(folder, _set(path, "x"))
    assert any(expected in problem for problem in problems(folder)), problems(folder)


def test_a_source_records_what_it_supports() -> None:
    pack = load_pack(PACK)
    sources = [source for k in pack.counterpoints for source in k.sources]
    assert sources and all(source.supports for source in sources)
