"""The App Home tab on the real Bolt app: signed events over HTTP, `views.publish` on the fake."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from adapters.slack.render import home_channel, home_view, modal_view
from bot import actions
from bot.app import Bot
from bot.clock import FakeClock
from bot.home import REFRESH_INTERVAL, VIEWER_WINDOW
from bot.replies import Button, Card, Reply
from tests.adapters.slack.slackfake import (
    APP_TOKEN,
    BOT_TOKEN,
    CHANNEL,
    TEAM,
    FakeSlack,
    SlackRig,
    buttons,
    check_view,
    home_action_payload,
    home_opened_event,
    payload_body,
    shown_text,
    signed_raw,
)
from tests.adapters.slack.test_serve import start

OTHER = "C0002"
MEMBER = "U0001"
MOD = "U0MOD"


def page(fake: FakeSlack, user: str) -> dict[str, Any]:
    """The latest Home view published for `user`."""
    views = fake.views(user)
    assert views, f"no Home view was published for {user}"
    return views[-1]


def commands(view: dict[str, Any]) -> dict[str, str]:
    """Each button's command line and the block (channel) it runs in."""
    found = {}
    for block in view["blocks"]:
        if block["type"] == "actions":
            for element in block["elements"]:
                found[element["value"]] = block["block_id"]
    return found


def element(view: dict[str, Any], line: str) -> tuple[dict[str, Any], str]:
    for block in view["blocks"]:
        if block["type"] == "actions":
            for found in block["elements"]:
                if found["value"] == line:
                    return found, block["block_id"]
    raise AssertionError(f"no button runs {line!r}")


async def press(rig: SlackRig, view: dict[str, Any], line: str, user: str) -> int:
    found, block_id = element(view, line)
    payload = home_action_payload(rig.fake, found, block_id, user=user)
    status, _ = await rig.post(payload_body(payload))
    await rig.adapter.drain()
    return status


async def refreshed(rig: SlackRig) -> None:
    """Let the coalesced Home refresh of the workspace run (one per interval at most)."""
    await rig.home_timer.advance(REFRESH_INTERVAL)
    await rig.adapter.drain()


async def setup(rig: SlackRig, fake: FakeSlack) -> None:
    fake.members = {MEMBER: {CHANNEL}, MOD: {CHANNEL, OTHER}, "U0ANN": {CHANNEL, OTHER}}
    fake.admins = {MOD}
    await rig.command('poll create "Talks by 2020 <!channel>?" "Yes" "No"', user="U0ANN")
    await rig.command('poll create "Secret channel poll?" "Yes" "No"', user="U0ANN", channel=OTHER)
    await rig.command('admin schedule add "0 9 * * 1-5" --with poll', user=MOD)


