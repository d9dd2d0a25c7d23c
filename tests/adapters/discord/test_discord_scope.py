"""On Discord, polls and debates answer only in their channel and its threads.

From a channel a member may not see, a guessed id must reveal nothing and change nothing.
"""

from __future__ import annotations

from typing import Any

from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    MEMBER,
    MODERATOR,
    Call,
    Harness,
    Member,
    command_data,
    in_dm,
    interaction,
    message_calls,
    public_thread,
    text_channel,
)
from tests.store.tables import all_rows

QUESTION = "Lift sanctions?"
OTHER = text_channel(1_100_000_000_000_000_010)  # another channel of the same server
THREAD = public_thread(1_100_000_000_000_000_011, CHANNEL_ID)  # a thread of the poll's channel
VOTER = Member(id=1_400_000_000_000_000_001, name="voter")

# (command, who, options besides the id, the id's option name)
BY_ID: list[tuple[str, Member, dict[str, Any], str]] = [
    ("poll results", VOTER, {}, "poll"),
    ("poll vote", VOTER, {"option": 1}, "poll"),
    ("poll close", MEMBER, {}, "poll"),  # MEMBER made the poll
    ("poll export", MODERATOR, {}, "poll"),
    ("debate vote", VOTER, {"side": "against"}, "debate"),
    ("debate advance", MODERATOR, {}, "debate"),
    ("debate close", MODERATOR, {}, "debate"),
    ("admin poll close", MODERATOR, {}, "id"),
    ("admin poll delete", MODERATOR, {}, "id"),
    ("admin debate advance", MODERATOR, {}, "id"),
    ("admin debate close", MODERATOR, {}, "id"),
]


async def open_both(harness: Harness) -> tuple[int, int]:
    """Poll #1 and debate #1 in CHANNEL_ID, one vote each; the ids of their messages."""
    poll = (await harness.slash("poll create", question=QUESTION, options="Yes|No"))[0]
    assert "Poll #1" in poll.text
    debate = (await harness.slash("debate start", MODERATOR, motion="P1"))[0]
    assert "Debate #1" in debate.text
    assert "Your vote" in only_reply(await harness.slash("poll vote", VOTER, poll=1, option=1))
    voted = await harness.slash("debate vote", VOTER, debate=1, side="for")
    assert "opening vote" in only_reply(voted)
    await harness.settle(5)
    return poll.message_id, debate.message_id


def only_reply(calls: list[Call]) -> str:
    """The one private answer to an interaction, checking nothing public went out."""
    sent = message_calls(calls)
    assert len(sent) == 1 and sent[0].ephemeral, [c.text for c in sent]
    assert not [c for c in calls if c.method == "PATCH" or c.path.endswith("/threads")]
    return sent[0].text


async def test_from_another_channel_every_by_id_command_is_not_found_and_writes_nothing(
    discord_bot: Harness,
) -> None:
    poll_message, debate_message = await open_both(discord_bot)
    db = discord_bot.bot.services.settings.db_path
    before = all_rows(db)
    for command, who, extra, name in BY_ID:
        shown = only_reply(await discord_bot.slash(command, who, OTHER, **{name: 1}, **extra))
        missing = only_reply(await discord_bot.slash(command, who, OTHER, **{name: 2}, **extra))
        assert shown == missing.replace("#2", "#1"), command
        assert "No poll `#1`" in shown or "No debate `#1`" in shown, command
        assert QUESTION not in shown, command
    # The buttons, as if the poll's messages showed in a channel they were never posted in.
    for message, line in [
        (poll_message, "poll vote 1 2"),
        (poll_message, "poll results 1"),
        (debate_message, "debate vote 1 against"),
    ]:
        shown = only_reply(await discord_bot.click(message, f"oped:{line}", VOTER, OTHER))
        assert "No poll `#1`" in shown or "No debate `#1`" in shown, line
    assert await discord_bot.autocomplete("poll vote", "poll", "", VOTER, OTHER) == []
    assert await discord_bot.autocomplete("debate vote", "debate", "", VOTER, OTHER) == []
    assert await discord_bot.autocomplete("admin poll close", "id", "", MODERATOR, OTHER) == []
    assert [c for c in await discord_bot.settle(5) if c.method != "GET"] == []
    assert all_rows(db) == before


