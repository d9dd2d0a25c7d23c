"""`/oped prompts` and `/oped source --details` through slack-bolt against the fake Slack."""

from __future__ import annotations

from bot.content.registry import PackRegistry
from tests.adapters.slack.slackfake import FakeSlack, SlackRig, shown_text


async def test_prompts_lets_a_slack_user_find_p1(
    rig: SlackRig, fake: FakeSlack, packs: PackRegistry
) -> None:
    assert await rig.command("prompts") == 200
    shown = shown_text(fake.posted()[-1])
    assert "Error" not in shown
    for prompt in packs.default.prompts:
        assert prompt.id in shown and prompt.motion in shown
    assert shown.index("Debate motions") < shown.index("P1") < shown.index("Discussion questions")


async def test_source_keeps_the_preparation_notes_for_details(
    rig: SlackRig, fake: FakeSlack
) -> None:
    await rig.command("source")
    assert "{mosads}" not in shown_text(fake.posted()[-1])
    await rig.command("source --details")
    assert "{mosads}" in shown_text(fake.posted()[-1])
