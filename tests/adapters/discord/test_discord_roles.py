"""Who may vote on Discord (`--roles`) and the Add option form, on real discord.py code paths."""

from __future__ import annotations

from tests.adapters.discord.discord_harness import (
    GUILD_ID,
    Call,
    FakeDiscord,
    Harness,
    Member,
    role,
)
from tests.adapters.discord.test_discord_polls import edits, poll_id

EDITORS = 1_500_000_000_000_000_001
STAFF = 1_500_000_000_000_000_002
READER = Member(id=1_400_000_000_000_000_101, name="reader", roles=(1_500_000_000_000_000_009,))
EDITOR = Member(id=1_400_000_000_000_000_102, name="editor", roles=(EDITORS,))


async def roles_poll(harness: Harness, fake: FakeDiscord) -> Call:
    fake.roles = [role(EDITORS, "Editors"), role(STAFF, "everyone")]
    calls = await harness.slash(
        "poll create",
        question="Publish the draft?",
        options="Yes|No",
        roles=f"<@&{EDITORS}> <@&{STAFF}>",
    )
    assert calls[-1].kind == 4 and not calls[-1].ephemeral, calls
    return calls[-1]


async def test_the_card_names_the_roles_without_pinging(
    discord_bot: Harness, fake: FakeDiscord
) -> None:
    posted = await roles_poll(discord_bot, fake)
    # Names from the server's role list; a role called "everyone" is defused by the renderer.
    assert "Who can vote: @Editors or @\u200beveryone" in posted.text
    assert f"<@&{EDITORS}>" not in posted.text
    assert posted.message["allowed_mentions"] == {"parse": []}


async def test_a_member_without_the_role_is_refused_privately(
    discord_bot: Harness, fake: FakeDiscord
) -> None:
    posted = await roles_poll(discord_bot, fake)
    number = poll_id(posted)
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", READER)
    (answer,) = [c for c in calls if c.is_message]
    assert answer.kind == 4 and answer.ephemeral
    assert f"Poll #{number} is for @Editors and @\u200beveryone" in answer.text
    assert edits(await discord_bot.settle()) == []
    store = discord_bot.bot.services.store
    assert store is not None
    assert (await store.tally(number)).voters == 0


async def test_a_member_with_the_role_votes(discord_bot: Harness, fake: FakeDiscord) -> None:
    posted = await roles_poll(discord_bot, fake)
    number = poll_id(posted)
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", EDITOR)
    (answer,) = [c for c in calls if c.is_message]
    assert answer.ephemeral and f"Your vote in poll #{number}: 2. No" in answer.text
    (redraw,) = edits(await discord_bot.settle())
    assert "1 vote" in redraw.text


async def test_a_role_typed_as_a_name_is_found_and_an_unknown_one_refused(
    discord_bot: Harness, fake: FakeDiscord
) -> None:
    fake.roles = [role(EDITORS, "Editors")]
    # In a form (or typed without picking), a role arrives as plain text, not a mention.
    calls = await discord_bot.slash(
        "poll create", question="Q?", options="Yes|No", roles="@editors"
    )
    assert "Who can vote: @Editors" in calls[-1].text and not calls[-1].ephemeral
    store = discord_bot.bot.services.store
    assert store is not None
    (poll,) = await store.polls_since("discord", str(GUILD_ID))
    assert [r.id for r in poll.roles] == [str(EDITORS)]
    calls = await discord_bot.slash("poll create", question="Q?", options="Yes|No", roles="@Nobody")
    (answer,) = [c for c in calls if c.is_message]
    assert answer.ephemeral
    assert "`@Nobody` is not a role. Type @ and pick each role from Discord's list" in answer.text


async def test_add_option_opens_a_form_and_its_submission_adds_and_redraws(
    discord_bot: Harness,
) -> None:
    calls = await discord_bot.slash(
        "poll create", question="Lunch?", options="Pizza|Tacos", open=True
    )
    posted = calls[-1]
    number = poll_id(posted)
    assert f"oped:poll add {number}" in [b["custom_id"] for b in posted.buttons]
    clicked = await discord_bot.click(posted.message_id, f"oped:poll add {number}")
    (modal_call,) = [c for c in clicked if c.kind == 9]
    modal = modal_call.body["data"]
    assert modal["custom_id"] == f"oped-form:poll add {number}"
    (row,) = modal["components"]
    assert row["component"]["custom_id"] == "option" and row["component"]["max_length"] == 75
    submitted = await discord_bot.submit_form(modal["custom_id"], {"option": "Sushi"})
    (answer,) = [c for c in submitted if c.is_message]
    assert answer.ephemeral and f"Added option 3. Sushi to poll #{number}" in answer.text
    (redraw,) = edits(await discord_bot.settle())
    assert redraw.path.endswith(f"/messages/{posted.message_id}")
    assert "3. Sushi" in [b["label"] for b in redraw.buttons]
    again = await discord_bot.submit_form(modal["custom_id"], {"option": "sushi"})
    (refused,) = [c for c in again if c.is_message]
    assert refused.ephemeral and "already has `sushi` as option 3" in refused.text


async def test_members_only_is_refused_where_everyone_who_sees_the_channel_is_a_member(
    discord_bot: Harness,
) -> None:
    calls = await discord_bot.slash("poll create", question="Q?", options="Yes|No", members=True)
    (answer,) = [c for c in calls if c.is_message]
    assert answer.ephemeral
    assert "`--members` needs a platform that can list a channel's members" in answer.text
    store = discord_bot.bot.services.store
    assert store is not None
    assert await store.polls_since("discord", str(GUILD_ID)) == []


async def test_a_poll_for_the_everyone_role_takes_every_member(
    discord_bot: Harness, fake: FakeDiscord
) -> None:
    fake.roles = [role(GUILD_ID, "@everyone")]
    calls = await discord_bot.slash(
        "poll create", question="Q?", options="Yes|No", roles=f"<@&{GUILD_ID}>"
    )
    posted = calls[-1]
    assert "Who can vote: @\u200beveryone ·" in posted.text  # the role's own name, defused
    number = poll_id(posted)
    clicked = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", READER)
    (answer,) = [c for c in clicked if c.is_message]
    assert f"Your vote in poll #{number}: 1. Yes" in answer.text
