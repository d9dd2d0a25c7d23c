"""Scheduled posts and announcements through the Discord poster, and how refusals surface."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest

from adapters.discord.failures import explain, post_failed, retryable
from adapters.discord.poster import DiscordPoster
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Button, Card, Reply
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    GUILD_ID,
    Harness,
    message_calls,
)

PLACE = Place("discord", str(GUILD_ID), str(CHANNEL_ID))
PROMPT = Reply(
    (
        Card(
            "debate",
            "This house would lift sanctions now. @everyone",
            title="Debate prompt",
            buttons=(Button("Start the debate", "oped:debate start P1"),),
        ),
    ),
    thread="This house would lift sanctions now.",
)


def poster(harness: Harness) -> DiscordPoster:
    found = harness.bot.services.posters["discord"]
    assert isinstance(found, DiscordPoster)
    return found


async def test_the_poster_is_registered_at_start_and_removed_at_close(discord_bot: Harness) -> None:
    assert poster(discord_bot).client is discord_bot.client
    await discord_bot.close()
    assert "discord" not in discord_bot.bot.services.posters


async def test_post_sends_a_silent_message_and_opens_its_thread(discord_bot: Harness) -> None:
    mark = discord_bot.fake.mark()
    message_id = await discord_bot.bot.services.delivery.post(PLACE, PROMPT)
    calls = discord_bot.fake.since(mark)
    sent = message_calls(calls)
    assert len(sent) == 1 and sent[0].path == f"/channels/{CHANNEL_ID}/messages"
    assert message_id == str(sent[0].message_id)
    assert sent[0].message["allowed_mentions"] == {"parse": []}
    assert "@\u200beveryone" in sent[0].text
    assert sent[0].buttons[0]["custom_id"] == "oped:debate start P1"
    threads = [c for c in calls if c.path.endswith("/threads")]
    assert threads[0].path == f"/channels/{CHANNEL_ID}/messages/{message_id}/threads"
    assert threads[0].body["name"] == "This house would lift sanctions now."


async def test_update_edits_the_message_in_place(discord_bot: Harness) -> None:
    message_id = await poster(discord_bot).post(PLACE, PROMPT)
    mark = discord_bot.fake.mark()
    await poster(discord_bot).update(PLACE, message_id, Reply((Card("debate", "Closed."),)))
    (edit,) = discord_bot.fake.since(mark)
    assert edit.method == "PATCH"
    assert edit.path == f"/channels/{CHANNEL_ID}/messages/{message_id}"
    assert edit.text == "Closed." and edit.message["components"] == []


@pytest.mark.parametrize(
    ("status", "code", "again", "words"),
    [
        (403, 50013, False, "missing a permission"),
        (404, 10003, False, "no longer exists"),
        (429, 0, True, "rate-limiting"),
    ],
)
async def test_refusals_become_post_failed(
    discord_bot: Harness, status: int, code: int, again: bool, words: str
) -> None:
    discord_bot.fake.fail("GET", rf"^/channels/{CHANNEL_ID}$", status, code=code)
    with pytest.raises(PostFailed) as caught:
        await poster(discord_bot).post(PLACE, PROMPT)
    assert caught.value.retryable is again
    assert words in str(caught.value)


async def test_refused_send_and_edit_become_post_failed(discord_bot: Harness) -> None:
    fake = discord_bot.fake
    fake.fail("POST", r"/messages$", 403, code=50001, message="Missing Access")
    with pytest.raises(PostFailed) as caught:
        await poster(discord_bot).post(PLACE, PROMPT)
    assert not caught.value.retryable
    with pytest.raises(PostFailed) as edited:
        await poster(discord_bot).update(PLACE, "1200000000000000099", PROMPT)  # never existed
    assert not edited.value.retryable and "no longer exists" in str(edited.value)


async def test_a_thread_refusal_is_explained_in_the_channel(discord_bot: Harness) -> None:
    discord_bot.fake.fail("POST", r"/threads$", 403, code=50013, message="Missing Permissions")
    mark = discord_bot.fake.mark()
    message_id = await discord_bot.bot.services.delivery.post(PLACE, PROMPT)
    sent = message_calls(discord_bot.fake.since(mark))
    assert str(sent[0].message_id) == message_id  # the post stands: no retry, no double post
    assert len(sent) == 2 and "could not open the discussion thread" in sent[1].text


def _error(kind: type[discord.HTTPException], status: int) -> discord.HTTPException:
    response: Any = SimpleNamespace(status=status, reason="x")
    return kind(response, {"code": 0, "message": "x"})


@pytest.mark.parametrize(
    ("error", "again"),
    [
        (_error(discord.Forbidden, 403), False),
        (_error(discord.NotFound, 404), False),
        (_error(discord.HTTPException, 429), True),
        (_error(discord.DiscordServerError, 503), True),
        (_error(discord.HTTPException, 400), False),
        (aiohttp.ClientConnectionError(), True),
        (TimeoutError(), True),
    ],
)
def test_every_failure_kind_is_classified_and_explained(error: Exception, again: bool) -> None:
    assert retryable(error) is again
    failed = post_failed("Could not post", error)
    assert failed.retryable is again
    assert str(failed).startswith("Could not post: ")
    assert explain(error) != explain(ValueError())


async def test_a_channel_known_only_by_name_is_refused_clearly(discord_bot: Harness) -> None:
    named = Place("discord", str(GUILD_ID), "debates")
    with pytest.raises(PostFailed) as caught:
        await poster(discord_bot).post(named, PROMPT)
    assert not caught.value.retryable and "#debates" in str(caught.value)
    with pytest.raises(PostFailed):
        await poster(discord_bot).update(named, "123", PROMPT)


async def test_post_into_a_thread(discord_bot: Harness) -> None:
    thread = Place("discord", str(GUILD_ID), str(CHANNEL_ID), thread="1300000000000000777")
    mark = discord_bot.fake.mark()
    await poster(discord_bot).post(thread, Reply((Card("text", "In the thread."),)))
    sent = message_calls(discord_bot.fake.since(mark))
    assert sent[0].path == "/channels/1300000000000000777/messages"
