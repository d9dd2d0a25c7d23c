"""Admin flows on Slack: picked users and channels arrive as ids; schedules post through Slack."""

from __future__ import annotations

import re

from tests.adapters.slack.slackfake import FakeSlack, SlackRig, buttons, shown_text


async def test_a_moderator_granted_in_slack_gets_rights(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0ADMIN")
    await poll_rig.command("debate start P1", user="U0NEW")
    assert "is for moderators" in shown_text(fake.posted()[-1])
    # Picked from Slack's menu, the user arrives as markup (escaping is on in the manifest).
    await poll_rig.command("admin moderators add <@U0NEW|newbie>", user="U0ADMIN", markup=True)
    assert "U0NEW" in shown_text(fake.posted()[-1])
    await poll_rig.command("debate start P1", user="U0NEW")
    motion = fake.called("chat.postMessage")[0]
    assert buttons(motion)


async def test_a_schedule_added_in_slack_posts_through_the_slack_poster(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0ADMIN")
    await poll_rig.command(
        'admin schedule add "0 9 * * 1-5" --channel <#C0DEBATE|debates> --with poll --thread',
        user="U0ADMIN",
        markup=True,
    )
    added = shown_text(fake.posted()[-1])
    found = re.search(r"Schedule (\d+)", added)
    assert found, added
    await poll_rig.command(f"admin schedule run {found.group(1)}", user="U0ADMIN")
    posts = [p for p in fake.called("chat.postMessage") if p["channel"] == "C0DEBATE"]
    assert posts, [c.method for c in fake.calls]
    prompt = posts[0]
    assert "thread_ts" not in prompt
    assert any(p.get("thread_ts") for p in posts[1:])  # the discussion thread under it
    assert "Posted prompt" in shown_text(fake.posted()[-1])


async def test_a_member_cannot_add_a_schedule(poll_rig: SlackRig, fake: FakeSlack) -> None:
    await poll_rig.command('admin schedule add "0 9 * * 1-5"', user="U0MEMBER")
    assert "is for moderators" in shown_text(fake.posted()[-1])
    fake.admins.add("U0ADMIN")
    await poll_rig.command("admin schedule list", user="U0ADMIN")
    assert "Schedule 1" not in shown_text(fake.posted()[-1])
