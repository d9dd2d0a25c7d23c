"""`/oped` over signed HTTP: every catalogue command, help, parity, rights and escaping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.webhook import WebhookResponse

from adapters.slack.app import unreachable
from bot.app import Bot
from bot.catalogue import Catalogue, Command
from bot.config import Settings
from bot.content.registry import PackRegistry
from bot.context import Services
from bot.features import all_commands
from bot.models import Request
from bot.replies import Card, Reply
from bot.store.sqlite import SqliteStore
from tests.adapters.slack.slackfake import (
    CHANNEL,
    TEAM,
    FakeSlack,
    SlackRig,
    command_body,
    shown_text,
)

COMMANDS = all_commands()


def sample_line(command: Command) -> str:
    """A line that calls `command`: its first example, else its name with made-up arguments."""
    if command.examples:
        return command.examples[0]
    words = [command.name]
    for option in command.options:
        if not option.required:
            continue
        if option.kind == "choice":
            value = option.choices[0]
        elif option.kind == "int":
            value = str(option.min_value or 1)
        elif option.kind == "list":
            value = " ".join(f'"item {n}"' for n in range(max(2, option.min_items)))
        elif option.kind == "flag":
            value = ""
        else:
            value = '"some text"'
        words.append(value if option.positional else f"--{option.name} {value}".strip())
    return " ".join(words)


def record(bot: Bot) -> list[Request]:
    """Spy on Bot.handle: the requests the adapter turned events into."""
    seen: list[Request] = []
    original: Callable[[Request], Awaitable[object]] = bot.handle

    async def handle(request: Request):  # type: ignore[no-untyped-def]
        seen.append(request)
        return await original(request)

    bot.handle = handle  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
async def test_every_catalogue_command_runs_as_a_subcommand(
    command: Command, store_bot: Bot, poll_rig: SlackRig, fake: FakeSlack
) -> None:
    fake.admins.add("UMOD")  # a workspace admin, so moderator commands run too
    seen = record(store_bot)
    assert await poll_rig.command(sample_line(command), user="UMOD", name="mod") == 200
    assert [r.command for r in seen] == [command.path]
    request = seen[0]
    assert request.place.platform == "slack" and request.place.channel == CHANNEL
    assert request.user.id == "UMOD" and request.user.is_moderator
    shown = fake.posted()
    assert shown, "the user saw nothing"
    assert "No command" not in shown_text(shown[-1])
    assert "went wrong on our side" not in shown_text(shown[-1])


MODERATOR_COMMANDS = [command for command in COMMANDS if command.moderator]


@pytest.mark.parametrize("command", MODERATOR_COMMANDS, ids=lambda c: c.name)
async def test_moderator_commands_are_refused_to_members(
    command: Command, bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    seen = record(bot)
    await rig.command(sample_line(command), user="U0MEMBER")
    assert seen[-1].user.is_moderator is False
    refusal = fake.posted()[-1]
    assert refusal["response_type"] == "ephemeral"
    assert "is for moderators" in shown_text(refusal)
    assert fake.called("chat.postMessage") == []


def test_parity_every_catalogue_command_has_a_subcommand(bot: Bot) -> None:
    assert unreachable(bot.catalogue) == []


async def _noop(*_: object) -> Reply:
    return Reply(())


def test_parity_check_catches_a_command_slack_cannot_reach() -> None:
    shadowed = Command(("poll", "new"), "A command Slack reserves for its modal.", _noop)
    catalogue = Catalogue([*COMMANDS, shadowed])
    assert unreachable(catalogue) == ["poll new"]


async def test_help_lists_every_command(bot: Bot, rig: SlackRig, fake: FakeSlack) -> None:
    for text in ("", "help", "  HELP "):
        await rig.command(text)
        message = fake.posted()[-1]
        assert message["response_type"] == "ephemeral"
        shown = shown_text(message)
        missing = [c.name for c in bot.catalogue.commands if c.usage.split()[0] not in shown]
        assert missing == []
        for command in bot.catalogue.commands:
            usage = command.usage.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert usage in shown
        assert "`/oped poll new`" in shown  # the Slack-only form is listed too


async def test_public_replies_are_posted_with_chat_post_message(
    rig: SlackRig, fake: FakeSlack
) -> None:
    await rig.command("quote Q1")
    (posted,) = fake.called("chat.postMessage")
    assert posted["channel"] == CHANNEL
    assert posted["text"] and posted["blocks"]
    assert fake.responses == []


async def test_errors_are_ephemeral_and_name_what_to_change(rig: SlackRig, fake: FakeSlack) -> None:
    await rig.command("sumary")
    message = fake.posted()[-1]
    assert message["response_type"] == "ephemeral"
    assert "summary" in shown_text(message)
    assert fake.called("chat.postMessage") == []


async def test_slow_work_happens_after_the_ack(bot: Bot, rig: SlackRig, fake: FakeSlack) -> None:
    gate = asyncio.Event()
    original = bot.handle

    async def slow(request: Request) -> Reply:
        await gate.wait()  # the work cannot finish until the test says so
        return await original(request)

    bot.handle = slow  # type: ignore[method-assign]
    rig.adapter.ack_budget = 0.05  # how long the ack waits for a reply, kept short here
    status, body = await asyncio.wait_for(rig.post(command_body(fake, "source")), 2.5)
    assert (status, body) == (200, "")  # Slack has its ack while the work is still waiting
    assert fake.called("chat.postMessage") == []
    gate.set()
    await rig.adapter.drain()
    assert len(fake.called("chat.postMessage")) == 1


async def test_a_command_dropped_while_its_ack_waits_still_answers_through_the_response_url(
    bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    """Bolt runs the listener inside the HTTP handler: if the server drops the request (it is
    stopping), the answer the work was holding for the acknowledgement is not lost."""
    entered, gate = asyncio.Event(), asyncio.Event()
    original = bot.handle

    async def slow(request: Request) -> Reply:
        entered.set()
        await gate.wait()
        return await original(request)

    bot.handle = slow  # type: ignore[method-assign]
    acked: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []

    async def ack(**answer: Any) -> None:
        acked.append(answer)

    async def respond(**message: Any) -> WebhookResponse:
        sent.append(message)
        return WebhookResponse(url="", status_code=200, body="ok", headers={})

    body = {"team_id": TEAM, "channel_id": CHANNEL, "user_id": "U0001", "text": "help"}
    listener = asyncio.ensure_future(rig.adapter._on_command(ack, body, respond))  # type: ignore[arg-type]
    await entered.wait()
    listener.cancel()
    with pytest.raises(asyncio.CancelledError):
        await listener
    gate.set()
    await asyncio.wait_for(rig.adapter.drain(), 2.5)
    assert acked == []
    assert sent and all(message["response_type"] == "ephemeral" for message in sent)
    assert "poll" in json.dumps(sent)  # the help itself


@pytest.mark.parametrize("markup", [False, True], ids=["typed", "slack-markup"])
@pytest.mark.parametrize(
    "text", ["quote <!channel>", "explain <!here> now", "counterpoint <@U0BOSS|boss> & <!everyone>"]
)
async def test_mentions_in_user_text_never_reach_slack_unescaped(
    text: str, markup: bool, rig: SlackRig, fake: FakeSlack
) -> None:
    # Typed, Slack escapes the text; picked from Slack's menu, a mention arrives as markup.
    await rig.command(text, markup=markup)
    shown = shown_text(fake.posted()[-1])
    assert "&lt;" in shown
    assert "<!" not in shown and "<@" not in shown


async def test_moderator_rights_come_from_users_info_and_are_cached(
    bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    from datetime import timedelta

    from bot.clock import FakeClock

    fake.admins.add("UADMIN")
    seen = record(bot)
    await rig.command("claims", user="UADMIN")
    await rig.command("claims", user="UADMIN")
    await rig.command("claims", user="UMEMBER")
    assert [r.user.is_moderator for r in seen] == [True, True, False]
    assert [a["user"] for a in fake.called("users.info")] == ["UADMIN", "UMEMBER"]
    clock = bot.services.clock
    assert isinstance(clock, FakeClock)
    fake.admins.discard("UADMIN")  # demoted in Slack: noticed once the cache expires
    clock.advance(timedelta(minutes=6))
    await rig.command("claims", user="UADMIN")
    assert seen[-1].user.is_moderator is False
    assert len(fake.called("users.info")) == 3


async def test_users_info_failure_means_member(bot: Bot, rig: SlackRig, fake: FakeSlack) -> None:
    fake.admins.add("UADMIN")
    fake.fail("users.info", "missing_scope")
    seen = record(bot)
    await rig.command("claims", user="UADMIN")
    assert seen[-1].user.is_moderator is False


async def test_unclosed_quote_is_explained(rig: SlackRig, fake: FakeSlack) -> None:
    await rig.command('quote search "north korea')
    message = fake.posted()[-1]
    assert message["response_type"] == "ephemeral"
    assert "quote" in shown_text(message).lower()


async def test_bot_not_in_a_private_channel_answers_through_response_url(
    rig: SlackRig, fake: FakeSlack
) -> None:
    fake.fail("chat.postMessage", "channel_not_found")
    await rig.command("summary tldr", channel="G0PRIVATE")
    message = fake.responses[-1]
    assert message["response_type"] == "in_channel"
    assert "summary" in shown_text(message).lower()


async def test_archived_channel_is_explained_to_the_user(rig: SlackRig, fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", "is_archived")
    await rig.command("summary tldr")
    message = fake.responses[-1]
    assert message["response_type"] == "ephemeral"
    assert "is_archived" in shown_text(message)


async def test_typed_text_reaches_the_core_as_typed(bot: Bot, rig: SlackRig) -> None:
    seen = record(bot)
    await rig.command("quote search talks & <sanctions>")  # Slack sends &amp; and &lt;
    assert seen[-1].args == {"words": "talks & <sanctions>"}


async def test_configured_moderators_have_rights_without_being_admins(
    packs: PackRegistry, settings: Settings, fake: FakeSlack
) -> None:
    configured = replace(settings, moderator_users=frozenset({"U0CONF"}))
    store = await SqliteStore.open(configured.db_path)
    rig = SlackRig(Bot(Services(packs=packs, store=store, settings=configured)), fake)
    await rig.start()
    try:
        await rig.command("debate start P1", user="U0CONF")
        assert len(fake.called("chat.postMessage")) == 2  # the motion and its thread starter
        await rig.command("debate close 1", user="U0OTHER")
        assert "is for moderators" in shown_text(fake.posted()[-1])
    finally:
        await rig.close()
        await store.close()


async def test_a_button_that_posts_nothing_new_answers_only_the_clicker(
    rig: SlackRig, fake: FakeSlack
) -> None:
    await rig.command("summary tldr")
    (summary,) = fake.called("chat.postMessage")
    await rig.click("oped:claims", "claims", message_ts="1700000000.000001", user="U0CURIOUS")
    assert fake.called("chat.postMessage") == [summary]  # the channel sees nothing new
    assert fake.responses[-1]["response_type"] == "ephemeral"
    assert "Claims" in shown_text(fake.responses[-1])


async def test_a_reply_ready_in_time_is_carried_in_the_acknowledgement(
    rig: SlackRig, fake: FakeSlack
) -> None:
    status, body = await rig.post(command_body(fake, "sumary"))
    await rig.adapter.drain()
    assert status == 200
    answer = json.loads(body)  # Slack shows this; no second request to the response_url
    assert answer["response_type"] == "ephemeral" and "sumary" in shown_text(answer)
    assert answer["blocks"] and answer["text"]
    assert fake.called("response_url") == [] and fake.called("chat.postEphemeral") == []


async def test_a_long_reply_continues_through_the_response_url_after_the_ack(
    bot: Bot, rig: SlackRig, fake: FakeSlack
) -> None:
    async def long(request: Request) -> Reply:
        return Reply(tuple(Card("notice", f"line {n}") for n in range(80)), ephemeral=True)

    bot.handle = long  # type: ignore[method-assign]
    status, body = await rig.post(command_body(fake, "source"))
    await rig.adapter.drain()
    first = json.loads(body)
    later = fake.called("response_url")
    assert status == 200 and first["response_type"] == "ephemeral"
    assert "line 0" in shown_text(first) and "line 0" not in shown_text(later[0])
    # More than one message's worth: the first rides in the ack, the rest follow it, in order.
    assert "line 79" in shown_text(later[-1])
    assert all(message["response_type"] == "ephemeral" for message in later)


async def test_a_public_reply_is_posted_and_the_ack_stays_empty(
    rig: SlackRig, fake: FakeSlack
) -> None:
    status, body = await rig.post(command_body(fake, "quote Q1"))
    await rig.adapter.drain()
    assert (status, body) == (200, "")
    assert len(fake.called("chat.postMessage")) == 1  # tracked public cards need their ts
