"""Platform length limits the core must respect, and the one way to fit text into them.

Numbers were checked against discord.py 2.7.1 and slack-sdk 3.48 and the platforms' documents;
see PLATFORMS.md in the project's shared notes.
"""

from __future__ import annotations

MARKER = "…"
MORE = " (truncated)"

# Content fields, checked when a pack is loaded, so nothing valid is ever cut mid-thought.
QUOTE_MAX = 1000  # fits a Discord embed field value (1024) with its attribution
CLAIM_MAX = 400
COUNTERPOINT_MAX = 1000
SOURCE_TITLE_MAX = 200
MOTION_MAX = 300  # also the poll question limit
TERM_TEXT_MAX = 1000
TLDR_MAX = 280
LONG_SUMMARY_WORDS = 250
LONG_SUMMARY_MAX = 2900  # one Slack section (3000) with room for a title

# User input.
POLL_QUESTION_MAX = 300
POLL_OPTION_MAX = 75  # Slack button text, the tightest label limit
POLL_OPTIONS_MIN = 2
POLL_OPTIONS_MAX = 20
ACTION_ID_MAX = 100  # Discord custom_id; Slack allows 255


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
