"""What a new user trips over, walked through the console on a real SQLite file."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import Bot
from bot.clock import FakeClock
from bot.content.registry import PackRegistry
from bot.models import Place, User
from bot.replies import Card
from tests.conftest import ROOT
from tests.scenarios.chat import Chat
from tests.store.fixtures import store_bot


@pytest.fixture
async def bot(packs: PackRegistry, clock: FakeClock, tmp_path: Path) -> AsyncIterator[Bot]:
    async with store_bot(packs, clock, tmp_path) as made:
        yield made


# Console meta-commands --------------------------------------------------------------------


async def test_whoami_reports_rights_granted_in_the_bot(chat: Chat) -> None:
    await chat.as_user("mona", "admin moderators add bob", moderator=True)
    became = await chat.say(":user bob")
    assert "bob" in became and "not a moderator" not in became
    assert "moderator" in became
    assert await chat.say(":whoami") == (
        "bob (moderator: granted in the bot with `admin moderators add`) in #general."
    )
    assert chat.session.prompt == "bob*@#general> "
    # Taking console admin rights away does not take away what the bot granted.
    off = await chat.say(":mod off")
    assert off == (
        "Moderator rights off for bob. bob is still a moderator, "
        "granted in the bot with `admin moderators add`."
    )
    assert "Audit log" in await chat.say("admin audit")


async def test_whoami_follows_what_commands_see(chat: Chat) -> None:
    assert await chat.say(":user max") == "You are now max (member)."
    assert await chat.say(":whoami") == "max (member) in #general."
    assert chat.session.prompt == "max@#general> "
    await chat.as_user("mona", "admin moderators add max", moderator=True)
    await chat.say(":user max")
    assert "(moderator" in await chat.say(":whoami")
    await chat.as_user("mona", "admin moderators remove max", moderator=True)
    await chat.say(":user max")
    assert await chat.say(":whoami") == "max (member) in #general."
    assert "is for moderators" in await chat.say("admin audit")


# Help -------------------------------------------------------------------------------------

HERE = Place("console", "local", "general")


async def help_card(bot: Bot, asked: str) -> Card:
    reply = await bot.handle_text(f"help {asked}", HERE, User("ana", "ana"))
    assert len(reply.cards) == 1
    return reply.cards[0]


def listed(card: Card) -> set[str]:
    """The command usages a help listing shows (one per unindented line)."""
    return {
        line.removesuffix(" (moderators)")
        for line in card.body.splitlines()
        if line and not line.startswith(" ")
    }


def prefixes(bot: Bot) -> set[tuple[str, ...]]:
    """Every group at every depth: `admin`, `admin schedule`, `poll`..."""
    return {c.path[:n] for c in bot.catalogue.commands for n in range(1, len(c.path))}


async def test_help_for_a_group_shows_only_that_group_at_every_depth(bot: Bot) -> None:
    groups = prefixes(bot)
    assert ("admin", "schedule") in groups and ("admin",) in groups
    for group in groups:
        name = " ".join(group)
        card = await help_card(bot, name)
        under = {c.usage for c in bot.catalogue.commands if c.path[: len(group)] == group}
        if group in {c.path for c in bot.catalogue.commands}:
            # `quote` is a command and a group: its detail, naming what is under it.
            assert card.title == bot.catalogue.get(group).usage, name
            for command in under - {bot.catalogue.get(group).usage}:
                assert command.split(" <")[0].split(" [")[0] in (card.footer or ""), name
            continue
        assert card.kind == "help" and card.title == f"Commands under `{name}`", name
        assert listed(card) == under, name


async def test_help_for_a_full_path_shows_that_one_command(bot: Bot) -> None:
    for command in bot.catalogue.commands:
        card = await help_card(bot, command.name.upper())
        assert card.kind == "help" and card.title == command.usage, command.name
        assert command.help in card.body
    card = await help_card(bot, "admin schedule add")
    assert card.title is not None and card.title.startswith('admin schedule add "<cron>"')
    assert "admin schedule list" not in card.body + str(card.fields)


async def test_help_for_an_unknown_path_suggests_real_ones(bot: Bot) -> None:
    card = await help_card(bot, "admin schedul")
    assert card.kind == "error" and "`admin schedule`" in card.body
    card = await help_card(bot, "admin schedule ad")
    assert card.kind == "error" and "`admin schedule add`" in card.body
    card = await help_card(bot, "admin nonsense")
    assert card.kind == "error" and "No command `admin nonsense`" in card.body
    assert "Type `help`" in card.body
    card = await help_card(bot, "pol")
    assert card.kind == "error" and "`poll`" in card.body


async def test_help_follows_an_example_pasted_whole(bot: Bot) -> None:
    card = await help_card(bot, "poll vote 12 2")
    assert card.title == bot.catalogue.get(("poll", "vote")).usage
    card = await help_card(bot, "/oped admin audit")
    assert card.title == bot.catalogue.get(("admin", "audit")).usage


async def test_help_suggests_groups_as_you_type(bot: Bot) -> None:
    offered = [c.value for c in await bot.complete("commands", HERE, User("ana", "ana"), "admin s")]
    assert offered[:2] == ["admin schedule", "admin schedule add"]


# Debate motions ---------------------------------------------------------------------------


async def test_debate_start_suggests_only_motions_and_says_how_to_list_them(
    chat: Chat, packs: PackRegistry
) -> None:
    prompts = packs.default.prompts
    questions = {p.id for p in prompts if p.kind != "oxford"}
    assert "P9" in questions  # the near miss for P99 in the bundled pack
    out = await chat.as_user("mo", "debate start P99", moderator=True)
    assert "No motion `P99`" in out
    assert "`P9`" not in out
    assert "`prompts`" in out
    out = await chat.as_user("mo", "debate start P8", moderator=True)
    assert "discussion question" in out and "`prompts`" in out


async def test_prompts_lists_what_debate_start_takes_apart_from_questions(
    chat: Chat, packs: PackRegistry
) -> None:
    out = await chat.as_user("max", "prompts")
    motions, questions = out.split("Discussion questions")
    for prompt in packs.default.prompts:
        shown_in = motions if prompt.kind == "oxford" else questions
        assert prompt.motion in shown_in, prompt.id
    assert "debate start P1" in motions
    for prompt in packs.default.prompts:
        if prompt.kind == "oxford":
            started = await chat.as_user("mo", f"debate start {prompt.id}", moderator=True)
            assert "Error" not in started


async def test_debate_start_autocomplete_offers_only_motions(bot: Bot, packs: PackRegistry) -> None:
    command = bot.catalogue.get(("debate", "start"))
    source = command.option("motion").autocomplete
    assert source is not None
    offered = await bot.complete(source, HERE, User("mo", "mo", is_moderator=True), "")
    motions = [p.id for p in packs.default.prompts if p.kind == "oxford"]
    assert [c.value for c in offered] == motions
    typed = await bot.complete(source, HERE, User("mo", "mo", is_moderator=True), "P9")
    assert typed == []


# Audit paging -----------------------------------------------------------------------------


def _next_command(out: str) -> str | None:
    """The command the audit footer offers for the next page, if any."""
    match = re.search(r"`(admin audit[^`]*--before \d+)`", out)
    return match.group(1) if match else None


@pytest.mark.parametrize("size", ["", " 50"])
async def test_admin_audit_pages_through_every_entry(bot: Bot, clock: FakeClock, size: str) -> None:
    store = bot.services.store
    assert store is not None
    total = 130
    for n in range(total):
        # Long details on some lines, so a page can be cut short by the message size limit.
        detail = f"entry {n:03d} " + ("x" * 190 if n % 3 == 0 else "")
        await store.audit("console", "local", "mona", "mona", "poll close", detail)
        clock.advance(timedelta(seconds=1))
    await store.audit("console", "elsewhere", "zed", "zed", "poll close", "entry other")
    chat = Chat(bot)
    out = await chat.as_user("mona", f"admin audit{size}", moderator=True)
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert pages <= total, "paging does not end"
        assert "Error" not in out, out
        seen += re.findall(r"· entry (\d{3})", out)
        following = _next_command(out)
        if following is None:
            break
        assert following.startswith(f"admin audit{size} --before ")
        out = await chat.say(following)
    assert seen == [f"{n:03d}" for n in reversed(range(total))]
    assert pages > 100 // 50
    assert "no more entries" in out.lower()
    assert "entry other" not in out


async def test_admin_audit_past_the_end_says_so(bot: Bot) -> None:
    store = bot.services.store
    assert store is not None
    await store.audit("console", "local", "mona", "mona", "poll close", "only one")
    chat = Chat(bot)
    first = await chat.as_user("mona", "admin audit", moderator=True)
    assert "only one" in first and "no more entries" in first.lower()
    assert _next_command(first) is None
    entries = await store.audit_log("console", "local", 1)
    out = await chat.say(f"admin audit --before {entries[0].id}")
    assert "Error" not in out and "no more entries" in out.lower()
    assert "only one" not in out


# Wording that fits every platform ---------------------------------------------------------

PLATFORM_WORDS = re.compile(r"\b(click|clicks|clicked|button|buttons|tap|press)\b", re.I)


def _prose(out: str) -> str:
    """What the console shows, without its own `[1] label (type: ...)` button lines."""
    return "\n".join(line for line in out.splitlines() if not line.lstrip().startswith("["))


async def test_vote_confirmations_say_what_to_do_in_neutral_words(chat: Chat) -> None:
    await chat.say('poll create "Talks?" "Yes" "No" "Later"')
    await chat.say('poll create "Issues?" "A" "B" "C" --multi 2')
    outputs = [
        await chat.say("poll vote 1 1"),
        await chat.say("poll vote 1 2"),
        await chat.say("poll vote 1 2"),
        await chat.say("poll vote 2 1"),
        await chat.say("poll vote 2 2"),
        await chat.say("poll vote 2 3"),
        await chat.say("poll vote 2 1"),
        await chat.as_user("mo", "admin poll delete 1", moderator=True),
    ]
    for out in outputs:
        assert not PLATFORM_WORDS.search(_prose(out)), out
    assert "Vote for it again to take it back." in outputs[0]
    assert "Vote for one of those again to drop it, then pick 3." in outputs[5]
    assert "Vote for it again to remove it." in outputs[3]


# Multi-choice percentages -----------------------------------------------------------------


async def test_multi_choice_results_say_what_the_percentages_are_of(chat: Chat) -> None:
    await chat.say('poll create "Issues?" "A" "B" "C" "D" --multi 3')
    for name in ("ann", "bob"):
        for option in (1, 2, 3):
            await chat.as_user(name, f"poll vote 1 {option}")
    await chat.as_user("cy", "poll vote 1 1")
    note = "% of 3 voters; each could pick up to 3, so the total can pass 100%"
    results = await chat.say("poll results 1")
    assert "100% · 3 votes" in results and "67% · 2 votes" in results
    assert note in results
    card = await chat.as_user("cy", "poll vote 1 4")
    assert "% of 3 voters" not in card  # a vote confirmation shows no percentages
    closed = await chat.as_user("guest", "poll close 1")
    assert "has closed" in closed and note in closed
    await chat.say('poll create "Talks?" "Yes" "No"')
    await chat.say("poll vote 2 1")
    assert "each could pick" not in await chat.say("poll results 2")


# Help examples ----------------------------------------------------------------------------


async def test_every_help_example_runs_when_copied(bot: Bot) -> None:
    chat = Chat(bot)
    await chat.as_user("mona", 'poll create "Warm-up?" "Yes" "No"', moderator=True)
    for command in bot.catalogue.commands:
        for example in command.examples:
            out = await chat.as_user("mona", example, moderator=True)
            assert "Usage:" not in out and "No command" not in out, (example, out)
            errors = [line for line in out.splitlines() if line.startswith("Error:")]
            # Ids in examples (poll 12, debate 3) are placeholders: only "no such id" may fail.
            for line in errors:
                assert re.search(r"No (poll|debate|schedule) `#\d+`", line), (example, out)


async def test_a_closing_announcement_says_who_closed_it(chat: Chat) -> None:
    await chat.as_user("ann", 'poll create "Talks?" "Yes" "No"')
    await chat.as_user("ann", 'poll create "Sanctions?" "Yes" "No"')
    assert "== Poll #1 has closed (closed by its creator) ==" in await chat.say("poll close 1")
    closed = await chat.as_user("mo", "poll close 2", moderator=True)
    assert "== Poll #2 has closed (closed by a moderator) ==" in closed


def test_usage_lines_show_what_to_type(bot: Bot) -> None:
    for command in bot.catalogue.commands:
        for option in command.options:
            # `--multi <multi>` says nothing: a named value shows an example or a kind.
            assert f"--{option.name} <{option.name}>" not in command.usage, command.usage
    usage = bot.catalogue.get(("poll", "create")).usage
    assert usage.startswith('poll create "<question>" "<option>" "<option>" ... [--multi N]')
    assert "[--closes 2h|1d|<time>]" in usage
    assert bot.catalogue.get(("admin", "audit")).usage == "admin audit [N] [--before <entry>]"
    # The README's command reference shows the same usage (`|` escaped in its tables).
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in bot.catalogue.commands:
        if any(o.placeholder for o in command.options):
            assert f"`{command.usage.replace('|', chr(92) + '|')}`" in readme, command.usage


async def test_a_group_typed_alone_points_to_its_help(chat: Chat) -> None:
    for group in ("poll", "admin", "admin schedule", "debate", "admin moderators"):
        out = await chat.say(group)
        assert f"Type `help {group}`" in out, out
    out = await chat.say("admin schedule frobnicate")
    assert "No command `admin schedule frobnicate`" in out
    assert "Type `help admin schedule`" in out


async def test_argument_errors_name_arguments_as_the_usage_line_does(chat: Chat) -> None:
    out = await chat.say("poll results abc")
    assert "<id> must be a whole number, not `abc`." in out and "Usage: poll results <id>" in out
    out = await chat.say("poll vote 1")
    assert "`poll vote` needs <option-number>." in out
    await chat.say(":mod on")
    assert "<N> must be at least 1 (a whole number from 1 to 50)" in await chat.say("admin audit 0")


async def test_meta_commands_missing_their_value_say_so(chat: Chat) -> None:
    assert await chat.say(":user") == "`:user` needs a name, e.g. `:user ana`."
    assert await chat.say(":channel") == "`:channel` needs a channel, e.g. `:channel debates`."
    assert await chat.say(":mod") == "`:mod` takes on or off: `:mod on`."


async def test_listing_footers_quote_the_usage_line(bot: Bot, chat: Chat) -> None:
    await chat.say('poll create "Talks?" "Yes" "No"')
    listing = await chat.say("poll list")
    assert f"`{bot.catalogue.get(('poll', 'vote')).usage}` to vote" in listing
    assert f"`{bot.catalogue.get(('poll', 'results')).usage}` for results" in listing


async def test_refusals_do_not_assume_a_platform(chat: Chat) -> None:
    refused = await chat.as_user("max", "admin audit")
    assert "server" not in refused and "is for moderators" in refused
    assert "`admin moderators add`" in refused
    roles = await chat.as_user("mona", "admin moderators add <@&123>", moderator=True)
    assert "Discord" not in roles
    assert "moderator rights go to users, not roles" in roles


async def test_whoami_names_a_moderator_from_the_config_file(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as made:
        made.services.settings = replace(made.services.settings, moderator_users=frozenset({"cy"}))
        chat = Chat(made)
        assert (
            await chat.say(":user cy") == "You are now cy (moderator: listed in the config file)."
        )
        assert "The audit log is empty." in await chat.say("admin audit")
        assert chat.session.prompt == "cy*@#general> "
