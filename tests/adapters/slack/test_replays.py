"""A signed request replayed, or re-sent by Slack as a retry, is processed once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from adapters.slack.app import DELIVERY_TTL
from bot.app import Bot
from bot.clock import FakeClock
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.slackfake import (
    TEAM,
    FakeSlack,
    SlackRig,
    action_payload,
    buttons,
    command_body,
    payload_body,
    signed_raw,
)

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def web_api(fake: FakeSlack) -> list[str]:
    return [call.method for call in fake.calls if call.method != "auth.test"]


async def test_a_replayed_or_retried_click_votes_once(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await poll_rig.command('poll create "Lunch?" "Soup" "Salad"')
    posted = fake.called("chat.postMessage")[-1]
    vote = buttons(posted)[0]
    body = payload_body(
        action_payload(
            fake, vote["action_id"], vote["value"], message_ts="1700000000.000001", user="U0VOTER"
        )
    )
    before = len(web_api(fake))
    headers = signed_raw(body.encode(), str(int(time.time())))
    for extra in ({}, {}, RETRY):
        status, _ = await poll_rig.post(body, {**headers, **extra})
        assert status == 200
        await poll_rig.adapter.drain()
    await poll_rig.timer.advance(5.0)
    await poll_rig.adapter.drain()
    assert store_bot.services.store is not None
    tally = await store_bot.services.store.tally(1)
    assert tally.votes == 1
    # One users.info, one confirmation through the response_url, one redraw: nothing twice.
    assert sorted(web_api(fake)[before:]) == ["chat.update", "response_url", "users.info"]


async def test_a_replayed_command_is_done_and_audited_once(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("U0001")
    await poll_rig.command('poll create "Lunch?" "Soup" "Salad"')
    shown = len(fake.posted())
    body = command_body(fake, "poll close 1", key="close")
    headers = signed_raw(body.encode(), str(int(time.time())))
    for extra in ({}, {}, RETRY):
        status, _ = await poll_rig.post(body, {**headers, **extra})
        assert status == 200
        await poll_rig.adapter.drain()
    assert len(fake.posted()) == shown + 1
    store = store_bot.services.store
    assert store is not None
    closes = [e for e in await store.audit_log("slack", TEAM) if e.action == "poll close"]
    assert len(closes) == 1


async def test_two_clicks_that_differ_are_both_processed(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await poll_rig.command('poll create "Lunch?" "Soup" "Salad"')
    posted = fake.called("chat.postMessage")[-1]
    vote = buttons(posted)[0]
    for user in ("U0ANN", "U0BOB"):
        await poll_rig.click(
            vote["action_id"], vote["value"], message_ts="1700000000.000001", user=user
        )
    assert store_bot.services.store is not None
    assert (await store_bot.services.store.tally(1)).votes == 2


async def test_claims_expire_and_are_pruned(tmp_path: Path, clock: FakeClock) -> None:
    store = await SqliteStore.open(tmp_path / "claims.sqlite3", clock=clock)
    try:
        later = clock.now() + DELIVERY_TTL
        assert await store.claim_delivery("slack:a", later) is True
        assert await store.claim_delivery("slack:a", later) is False
        assert await store.claim_delivery("slack:b", later) is True
        clock.advance(DELIVERY_TTL + timedelta(seconds=1))
        assert await store.claim_delivery("slack:c", clock.now() + DELIVERY_TTL) is True
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "claims.sqlite3") as conn:
        keys = [row[0] for row in conn.execute("SELECT key FROM deliveries")]
    assert keys == ["slack:c"]  # the expired claims went when the next one was made


async def test_claims_are_pruned_at_most_once_a_minute(tmp_path: Path, clock: FakeClock) -> None:
    """One statement per claim: expired claims are swept by the first claim of each minute."""
    store = await SqliteStore.open(tmp_path / "claims.sqlite3", clock=clock)
    try:
        assert await store.claim_delivery("slack:a", clock.now() + timedelta(seconds=1)) is True
        clock.advance(timedelta(seconds=30))
        assert await store.claim_delivery("slack:b", clock.now() + DELIVERY_TTL) is True
        assert _keys(tmp_path) == ["slack:a", "slack:b"]  # a has expired; the sweep can wait
        clock.advance(timedelta(seconds=30))
        assert await store.claim_delivery("slack:c", clock.now() + DELIVERY_TTL) is True
        assert _keys(tmp_path) == ["slack:b", "slack:c"]
    finally:
        await store.close()


def _keys(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "claims.sqlite3") as conn:
        return [row[0] for row in conn.execute("SELECT key FROM deliveries ORDER BY key")]


async def test_claims_made_together_are_written_as_one(tmp_path: Path, clock: FakeClock) -> None:
    """A burst of commands costs the database one claim statement, not one per command."""
    store = await SqliteStore.open(tmp_path / "claims.sqlite3", clock=clock)
    try:
        later = clock.now() + DELIVERY_TTL
        assert await store.claim_delivery("slack:seen", later) is True
        _, writes = store.write_stats
        keys = [f"slack:{n}" for n in range(50)] + ["slack:7", "slack:seen"]
        won = await asyncio.gather(*(store.claim_delivery(key, later) for key in keys))
        # Each new delivery is claimed once; a repeat within the burst, or of an earlier
        # delivery, is refused.
        assert won == [True] * 50 + [False, False]
        assert store.write_stats[1] == writes + 1
    finally:
        await store.close()
    assert len(_keys(tmp_path)) == 51
