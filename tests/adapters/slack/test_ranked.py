"""Ranked-choice polls on Slack (real Bolt): the Rank button opens a modal of selects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.app import Bot
from bot.replies import Reply
from tests.adapters.slack.slackfake import (
    CHANNEL,
    TEAM,
    FakeSlack,
    SlackRig,
    buttons,
    payload_body,
    shown_text,
    view_payload,
)
from tests.adapters.slack.test_polls import create_poll, ts_of, updates

RANKED = 'poll create "Who leads <!here>?" "Pompeo" "Bolton & co" "Someone new" --ranked'


def picks_state(*values: str | None) -> dict[str, dict[str, Any]]:
    """The selects' states as Slack sends them in a view_submission."""
    return {
        f"pick-{n}": {
            "value": {
                "type": "static_select",
                "selected_option": {"value": value} if value else None,
            }
        }
        for n, value in enumerate(values, 1)
    }


async def submit_picks(
    rig: SlackRig, metadata: str, *values: str | None, user: str
) -> tuple[int, str]:
    payload = view_payload(picks_state(*values), metadata, user=user)
    payload["view"]["callback_id"] = "oped_pick"
    status, text = await rig.post(payload_body(payload))
    await rig.adapter.drain()
    return status, text


async def open_rank_form(rig: SlackRig, fake: FakeSlack, user: str) -> dict[str, Any]:
    posted = await create_poll(rig, RANKED)
    rank = buttons(posted)[0]
    await rig.click(rank["action_id"], rank["value"], message_ts=ts_of(fake, posted), user=user)
    opened = fake.called("views.open")[-1]
    view = opened["view"]
    return json.loads(view) if isinstance(view, str) else view


async def ballots(bot: Bot) -> list[tuple[int, ...]]:
    store = bot.services.store
    assert store is not None
    return [ballot.ranking for ballot in await store.poll_ballots(1)]


async def test_rank_button_opens_a_modal_and_the_submitted_ranking_is_stored(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_rank_form(poll_rig, fake, "U0RANK")
    posted = fake.called("chat.postMessage")[0]
    assert [b["value"] for b in buttons(posted)] == ["poll rank 1", "poll results 1"]
    assert view["callback_id"] == "oped_pick"
    assert view["title"]["text"] == "Rank poll #1"
    assert [b["block_id"] for b in view["blocks"]] == ["pick-1", "pick-2", "pick-3"]
    assert [b["label"]["text"] for b in view["blocks"]] == [
        "1st choice",
        "2nd choice",
        "3rd choice",
    ]
    first = view["blocks"][0]["element"]
    assert first["type"] == "static_select"
    assert [(o["text"]["text"], o["value"]) for o in first["options"]] == [
        ("1. Pompeo", "1"),
        ("2. Bolton &amp; co", "2"),
        ("3. Someone new", "3"),
    ]
    assert json.loads(view["private_metadata"]) == {
        "team": TEAM,
        "channel": CHANNEL,
        "command": "poll rank 1",
    }
    # The form is the answer to the click: nothing else is said yet.
    assert fake.responses == []

    status, body = await submit_picks(
        poll_rig, view["private_metadata"], "3", "1", "2", user="U0RANK"
    )
    assert (status, body) == (200, "")  # an empty ack closes the modal
    assert await ballots(store_bot) == [(3, 1, 2)]
    confirmation = fake.called("chat.postEphemeral")[-1]
    assert "3. Someone new &gt; 1. Pompeo &gt; 2. Bolton &amp; co" in shown_text(confirmation)
    (edit,) = updates(fake)
    assert edit["ts"] == ts_of(fake, posted) and "1 vote" in shown_text(edit)


async def test_a_repeated_option_is_shown_under_its_select_and_nothing_is_stored(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_rank_form(poll_rig, fake, "U0RANK")
    status, body = await submit_picks(
        poll_rig, view["private_metadata"], "2", "3", "2", user="U0RANK"
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["pick-3"]
    assert "You ranked option 2 twice" in answer["errors"]["pick-3"]
    assert await ballots(store_bot) == []
    # A form that lost its poll says how to start again.
    lost = await submit_picks(poll_rig, json.dumps({"team": TEAM}), "1", "2", "3", user="U0RANK")
    assert "lost track of its poll" in json.loads(lost[1])["errors"]["pick-1"]


async def test_typed_rank_works_and_a_form_that_cannot_open_says_what_to_type(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    await create_poll(poll_rig, RANKED)
    await poll_rig.command("poll rank 1 2 3 1", user="U0TYPE")
    assert "I stored your ranking in poll #1" in shown_text(fake.posted()[-1])
    assert await ballots(store_bot) == [(2, 3, 1)]
    fake.fail("views.open", "expired_trigger_id")
    await poll_rig.command("poll rank 1", user="U0LATE")
    shown = shown_text(fake.posted()[-1])
    assert "Rank poll #1" in shown and "`poll rank 1 3 2 1`" in shown


async def test_a_ranking_dropped_while_the_form_waits_is_still_stored_and_confirmed(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    """Bolt runs the listener inside the HTTP handler: if the server drops the request (it is
    stopping), the ranking the work goes on to store is still confirmed."""
    view = await open_rank_form(poll_rig, fake, "U0RANK")
    entered, gate = asyncio.Event(), asyncio.Event()
    original = store_bot.handle_text

    async def slow(*args: Any, **kwargs: Any) -> Reply:
        entered.set()
        await gate.wait()
        return await original(*args, **kwargs)

    store_bot.handle_text = slow  # type: ignore[method-assign]

    async def ack(**answer: Any) -> None:
        raise AssertionError(f"acknowledged a dropped request: {answer}")

    payload = view_payload(picks_state("3", "1", "2"), view["private_metadata"], user="U0RANK")
    payload["view"]["callback_id"] = "oped_pick"
    listener = asyncio.ensure_future(
        poll_rig.adapter._on_pick_modal(ack, payload, payload["view"])  # type: ignore[arg-type]
    )
    await entered.wait()
    listener.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listener
    gate.set()
    await asyncio.wait_for(poll_rig.adapter.drain(), 2.5)
    assert await ballots(store_bot) == [(3, 1, 2)]
    confirmation = fake.called("chat.postEphemeral")[-1]
    assert "3. Someone new &gt; 1. Pompeo" in shown_text(confirmation)
