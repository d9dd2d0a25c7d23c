"""Who may vote: polls limited to roles (`--roles`) or to the channel's members (`--members`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import poll_cards, poll_rules
from bot.catalogue import Command
from bot.errors import UsageError, UserError
from bot.store.base import NotEligible, PollRole, Tally, Voter
from bot.textparse import sort_words, words
from tests.unit.pollmaker import ANA, NOW, PLACE, make

EDITORS = PollRole("r1", "@Editors")
STAFF = PollRole("r2", "@Staff")


def test_a_voter_without_any_of_the_roles_is_refused_naming_them() -> None:
    poll = make(roles=(EDITORS, STAFF))
    with pytest.raises(NotEligible) as refused:
        poll_rules.check_vote(poll, 12, PLACE, 1, NOW, Voter(frozenset({"r9"})))
    assert str(refused.value) == (
        "Poll #12 is for @Editors and @Staff; you do not have any of those roles, so your vote "
        "was not counted. Ask a moderator if you should have it."
    )
    assert refused.value.poll is poll


def test_one_of_the_roles_is_enough() -> None:
    poll = make(roles=(EDITORS, STAFF))
    assert poll_rules.check_vote(poll, 12, PLACE, 1, NOW, Voter(frozenset({"r2"}))) is poll


def test_an_unlimited_poll_takes_anyone() -> None:
    poll = make()
    assert poll_rules.check_vote(poll, 12, PLACE, 1, NOW) is poll


def test_a_members_only_poll_refuses_a_non_member_and_takes_a_member() -> None:
    poll = make(members_only=True)
    with pytest.raises(NotEligible, match="is for members of its channel; join the channel"):
        poll_rules.check_vote(poll, 12, PLACE, 1, NOW, Voter(member=False))
    with pytest.raises(NotEligible):
        poll_rules.check_vote(poll, 12, PLACE, 1, NOW)  # membership never looked up
    assert poll_rules.check_vote(poll, 12, PLACE, 1, NOW, Voter(member=True)) is poll


def test_only_voters_may_add_options() -> None:
    poll = make(open_options=True, roles=(EDITORS,))
    with pytest.raises(NotEligible, match="is for @Editors; you do not have that role"):
        poll_rules.check_add(poll, 12, PLACE, "Later", NOW)
    assert poll_rules.check_add(poll, 12, PLACE, "Later", NOW, Voter(frozenset({"r1"}))) == (
        "Later"
    )


def test_the_card_says_who_can_vote() -> None:
    card = poll_cards.poll_card(make(roles=(EDITORS, STAFF)), Tally((0, 0, 0), 0), NOW)
    assert card.footer == (
        "Single choice · Who can vote: @Editors or @Staff · 0 voters · Open, no deadline"
    )
    members = poll_cards.poll_card(make(members_only=True), Tally((0, 0, 0), 0), NOW)
    assert "Who can vote: members of this channel" in (members.footer or "")
    assert "Who can vote" not in (
        poll_cards.poll_card(make(), Tally((0, 0, 0), 0), NOW).footer or ""
    )


def test_the_reminder_says_who_can_vote_too() -> None:
    poll = make(roles=(EDITORS,), closes_at=NOW + timedelta(hours=2), remind=timedelta(hours=1))
    card = poll_cards.reminder_card(poll, Tally((0, 0, 0), 0), NOW)
    assert card.footer == "Who can vote: @Editors · Open · closes Mon 05 Jan 2026 14:00 UTC (in 2h)"


def test_draft_keeps_each_role_once_and_refuses_too_many() -> None:
    made = poll_rules.draft(PLACE, ANA, "Q?", ("A", "B"), roles=(EDITORS, STAFF, EDITORS), now=NOW)
    assert made.roles == (EDITORS, STAFF)
    many = tuple(PollRole(f"r{n}", f"@R{n}") for n in range(poll_rules.POLL_ROLES_MAX + 1))
    with pytest.raises(UserError, match="at most 10 roles; you gave 11"):
        poll_rules.draft(PLACE, ANA, "Q?", ("A", "B"), roles=many, now=NOW)


def test_add_option_button_while_there_is_room() -> None:
    labels = [b.label for b in poll_cards.poll_buttons(make(open_options=True), NOW)]
    assert labels == ["1. Pompeo", "2. Bolton", "3. Someone new", "Add option", "Results"]
    assert poll_cards.poll_buttons(make(open_options=True), NOW)[3].action == "oped:poll add 12"
    full = make(open_options=True, options=tuple(f"o{n}" for n in range(20)))
    assert "Add option" not in [b.label for b in poll_cards.poll_buttons(full, NOW)]
    closed = make(open_options=True, closed_at=NOW)
    assert [b.label for b in poll_cards.poll_buttons(closed, NOW)] == ["Results"]
    assert "Add option" not in [b.label for b in poll_cards.poll_buttons(make(), NOW)]


def test_a_named_list_takes_the_words_up_to_the_next_option() -> None:
    from bot.features.polls import COMMANDS

    create = next(c for c in COMMANDS if c.path == ("poll", "create"))
    raw = sort_words(create, words('"Q?" "A" --roles @Editors @Staff --closes 1d "B"'))
    assert raw == {
        "question": "Q?",
        "options": ("A", "B"),
        "roles": ("@Editors", "@Staff"),
        "closes": "1d",
    }


def test_a_poll_may_be_limited_to_exactly_the_most_roles() -> None:
    most = tuple(PollRole(f"r{n}", f"@R{n}") for n in range(poll_rules.POLL_ROLES_MAX))
    made = poll_rules.draft(PLACE, ANA, "Q?", ("A", "B"), roles=most, now=NOW)
    assert made.roles == most


def test_a_draft_is_open_to_everyone_unless_asked() -> None:
    made = poll_rules.draft(PLACE, ANA, "Q?", ("A", "B"), now=NOW)
    assert (made.roles, made.members_only, made.ranked) == ((), False, False)


def test_who_can_vote_names_every_limit_and_nothing_without_one() -> None:
    assert poll_rules.who_can_vote(make()) is None
    three = (EDITORS, STAFF, PollRole("r3", "@Desk"))
    assert poll_rules.who_can_vote(make(roles=three, members_only=True)) == (
        "@Editors, @Staff or @Desk · members of this channel"
    )
    assert poll_rules.listed(["@A", "@B", "@C"], "and") == "@A, @B and @C"


@pytest.mark.parametrize(
    ("line", "roles"),
    [
        ('"Q?" "A" "B" --roles @Editors', ("@Editors",)),  # one role, the last word
        ('"Q?" "A" "B" --roles @Editors --open', ("@Editors",)),
    ],
)
def test_a_named_list_of_one(line: str, roles: tuple[str, ...]) -> None:
    raw = sort_words(poll_create(), words(line))
    assert raw["roles"] == roles and raw["options"] == ("A", "B")


@pytest.mark.parametrize(
    "line",
    [
        '"Q?" "A" "B" --roles',  # nothing after it
        '"Q?" --roles "A" "B"',  # a quoted word is the poll's own text, not a role
        '"Q?" "A" "B" --roles --members',  # the next option
    ],
)
def test_a_named_list_with_nothing_in_it_is_refused_with_the_usage(line: str) -> None:
    with pytest.raises(UsageError) as caught:
        sort_words(poll_create(), words(line))
    assert str(caught.value).startswith("`--roles` needs a value.\nUsage: poll create ")
    assert "[--roles @role ...]" in str(caught.value)


def poll_create() -> Command:
    from bot.features.polls import COMMANDS

    return next(c for c in COMMANDS if c.path == ("poll", "create"))
