"""Debates on Slack: the motion and its thread, votes by button, advancing and closing."""

from __future__ import annotations

from typing import Any

from bot.app import Bot
from tests.adapters.slack.slackfake import FakeSlack, SlackRig, buttons, shown_text


async def vote(rig: SlackRig, message: dict[str, Any], ts: str, side: str, user: str) -> None:
    (button,) = [b for b in buttons(message) if b["value"].endswith(f" {side}")]
    await rig.click(button["action_id"], button["value"], message_ts=ts, user=user)


async def test_a_debate_opens_a_thread_under_its_motion(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0MOD")
    await poll_rig.command('debate start "This house would lift sanctions <!here>"', user="U0MOD")
    motion, starter = fake.called("chat.postMessage")
    assert "thread_ts" not in motion
    assert starter["thread_ts"] == "1700000000.000001"
    assert "&lt;!here&gt;" in starter["text"]
    assert [b["value"] for b in buttons(motion)] == [
        "debate vote 1 for",
        "debate vote 1 against",
        "debate vote 1 undecided",
    ]


async def test_a_debate_from_start_to_close(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0MOD")
    await poll_rig.command("debate start P1", user="U0MOD")
    motion = fake.called("chat.postMessage")[0]
    motion_ts = "1700000000.000001"

    await vote(poll_rig, motion, motion_ts, "for", "U0ANN")
    await vote(poll_rig, motion, motion_ts, "against", "U0BOB")
    assert "Your opening vote on debate #1" in shown_text(fake.responses[-2])
    assert fake.responses[-2]["response_type"] == "ephemeral"
    assert [u["ts"] for u in fake.called("chat.update")] == [motion_ts]
    await poll_rig.timer.advance(1.0)
    await poll_rig.adapter.drain()
    assert [u["ts"] for u in fake.called("chat.update")] == [motion_ts, motion_ts]

    await poll_rig.command("debate advance 1", user="U0MOD")
    closing = fake.called("chat.postMessage")[-1]
    closing_ts = f"1700000000.{len(fake.called('chat.postMessage')):06d}"
    assert buttons(closing)
    store = store_bot.services.store
    assert store is not None
    assert {m.message_id for m in await store.messages_for("debate:1")} == {motion_ts, closing_ts}
    await poll_rig.timer.advance(1.0)
    await poll_rig.adapter.drain()
    # The motion is redrawn for the closing vote; the card just posted is not edited again.
    assert closing_ts not in [u["ts"] for u in fake.called("chat.update")]

    await vote(poll_rig, closing, closing_ts, "for", "U0BOB")  # Bob changed his mind
    await poll_rig.command("debate close 1", user="U0MOD")
    results = fake.called("chat.postMessage")[-1]
    assert "U0BOB" not in shown_text(results)  # results count people, they do not name them
    await poll_rig.timer.advance(1.0)
    await poll_rig.adapter.drain()
    last = {u["ts"]: u for u in fake.called("chat.update")}
    assert set(last) == {motion_ts, closing_ts}
    assert all(buttons(message) == [] for message in last.values())  # closed: no more votes


async def test_starting_a_debate_is_refused_to_members(poll_rig: SlackRig, fake: FakeSlack) -> None:
    await poll_rig.command("debate start P1", user="U0MEMBER")
    assert fake.called("chat.postMessage") == []
    assert "is for moderators" in shown_text(fake.responses[-1])
