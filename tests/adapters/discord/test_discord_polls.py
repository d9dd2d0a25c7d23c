"""Polls and debates on Discord: buttons, restarts, coalesced redraws, threads, silence."""

from __future__ import annotations

import re

from adapters.discord import tree as derived
from tests.adapters.discord.conftest import StartBot
from tests.adapters.discord.discord_harness import (
    CHANNEL_ID,
    MODERATOR,
    Call,
    Harness,
    Member,
    message_calls,
)

ROLE = "<@&1234567890123456789>"
USER = "<@1300000000000000001>"
EVERYONE = "@everyone"
HERE = "@here"


def needs(harness: Harness, *path: str) -> None:
    assert derived.find(harness.adapter.commands, path), f"no `{' '.join(path)}` on Discord"


def edits(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "PATCH" and c.path.startswith("/channels/")]


def voter(n: int) -> Member:
    return Member(id=1_400_000_000_000_000_000 + n, name=f"voter{n}")


async def create_poll(
    harness: Harness, question: str = "Lift sanctions?", options: str = "Yes|No"
) -> Call:
    needs(harness, "poll", "create")
    calls = await harness.slash("poll create", question=question, options=options)
    assert calls[0].kind == 4 and not calls[0].ephemeral
    return calls[0]


def poll_id(call: Call) -> int:
    found = re.search(r"Poll #(\d+)", call.text)
    assert found, call.text
    return int(found.group(1))


async def test_poll_message_has_one_persistent_button_per_option(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot, options="Yes|No|Unsure")
    number = poll_id(posted)
    ids = [b["custom_id"] for b in posted.buttons]
    assert ids[:3] == [f"oped:poll vote {number} {n}" for n in (1, 2, 3)]
    assert all(len(i) <= 100 for i in ids)
    labels = [b["label"] for b in posted.buttons]
    assert labels[:3] == ["1. Yes", "2. No", "3. Unsure"]
    tracked = await discord_bot.bot.services.store.messages_for(f"poll:{number}")  # type: ignore[union-attr]
    assert [t.message_id for t in tracked] == [str(posted.message_id)]
    assert tracked[0].place.channel == str(CHANNEL_ID)