async def test_in_its_own_channel_the_same_commands_work(discord_bot: Harness) -> None:
    await open_both(discord_bot)
    results = only_reply(await discord_bot.slash("poll results", VOTER, poll=1))
    assert QUESTION in results
    choices = await discord_bot.autocomplete("poll vote", "poll", "", VOTER)
    assert [c["value"] for c in choices] == [1]
    export = await discord_bot.slash("poll export", MODERATOR, poll=1)
    assert export[0].ephemeral and export[0].files
    closed = await discord_bot.slash("poll close", MEMBER, poll=1)
    assert "has closed" in closed[0].text and not closed[0].ephemeral


async def test_in_a_thread_of_its_channel_the_same_commands_work(discord_bot: Harness) -> None:
    # Discord sends the thread's id as the channel id; the thread belongs to the poll's channel.
    await open_both(discord_bot)
    thread_id = int(THREAD["id"])
    voted = only_reply(await discord_bot.slash("poll vote", MEMBER, THREAD, poll=1, option=2))
    assert "Your vote in poll #1: 2. No" in voted
    assert QUESTION in only_reply(await discord_bot.slash("poll results", VOTER, THREAD, poll=1))
    choices = await discord_bot.autocomplete("debate vote", "debate", "", VOTER, THREAD)
    assert [c["value"] for c in choices] == [1]
    side = only_reply(await discord_bot.slash("debate vote", MEMBER, THREAD, debate=1, side="for"))
    assert "Your opening vote on debate #1: For" in side
    advanced = await discord_bot.slash("debate advance", MODERATOR, THREAD, debate=1)
    assert "closing vote" in advanced[0].text and not advanced[0].ephemeral
    store = discord_bot.bot.services.store
    assert store is not None
    assert (await store.tally(1)).counts == (1, 1)
    # The card posted from the thread is tracked in the channel, in that thread, and redrawn there.
    shown = await store.messages_for("debate:1")
    assert [(t.place.channel, t.place.thread) for t in shown][-1] == (
        str(CHANNEL_ID),
        str(thread_id),
    )
    await discord_bot.slash("debate vote", VOTER, THREAD, debate=1, side="against")
    redrawn = [c for c in await discord_bot.settle(5) if c.method == "PATCH"]
    paths = {c.path for c in redrawn}
    assert f"/channels/{thread_id}/messages/{advanced[0].message_id}" in paths


async def test_a_poll_in_a_direct_message_is_not_found_from_another_ones(
    discord_bot: Harness,
) -> None:
    # Every DM has the workspace "dm"; only the channel tells one person's DM from another's.
    def from_dm(channel_id: int, path: tuple[str, ...], **options: Any) -> dict[str, Any]:
        data = command_data(discord_bot.adapter.commands, path, options)
        return in_dm(interaction(2, data, VOTER, channel_id=str(channel_id)))

    mine, theirs = 1_100_000_000_000_000_020, 1_100_000_000_000_000_021
    create = from_dm(mine, ("poll", "create"), question=QUESTION, options="Yes|No")
    assert "Poll #1" in message_calls(await discord_bot.deliver(create))[0].text
    db = discord_bot.bot.services.settings.db_path
    before = all_rows(db)
    for path, options in [(("poll", "results"), {}), (("poll", "vote"), {"option": 1})]:
        calls = await discord_bot.deliver(from_dm(theirs, path, poll=1, **options))
        assert "No poll `#1`" in only_reply(calls), path
    assert all_rows(db) == before
    calls = await discord_bot.deliver(from_dm(mine, ("poll", "results"), poll=1))
    assert QUESTION in only_reply(calls)
