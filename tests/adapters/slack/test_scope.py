"""On Slack, polls and debates answer only in their channel (a thread there counts as it).

A poll in a private channel or a DM must reveal nothing, and take nothing, from elsewhere.
"""

from __future__ import annotations

from typing import Any

from bot.app import Bot
from tests.adapters.slack.slackfake import (
    CHANNEL,
    FakeSlack,
    SlackRig,
    buttons,
    shown_text,
)
from tests.store.tables import rows_a_command_writes

QUESTION = "Lift sanctions?"
OTHER = "C0OTHER"  # another channel of the same workspace
ADMIN = "U0ADMIN"
VOTER = "U0VOTER"
CREATOR = "U0001"

# (line with {id}, who)
BY_ID = [
    ("poll results {id}", VOTER),
    ("poll vote {id} 2", VOTER),
    ("poll close {id}", CREATOR),
    ("poll export {id}", ADMIN),
    ("debate vote {id} against", VOTER),
    ("debate advance {id}", ADMIN),
    ("debate close {id}", ADMIN),
    ("admin poll close {id}", ADMIN),
    ("admin poll delete {id}", ADMIN),
    ("admin debate advance {id}", ADMIN),
    ("admin debate close {id}", ADMIN),
]


async def open_both(rig: SlackRig, fake: FakeSlack) -> tuple[dict[str, Any], str]:
    """Poll #1 and debate #1 in CHANNEL with one vote each; the poll message and its ts."""
    fake.admins.add(ADMIN)
    await rig.command(f'poll create "{QUESTION}" "Yes" "No"', user=CREATOR)
    posted = fake.called("chat.postMessage")[-1]
    ts = f"1700000000.{len(fake.called('chat.postMessage')):06d}"
    await rig.command("debate start P1", user=ADMIN)
    assert "Debate #1" in shown_text(fake.called("chat.postMessage")[-2])
    await rig.command("poll vote 1 1", user=VOTER)
    assert "Your vote in poll #1" in shown_text(fake.responses[-1])
    await rig.command("debate vote 1 for", user=VOTER)
    assert "opening vote on debate #1" in shown_text(fake.responses[-1])
    return posted, ts


def public(fake: FakeSlack) -> int:
    return len(fake.called("chat.postMessage")) + len(fake.called("chat.update"))


async def private_answer(rig: SlackRig, fake: FakeSlack, line: str, user: str) -> str:
    """What `/oped line` from OTHER shows `user`, checking nothing public went out."""
    seen, answered = public(fake), len(fake.responses)
    await rig.command(line, user=user, channel=OTHER)
    assert public(fake) == seen, line
    assert len(fake.responses) == answered + 1, line
    reply = fake.responses[-1]
    assert reply["response_type"] == "ephemeral", line
    return shown_text(reply)


async def test_from_another_channel_every_by_id_command_is_not_found_and_writes_nothing(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted, ts = await open_both(poll_rig, fake)
    db = store_bot.services.settings.db_path
    before = rows_a_command_writes(db)
    for line, user in BY_ID:
        shown = await private_answer(poll_rig, fake, line.format(id=1), user)
        missing = await private_answer(poll_rig, fake, line.format(id=2), user)
        assert shown == missing.replace("#2", "#1"), line
        assert "No poll `#1`" in shown or "No debate `#1`" in shown, line
        assert QUESTION not in shown, line
    seen = public(fake)
    for button in buttons(posted):
        await poll_rig.click(button["action_id"], button["value"], message_ts=ts, channel=OTHER)
        assert "No poll `#1`" in shown_text(fake.responses[-1])
    await poll_rig.click("oped:debate", "debate vote 1 against", message_ts=ts, channel=OTHER)
    assert "No debate `#1`" in shown_text(fake.responses[-1])
    await poll_rig.timer.advance(5)
    await poll_rig.adapter.drain()
    assert public(fake) == seen
    assert rows_a_command_writes(db) == before


async def test_a_click_in_a_thread_of_the_channel_still_counts(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted, ts = await open_both(poll_rig, fake)
    button = buttons(posted)[1]
    await poll_rig.click(
        button["action_id"], button["value"], message_ts=ts, user="U0THREAD", thread_ts=ts
    )
    assert "Your vote in poll #1: 2. No" in shown_text(fake.responses[-1])
    assert store_bot.services.store is not None
    assert (await store_bot.services.store.tally(1)).counts == (1, 1)
    await poll_rig.command("poll results 1", user=VOTER, channel=CHANNEL)
    assert QUESTION in shown_text(fake.responses[-1])