async def test_vote_button_confirms_privately_and_redraws_the_poll(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", voter(1))
    sent = message_calls(calls)
    assert len(sent) == 1 and sent[0].kind == 4 and sent[0].ephemeral
    assert "No" in sent[0].text
    redrawn = edits(await discord_bot.settle())
    assert len(redrawn) == 1
    assert redrawn[0].path == f"/channels/{CHANNEL_ID}/messages/{posted.message_id}"
    assert "1 vote" in redrawn[0].text
    assert redrawn[0].message["allowed_mentions"] == {"parse": []}
    assert [b["custom_id"] for b in redrawn[0].buttons] == [b["custom_id"] for b in posted.buttons]


async def test_a_burst_of_votes_becomes_two_edits_showing_the_latest(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(0))
    first = edits(await discord_bot.settle())
    assert len(first) == 1 and "1 vote" in first[0].text
    for n in range(1, 6):
        await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", voter(n))
    assert edits(await discord_bot.settle(1.0)) == []  # still inside the interval
    later = edits(await discord_bot.settle(0.5))
    assert len(later) == 1
    assert "6 votes" in later[0].text or "6 voters" in later[0].text


async def test_poll_made_before_a_restart_takes_votes_after_it(start_bot: StartBot) -> None:
    before = await start_bot()
    posted = await create_poll(before, options="Yes|No|Unsure")
    number = poll_id(posted)
    await before.close()
    await before.bot.services.store.close()  # type: ignore[union-attr]

    after = await start_bot()  # a new client and a new store on the same database file
    assert after.client is not before.client
    calls = await after.click(posted.message_id, f"oped:poll vote {number} 3", voter(1))
    assert message_calls(calls)[0].ephemeral
    assert "Unsure" in message_calls(calls)[0].text
    redrawn = edits(await after.settle())
    assert len(redrawn) == 1 and "1 vote" in redrawn[0].text


async def test_results_button_answers_privately_without_an_edit(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    calls = await discord_bot.click(posted.message_id, f"oped:poll results {number}", voter(1))
    assert message_calls(calls)[0].ephemeral
    assert f"poll #{number}" in message_calls(calls)[0].text
    assert edits(await discord_bot.settle(5)) == []


async def test_closing_a_poll_redraws_it_without_vote_buttons(
    discord_bot: Harness,
) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    calls = await discord_bot.slash("poll close", poll=number)
    assert not calls[0].ephemeral and "closed" in calls[0].text
    redrawn = edits(await discord_bot.settle())
    assert len(redrawn) == 1
    assert not any("vote" in b["custom_id"] for b in redrawn[0].buttons)


async def test_mentions_in_poll_text_never_ping(discord_bot: Harness) -> None:
    question = f"{EVERYONE} {HERE} and {ROLE}: agree?"
    posted = await create_poll(discord_bot, question, f"{ROLE}|{EVERYONE}|{USER}")
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    redrawn = edits(await discord_bot.settle())
    for call in [posted, *redrawn]:
        assert call.message["allowed_mentions"] == {"parse": []}
        assert EVERYONE not in call.text and HERE not in call.text and ROLE not in call.text
        assert USER not in call.text
        assert "@\u200beveryone" in call.text  # still readable, just defused
    assert discord_bot.client.allowed_mentions is not None
    assert discord_bot.client.allowed_mentions.to_dict() == {"parse": []}


async def test_export_arrives_as_a_csv_file(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    calls = await discord_bot.slash("poll export", MODERATOR, poll=number)
    answer = calls[0]
    assert answer.ephemeral
    assert answer.files and answer.files[0][0].endswith(".csv")
    assert b"Yes" in answer.files[0][1]
    assert answer.message["attachments"][0]["filename"] == answer.files[0][0]


async def test_debate_start_opens_a_thread_on_its_message(discord_bot: Harness) -> None:
    needs(discord_bot, "debate", "start")
    calls = await discord_bot.slash("debate start", MODERATOR, motion="P1")
    posted = calls[0]
    threads = [c for c in calls if c.path.endswith("/threads")]
    assert len(threads) == 1
    assert threads[0].path == f"/channels/{CHANNEL_ID}/messages/{posted.message_id}/threads"
    assert 1 <= len(threads[0].body["name"]) <= 100


async def test_a_missing_thread_permission_is_explained(discord_bot: Harness) -> None:
    needs(discord_bot, "debate", "start")
    discord_bot.fake.fail("POST", r"/threads$", 403, code=50013, message="Missing Permissions")
    calls = await discord_bot.slash("debate start", MODERATOR, motion="P1")
    notes = [c for c in message_calls(calls) if c.ephemeral]
    assert len(notes) == 1
    assert "could not open its thread" in notes[0].text
    assert "Create Public Threads" in notes[0].text


async def test_a_deleted_poll_message_is_reported_to_the_voter(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    discord_bot.fake.fail("PATCH", r"^/channels/", 404, code=10008, message="Unknown Message")
    calls = await discord_bot.settle()
    notes = [c for c in message_calls(calls) if c.method == "POST"]
    assert len(notes) == 1 and notes[0].ephemeral
    assert "no longer exists" in notes[0].text


async def test_rate_limited_redraw_is_reported_not_dropped(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    discord_bot.fake.fail("PATCH", r"^/channels/", 429, message="You are being rate limited.")
    calls = await discord_bot.settle()
    notes = [c for c in message_calls(calls) if c.method == "POST"]
    assert len(notes) == 1 and "rate-limiting" in notes[0].text


async def test_a_refused_reply_becomes_a_private_error(discord_bot: Harness) -> None:
    discord_bot.fake.fail("POST", r"/callback$", 400, code=50035, message="Invalid Form Body")
    calls = await discord_bot.slash("claims")
    assert [c.kind for c in calls if c.kind] == [4, 4]
    assert calls[-1].ephemeral
    assert "could not post the reply" in calls[-1].text


async def test_a_vote_whose_confirmation_fails_still_redraws_the_poll(
    discord_bot: Harness,
) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    discord_bot.fake.fail("POST", r"/callback$", 400, code=50035, message="Invalid Form Body")
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    assert "could not post the reply" in message_calls(calls)[-1].text
    redrawn = edits(await discord_bot.settle())  # the vote is saved, so the card shows it
    assert len(redrawn) == 1 and "1 vote" in redrawn[0].text


async def test_vote_buttons_work_for_every_member_independently(discord_bot: Harness) -> None:
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    for n in range(3):
        await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(n))
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(0))
    # the same voter clicking again takes the vote back, as the confirmation promised
    assert "took back" in message_calls(calls)[0].text.lower() or (
        "removed" in message_calls(calls)[0].text.lower()
    )
    redrawn = edits(await discord_bot.settle())
    assert "2 votes" in redrawn[-1].text


async def test_voters_answers_privately_with_who_picked_what(discord_bot: Harness) -> None:
    needs(discord_bot, "poll", "voters")
    posted = await create_poll(discord_bot)
    number = poll_id(posted)
    await discord_bot.click(posted.message_id, f"oped:poll vote {number} 2", voter(1))
    calls = await discord_bot.slash("poll voters", poll=number)
    assert calls[0].ephemeral
    assert "2. No (1): Voter1" in calls[0].text


async def test_a_member_adds_an_option_and_the_card_gets_its_button(discord_bot: Harness) -> None:
    needs(discord_bot, "poll", "add")
    calls = await discord_bot.slash(
        "poll create", question="Where?", options="Cafe|Library", open=True
    )
    posted = calls[0]
    number = poll_id(posted)
    added = await discord_bot.slash("poll add", poll=number, option="Town hall")
    assert added[0].ephemeral and "Added option 3. Town hall" in added[0].text
    redrawn = edits(await discord_bot.settle())
    assert len(redrawn) == 1
    assert redrawn[0].path == f"/channels/{CHANNEL_ID}/messages/{posted.message_id}"
    assert f"oped:poll vote {number} 3" in [b["custom_id"] for b in redrawn[0].buttons]


async def test_an_option_starting_with_an_emoji_shows_it_as_the_buttons_emoji(
    discord_bot: Harness,
) -> None:
    posted = await create_poll(discord_bot, options="🍕 Pizza|👍🏽 Fine|Plain")
    first, second, third = posted.buttons[:3]
    assert first["label"] == "1. Pizza" and first["emoji"]["name"] == "🍕"
    assert second["label"] == "2. Fine" and second["emoji"]["name"] == "👍🏽"
    assert third["label"] == "3. Plain" and "emoji" not in third
    number = poll_id(posted)
    calls = await discord_bot.click(posted.message_id, f"oped:poll vote {number} 1", voter(1))
    assert "1. 🍕 Pizza" in message_calls(calls)[0].text
    redrawn = edits(await discord_bot.settle())
    assert redrawn[0].buttons[0]["emoji"]["name"] == "🍕"
