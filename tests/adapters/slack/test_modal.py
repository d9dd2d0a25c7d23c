"""`/oped poll new`: a form derived from `poll create`, validated in the form, posted on submit."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.app import Bot
from bot.models import Request
from bot.replies import Reply
from bot.store.base import TrackedMessage
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


def state(
    question: str | None = "Who should negotiate?",
    options: str | None = "Pompeo\nBolton\n\nSomeone new\n",
    multi: str | None = None,
    anonymous: bool = False,
    results: str | None = None,
    closes: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Input states as Slack sends them in a view_submission."""
    picked = [{"text": {"type": "plain_text", "text": "x"}, "value": "anonymous"}]
    return {
        "question": {"value": {"type": "plain_text_input", "value": question}},
        "options": {"value": {"type": "plain_text_input", "value": options}},
        "multi": {"value": {"type": "number_input", "value": multi}},
        "anonymous": {
            "value": {"type": "checkboxes", "selected_options": picked if anonymous else []}
        },
        "results": {
            "value": {
                "type": "static_select",
                "selected_option": {"value": results} if results else None,
            }
        },
        "closes": {"value": {"type": "plain_text_input", "value": closes}},
    }


async def open_form(rig: SlackRig, fake: FakeSlack) -> dict[str, Any]:
    await rig.command("poll new")
    (opened,) = fake.called("views.open")
    view = opened["view"]
    return json.loads(view) if isinstance(view, str) else view


