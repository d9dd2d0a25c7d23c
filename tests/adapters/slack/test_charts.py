"""Result charts on Slack: uploaded with files_upload_v2, with alt text, to the right channel."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Bot
from bot.clock import FakeClock
from bot.deadlines import close_due
from bot.replies import Attachment, Card, Reply
from tests.adapters.slack.slackfake import CHANNEL, FakeSlack, SlackRig, shown_text
from tests.adapters.slack.test_polls import click, create_poll, ts_of
from tests.adapters.slack.test_poster import PLACE, poster_for
from tests.unit.test_charts import png_size

IMAGE = Attachment(
    "poll-1-results.png",
    b"\x89PNG\r\n\x1a\n<binary>",
    mime="image/png",
    alt_text="Bar chart of poll #1 results. 1. <!here> & co: 2 votes, 100% of voters.",
)


def uploaded_chart(fake: FakeSlack, filename: str) -> tuple[str, str]:
    """The alt text and channel of the one upload of `filename`, after checking its PNG."""
    (asked,) = [a for a in fake.called("files.getUploadURLExternal") if a["filename"] == filename]
    (completed,) = fake.called("files.completeUploadExternal")
    (data,) = fake.uploads.values()
    assert png_size(data)[0] > 0
    assert 0 < len(asked["alt_txt"]) <= 1000
    return str(asked["alt_txt"]), str(completed["channel_id"])


async def test_an_image_is_uploaded_with_its_alt_text(fake: FakeSlack) -> None:
    await poster_for(fake).post(PLACE, Reply((Card("poll", "Closed"),), attachments=(IMAGE,)))
    (asked,) = fake.called("files.getUploadURLExternal")
    assert asked["alt_txt"] == IMAGE.alt_text  # a file is data: its text goes verbatim
    assert list(fake.uploads.values()) == [IMAGE.content]
    (completed,) = fake.called("files.completeUploadExternal")
    assert completed["channel_id"] == CHANNEL


async def test_a_csv_is_uploaded_without_alt_text(fake: FakeSlack) -> None:
    csv = Attachment("p.csv", b"a,b\n")
    await poster_for(fake).post(PLACE, Reply((Card("text", "Export"),), attachments=(csv,)))
    (asked,) = fake.called("files.getUploadURLExternal")
    assert "alt_txt" not in asked


async def test_a_refused_image_upload_shows_what_it_shows_not_its_bytes(fake: FakeSlack) -> None:
    fake.fail("files.getUploadURLExternal", "missing_scope")
    await poster_for(fake).post(PLACE, Reply((Card("poll", "Closed"),), attachments=(IMAGE,)))
    inline = fake.called("chat.postMessage")[-1]
    text = "\n".join(b["text"]["text"] for b in inline["blocks"])
    assert "poll-1-results.png" in text and "image upload failed" in text
    assert "1. &lt;!here&gt; &amp; co: 2 votes, 100% of voters." in text
    assert "PNG" not in text and "<binary>" not in text


async def test_closing_a_poll_uploads_its_chart_to_the_channel(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 2, user="U0VOTER")
    await poll_rig.command("poll close 1")
    assert "has closed" in shown_text(fake.called("chat.postMessage")[-1])
    alt, channel = uploaded_chart(fake, "poll-1-results.png")
    assert channel == CHANNEL
    assert "2. No & never: 1 vote, 100% of voters." in alt


async def test_results_chart_arrives_by_direct_message(poll_rig: SlackRig, fake: FakeSlack) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 1, user="U0VOTER")
    await poll_rig.command("poll results 1 --chart", user="U0ASKER")
    alt, channel = uploaded_chart(fake, "poll-1-results.png")
    assert channel == "DU0ASKER"  # results are private: not uploaded to the channel
    assert "1. Yes <@U0BOSS>: 1 vote, 100% of voters." in alt
    answer = fake.responses[-1]
    assert answer["response_type"] == "ephemeral"
    assert "poll-1-results.png: sent to you in a direct message." in shown_text(answer)


async def test_a_deadline_uploads_the_chart_through_the_slack_poster(
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
    alt, channel = uploaded_chart(fake, "poll-1-results.png")
    assert channel == CHANNEL and "1. Yes: 1 vote, 100% of voters." in alt


async def test_closing_a_debate_uploads_its_chart(poll_rig: SlackRig, fake: FakeSlack) -> None:
    fake.admins.add("U0ADMIN")
    await poll_rig.command("debate start P1", user="U0ADMIN")
    await poll_rig.command("debate vote 1 against", user="U0VOTER")
    await poll_rig.command("debate advance 1", user="U0ADMIN")
    await poll_rig.command("debate vote 1 for", user="U0VOTER")
    await poll_rig.command("debate close 1", user="U0ADMIN")
    alt, channel = uploaded_chart(fake, "debate-1-results.png")
    assert channel == CHANNEL
    assert "For: opening 0.0% (0), closing 100.0% (1), swing +100.0 pts." in alt


async def test_a_private_chart_that_cannot_be_sent_is_described_instead(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 1, user="U0VOTER")
    fake.fail("conversations.open", "missing_scope")
    await poll_rig.command("poll results 1 --chart", user="U0ASKER")
    answer = shown_text(fake.responses[-1])
    assert "image upload failed" in answer
    assert "1. Yes &lt;@U0BOSS&gt;: 1 vote, 100% of voters." in answer
    assert fake.uploads == {}


async def test_a_chart_answered_through_the_response_url_is_described_not_dropped(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    posted = await create_poll(poll_rig)
    await click(poll_rig, posted, 2, user="U0VOTER")
    # The bot was removed from the channel: the announcement goes through the response_url,
    # where no file can follow.
    fake.fail("chat.postMessage", "not_in_channel")
    await poll_rig.command("poll close 1")
    answer = fake.responses[-1]
    assert answer["response_type"] == "in_channel"
    text = shown_text(answer)
    assert "has closed" in text and "poll-1-results.png" in text
    assert "2. No &amp; never: 1 vote, 100% of voters." in text
