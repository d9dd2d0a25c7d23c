"""Drawing a `bot.charts.Chart` as a PNG with matplotlib.

matplotlib is imported inside `render`, never at module level: start-up and idle memory stay as
they were until the first chart is drawn. Only the object-oriented API is used (a `Figure` on
an Agg canvas, no pyplot and so no global figure state), under a lock, so `draw` can run it in
a worker thread without blocking the event loop.

The picture has its own opaque light background with dark text, so it reads the same in the
chat apps' dark and light themes (#313338 and #ffffff around it). Characters the
font cannot draw (most emoji) are left out of the picture; the alt text keeps them.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import textwrap
import threading
from dataclasses import replace

from bot.charts import Chart
from bot.replies import Attachment, Reply

log = logging.getLogger(__name__)

BACKGROUND = "#f6f7f9"
TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
# One colour per series: blue for a poll's bars; grey then purple for a debate's opening and
# closing votes. All keep at least 3:1 contrast against the background.
SERIES_COLOURS = ("#2563eb", "#7c3aed")
OPENING_COLOUR = "#6b7280"
FONT = "DejaVu Sans"  # ships with matplotlib, so every machine draws the same
DPI = 150
WIDTH_INCHES = 8.0
# Large enough to read when a phone shrinks the 1200-pixel-wide picture to its screen.
FONT_SIZE = 13
TITLE_SIZE = 16
TITLE_WRAP = 52
SUBTITLE_WRAP = 80
TRACK = "#e3e6ea"
MARGIN = 0.35  # inches, left of the title, labels and bars
VALUE_WIDTH = 1.9  # inches right of the bars' track, for "100.0% (1234)"
LABEL_ROW = 0.34
BAR_ROW = 0.34
GROUP_GAP = 0.16

_lock = threading.Lock()


async def draw(chart: Chart) -> Attachment | None:
    """The chart as a PNG attachment, drawn off the event loop; None if drawing failed."""
    try:
        png = await asyncio.to_thread(render, chart)
    except Exception:
        # The text results are complete without the picture: never lose a reply over it.
        log.exception("could not draw a chart", extra={"chart": chart.filename})
        return None
    return Attachment(chart.filename, png, mime="image/png", alt_text=chart.alt_text)


async def with_chart(reply: Reply, chart: Chart | None) -> Reply:
    """`reply` with `chart` drawn and attached; as it was when there is no chart or it failed."""
    if chart is None:
        return reply
    drawn = await draw(chart)
    if drawn is None:
        return reply
    return replace(reply, attachments=(*reply.attachments, drawn))


def render(chart: Chart) -> bytes:
    """The chart as PNG bytes."""
    with _lock:
        return _render(chart)


def _render(chart: Chart) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drawable = _drawable()
    # Laid out in inches from the top: title, subtitle, legend, then per group a label line
    # over its bars, each bar on a light full-width track so its scale reads without an axis.
    title = _lines(_clean(chart.title, drawable), TITLE_WRAP, 2)
    subtitle = _lines(_clean(chart.subtitle, drawable), SUBTITLE_WRAP, 2)
    legend = len(chart.series) > 1
    header = 0.25 + 0.3 * len(title) + 0.1 + 0.24 * len(subtitle) + (0.35 if legend else 0) + 0.1
    per_group = LABEL_ROW + BAR_ROW * len(chart.series) + GROUP_GAP
    body = per_group * len(chart.groups)
    footer = 0.45 if chart.footer else 0.0
    height = header + body + footer + 0.2
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)

    def top(inches: float) -> float:
        return 1 - inches / height

    def text(
        x: float, y: float, words: str, size: float, colour: str, weight: str = "normal"
    ) -> None:
        figure.text(
            x / WIDTH_INCHES,
            top(y),
            words,
            fontsize=size,
            color=colour,
            family=FONT,
            parse_math=False,  # a `$` in a label is a dollar, not TeX
            va="top",
            fontweight=weight,
        )

    text(MARGIN, 0.25, "\n".join(title), TITLE_SIZE, TEXT, "bold")
    text(MARGIN, 0.25 + 0.3 * len(title) + 0.1, "\n".join(subtitle), FONT_SIZE - 2, MUTED)
    colours = SERIES_COLOURS if len(chart.series) == 1 else (OPENING_COLOUR, SERIES_COLOURS[1])
    if legend:
        y = header - 0.4
        x = MARGIN
        for colour, name in zip(colours, chart.series, strict=False):
            text(x, y, "\u25a0", FONT_SIZE, colour)
            text(x + 0.22, y, name, FONT_SIZE - 1, TEXT)
            x += 0.45 + 0.11 * len(name)
    left = MARGIN / WIDTH_INCHES
    width = (WIDTH_INCHES - MARGIN - VALUE_WIDTH) / WIDTH_INCHES
    axes = figure.add_axes((left, (footer + 0.2) / height, width, body / height))
    axes.set_axis_off()
    axes.set_xlim(0, 100)
    axes.set_ylim(body, 0)
    y = 0.0
    for group in chart.groups:
        axes.text(
            0,
            y + LABEL_ROW / 2,
            _clean(group.label, drawable),
            fontsize=FONT_SIZE,
            color=TEXT,
            family=FONT,
            parse_math=False,
            va="center",
            ha="left",
        )
        if group.note:
            axes.text(
                100,
                y + LABEL_ROW / 2,
                _clean(group.note, drawable),
                fontsize=FONT_SIZE - 1,
                color=MUTED,
                family=FONT,
                parse_math=False,
                va="center",
                ha="right",
            )
        y += LABEL_ROW
        for bar in group.bars:
            centre = y + BAR_ROW / 2
            axes.barh(centre, 100, height=BAR_ROW * 0.78, color=TRACK)
            axes.barh(centre, bar.share, height=BAR_ROW * 0.78, color=colours[bar.series])
            axes.text(
                102,
                centre,
                bar.value,
                fontsize=FONT_SIZE - 1,
                color=TEXT,
                family=FONT,
                parse_math=False,
                va="center",
                ha="left",
                clip_on=False,
            )
            y += BAR_ROW
        y += GROUP_GAP
    if chart.footer:
        footer_text = _lines(_clean(chart.footer, drawable), SUBTITLE_WRAP, 1)
        text(MARGIN, height - 0.2 - footer + 0.1, footer_text[0], FONT_SIZE - 1, TEXT)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=BACKGROUND, metadata={"Software": None})
    return buffer.getvalue()


def _lines(words: str, width: int, most: int) -> list[str]:
    """`words` wrapped to `width` characters, at most `most` lines, the last cut with `…`."""
    return textwrap.wrap(words, width, max_lines=most, placeholder=" …") or [""]


@functools.cache
def _drawable() -> frozenset[int]:
    """The code points the chart's font has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT))
    return frozenset(FT2Font(path).get_charmap())


def _clean(text: str, drawable: frozenset[int]) -> str:
    """`text` without the characters the font would draw as empty boxes (emoji, mostly)."""
    kept = "".join(c for c in text if c.isspace() or ord(c) in drawable)
    return " ".join(kept.split()) or "?"
