"""Platform length limits the core must respect, and the one way to fit text into them.

Each number is the tightest of the registered platforms' limits, checked against their SDKs and
documents; see PLATFORMS.md in the project's shared notes.
"""

from __future__ import annotations

MARKER = "…"
MORE = " (truncated)"

# Content fields, checked when a pack is loaded, so nothing valid is ever cut mid-thought.
QUOTE_MAX = 1000  # fits the smallest card field value (1024) with its attribution
CLAIM_MAX = 400
COUNTERPOINT_MAX = 1000
SOURCE_TITLE_MAX = 200
MOTION_MAX = 300  # also the poll question limit
TERM_TEXT_MAX = 1000
TLDR_MAX = 280
LONG_SUMMARY_WORDS = 250
LONG_SUMMARY_MAX = 2900  # the smallest card section (3000) with room for a title

# User input.
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 75  # the tightest button label limit
POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 20
SCHEDULED_TEXT_MAX = 2900  # a schedule's own `--text`: one card section, as LONG_SUMMARY_MAX
ACTION_ID_MAX = 100  # the shortest button id any platform allows


def fit(text: str, limit: int, marker: str = MARKER) -> str:
    """Cut `text` to at most `limit` characters, ending with a visible marker when cut."""
    if len(text) <= limit:
        return text
    if limit <= len(marker):
        return marker[:limit]
    cut = text[: limit - len(marker)]
    # Prefer a word boundary when one is near, so a cut reads as a cut, not a typo.
    space = cut.rfind(" ")
    if space > len(cut) - 20 and space > 0:
        cut = cut[:space]
    return cut.rstrip() + marker
