"""`prompts` lists the pack's prompts by id; `source` shows the metadata, details on request."""

from __future__ import annotations

from bot.content.registry import PackRegistry
from tests.scenarios.chat import Chat


async def test_prompts_lists_motions_and_questions_apart_by_id(
    chat: Chat, packs: PackRegistry
) -> None:
    out = await chat.say("prompts")
    assert "Error" not in out
    pack = packs.default
    motions = [p for p in pack.prompts if p.kind == "oxford"]
    questions = [p for p in pack.prompts if p.kind == "question"]
    assert motions and questions
    heading = out.index(f"== Discussion questions ({len(questions)}) ==")
    assert out.index(f"== Debate motions ({len(motions)}) ==") < heading
    for prompt in motions:
        assert out.index(f"{prompt.id}: {prompt.motion}") < heading, prompt.id
    for prompt in questions:
        assert out.index(f"{prompt.id}: {prompt.motion}") > heading, prompt.id
    assert "debate start P1" in out


async def test_source_shows_the_metadata_and_keeps_the_preparation_for_details(
    chat: Chat, packs: PackRegistry
) -> None:
    pack = packs.default
    out = await chat.say("source")
    for shown in (pack.title, pack.author.name, pack.author.affiliation, pack.outlet):
        assert shown in out
    assert pack.published in out and pack.author.bio in out
    assert "{mosads}" not in out and "Preparation" not in out
    assert "source --details" in out
    details = await chat.say("source --details")
    assert pack.author.name in details and pack.outlet in details
    # Each note on a line of its own, as the pack lists them.
    assert "\n    • {mosads} ad marker at the start of paragraph 3" in details
    assert "Preparation: duplicate sentence" in details


async def test_an_unknown_prompt_id_points_to_prompts(chat: Chat) -> None:
    out = await chat.as_user("mona", "debate start P99", moderator=True)
    assert "No motion `P99`" in out and "Type `prompts` to see the motions" in out
