"""Ranked-choice polls on Discord (real discord.py): the Rank button opens a modal of selects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.adapters.discord.discord_harness import (
    Call,
    Harness,
    Member,
    interaction,
    message_calls,
    waiting_forms,
)
from tests.adapters.discord.test_discord_polls import edits, needs, poll_id


def voter(n: int) -> Member:
    return Member(id=1_500_000_000_000_000_000 + n, name=f"ranker{n}")


async def create_ranked(harness: Harness, options: str = "Pompeo|Bolton|Someone new") -> Call:
    needs(harness, "poll", "create")
    calls = await harness.slash("poll create", question="Who leads?", options=options, ranked=True)
    assert calls[0].kind == 4 and not calls[0].ephemeral, calls
    return calls[0]


def modal_of(calls: list[Call]) -> dict[str, Any]:
    (answer,) = [c for c in calls if c.kind == 9]
    return dict(answer.body["data"])


async def submit_picks(
    harness: Harness, custom_id: str, picks: Sequence[str], member: Member
) -> list[Call]:
    """Submit a pick form as Discord sends it: one label per select, each with its value."""
    components = [
        {
            "type": 18,
            "id": n,
            "component": {"type": 3, "id": 100 + n, "custom_id": f"pick-{n}", "values": [value]},
        }
        for n, value in enumerate(picks, 1)
    ]
    data = {"custom_id": custom_id, "components": components}
    return await harness.deliver(interaction(5, data, member))


async def ballots(harness: Harness, number: int) -> list[tuple[int, ...]]:
    store = harness.bot.services.store
    assert store is not None
    return [ballot.ranking for ballot in await store.poll_ballots(number)]


async def test_rank_button_opens_a_modal_of_selects_and_the_ranking_is_stored(
    discord_bot: Harness,
) -> None:
    posted = await create_ranked(discord_bot)
    number = poll_id(posted)
    assert [b["custom_id"] for b in posted.buttons] == [
        f"oped:poll rank {number}",
        f"oped:poll results {number}",
    ]
    opened = await discord_bot.click(posted.message_id, f"oped:poll rank {number}", voter(1))
    modal = modal_of(opened)
    assert modal["custom_id"] == f"oped-pick:poll rank {number}"
    assert modal["title"] == f"Rank poll #{number}"
    labels = [row["label"] for row in modal["components"]]
    assert labels == ["1st choice", "2nd choice", "3rd choice"]
    selects = [row["component"] for row in modal["components"]]
    assert all(s["type"] == 3 and s["min_values"] == 1 == s["max_values"] for s in selects)
    assert [o["value"] for o in selects[0]["options"]] == ["1", "2", "3"]
    assert [o["label"] for o in selects[0]["options"]] == [
        "1. Pompeo",
        "2. Bolton",
        "3. Someone new",
    ]
    assert waiting_forms(discord_bot.client) == 0  # answered from its custom id, not memory

    calls = await submit_picks(discord_bot, modal["custom_id"], ["3", "1", "2"], voter(1))
    (answer,) = message_calls(calls)
    assert answer.ephemeral
    assert "3. Someone new > 1. Pompeo > 2. Bolton" in answer.text
    assert await ballots(discord_bot, number) == [(3, 1, 2)]
    redrawn = edits(await discord_bot.settle())
    assert len(redrawn) == 1 and "1 vote" in redrawn[0].text
    assert f"/messages/{posted.message_id}" in redrawn[0].path


async def test_a_ranking_with_a_repeat_is_refused_privately_and_stores_nothing(
    discord_bot: Harness,
) -> None:
    posted = await create_ranked(discord_bot)
    number = poll_id(posted)
    calls = await submit_picks(
        discord_bot, f"oped-pick:poll rank {number}", ["3", "3", "2"], voter(2)
    )
    (answer,) = message_calls(calls)
    assert answer.ephemeral and "You ranked option 3 twice" in answer.text
    assert await ballots(discord_bot, number) == []


async def test_six_or_more_options_are_ranked_in_one_typed_line(discord_bot: Harness) -> None:
    posted = await create_ranked(discord_bot, options="A|B|C|D|E|F")
    number = poll_id(posted)
    opened = await discord_bot.click(posted.message_id, f"oped:poll rank {number}", voter(3))
    (row,) = modal_of(opened)["components"]
    assert row["component"]["type"] == 4 and row["component"]["custom_id"] == "answer"
    assert "6 5 4 3 2 1" in row["description"]
    calls = await discord_bot.submit_form(
        f"oped-pick:poll rank {number}", {"answer": "6 5 4 3 2 1"}, voter(3)
    )
    assert message_calls(calls)[0].ephemeral
    assert await ballots(discord_bot, number) == [(6, 5, 4, 3, 2, 1)]


async def test_slash_rank_takes_the_ranking_typed_or_opens_the_form(discord_bot: Harness) -> None:
    posted = await create_ranked(discord_bot)
    number = poll_id(posted)
    needs(discord_bot, "poll", "rank")
    typed = await discord_bot.slash("poll rank", voter(4), poll=number, ranking="2|3|1")
    assert "I stored your ranking" in message_calls(typed)[0].text
    assert await ballots(discord_bot, number) == [(2, 3, 1)]
    asked = await discord_bot.slash("poll rank", voter(5), poll=number)
    assert modal_of(asked)["custom_id"] == f"oped-pick:poll rank {number}"
    # A plain vote on the ranked poll says how to rank instead.
    voted = await discord_bot.slash("poll vote", voter(5), poll=number, option=1)
    assert f"`poll rank {number} 3 2 1`" in message_calls(voted)[0].text
