"""The Poster port on Slack: posts, threads, files, edits, and failures mapped to PostFailed."""

from __future__ import annotations

import pytest

from adapters.slack.poster import RateLimitRetry, SlackPoster, make_client
from bot.app import Bot
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Attachment, Card, Reply
from tests.adapters.slack.slackfake import BOT_TOKEN, CHANNEL, TEAM, FakeSlack, SlackRig

PLACE = Place("slack", TEAM, CHANNEL)


def poster_for(fake: FakeSlack, retries: int = 0) -> SlackPoster:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    return SlackPoster(make_client(env, rate_limit_retries=retries))


async def test_post_returns_the_ts_and_opens_the_thread(fake: FakeSlack) -> None:
    reply = Reply((Card("debate", "This house would <!channel>", "Motion"),), thread="Motion 1")
    poster = poster_for(fake)
    ts = await poster.post(PLACE, reply)
    await poster.open_thread(PLACE, ts, "Motion 1")
    first, starter = fake.called("chat.postMessage")
    assert ts == "1700000000.000001"
    assert first["channel"] == CHANNEL and "thread_ts" not in first
    assert starter["thread_ts"] == ts
    assert "Motion 1" in starter["text"]


async def test_once_the_first_message_is_up_later_failures_do_not_fail_the_post(
    fake: FakeSlack,
) -> None:
    poster = poster_for(fake)
    await poster.post(PLACE, Reply((Card("text", "warm-up"),)))
    fake.fail("chat.postMessage", "ratelimited", 429, {"Retry-After": "0"})
    fake.failures["chat.postMessage"].insert(0, (200, {"ok": True, "ts": "1700000000.000042"}, {}))
    # The motion is posted; its thread starter is refused. A retry would post the motion twice.
    ts = await poster.post(PLACE, Reply((Card("debate", "Motion"),), thread="Motion"))
    assert ts == "1700000000.000042"


async def test_post_into_an_existing_thread(fake: FakeSlack) -> None:
    place = Place("slack", TEAM, CHANNEL, thread="1699999999.000100")
    await poster_for(fake).post(place, Reply((Card("text", "hello"),), thread="ignored"))
    (posted,) = fake.called("chat.postMessage")
    assert posted["thread_ts"] == "1699999999.000100"


async def test_a_reply_too_big_for_one_message_is_posted_in_several(fake: FakeSlack) -> None:
    reply = Reply(tuple(Card("text", f"card {n}", f"Title {n}") for n in range(40)))
    ts = await poster_for(fake).post(PLACE, reply)
    posted = fake.called("chat.postMessage")
    assert len(posted) == 2
    assert sum(len(p["blocks"]) for p in posted) == 80
    assert ts == "1700000000.000001"


async def test_update_edits_the_message(fake: FakeSlack) -> None:
    await poster_for(fake).update(PLACE, "1700000000.000009", Reply((Card("poll", "Q"),)))
    (edit,) = fake.called("chat.update")
    assert (edit["channel"], edit["ts"]) == (CHANNEL, "1700000000.000009")


async def test_files_are_uploaded_with_files_upload_v2(fake: FakeSlack) -> None:
    csv = b"option,votes\nYes,3\n"
    await poster_for(fake).post(
        PLACE, Reply((Card("text", "Export"),), attachments=(Attachment("p.csv", csv),))
    )
    (asked,) = fake.called("files.getUploadURLExternal")
    assert asked["filename"] == "p.csv"
    assert list(fake.uploads.values()) == [csv]
    (completed,) = fake.called("files.completeUploadExternal")
    assert completed["channel_id"] == CHANNEL


async def test_a_refused_upload_is_shown_inline(fake: FakeSlack) -> None:
    fake.fail("files.getUploadURLExternal", "missing_scope")
    csv = b"option,votes\n<!here>,3\n"
    await poster_for(fake).post(
        PLACE, Reply((Card("text", "Export"),), attachments=(Attachment("p.csv", csv),))
    )
    inline = fake.called("chat.postMessage")[-1]
    text = "\n".join(b["text"]["text"] for b in inline["blocks"])
    assert "&lt;!here&gt;,3" in text and "p.csv" in text


@pytest.mark.parametrize(
    ("error", "status", "retryable"),
    [
        ("channel_not_found", 200, False),
        ("not_in_channel", 200, False),
        ("is_archived", 200, False),
        ("invalid_auth", 200, False),
        ("ratelimited", 429, True),
        ("internal_error", 500, True),
        ("service_unavailable", 503, True),
        ("fatal_error", 200, True),
    ],
)
async def test_slack_errors_become_post_failed(
    error: str, status: int, retryable: bool, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", error, status, {"Retry-After": "0"})
    with pytest.raises(PostFailed) as raised:
        await poster_for(fake).post(PLACE, Reply((Card("text", "hi"),)))
    assert raised.value.retryable is retryable
    assert error in str(raised.value) or str(status) in str(raised.value)
    fake.fail("chat.update", error, status, {"Retry-After": "0"})
    with pytest.raises(PostFailed) as raised:
        await poster_for(fake).update(PLACE, "1.2", Reply((Card("text", "hi"),)))
    assert raised.value.retryable is retryable


async def test_an_unreachable_slack_is_retryable() -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    client = make_client(env)
    client.retry_handlers.clear()  # the mapping is under test here, not the retry backoff
    poster = SlackPoster(client)
    with pytest.raises(PostFailed) as raised:
        await poster.post(PLACE, Reply((Card("text", "hi"),)))
    assert raised.value.retryable is True


def test_client_retries_rate_limits_and_checks_the_api_url() -> None:
    client = make_client({"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert client.base_url == "https://slack.com/api/"
    limits = [h for h in client.retry_handlers if isinstance(h, RateLimitRetry)]
    assert len(limits) == 1 and limits[0].max_retry_count == 2
    assert make_client({"SLACK_API_URL": "http://proxy.local/api/"}).base_url == (
        "http://proxy.local/api/"
    )
    with pytest.raises(ValueError, match="/api/"):
        make_client({"SLACK_API_URL": "http://proxy.local/"})


async def test_the_adapter_registers_its_poster(bot: Bot, rig: SlackRig) -> None:
    assert bot.services.posters["slack"] is rig.adapter.poster
    await rig.adapter.close()
    assert "slack" not in bot.services.posters
