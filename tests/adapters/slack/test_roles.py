"""Who may vote on Slack (user groups, channel members) and the Add option form, on real Bolt."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.app import Bot
from bot.clock import FakeClock
from tests.adapters.slack.slackfake import (
    CHANNEL,
    FakeSlack,
    SlackRig,
    action_payload,
    buttons,
    payload_body,
    shown_text,
)
from tests.adapters.slack.test_modal import open_form, state
from tests.adapters.slack.test_polls import click, create_poll, ts_of, updates

GROUPS = "--roles <!subteam^S0ED|@editors> <!subteam^S0ST>"


def groups(fake: FakeSlack) -> None:
    fake.usergroups = {"S0ED": ("editors", ["U0ED"]), "S0ST": ("staff", ["U0ST"])}


async def group_poll(rig: SlackRig, fake: FakeSlack) -> dict[str, Any]:
    groups(fake)
    await rig.command(f'poll create "Publish the draft?" "Yes" "No" {GROUPS}', markup=True)
    posted = fake.called("chat.postMessage")[-1]
    assert buttons(posted), shown_text(fake.posted()[-1])
    return posted


async def test_the_card_names_the_groups(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await group_poll(poll_rig, fake)
    # The handle typed with the mention, and the one Slack lists for a bare mention.
    assert "Who can vote: @editors or @staff" in shown_text(posted)


async def test_outside_the_groups_a_vote_is_refused_privately(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack, clock: FakeClock
) -> None:
    posted = await group_poll(poll_rig, fake)
    await click(poll_rig, posted, 1, user="U0OUT")
    refusal = fake.responses[-1]
    assert refusal["response_type"] == "ephemeral"
    assert "Poll #1 is for @editors and @staff; you do not have any of those roles" in (
        shown_text(refusal)
    )
    assert updates(fake) == []
    assert len(fake.called("usergroups.users.list")) == 2
    await click(poll_rig, posted, 1, user="U0OUT")
    assert len(fake.called("usergroups.users.list")) == 2  # remembered for a minute
    clock.advance(timedelta(seconds=61))
    fake.usergroups["S0ST"] = ("staff", ["U0ST", "U0OUT"])  # added to the group meanwhile
    await click(poll_rig, posted, 1, user="U0OUT")
    assert "Your vote in poll #1: 1. Yes" in shown_text(fake.responses[-1])
    assert store_bot.services.store is not None
    assert (await store_bot.services.store.tally(1)).counts == (1, 0)


async def test_a_group_member_votes(store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack) -> None:
    posted = await group_poll(poll_rig, fake)
    await click(poll_rig, posted, 2, user="U0ED")
    assert "Your vote in poll #1: 2. No" in shown_text(fake.responses[-1])
    (edit,) = updates(fake)
    assert edit["ts"] == ts_of(fake, posted)


async def test_when_slack_will_not_say_the_vote_is_refused(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await group_poll(poll_rig, fake)
    fake.fail("usergroups.users.list", "missing_scope")
    await click(poll_rig, posted, 1, user="U0ED")
    refusal = shown_text(fake.responses[-1])
    assert "Slack would not say who is in this poll's user groups (missing_scope)" in refusal
    assert "usergroups:read" in refusal
    assert store_bot.services.store is not None
    assert (await store_bot.services.store.tally(1)).voters == 0


async def test_a_group_typed_as_a_handle_is_found_and_an_unknown_one_refused(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    groups(fake)
    # In the poll form a group cannot be picked, so it arrives as plain text.
    posted = await create_poll(poll_rig, 'poll create "Q?" "Yes" "No" --roles @Editors')
    assert "Who can vote: @editors" in shown_text(posted)
    assert store_bot.services.store is not None
    poll = await store_bot.services.store.get_poll(1)
    assert poll is not None and [r.id for r in poll.roles] == ["S0ED"]
    await poll_rig.command('poll create "Q?" "Yes" "No" --roles @nobody')
    assert "`@nobody` is not a role. Type @ and pick each user group" in shown_text(
        fake.posted()[-1]
    )
    assert len(fake.called("chat.postMessage")) == 1


async def test_members_only_polls_ask_slack_who_is_in_the_channel(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.channel_members = {CHANNEL: ["U0001", "U0A", "U0B", "U0C"]}
    posted = await create_poll(poll_rig, 'poll create "Lunch?" "Pizza" "Tacos" --members')
    assert "Who can vote: members of this channel" in shown_text(posted)
    await click(poll_rig, posted, 2, user="U0X")
    assert "Poll #1 is for members of its channel" in shown_text(fake.responses[-1])
    await click(poll_rig, posted, 2, user="U0C")  # on the last page of members
    assert "Your vote in poll #1: 2. Tacos" in shown_text(fake.responses[-1])
    assert len(fake.called("conversations.members")) == 2  # two pages, then remembered


async def test_add_option_opens_a_form_and_its_submission_adds_and_redraws(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig, 'poll create "Lunch?" "Pizza" "Tacos" --open')
    add = next(b for b in buttons(posted) if b["value"] == "poll add 1")
    await poll_rig.click(add["action_id"], add["value"], message_ts=ts_of(fake, posted))
    (opened,) = fake.called("views.open")
    view = opened["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "oped_line_form"
    assert [b["block_id"] for b in view["blocks"]] == ["option"]
    typed = {"option": {"value": {"type": "plain_text_input", "value": "Sushi"}}}
    status, body = await poll_rig.submit(
        typed, view["private_metadata"], callback_id="oped_line_form", user="U0B"
    )
    assert (status, body) == (200, "")
    assert "Added option 3. Sushi to poll #1" in shown_text(fake.called("chat.postEphemeral")[-1])
    (edit,) = updates(fake)
    assert "3. Sushi" in [b["text"]["text"] for b in buttons(edit)]
    again = {"option": {"value": {"type": "plain_text_input", "value": "sushi"}}}
    status, body = await poll_rig.submit(
        again, view["private_metadata"], callback_id="oped_line_form", user="U0B"
    )
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert "already has `sushi` as option 3" in answer["errors"]["option"]


async def test_the_poll_form_takes_groups_by_handle_and_the_members_switch(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    groups(fake)
    view = await open_form(poll_rig, fake)
    values = state()
    values["roles"] = {"value": {"type": "plain_text_input", "value": "@editors\nstaff"}}
    picked = [{"text": {"type": "plain_text", "text": "x"}, "value": "members"}]
    values["members"] = {"value": {"type": "checkboxes", "selected_options": picked}}
    status, body = await poll_rig.submit(values, view["private_metadata"])
    assert (status, body) == (200, "")
    (posted,) = fake.called("chat.postMessage")
    assert "Who can vote: @editors or @staff · members of this channel" in shown_text(posted)
    assert store_bot.services.store is not None
    poll = await store_bot.services.store.get_poll(1)
    assert poll is not None and [r.id for r in poll.roles] == ["S0ED", "S0ST"]
    assert poll.members_only


async def test_a_burst_of_votes_asks_slack_once_per_group(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await group_poll(poll_rig, fake)
    fake.usergroups["S0ED"] = ("editors", [f"U0V{n}" for n in range(6)])
    button = buttons(posted)[0]
    fake.held["usergroups.users.list"] = release = asyncio.Event()
    for n in range(6):
        payload = action_payload(
            fake,
            button["action_id"],
            button["value"],
            message_ts=ts_of(fake, posted),
            user=f"U0V{n}",
        )
        status, _ = await poll_rig.post(payload_body(payload))
        assert status == 200
    await fake.holding.wait()
    release.set()
    await poll_rig.adapter.drain()
    # One call per group for all six voters, and every vote counted.
    assert len(fake.called("usergroups.users.list")) == 2
    assert store_bot.services.store is not None
    assert (await store_bot.services.store.tally(1)).counts == (6, 0)


async def test_an_add_option_form_that_cannot_open_says_what_to_type(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig, 'poll create "Lunch?" "Pizza" "Tacos" --open')
    add = next(b for b in buttons(posted) if b["value"] == "poll add 1")
    fake.fail("views.open", "expired_trigger_id")
    await poll_rig.click(add["action_id"], add["value"], message_ts=ts_of(fake, posted))
    answer = fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert 'The form could not open. Type `/oped poll add 1 "&lt;option&gt;"`.' in shown_text(
        answer
    )