async def test_a_member_sees_the_polls_of_their_channels_only(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    assert await poll_rig.event(home_opened_event(MEMBER)) == 200
    view = page(fake, MEMBER)
    assert view["type"] == "home"
    text = shown_text(view)
    assert "Talks by 2020 &lt;!channel&gt;?" in text and "in #C0001" in text
    assert "Secret channel poll?" not in text and OTHER not in text
    assert "Next prompts" in text and "in #C0001: the next prompt with a poll" in text
    assert "Schedules (moderators)" not in text and "Latest moderator actions" not in text
    # A button's value is the command line; its block names the channel it runs in.
    (block_id,) = commands(view).values()
    assert commands(view) == {"poll results 1": block_id}
    assert block_id.startswith(f"oped-home:{CHANNEL}:")
    (lookup,) = fake.called("users.conversations")
    assert lookup["user"] == MEMBER and lookup["types"] == "public_channel,private_channel"
    assert store_bot.services.store is not None
    now = store_bot.services.clock.now()
    assert await store_bot.services.store.home_viewers("slack", TEAM, now) == [MEMBER]


async def test_a_moderator_also_sees_schedules_and_the_audit_with_buttons(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    await poll_rig.event(home_opened_event(MOD))
    view = page(fake, MOD)
    text = shown_text(view)
    assert "Secret channel poll?" in text  # the moderator is in that channel
    assert "Schedules (moderators)" in text and "Latest moderator actions" in text
    assert "admin schedule add" in text  # the audit line of the schedule just added
    assert set(commands(view)) == {
        "poll results 1",
        "poll close 1",
        "poll results 2",
        "poll close 2",
        "admin schedule pause 1",
        "admin schedule remove 1",
    }
    assert commands(view)["poll close 2"].startswith(f"oped-home:{OTHER}:")


async def test_a_moderators_button_closes_the_poll_in_its_channel_and_the_pages_refresh(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    await poll_rig.event(home_opened_event(MEMBER))
    await poll_rig.event(home_opened_event(MOD))
    before = len(fake.called("views.publish"))
    assert await press(poll_rig, page(fake, MOD), "poll close 1", MOD) == 200
    # Announced in the poll's channel, as `/oped poll close 1` typed there would.
    announced = fake.called("chat.postMessage")[-1]
    assert announced["channel"] == CHANNEL and "Talks by 2020" in shown_text(announced)
    assert store_bot.services.store is not None
    poll = await store_bot.services.store.get_poll(1)
    assert poll is not None and poll.closed_at is not None and poll.closed_by == MOD
    await refreshed(poll_rig)
    # Both open pages were published again, without the closed poll.
    assert len(fake.called("views.publish")) == before + 2
    assert "Talks by 2020" not in shown_text(page(fake, MEMBER))
    assert "poll close 1" not in commands(page(fake, MOD))


async def test_a_private_answer_opens_a_modal_over_the_home_tab(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    await poll_rig.event(home_opened_event(MEMBER))
    await press(poll_rig, page(fake, MEMBER), "poll results 1", MEMBER)
    (opened,) = fake.called("views.open")
    assert opened["view"]["type"] == "modal"
    assert "Talks by 2020" in shown_text(opened["view"]) and not buttons(opened["view"])
    assert fake.called("chat.postEphemeral") == []


async def test_a_members_press_of_a_moderator_button_is_refused_by_the_bot(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    await poll_rig.event(home_opened_event(MOD))
    # The same button, pressed by a member (a stale page, or a forged one): the dispatch decides.
    await press(poll_rig, page(fake, MOD), "admin schedule pause 1", MEMBER)
    (opened,) = fake.called("views.open")
    assert "is for moderators" in shown_text(opened["view"])
    assert store_bot.services.store is not None
    schedule = await store_bot.services.store.get_schedule(1)
    assert schedule is not None and not schedule.paused


async def test_a_button_for_a_channel_the_presser_is_not_in_does_nothing(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await setup(poll_rig, fake)
    await poll_rig.event(home_opened_event(MOD))
    await press(poll_rig, page(fake, MOD), "poll results 2", MEMBER)
    (opened,) = fake.called("views.open")
    assert "a channel you are not in" in shown_text(opened["view"])
    assert "Secret channel poll?" not in shown_text(opened["view"])


async def test_a_new_poll_refreshes_recent_viewers_pages_only(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack, clock: FakeClock
) -> None:
    fake.members = {MEMBER: {CHANNEL}, "U0OLD": {CHANNEL}}
    await poll_rig.event(home_opened_event("U0OLD"))
    clock.advance(VIEWER_WINDOW + timedelta(minutes=1))
    await poll_rig.event(home_opened_event(MEMBER))
    assert "None in your channels" in shown_text(page(fake, MEMBER))
    await poll_rig.command('poll create "Fresh poll?" "Yes" "No"', user="U0ANN")
    await refreshed(poll_rig)
    assert "Fresh poll?" in shown_text(page(fake, MEMBER))
    assert len(fake.views("U0OLD")) == 1  # that visit is too old to be refreshed
    # A vote changes nothing the page shows: no publish.
    published = len(fake.called("views.publish"))
    posted = fake.called("chat.postMessage")[-1]
    await poll_rig.click(
        buttons(posted)[0]["action_id"],
        buttons(posted)[0]["value"],
        message_ts="1700000000.000001",
        user="U0VOTER",
    )
    await refreshed(poll_rig)
    assert len(fake.called("views.publish")) == published


async def test_the_messages_tab_publishes_nothing(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    assert await poll_rig.event(home_opened_event(MEMBER, tab="messages")) == 200
    assert fake.called("views.publish") == []


def test_a_home_view_keeps_within_100_blocks_with_unique_block_ids() -> None:
    cards = tuple(
        Card("poll", f"#{n} <!here> question", buttons=(home_button(n, f"C{n % 3}"),))
        for n in range(80)
    )
    view = home_view(Reply(cards))
    assert check_view(view) == []
    assert len(view["blocks"]) == 100
    assert "(truncated)" in shown_text(view["blocks"][-1])
    ids = [block["block_id"] for block in view["blocks"] if "block_id" in block]
    assert len(ids) == len(set(ids)) == 49
    assert [home_channel(block_id) for block_id in ids[:3]] == ["C0", "C1", "C2"]


def test_a_home_block_id_names_its_channel_and_nothing_else_does() -> None:
    assert home_channel("oped-home:C0001:12") == "C0001"
    assert home_channel("oped-home::12") is None
    assert home_channel("b1") is None


def test_a_modal_shows_the_answer_without_buttons() -> None:
    reply = Reply((Card("poll", "Results <!channel>", "A title", buttons=(home_button(1, "C1"),)),))
    view = modal_view(reply)
    assert check_view(view) == []
    assert view["type"] == "modal" and not buttons(view)
    assert "&lt;!channel&gt;" in shown_text(view)


def home_button(n: int, channel: str) -> Button:
    return replace(actions.button("Results", f"poll results {n}"), channel=channel)


async def test_socket_mode_publishes_the_home_tab_too(store_bot: Bot, fake: FakeSlack) -> None:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
    }
    fake.members = {MEMBER: {CHANNEL}}
    task, stop, adapter = await start(store_bot, env)
    await asyncio.wait_for(fake.socket_connected.wait(), 5)
    envelope = await fake.send_envelope("events_api", home_opened_event(MEMBER))
    ack = await asyncio.wait_for(fake.socket_messages.get(), 5)
    assert ack["envelope_id"] == envelope
    await adapter.drain()
    assert "None in your channels" in shown_text(page(fake, MEMBER))
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_the_event_subscription_url_is_verified_in_http_mode(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    # Slack checks the Request URL with a signed challenge when Event Subscriptions are set up.
    raw = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"}).encode()
    headers = {**signed_raw(raw, str(int(time.time()))), "Content-Type": "application/json"}
    assert await poll_rig.post(raw, headers) == (200, '{"challenge": "abc123"}')
    assert fake.called("views.publish") == []
