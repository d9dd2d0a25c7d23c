"""The reading commands end to end through the console, as a newcomer would use them."""

from __future__ import annotations

import re

from bot.app import Bot
from bot.content.registry import PackRegistry
from bot.models import Place, User
from tests.scenarios.chat import Chat


async def test_summary_lengths(chat: Chat, packs: PackRegistry) -> None:
    pack = packs.default
    short = await chat.say("summary")
    assert pack.summaries.short in short
    assert "(short summary)" in short
    tldr = await chat.say("summary tldr")
    assert pack.summaries.tldr in tldr
    assert len(pack.summaries.tldr) <= 280
    long = await chat.say("/oped summary LONG")
    assert pack.summaries.long.split("\n\n")[0] in long


async def test_summary_rejects_unknown_length(chat: Chat) -> None:
    out = await chat.say("summary medium")
    assert "must be one of tldr, short, long" in out
    assert "only you can see this" in out


async def test_quote_by_topic_is_verbatim_and_on_topic(chat: Chat, packs: PackRegistry) -> None:
    pack = packs.default
    for _ in range(5):
        out = await chat.say("quote sanctions")
        quote_id = re.search(r"· (Q\d+)", out)
        assert quote_id, out
        quote = pack.quote(quote_id.group(1))
        assert quote is not None and "sanctions" in quote.topics
        assert f"> {quote.text}" in out
        assert f"paragraph {quote.paragraph}" in out


async def test_quote_by_id_any_case(chat: Chat, packs: PackRegistry) -> None:
    quote = packs.default.quotes[2]
    out = await chat.say(f"quote {quote.id.lower()}")
    assert quote.text in out and quote.speaker in out


async def test_unknown_quote_suggests(chat: Chat) -> None:
    out = await chat.say("quote sanction")
    assert "No quote id or topic `sanction`" in out
    assert "`sanctions`" in out
    assert "quote search sanction" in out


async def test_quote_search_ranks_the_matching_quote_first(chat: Chat) -> None:
    out = await chat.say('quote search "regime change"')
    first = out.split("> ", 1)[1]
    assert "regime change" in first.split("\n", 1)[0]
    nothing = await chat.say("quote search xylophone")
    assert "Nothing in the article matches `xylophone`" in nothing


async def test_claims_lists_every_claim(chat: Chat, packs: PackRegistry) -> None:
    out = await chat.say("claims")
    for claim in packs.default.claims:
        assert f"{claim.id}: {claim.text}" in out


async def test_counterpoint_for_a_claim_shows_claim_quote_and_sources(
    chat: Chat, packs: PackRegistry
) -> None:
    pack = packs.default
    out = await chat.say("counterpoint C1")
    claim = pack.claim("C1")
    assert claim is not None
    assert f"== Claim C1 ==\n{claim.text}" in out
    assert f"> {pack.quotes_for('C1')[0].text}" in out
    counterpoints = pack.counterpoints_for("C1")
    assert len(counterpoints) >= 2
    for counterpoint in counterpoints:
        assert counterpoint.text in out
        assert counterpoint.sources[0].title in out


async def test_counterpoint_by_topic_and_at_random(chat: Chat, packs: PackRegistry) -> None:
    pack = packs.default
    out = await chat.say("counterpoint sanctions")
    claim_id = re.search(r"Claim (C\d+)", out)
    assert claim_id
    claim = pack.claim(claim_id.group(1))
    assert claim is not None and "sanctions" in claim.topics
    random_out = await chat.say("counterpoint")
    assert "== Counterpoint K" in random_out and "Sources:" in random_out


async def test_counterpoint_unknown_claim(chat: Chat) -> None:
    out = await chat.say("counterpoint C19")
    assert "No claim id or topic `C19`" in out and "Did you mean" in out


async def test_explain_by_term_and_alias(chat: Chat, packs: PackRegistry) -> None:
    term = next(t for t in packs.default.glossary if t.aliases)
    assert term.text in await chat.say(f"explain {term.term.lower()}")
    assert term.text in await chat.say(f"explain {term.aliases[0]}")
    out = await chat.say("explain kcn")
    assert "No glossary term `kcn`" in out and "`KCNA`" in out
    assert "needs <term>" in await chat.say("explain")


async def test_source_tells_how_the_text_was_prepared(chat: Chat, packs: PackRegistry) -> None:
    pack = packs.default
    out = await chat.say("source --details")
    assert pack.author.name in out and pack.outlet in out and pack.published in out
    assert "duplicate sentence" in out and "{mosads}" in out


async def test_help_lists_every_command_and_details_one(
    chat: Chat, bot_commands: list[str]
) -> None:
    out = await chat.say("help")
    for name in bot_commands:
        assert name in out
    detail = await chat.say("help quote search")
    assert "== quote search <words...> ==" in detail
    assert "quote search regime change" in detail
    group = await chat.say("help quote")
    assert "quote [query...]" in group
    for bare in ("help /oped", "help /"):  # no command left once the prefix is gone
        listing = await chat.say(bare)
        assert "== oped-bot commands ==" in listing and "Error" not in listing, bare


async def test_unknown_command_suggests(chat: Chat) -> None:
    out = await chat.say("sumary")
    assert "No command `sumary`" in out and "`summary`" in out


async def test_unclosed_quote_is_explained(chat: Chat) -> None:
    out = await chat.say('quote search "regime change')
    assert "is not closed" in out


async def test_console_meta_commands(chat: Chat) -> None:
    assert "You are now ana" in await chat.say(":user ana")
    assert "Moderator rights on" in await chat.say(":mod on")
    assert "Now in #debate" in await chat.say(":channel #debate")
    assert await chat.say(":whoami") == "ana (moderator) in #debate."
    assert chat.session.prompt == "ana*@#debate> "
    assert ":user NAME" in await chat.say(":nonsense")


async def test_every_topic_offered_is_one_the_command_answers(bot: Bot, chat: Chat) -> None:
    # Quotes and claims carry different topics (`missiles` is on quotes only): a suggestion
    # that then fails with "No claim id or topic" would send people in circles.
    place, user = Place("console", "local", "general"), User("ana", "ana")
    for source, command in (("quotes", "quote"), ("claims", "counterpoint")):
        offered = await bot.complete(source, place, user, "")
        topics = [c.value for c in offered if c.label.startswith("topic: ")]
        assert topics, source
        for topic in topics:
            out = await chat.say(f"{command} {topic}")
            assert "Error" not in out, (command, topic, out)
    refused = await chat.say("counterpoint missile")
    assert "No claim id or topic `missile`" in refused and "`missiles`" not in refused
