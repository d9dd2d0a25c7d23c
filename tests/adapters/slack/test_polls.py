"""Polls on Slack: buttons, coalesced live results, restarts, closing, exports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.app import Bot
from bot.clock import FakeClock
from bot.context import Services
from bot.deadlines import close_due
from bot.models import Place
from bot.store.base import TrackedMessage
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.slackfake import (
    CHANNEL,
    TEAM,
    FakeSlack,
    SlackRig,
    action_payload,
    buttons,
    payload_body,
    shown_text,
)

PLACE = Place("slack", TEAM, CHANNEL)
QUESTION = 'poll create "Talks by 2020 <!channel>?" "Yes <@U0BOSS>" "No & never" "Unsure"'


async def create_poll(rig: SlackRig, line: str = QUESTION) -> dict[str, Any]:
    """Create a poll with `/oped`; the chat.postMessage call that showed it."""
    await rig.command(line)
    posted = rig.fake.called("chat.postMessage")[-1]
    assert buttons(posted), shown_text(posted)
    return posted


def ts_of(fake: FakeSlack, posted: dict[str, Any]) -> str:
    index = fake.called("chat.postMessage").index(posted)
    return f"1700000000.{index + 1:06d}"


async def click(rig: SlackRig, posted: dict[str, Any], number: int, user: str) -> None:
    button = buttons(posted)[number - 1]
    message_ts = ts_of(rig.fake, posted)
    await rig.click(button["action_id"], button["value"], message_ts=message_ts, user=user)


def updates(fake: FakeSlack) -> list[dict[str, Any]]:
    return fake.called("chat.update")


async def test_a_poll_is_posted_escaped_tracked_and_has_vote_buttons(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    text = shown_text(posted)
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text and "&amp; never" in text
    assert [b["value"] for b in buttons(posted)] == [
        "poll vote 1 1",
        "poll vote 1 2",
        "poll vote 1 3",
        "poll results 1",
    ]
    assert store_bot.services.store is not None
    tracked = await store_bot.services.store.messages_for("poll:1")
    assert tracked == [TrackedMessage(PLACE, ts_of(fake, posted))]


async def test_a_vote_by_button_confirms_privately_and_redraws_the_poll(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 2, user="U0VOTER")
    confirmation = fake.responses[-1]
    assert confirmation["response_type"] == "ephemeral"
    assert confirmation["replace_original"] is False
    assert "2. Yes" not in shown_text(confirmation)
    assert "Your vote in poll #1: 2. No &amp; never" in shown_text(confirmation)
    (edit,) = updates(fake)
    assert (edit["channel"], edit["ts"]) == (CHANNEL, ts_of(fake, posted))
    assert "1 vote" in shown_text(edit) or "1 voter" in shown_text(edit)
    assert store_bot.services.store is not None
    tally = await store_bot.services.store.tally(1)
    assert tally.counts == (0, 1, 0)


async def test_a_vote_whose_confirmation_cannot_be_delivered_still_redraws_the_poll(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    button = buttons(posted)[0]
    payload = action_payload(
        fake, button["action_id"], button["value"], message_ts=ts_of(fake, posted), user="U0V"
    )
    payload["response_url"] = "http://127.0.0.1:9/respond/action"  # nothing listens there
    status, _ = await poll_rig.post(payload_body(payload))
    await poll_rig.adapter.drain()
    assert status == 200 and fake.responses == []
    (edit,) = updates(fake)  # the vote is saved, so the card shows it
    assert edit["ts"] == ts_of(fake, posted)
    assert "1 vote" in shown_text(edit) or "1 voter" in shown_text(edit)


async def test_a_burst_of_votes_becomes_two_edits_and_the_last_shows_every_vote(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    voters = [f"U0V{n}" for n in range(8)]
    for voter in voters:
        await click(poll_rig, posted, 1, user=voter)
    assert len(fake.responses) == 8  # every voter got a confirmation
    assert len(updates(fake)) == 1  # the first vote redraws at once; the rest wait their turn
    assert poll_rig.adapter.updates.waiting == 1
    assert poll_rig.timer.delays == [0.0, 1.0]  # drawn at once, then one wait of the interval
    await poll_rig.timer.advance(1.0)
    await poll_rig.adapter.drain()
    assert len(updates(fake)) == 2
    assert "8" in shown_text(updates(fake)[-1])
    await poll_rig.timer.advance(5.0)
    await poll_rig.adapter.drain()
    assert len(updates(fake)) == 2  # nothing more to say


async def test_buttons_work_after_a_restart(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 1, user="U0FIRST")
    await poll_rig.close()
    services = store_bot.services
    assert services.store is not None
    await services.store.close()

    # A new process: new store connection on the same file, new Bot, new AsyncApp.
    store = await SqliteStore.open(services.settings.db_path, clock=services.clock)
    bot = Bot(
        Services(
            packs=services.packs, store=store, clock=services.clock, settings=services.settings
        )
    )
    rig = SlackRig(bot, fake)
    await rig.start()
    try:
        assert rig.adapter.app is not poll_rig.adapter.app
        await click(rig, posted, 3, user="U0SECOND")
        assert "Your vote in poll #1: 3. Unsure" in shown_text(fake.responses[-1])
        assert (await store.tally(1)).counts == (1, 0, 1)
        assert updates(fake)[-1]["ts"] == ts_of(fake, posted)
    finally:
        await rig.close()
        await store.close()


async def test_a_typed_vote_redraws_the_tracked_message(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await poll_rig.command("poll vote 1 3", user="U0TYPIST")
    assert fake.responses[-1]["response_type"] == "ephemeral"
    (edit,) = updates(fake)
    assert edit["ts"] == ts_of(fake, posted)


async def test_closing_announces_and_takes_the_vote_buttons_away(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await poll_rig.command("poll close 1")  # by its creator
    announcement = fake.called("chat.postMessage")[-1]
    assert "closed" in shown_text(announcement)
    (edit,) = updates(fake)
    assert edit["ts"] == ts_of(fake, posted)
    assert [b["value"] for b in buttons(edit)] == ["poll results 1"]


async def test_clicking_a_closed_poll_is_refused_privately(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await poll_rig.command("poll close 1")
    await click(poll_rig, posted, 1, user="U0LATE")
    refusal = fake.responses[-1]
    assert refusal["response_type"] == "ephemeral"
    assert "closed" in shown_text(refusal).lower()


async def test_export_is_for_moderators_and_arrives_in_a_direct_message(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await create_poll(poll_rig)
    await poll_rig.command("poll export 1", user="U0MEMBER")
    refusal = fake.responses[-1]
    assert refusal["response_type"] == "ephemeral"
    assert "moderators" in shown_text(refusal)
    assert fake.called("files.getUploadURLExternal") == []

    fake.admins.add("U0ADMIN")
    await poll_rig.command("poll export 1", user="U0ADMIN")
    (opened,) = fake.called("conversations.open")
    assert opened["users"] == "U0ADMIN"
    completed = fake.called("files.completeUploadExternal")
    assert completed and {c["channel_id"] for c in completed} == {"DU0ADMIN"}
    assert len(fake.uploads) == len(completed)
    # A file is data, not a message: its text is kept verbatim.
    assert any(b"Talks by 2020 <!channel>?" in csv for csv in fake.uploads.values())
    note = shown_text(fake.responses[-1])
    assert "direct message" in note


async def test_export_falls_back_to_inline_text_when_the_upload_fails(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await create_poll(poll_rig)
    fake.admins.add("U0ADMIN")
    fake.fail("conversations.open", "missing_scope")
    await poll_rig.command("poll export 1", user="U0ADMIN")
    inline = shown_text(fake.responses[-1])
    assert "```" in inline and "&lt;!channel&gt;" in inline


async def test_a_deadline_closes_the_poll_through_the_slack_poster(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig, 'poll create "Deal by summer?" "Yes" "No" --closes 1h')
    await click(poll_rig, posted, 1, user="U0EARLY")
    clock = store_bot.services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(hours=2))
    (closed,) = await close_due(store_bot.services, clock.now())
    announcement = fake.called("chat.postMessage")[-1]
    assert closed.announcement_id == ts_of(fake, announcement)
    assert "has closed" in shown_text(announcement)
    # The vote's redraw went out just now: the closing one waits its turn, then shows the end.
    assert len(updates(fake)) == 1
    await poll_rig.timer.advance(1.0)
    await poll_rig.adapter.drain()
    redrawn = updates(fake)[-1]
    assert redrawn["ts"] == ts_of(fake, posted)
    assert [b["value"] for b in buttons(redrawn)] == ["poll results 1"]


async def test_voters_answers_privately_with_who_picked_what(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 3, user="U0VOTER")
    await poll_rig.command("poll voters 1", user="U0ASKER")
    answer = fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert "3. Unsure (1):" in shown_text(answer)


async def test_a_member_adds_an_option_and_the_card_gets_its_button(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig, 'poll create "Where?" "Cafe" "Library" --open')
    await poll_rig.command('poll add 1 "Town hall"', user="U0MEMBER")
    answer = fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert "Added option 3. Town hall" in shown_text(answer)
    (edit,) = updates(fake)
    assert edit["ts"] == ts_of(fake, posted)
    assert "poll vote 1 3" in [b["value"] for b in buttons(edit)]


async def test_an_option_starting_with_an_emoji_leads_its_button(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig, 'poll create "Lunch?" "🍕 Pizza" "Soup"')
    texts = [b["text"]["text"] for b in buttons(posted)]
    assert texts[:2] == ["🍕 1. Pizza", "2. Soup"]
