"""Who may vote, as people meet it on the test platform and the console: `--roles`,
`--members`, and the Add option button of an `--open` poll."""

from __future__ import annotations

from pathlib import Path

from adapters.console import ConsoleSession
from adapters.memory import MemoryPlatform
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from tests.store.fixtures import store_bot


async def test_a_poll_for_two_roles(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        await chat.say('poll create "Publish the draft?" "Yes" "No" --roles @Editors @Staff')
        card = chat.pop()
        assert "Who can vote: @Editors or @Staff" in card.text
        await chat.click("1. Yes", user="bo", roles=["Readers"])
        (refusal,) = chat.pop_all()  # private, and the card is not redrawn
        assert (refusal.kind, refusal.to) == ("private", "bo")
        assert "Poll #1 is for @Editors and @Staff; you do not have any of those roles" in (
            refusal.text
        )
        await chat.click("1. Yes", user="cy", roles=["staff"])
        confirmation, redraw = chat.pop_all()
        assert "Your vote in poll #1: 1. Yes" in confirmation.text
        assert (redraw.kind, redraw.message_id) == ("edit", card.message_id)
        assert "1 voter" in redraw.text
        await chat.say("poll vote 1 2", user="bo")
        assert "you do not have any of those roles" in chat.pop().text


async def test_roles_must_be_roles_and_are_shown_without_pinging(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        await chat.say('poll create "Q?" "Yes" "No" --roles @everyone')
        card = chat.pop()
        # A role is plain text on the card: the platform's renderer defuses `@everyone` itself.
        assert "Who can vote: @everyone" in card.text
        await chat.say('poll create "Q?" "Yes" "No" --roles')
        assert "`--roles` needs a value" in chat.pop().text


async def test_a_poll_for_the_channel_members(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        chat.groups.members = {"ana", "cy"}
        await chat.say('poll create "Lunch?" "Pizza" "Tacos" --members')
        assert "Who can vote: members of this channel" in chat.pop().text
        await chat.click("2. Tacos", user="bo")
        (refusal,) = chat.pop_all()
        assert "Poll #1 is for members of its channel; join the channel" in refusal.text
        await chat.click("2. Tacos", user="cy")
        confirmation, _redraw = chat.pop_all()
        assert "Your vote in poll #1: 2. Tacos" in confirmation.text


async def test_the_add_option_button_comes_and_goes(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        options = " ".join(f'"o{n}"' for n in range(18))
        await chat.say(f'poll create "Which?" {options} --open')
        card = chat.pop()
        assert [b.label for b in card.buttons][-2:] == ["Add option", "Results"]
        # Without a form (this platform has none), the click says what to type.
        await chat.click("Add option", user="bo")
        assert chat.pop().text.startswith(
            'Error: `poll add` needs <option>.\nUsage: poll add <id> "<option>"'
        )
        await chat.say('poll add 1 "o18"', user="bo")
        _added, redraw = chat.pop_all()
        assert "Add option" in [b.label for b in redraw.buttons]
        await chat.say('poll add 1 "o19"', user="bo")
        await chat.advance(1)  # redraws of one message are coalesced
        _added, full = chat.pop_all()
        assert "20. o19" in [b.label for b in full.buttons]
        assert "Add option" not in [b.label for b in full.buttons]


async def test_the_console_reads_roles_as_names(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        session = ConsoleSession(bot, user="ana")
        shown = await session.send('poll create "Publish?" "Yes" "No" --roles @Editors')
        assert "Who can vote: @Editors" in shown
        assert "you do not have that role" in await session.send("poll vote 1 1")
        assert await session.send(":roles Editors") == "ana now has @Editors."
        assert "Your vote in poll #1: 1. Yes" in await session.send("poll vote 1 1")
        refused = await session.send('poll create "Q?" "Yes" "No" --members')
        assert "`--members` needs a platform that can list a channel's members" in refused


async def test_console_roles_can_be_taken_away(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        session = ConsoleSession(bot, user="ana")
        assert await session.send(":roles @Editors, Staff") == "ana now has @Editors, @Staff."
        await session.send('poll create "Publish?" "Yes" "No" --roles @staff')
        assert await session.send(":roles") == "ana has no roles now."
        assert "you do not have that role" in await session.send("poll vote 1 1")
        assert ":roles NAME ..." in await session.send(":help")


async def test_a_ranked_poll_for_a_role_takes_rankings_from_that_role_only(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        chat = MemoryPlatform(bot)
        await chat.say('poll create "Lead?" "Ana" "Bo" "Cy" --ranked --roles @Editors')
        assert "Who can vote: @Editors" in chat.pop().text
        await chat.say("poll rank 1 3 1 2", user="bo", roles=["Readers"])
        assert "Poll #1 is for @Editors; you do not have that role" in chat.pop().text
        await chat.say("poll rank 1 3 1 2", user="cy", roles=["editors"])
        assert "I stored your ranking in poll #1: 3. Cy > 1. Ana > 2. Bo" in chat.pop_all()[0].text
        assert bot.services.store is not None
        ballots = await bot.services.store.poll_ballots(1)
        assert [(b.voter_id, b.ranking) for b in ballots] == [("cy", (3, 1, 2))]
