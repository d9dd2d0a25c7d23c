"""users.info: one request per user however many clicks arrive at once; failures heal soon."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.slack.app import ADMIN_FAILURE_TTL, AdminCache
from adapters.slack.poster import OneWorkspace, make_client
from bot.clock import FakeClock
from tests.adapters.slack.slackfake import (
    BOT_TOKEN,
    TEAM,
    FakeSlack,
    SlackRig,
    action_payload,
    payload_body,
)


def lookups(fake: FakeSlack) -> list[str]:
    return [str(args["user"]) for args in fake.called("users.info")]


async def test_concurrent_clicks_by_one_user_share_one_users_info_call(
    rig: SlackRig, fake: FakeSlack
) -> None:
    fake.held["users.info"] = asyncio.Event()
    bodies = [
        payload_body(action_payload(fake, "oped:claims", "claims", message_ts=f"1.{n}"))
        for n in range(12)
    ]
    statuses = await asyncio.gather(*(rig.post(body) for body in bodies))
    assert set(s for s, _ in statuses) == {200}  # acknowledged before any lookup is answered
    await asyncio.wait_for(fake.holding.wait(), 5)
    fake.held["users.info"].set()
    await rig.adapter.drain()
    assert lookups(fake) == ["U0001"]
    assert len(fake.responses) + len(fake.called("chat.postMessage")) == 12  # all answered


async def test_350_users_clicking_several_times_at_once_make_350_calls(
    fake: FakeSlack, clock: FakeClock
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    cache = AdminCache(OneWorkspace(make_client(env)), clock)
    fake.admins.update(f"U{n:04d}" for n in range(0, 350, 7))
    users = [f"U{n:04d}" for n in range(350)]
    answers = await asyncio.gather(*(cache.is_admin(TEAM, u) for _ in range(3) for u in users))
    assert len(fake.called("users.info")) == 350
    assert sorted(set(lookups(fake))) == users
    assert sum(answers) == 3 * len(fake.admins)


async def test_a_failed_lookup_is_shared_and_forgotten_soon(
    fake: FakeSlack, clock: FakeClock
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    cache = AdminCache(OneWorkspace(make_client(env)), clock)
    fake.admins.add("U0ADMIN")
    fake.fail_text("users.info", "upstream connect error", 503)
    answers = await asyncio.gather(*(cache.is_admin(TEAM, "U0ADMIN") for _ in range(5)))
    assert answers == [False] * 5 and len(fake.called("users.info")) == 1
    # Not asked again at once (Slack is struggling), but soon.
    assert await cache.is_admin(TEAM, "U0ADMIN") is False
    assert len(fake.called("users.info")) == 1
    clock.advance(ADMIN_FAILURE_TTL + timedelta(seconds=1))
    assert await cache.is_admin(TEAM, "U0ADMIN") is True
    assert len(fake.called("users.info")) == 2


async def test_a_cancelled_waiter_does_not_cancel_the_shared_lookup(
    fake: FakeSlack, clock: FakeClock
) -> None:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": fake.api_url}
    cache = AdminCache(OneWorkspace(make_client(env)), clock)
    fake.admins.add("U0ADMIN")
    fake.held["users.info"] = asyncio.Event()
    first = asyncio.ensure_future(cache.is_admin(TEAM, "U0ADMIN"))
    second = asyncio.ensure_future(cache.is_admin(TEAM, "U0ADMIN"))
    await asyncio.wait_for(fake.holding.wait(), 5)
    first.cancel()
    fake.held["users.info"].set()
    assert await second is True
    assert len(fake.called("users.info")) == 1