async def test_poll_new_opens_a_form_with_one_input_per_option(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    (opened,) = fake.called("views.open")
    assert opened["trigger_id"].startswith("13345224609.")
    command = store_bot.command(("poll", "create"))
    assert [b["block_id"] for b in view["blocks"]] == [o.name for o in command.options]
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert kinds == {
        "question": "plain_text_input",
        "options": "plain_text_input",
        "multi": "number_input",
        "anonymous": "checkboxes",
        "results": "static_select",
        "closes": "plain_text_input",
        "remind": "plain_text_input",
        "open": "checkboxes",
        "roles": "plain_text_input",
        "members": "checkboxes",
        "ranked": "checkboxes",
    }
    assert json.loads(view["private_metadata"]) == {"team": TEAM, "channel": CHANNEL}
    assert fake.posted() == []  # nothing to say in the channel: the form is the answer
    # The trigger_id expires 3 s after the command: the adapter asks Slack nothing else first
    # (auth.test is Bolt checking its token once).
    assert [call.method for call in fake.calls if call.method != "auth.test"] == ["views.open"]


async def test_a_form_that_cannot_open_is_explained_privately(
    poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.fail("views.open", "expired_trigger_id")
    await poll_rig.command("poll new")
    refusal = fake.posted()[-1]
    assert refusal["response_type"] == "ephemeral"
    assert "could not open" in shown_text(refusal)
    assert "/oped poll create" in shown_text(refusal)  # the typed form still works
    assert fake.called("chat.postMessage") == []


async def test_a_valid_submission_closes_the_form_and_posts_the_poll(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    status, body = await poll_rig.submit(
        state(multi="2", anonymous=True, results="closed", closes="1d"),
        view["private_metadata"],
    )
    assert (status, body) == (200, "")  # an empty ack closes the modal
    (posted,) = fake.called("chat.postMessage")
    assert posted["channel"] == CHANNEL
    assert "Who should negotiate?" in shown_text(posted)
    assert [b["value"] for b in buttons(posted)][:3] == [
        "poll vote 1 1",
        "poll vote 1 2",
        "poll vote 1 3",
    ]
    store = store_bot.services.store
    assert store is not None
    poll = await store.get_poll(1)
    assert poll is not None
    assert poll.options == ("Pompeo", "Bolton", "Someone new")
    assert (poll.max_picks, poll.anonymous, poll.results) == (2, True, "closed")
    assert poll.closes_at is not None
    assert await store.messages_for("poll:1") != []
    assert (await store.messages_for("poll:1"))[0] == TrackedMessage(
        poll.place, "1700000000.000001"
    )


async def test_bad_input_is_shown_under_each_field_and_nothing_is_written(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    status, body = await poll_rig.submit(
        state(question="Q" * 301, options="Only one", multi="99"), view["private_metadata"]
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"question", "options", "multi"}
    assert "300" in answer["errors"]["question"]
    assert all(len(text) <= 300 and "<" not in text for text in answer["errors"].values())
    assert fake.called("chat.postMessage") == []
    assert store_bot.services.store is not None
    assert await store_bot.services.store.get_poll(1) is None


async def test_a_refusal_from_the_poll_rules_shows_in_the_form(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    _, body = await poll_rig.submit(state(options="Yes\nyes\nNo"), view["private_metadata"])
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["options"]
    assert fake.called("chat.postMessage") == []
    assert store_bot.services.store is not None
    assert await store_bot.services.store.get_poll(1) is None


async def test_a_missing_question_is_required(poll_rig: SlackRig, fake: FakeSlack) -> None:
    view = await open_form(poll_rig, fake)
    _, body = await poll_rig.submit(state(question=None), view["private_metadata"])
    assert list(json.loads(body)["errors"]) == ["question"]


async def test_a_slow_submission_closes_the_form_and_posts_when_done(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    poll_rig.adapter.modal_budget = 0.01  # Slack's 3 s, scaled down for the test
    gate = asyncio.Event()
    original = store_bot.handle

    async def slow(request: Request) -> Reply:
        await gate.wait()
        return await original(request)

    store_bot.handle = slow  # type: ignore[method-assign]
    body = payload_body(view_payload(state(), view["private_metadata"]))
    status, answer = await asyncio.wait_for(poll_rig.post(body), 2.5)
    assert (status, answer) == (200, "")  # acknowledged: the form closes
    assert fake.called("chat.postMessage") == []
    gate.set()
    await poll_rig.adapter.drain()
    (posted,) = fake.called("chat.postMessage")
    assert "Who should negotiate?" in shown_text(posted)


async def test_invisible_and_look_alike_text_is_refused_under_its_input(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    _, body = await poll_rig.submit(
        state(question="\u200b\ufeff", options="A\nB\x00\nC"), view["private_metadata"]
    )
    errors = json.loads(body)["errors"]
    assert "The question is empty once invisible characters" in errors["question"]
    assert "Option 2 contains a control character (U+0000)" in errors["options"]
    _, body = await poll_rig.submit(state(options="A\nB\nＡ\u200b"), view["private_metadata"])
    errors = json.loads(body)["errors"]
    assert list(errors) == ["options"] and "Options 1 and 3 are the same" in errors["options"]
    assert fake.called("chat.postMessage") == []
    assert store_bot.services.store is not None
    assert await store_bot.services.store.get_poll(1) is None


async def test_a_too_long_option_is_named_under_the_options_input(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    view = await open_form(poll_rig, fake)
    long = "Keep the talks going " + "x" * 55
    _, body = await poll_rig.submit(state(options=f"Yes\nNo\n{long}"), view["private_metadata"])
    errors = json.loads(body)["errors"]
    assert list(errors) == ["options"]
    assert errors["options"].startswith("Option 3 is 76 characters; the limit is 75 (it starts")
    assert fake.called("chat.postMessage") == []


async def test_a_listener_that_fails_before_its_ack_is_answered_at_once(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    """Bolt runs each listener to its end before it answers: a failure is a 500 at once."""
    view = await open_form(poll_rig, fake)

    def broken(path: tuple[str, ...]) -> Any:
        raise RuntimeError("the catalogue is unreadable")

    store_bot.command = broken  # type: ignore[method-assign]
    body = payload_body(view_payload(state(), view["private_metadata"]))
    status, _ = await asyncio.wait_for(poll_rig.post(body), 1.5)
    assert status == 500
    assert fake.called("chat.postMessage") == []


async def test_a_submission_dropped_while_the_form_waits_still_posts_the_poll(
    store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    """Bolt runs the listener inside the HTTP handler: if the server drops the request (it is
    stopping), the poll the work goes on to create is still posted."""
    view = await open_form(poll_rig, fake)
    entered, gate = asyncio.Event(), asyncio.Event()
    original = store_bot.handle

    async def slow(request: Request) -> Reply:
        entered.set()
        await gate.wait()
        return await original(request)

    store_bot.handle = slow  # type: ignore[method-assign]

    async def ack(**answer: Any) -> None:
        raise AssertionError(f"acknowledged a dropped request: {answer}")

    payload = view_payload(state(), view["private_metadata"])
    listener = asyncio.ensure_future(
        poll_rig.adapter._on_poll_modal(ack, payload, payload["view"])  # type: ignore[arg-type]
    )
    await entered.wait()
    listener.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listener
    gate.set()
    await asyncio.wait_for(poll_rig.adapter.drain(), 2.5)
    (posted,) = fake.called("chat.postMessage")
    assert "Who should negotiate?" in shown_text(posted)
