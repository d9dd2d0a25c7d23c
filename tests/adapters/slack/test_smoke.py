from __future__ import annotations

from tests.adapters.slack.slackfake import FakeSlack, SlackRig, shown_text


async def test_summary(rig: SlackRig, fake: FakeSlack) -> None:
    assert await rig.command("summary tldr") == 200
    print([c.method for c in fake.calls])
    assert "summary" in shown_text(rig.last_shown()).lower()


async def test_help(rig: SlackRig, fake: FakeSlack) -> None:
    assert await rig.command("") == 200
    print(fake.responses)
