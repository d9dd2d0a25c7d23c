"""`/prompts` and `/source details:` through real discord.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.draft import draft
from bot.content.registry import PackRegistry
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import Harness
from tests.unit.test_content_new import seed_text


async def test_prompts_shows_every_prompt_by_id_motions_first(
    discord_bot: Harness, packs: PackRegistry
) -> None:
    calls = await discord_bot.slash("prompts")
    assert calls[0].kind == 4
    embeds = [e for call in calls for e in call.embeds]
    titles = [e.get("title") for e in embeds if e.get("title")]
    assert titles[:2] == ["Debate motions (7)", "Discussion questions (6)"]
    fields = [(f["name"], f["value"]) for e in embeds for f in e.get("fields") or []]
    assert fields == [(p.id, p.motion) for p in packs.default.prompts]


@pytest.fixture
def draft_packs(tmp_path: Path) -> PackRegistry:
    """The seed's draft: its preparation notes are longer than one Discord field holds."""
    made = draft(seed_text(), "nk-draft", tmp_path, "oped-article.txt")
    return PackRegistry([made.pack])


async def test_source_details_shows_every_preparation_note_whole(
    start_bot: StartBot, draft_packs: PackRegistry
) -> None:
    harness = await start_bot()
    harness.bot.services.packs = draft_packs
    plain = await harness.slash("source")
    assert "source --details" in plain[0].text and "{mosads}" not in plain[0].text
    calls = await harness.slash("source", details=True)
    shown = "\n".join(call.text for call in calls)
    for note in draft_packs.default.preparation:
        for line in note[1].splitlines():
            assert line in shown, line
