"""Result charts on Discord: the PNG in the multipart message, shown as its embed's image."""

from __future__ import annotations

from datetime import timedelta

from adapters.discord.render import render
from bot.clock import FakeClock
from bot.deadlines import close_due
from bot.replies import Attachment, Card, Reply
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    MODERATOR,
    Call,
    Harness,
    message_calls,
)
from tests.adapters.discord.test_discord_polls import create_poll, poll_id, voter
from tests.unit.test_charts import png_size


def chart_of(call: Call, filename: str) -> str:
    """The alt text of the chart `call` carries, after checking it is shown as an embed image."""
    ((name, data),) = call.files
    assert name == filename
    assert png_size(data)[0] > 0
    assert call.embeds[0]["image"]["url"] == f"attachment://{filename}"
    (attachment,) = call.message["attachments"]
    assert attachment["filename"] == filename
    description = str(attachment["description"])
    assert 0 < len(description) <= 1024
    return description


async def test_results_chart_is_an_embed_image_with_alt_text(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot, options="Yes|No|Unsure")
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", voter(2))
    calls = await discord_bot.slash("poll results", voter(3), poll=number, chart=True)
    (answer,) = message_calls(calls)
    assert answer.ephemeral
    alt = chart_of(answer, f"poll-{number}-results.png")
    assert "1. Yes: 1 vote, 50% of voters." in alt
    assert "50% · 1 vote" in answer.text  # the text results, in the same embed


async def test_results_without_the_flag_carry_no_file(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    (answer,) = message_calls(await discord_bot.slash("poll results", voter(2), poll=number))
    assert answer.files == [] and "image" not in answer.embeds[0]


async def test_closing_announcement_carries_the_chart(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", voter(1))
    calls = await discord_bot.slash("poll close", poll=number)
    announcement = message_calls(calls)[0]
    assert not announcement.ephemeral and "has closed" in announcement.text
    assert "2. No: 1 vote, 100% of voters." in chart_of(announcement, f"poll-{number}-results.png")


async def test_a_deadline_announcement_goes_through_the_poster_with_the_chart(
    discord_bot: Harness,
) -> None:
    calls = await discord_bot.slash(
        "poll create", question="Talks by June?", options="Yes|No", closes="1h"
    )
    number = poll_id(calls[0])
    await discord_bot.click(calls[0].message_id, f"oped:poll vote {number} 1", voter(1))
    await discord_bot.settle(5)
    services = discord_bot.bot.services
    assert isinstance(services.clock, FakeClock)
    services.clock.advance(timedelta(hours=2))
    mark = discord_bot.fake.mark()
    (closed,) = await close_due(services, services.clock.now())
    posted = [c for c in discord_bot.fake.calls[mark:] if c.method == "POST" and c.is_message]
    (announcement,) = posted
    assert announcement.path == f"/channels/{CHANNEL_ID}/messages"
    assert str(announcement.message_id) == closed.announcement_id
    assert "1. Yes: 1 vote, 100% of voters." in chart_of(announcement, f"poll-{number}-results.png")


async def test_debate_close_shows_the_chart(discord_bot: Harness) -> None:
    started = message_calls(await discord_bot.slash("debate start", MODERATOR, motion="P1"))[0]
    await discord_bot.click(started.message_id, "oped:debate vote 1 against", voter(1))
    await discord_bot.slash("debate advance", MODERATOR, debate=1)
    await discord_bot.click(started.message_id, "oped:debate vote 1 for", voter(1))
    closed = message_calls(await discord_bot.slash("debate close", MODERATOR, debate=1))[0]
    assert "Debate #1 results" in closed.text
    alt = chart_of(closed, "debate-1-results.png")
    assert "For: opening 0.0% (0), closing 100.0% (1), swing +100.0 pts." in alt
    again = message_calls(await discord_bot.slash("debate results", voter(2), debate=1))[0]
    assert again.ephemeral
    assert chart_of(again, "debate-1-results.png") == alt


def test_only_images_become_embed_images_and_a_long_alt_text_is_cut() -> None:
    reply = Reply(
        (Card("poll", "Results", "Poll #1"),),
        attachments=(
            Attachment("poll-1-results.csv", b"a,b\n"),
            Attachment("poll-1-results.png", b"png", mime="image/png", alt_text="x" * 2000),
        ),
    )
    (message,) = render(reply)
    assert message.embeds[0].image.url == "attachment://poll-1-results.png"
    csv, png = message.discord_files()
    assert csv.description is None
    assert png.description is not None and len(png.description) == 1024
