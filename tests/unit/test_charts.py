"""Result charts: what the spec computes, that the picture agrees with the text, and the PNG."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from bot import chart_png, charts, debates, poll_cards
from bot.store.base import Tally
from tests.unit.pollmaker import make
from tests.unit.test_debates import DEBATE, votes

ROOT = Path(__file__).resolve().parents[2]
PLOTTING = ("matplotlib", "numpy", "PIL", "contourpy", "kiwisolver", "fontTools")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(kind + body) == crc
    width, height = struct.unpack(">II", body[:8])
    return width, height


def test_poll_bars_are_percent_of_voters_with_counts() -> None:
    chart = charts.poll_chart(make(), Tally((5, 3, 2), 10))
    assert chart is not None
    assert [g.label for g in chart.groups] == ["1. Pompeo", "2. Bolton", "3. Someone new"]
    assert [(b.count, b.share, b.value) for g in chart.groups for b in g.bars] == [
        (5, 50.0, "50% · 5 votes"),
        (3, 30.0, "30% · 3 votes"),
        (2, 20.0, "20% · 2 votes"),
    ]
    assert chart.subtitle == "% of 10 voters"
    assert chart.filename == "poll-12-results.png"
    assert "Pompeo: 5 votes, 50% of voters." in chart.alt_text
    assert "Someone new: 2 votes, 20% of voters." in chart.alt_text


def test_multi_choice_bars_are_of_voters_not_votes_and_agree_with_the_text() -> None:
    poll = make(max_picks=2)
    tally = Tally((4, 3, 1), 4)  # 8 picks by 4 people
    chart = charts.poll_chart(poll, tally)
    assert chart is not None
    assert [b.share for g in chart.groups for b in g.bars] == [100.0, 75.0, 25.0]
    assert "% of 4 voters" in chart.subtitle and "past 100%" in chart.subtitle
    text = poll_cards.option_lines(poll, tally)
    assert "% of 4 voters" in text
    for group in chart.groups:
        (bar,) = group.bars
        assert bar.value in text  # "75% · 3 votes" in both
        assert f"{int(bar.share)}% of voters" in chart.alt_text


def test_a_ranked_polls_chart_says_it_shows_first_preferences() -> None:
    chart = charts.poll_chart(make(ranked=True), Tally((2, 1, 1), 4))
    assert chart is not None
    assert chart.subtitle == "first preferences, % of 4 voters"
    assert "Bars show first preferences, % of 4 voters." in chart.alt_text


def test_a_poll_nobody_voted_in_has_no_chart() -> None:
    assert charts.poll_chart(make(), Tally((0, 0, 0), 0)) is None


def test_long_labels_are_cut_and_a_leading_emoji_is_left_to_the_alt_text() -> None:
    long = "A very long option " * 10
    chart = charts.poll_chart(make(options=("🍕 Pizza", long, "No")), Tally((1, 1, 0), 2))
    assert chart is not None
    first, second, _ = chart.groups
    assert first.label == "1. Pizza"
    assert len(second.label) <= charts.LABEL_MAX and second.label.endswith("very long…")
    assert "🍕 Pizza: 1 vote" in chart.alt_text


def test_alt_text_fits_both_platforms() -> None:
    options = tuple(f"Option number {n} " + "x" * 90 for n in range(20))
    chart = charts.poll_chart(make(options=options), Tally((1,) * 20, 20))
    assert chart is not None
    assert len(chart.alt_text) <= charts.ALT_TEXT_MAX <= 1000


def test_debate_chart_shows_opening_and_closing_share_per_side_and_the_swing() -> None:
    results = debates.tally(
        votes(
            {"a": "for", "b": "against", "c": "against", "d": "undecided"},
            {"a": "for", "b": "for", "c": "against", "d": "for"},
        )
    )
    chart = charts.debate_chart(DEBATE, results)
    assert chart is not None
    assert chart.series == ("Opening vote", "Closing vote")
    assert [g.label for g in chart.groups] == ["For", "Against", "Undecided"]
    shares = [[round(b.share, 1) for b in g.bars] for g in chart.groups]
    assert shares == [[25.0, 75.0], [50.0, 25.0], [25.0, 0.0]]
    assert [g.note for g in chart.groups] == [
        "swing +50.0 pts",
        "swing −25.0 pts",
        "swing −25.0 pts",
    ]
    card = debates.results_card(DEBATE, results)
    assert "For +50.0 pts" in next(f.value for f in card.fields if f.name == "Swing")
    assert chart.footer == f"Result: {debates.winner_text(results)}"
    assert "For: opening 25.0% (1), closing 75.0% (3), swing +50.0 pts." in chart.alt_text


def test_a_debate_with_one_vote_only_has_no_swing_note() -> None:
    chart = charts.debate_chart(DEBATE, debates.tally(votes({"a": "for"}, {})))
    assert chart is not None
    assert [g.note for g in chart.groups] == ["", "", ""]
    assert chart.groups[0].bars[1].value == "no votes"
    assert charts.debate_chart(DEBATE, debates.tally([])) is None


def test_render_draws_a_png_with_dollar_signs_and_emoji_in_the_labels() -> None:
    poll = make(options=("Yes $5", "No 🙂 way", "$10 or $20"), question="Cost of $5 talks?")
    chart = charts.poll_chart(poll, Tally((2, 1, 1), 4))
    assert chart is not None
    width, height = png_size(chart_png.render(chart))
    assert width == int(chart_png.WIDTH_INCHES * chart_png.DPI)
    assert 400 < height < 2000


def test_more_groups_make_a_taller_picture() -> None:
    small = charts.poll_chart(make(), Tally((1, 1, 1), 3))
    options = tuple(f"Option {n}" for n in range(1, 11))
    large = charts.poll_chart(make(options=options), Tally((1,) * 10, 10))
    assert small is not None and large is not None
    assert png_size(chart_png.render(large))[1] > png_size(chart_png.render(small))[1]


def test_characters_the_font_cannot_draw_are_left_out() -> None:
    drawable = chart_png._drawable()
    assert chart_png._clean("No 🙂 way", drawable) == "No way"
    assert chart_png._clean("Café ±5 → “yes”", drawable) == "Café ±5 → “yes”"
    assert chart_png._clean("🙂", drawable) == "?"


async def test_draw_returns_an_image_attachment_with_its_alt_text() -> None:
    chart = charts.poll_chart(make(), Tally((1, 0, 0), 1))
    assert chart is not None
    attachment = await chart_png.draw(chart)
    assert attachment is not None
    assert attachment.is_image and attachment.mime == "image/png"
    assert attachment.filename == "poll-12-results.png"
    assert attachment.alt_text == chart.alt_text
    png_size(attachment.content)


async def test_a_drawing_failure_leaves_no_attachment(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(chart: charts.Chart) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart_png, "render", broken)
    chart = charts.poll_chart(make(), Tally((1, 0, 0), 1))
    assert chart is not None
    assert await chart_png.draw(chart) is None


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPL", "XDG_"))}
    env["HOME"] = str(home)
    return env


def test_start_up_imports_no_plotting_library(tmp_path: Path) -> None:
    script = (
        "import importlib, pkgutil, sys\n"
        "import bot, adapters.console, bot.cli, bot.runtime\n"
        "for info in pkgutil.walk_packages(bot.__path__, 'bot.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {PLOTTING!r})\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_clean_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_chart_draws_on_a_fresh_machine(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "from bot import chart_png, charts\n"
        "from bot.store.base import Tally\n"
        "from tests.unit.pollmaker import make\n"
        "chart = charts.poll_chart(make(), Tally((1, 2, 0), 3))\n"
        "import sys; sys.stdout.buffer.write(chart_png.render(chart))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        cwd=ROOT,
        env=_clean_env(home),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert png_size(result.stdout)[0] == int(chart_png.WIDTH_INCHES * chart_png.DPI)
    assert result.stderr == b""  # no warning about caches or fonts on a first run


async def test_drawing_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []

    def recording(chart: charts.Chart) -> bytes:
        threads.append(threading.current_thread())
        return b"\x89PNG"

    monkeypatch.setattr(chart_png, "render", recording)
    chart = charts.poll_chart(make(), Tally((1, 0, 0), 1))
    assert chart is not None
    assert await chart_png.draw(chart) is not None
    assert threads and threads[0] is not threading.main_thread()


def test_the_picture_is_opaque_on_its_own_light_background() -> None:
    from PIL import Image

    chart = charts.poll_chart(make(), Tally((3, 1, 0), 4))
    assert chart is not None
    image = Image.open(io.BytesIO(chart_png.render(chart))).convert("RGBA")
    background = tuple(int(chart_png.BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    width, height = image.size
    for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
        assert image.getpixel(corner) == (*background, 255)  # the same in dark and light themes
    assert image.getextrema()[3] == (255, 255)  # no transparent pixel anywhere
