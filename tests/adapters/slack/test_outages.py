"""Slack answers that are not JSON (a proxy's 502, an HTML page) fall back as designed."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack import health
from adapters.slack.poster import (
    SlackPoster,
    make_client,
    post_failed,
    retry_after,
    slack_failure,
)
from bot.app import Bot
from bot.clock import FakeClock
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Card, Reply
from bot.scheduler import Scheduler
from tests.adapters.slack.slackfake import (
    BOT_TOKEN,
    CHANNEL,
    TEAM,
    FakeSlack,
    SlackRig,
    shown_text,
)

PLACE = Place("slack", TEAM, CHANNEL)
# What a proxy or an outage answers instead of Slack's JSON.
NOT_JSON = [
    pytest.param(503, "text/plain", "upstream connect error or disconnect/reset", id="503 text"),
    pytest.param(502, "text/html", "<html><body>502 Bad Gateway</body></html>", id="502 html"),
    pytest.param(200, "text/plain", "OK", id="200 text"),
    pytest.param(200, "text/html", "<html>Sign in to the proxy</html>", id="200 html"),
    pytest.param(500, "text/plain", "", id="500 empty"),
]


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == [], [r.getMessage() for r in loud]


def poster_for(fake: FakeSlack) -> SlackPoster:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    return SlackPoster(make_client(env, rate_limit_retries=0))


@pytest.mark.parametrize(("status", "content_type", "text"), NOT_JSON)
async def test_users_info_not_answering_json_leaves_a_member_who_still_gets_a_reply(
    status: int,
    content_type: str,
    text: str,
    rig: SlackRig,
    fake: FakeSlack,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.admins.add("U0001")
    fake.fail_text("users.info", text, status, content_type)
    await rig.command("claims")
    (reply,) = fake.called("chat.postMessage")
    assert "Claims" in shown_text(reply)
    # Treated as a member, the admin is refused a moderator command until Slack answers.
    fake.fail_text("users.info", text, status, content_type)
    clock.advance(timedelta(minutes=10))
    await rig.command("admin audit")
    assert "is for moderators" in shown_text(fake.posted()[-1])
    assert_quiet(caplog)


@pytest.mark.parametrize(("status", "content_type", "text"), NOT_JSON)
async def test_a_public_reply_refused_with_a_non_json_body_is_explained_privately(
    status: int,
    content_type: str,
    text: str,
    rig: SlackRig,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.fail_text("chat.postMessage", text, status, content_type)
    await rig.command("claims")
    (note,) = fake.responses
    assert note["response_type"] == "ephemeral"
    said = shown_text(note)
    assert "could not post" in said and "try again" in said.lower()
    assert "/invite" not in said  # inviting the bot would not help with an outage
    assert_quiet(caplog)


@pytest.mark.parametrize(("status", "content_type", "text"), NOT_JSON)
async def test_non_json_answers_are_retryable_post_failures(
    status: int, content_type: str, text: str, fake: FakeSlack
) -> None:
    poster = poster_for(fake)
    fake.fail_text("chat.postMessage", text, status, content_type)
    with pytest.raises(PostFailed) as raised:
        await poster.post(PLACE, Reply((Card("text", "hi"),)))
    assert raised.value.retryable is True
    assert str(status) in str(raised.value)
    fake.fail_text("chat.update", text, status, content_type)
    with pytest.raises(PostFailed) as raised:
        await poster.update(PLACE, "1.2", Reply((Card("text", "hi"),)))
    assert raised.value.retryable is True


async def test_a_429_with_a_text_body_is_a_retryable_failure_naming_the_wait(
    fake: FakeSlack,
) -> None:
    fake.fail_text("chat.postMessage", "Too Many Requests", 429, headers={"Retry-After": "30"})
    with pytest.raises(PostFailed) as raised:
        await poster_for(fake).post(PLACE, Reply((Card("text", "hi"),)))
    assert raised.value.retryable is True
    assert "429" in str(raised.value) or "ratelimited" in str(raised.value)


async def test_a_scheduled_post_refused_with_a_non_json_body_is_retried_with_backoff(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0ADMIN")
    await poll_rig.command('admin schedule add "0 9 * * *"', user="U0ADMIN")
    found = re.search(r"Schedule (\d+)", shown_text(fake.posted()[-1]))
    assert found
    store = store_bot.services.store
    assert store is not None
    schedule = await store.get_schedule(int(found.group(1)))
    assert schedule is not None
    scheduler = Scheduler(store_bot.services, store_bot.catalogue)
    fake.fail_text("chat.postMessage", "upstream connect error", 503)
    [first] = await scheduler.tick(schedule.next_due)
    assert first.state == "retry"
    [second] = await scheduler.tick(schedule.next_due + timedelta(minutes=5))
    assert second.state == "posted"


@pytest.mark.parametrize(("status", "content_type", "text"), NOT_JSON)
async def test_doctor_says_fail_with_a_fix_when_slack_does_not_answer_json(
    status: int, content_type: str, text: str, fake: FakeSlack
) -> None:
    fake.fail_text("auth.test", text, status, content_type)
    check = await health.slack_bot_token(BOT_TOKEN, fake.api_url)
    assert not check.ok
    assert str(status) in check.detail and "not a Slack API answer" in check.detail
    assert "SLACK_API_URL" in check.fix and "proxy" in check.fix
    fake.fail_text("apps.connections.open", text, status, content_type)
    check = await health.slack_app_token("xapp-1-test", fake.api_url)
    assert not check.ok and str(status) in check.detail and check.fix


@pytest.mark.parametrize(
    ("header", "waited"),
    [
        pytest.param("2", [2.0], id="seconds"),
        pytest.param("1.5", [1.5], id="fraction"),
        pytest.param("soon", [1.0], id="junk"),
        pytest.param("", [1.0], id="empty"),
        pytest.param("-5", [0.0], id="negative"),
        pytest.param("3600", [], id="too long to wait inside a request"),
    ],
)
async def test_a_429_is_waited_out_as_retry_after_says_up_to_a_cap(
    header: str, waited: list[float], fake: FakeSlack
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    poster = SlackPoster(make_client(env, rate_limit_retries=1, sleep=sleep))
    fake.fail_text("chat.postMessage", "Too Many Requests", 429, headers={"Retry-After": header})
    if waited:
        assert await poster.post(PLACE, Reply((Card("text", "hi"),)))
    else:
        with pytest.raises(PostFailed) as raised:
            await poster.post(PLACE, Reply((Card("text", "hi"),)))
        assert raised.value.retryable is True
    assert slept == waited


def test_retry_after_reads_an_http_date() -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert retry_after({"Retry-After": ["Mon, 05 Jan 2026 12:00:20 GMT"]}, now) == 20.0
    assert retry_after({"retry-after": "Mon, 05 Jan 2026 11:00:00 GMT"}, now) == 0.0
    assert retry_after({}, now) == 1.0
    assert retry_after({"Retry-After": "nan"}, now) == 1.0


@pytest.mark.parametrize(
    ("data", "status", "reason", "retryable"),
    [
        ("upstream connect error", 503, "HTTP 503, not a Slack API answer", True),
        (None, 500, "HTTP 500, not a Slack API answer", True),
        ({"ok": False}, 200, "HTTP 200, not a Slack API answer", True),
        ({"ok": False, "error": 7}, 200, "HTTP 200, not a Slack API answer", True),
        ({"ok": False, "error": "not_in_channel"}, 200, "not_in_channel", False),
        ({"ok": False, "error": "ratelimited"}, 429, "ratelimited", True),
    ],
)
def test_any_slack_error_body_is_read_without_raising(
    data: object, status: int, reason: str, retryable: bool
) -> None:
    # A client other than make_client's (Bolt's own, say) keeps a text body as a string.
    response = AsyncSlackResponse(
        client=AsyncWebClient(),
        http_verb="POST",
        api_url="http://127.0.0.1/api/chat.postMessage",
        req_args={},
        data=data,  # type: ignore[arg-type]
        headers={},
        status_code=status,
    )
    error = SlackApiError("failed", response)  # type: ignore[no-untyped-call]
    failure = slack_failure(error)
    assert (failure.reason, failure.retryable) == (reason, retryable)
    assert post_failed(error).retryable is retryable
