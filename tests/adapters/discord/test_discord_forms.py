"""Forms (modals) for list options: `/poll create` without options asks for them line by line."""

from __future__ import annotations

from typing import Any

from adapters.discord import forms
from adapters.discord import tree as derived
from bot.features import all_commands
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER,
    Call,
    Harness,
    message_calls,
    waiting_forms,
)


def needs_poll_create(harness: Harness) -> None:
    assert derived.find(harness.adapter.commands, ("poll", "create")), "no `poll create`"


def modal_of(calls: list[Call]) -> dict[str, object]:
    (answer,) = [c for c in calls if c.kind == 9]
    return dict(answer.body["data"])


async def test_leaving_out_the_options_opens_a_prefilled_form(discord_bot: Harness) -> None:
    needs_poll_create(discord_bot)
    calls = await discord_bot.slash("poll create", question="Talks by 2020?", multi=2)
    modal = modal_of(calls)
    assert modal["custom_id"] == "oped-form:poll create --multi 2"
    assert 1 <= len(str(modal["title"])) <= 45
    rows: list[dict[str, Any]] = modal["components"]  # type: ignore[assignment]
    inputs = {row["component"]["custom_id"]: row for row in rows}
    assert inputs["question"]["component"]["value"] == "Talks by 2020?"
    assert inputs["options"]["component"]["style"] == 2  # paragraph: one option per line
    assert all(len(row["label"]) <= 45 for row in inputs.values())
    # nothing waits in memory for the answer
    assert waiting_forms(discord_bot.client) == 0


async def test_submitting_the_form_creates_the_poll(discord_bot: Harness) -> None:
    needs_poll_create(discord_bot)
    fields = {
        "question": "Which issues matter most?",
        "options": "Sanctions\n\n Peace treaty \nHuman rights",
    }
    calls = await discord_bot.submit_form("oped-form:poll create --multi 2", fields)
    (posted,) = message_calls(calls)
    assert posted.kind == 4 and not posted.ephemeral
    labels = [b["label"] for b in posted.buttons][:3]
    assert labels == ["1. Sanctions", "2. Peace treaty", "3. Human rights"]
    store = discord_bot.bot.services.store
    assert store is not None
    (poll,) = await store.open_polls("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert poll.options == ("Sanctions", "Peace treaty", "Human rights")
    assert poll.max_picks == 2  # the option typed in the command rode along in the form's id
    assert poll.question == "Which issues matter most?"


async def test_a_form_sent_before_a_restart_still_works(start_bot: StartBot) -> None:
    before = await start_bot()
    needs_poll_create(before)
    modal = modal_of(await before.slash("poll create", question="Q?"))
    await before.close()
    after = await start_bot()
    calls = await after.submit_form(str(modal["custom_id"]), {"question": "Q?", "options": "A\nB"})
    assert message_calls(calls)[0].buttons[0]["label"] == "1. A"


async def test_a_bad_form_is_refused_privately(discord_bot: Harness) -> None:
    needs_poll_create(discord_bot)
    calls = await discord_bot.submit_form(
        "oped-form:poll create", {"question": "Q?", "options": "only one"}, MEMBER
    )
    (answer,) = message_calls(calls)
    assert answer.ephemeral and "options" in answer.text.lower()


async def test_options_typed_in_the_command_need_no_form(discord_bot: Harness) -> None:
    needs_poll_create(discord_bot)
    calls = await discord_bot.slash("poll create", question="Q?", options="A|B")
    assert not [c for c in calls if c.kind == 9]
    assert message_calls(calls)[0].buttons[0]["label"] == "1. A"


def test_forms_only_where_a_list_is_required() -> None:
    for command in all_commands():
        fields = forms.form_options(command)
        if fields:
            assert any(o.kind == "list" and o.required for o in fields)
            assert len(fields) <= forms.INPUTS_MAX
        else:
            assert all(forms.discord_required(command, o) == o.required for o in command.options)


async def test_a_form_with_invisible_or_look_alike_text_is_refused(discord_bot: Harness) -> None:
    needs_poll_create(discord_bot)
    store = discord_bot.bot.services.store
    assert store is not None
    for fields, complaint in [
        ({"question": "\u200b", "options": "A\nB"}, "The question is empty once invisible"),
        ({"question": "Q?", "options": "A\nB\ud800"}, "Option 2 has a broken character"),
        ({"question": "Q?", "options": "Yes\nNo\nＹＥＳ"}, "Options 1 and 3 are the same"),
    ]:
        calls = await discord_bot.submit_form("oped-form:poll create", fields, MEMBER)
        (answer,) = message_calls(calls)
        assert answer.ephemeral and complaint in answer.text
    assert await store.open_polls("discord", str(GUILD_ID), str(CHANNEL_ID)) == []
