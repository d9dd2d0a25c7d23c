"""The home page builder (pure) and its refresh after changes, on a real SQLite store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import home
from bot.actions import command_line
from bot.clock import FakeClock
from bot.coalesce import FakeTimer
from bot.content.registry import PackRegistry
from bot.home import HomeData, HomeRefresher, Viewer, build
from bot.models import Place
from bot.replies import Button, Card, Reply
from bot.schedule.model import OwnPost, Schedule
from bot.store.base import AuditEntry, Debate, PollDraft
from tests.store.fixtures import RecordingPoster, store_bot
from tests.unit.pollmaker import make

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
MINE = Place("slack", "T1", "C1")
OTHER = Place("slack", "T1", "C2")
ANA = Viewer("ana", frozenset({"C1"}))
MOD = Viewer("mod", frozenset({"C1"}), moderator=True)


def debate(id: int, place: Place, phase: str = "before") -> Debate:
    return Debate(id, place, "mod", "Mo", f"Motion {id}", None, phase, NOW, None, None, None)  # type: ignore[arg-type]


def schedule(id: int, place: Place, **changes: object) -> Schedule:
    values: dict[str, object] = {
        "place": place,
        "cron": "0 9 * * *",
        "tz": "Europe/London",
        "attach": "poll",
        "thread": False,
        "pack": None,
        "created_by": "mod",
        "created_at": NOW,
        "next_due": NOW + timedelta(hours=id),
        "id": id,
    }
    values.update(changes)
    return Schedule(**values)  # type: ignore[arg-type]


def audit(id: int) -> AuditEntry:
    return AuditEntry(id, NOW, "slack", "T1", "mod", "Mo", "poll close", f"#{id} Question {id}")


DATA = HomeData(
    polls=(
        make(id=1, place=MINE, question="Talks by 2020?", creator_id="cy"),
        make(id=2, place=OTHER, question="Secret channel poll?", creator_id="cy"),
    ),
    debates=(debate(3, MINE), debate(4, OTHER)),
    schedules=(
        schedule(5, MINE),
        schedule(6, OTHER),
        schedule(7, MINE, paused=True, paused_reason="paused by Mo"),
    ),
    audit=(audit(9), audit(8)),
)


def text_of(reply: Reply) -> str:
    return "\n".join(f"{c.title or ''}\n{c.body}\n{c.footer or ''}" for c in reply.cards)


def all_buttons(reply: Reply) -> list[Button]:
    return [b for card in reply.cards for b in card.buttons]


def lines(reply: Reply) -> dict[str, str | None]:
    """Each button's command line, with the channel it runs in."""
    found: dict[str, str | None] = {}
    for b in all_buttons(reply):
        line = command_line(b.action)
        assert line is not None
        found[line] = b.channel
    return found


def titled(reply: Reply, title: str) -> Card:
    (card,) = [c for c in reply.cards if c.title == title]
    return card


def test_a_member_sees_only_their_channels_polls_debates_and_prompts() -> None:
    page = build(DATA, ANA, NOW)
    shown = text_of(page)
    assert "Talks by 2020?" in shown and "in #C1" in shown
    assert "Secret channel poll?" not in shown and "#C2" not in shown
    assert "Motion 3" in shown and "Motion 4" not in shown
    # The next prompt of their channel, in the schedule's own time zone; a paused one is not next.
    assert (
        titled(page, "Next prompts").body
        == "Mon 05 Jan 17:00 GMT in #C1: the next prompt with a poll"
    )
    assert "Schedules (moderators)" not in shown and "Latest moderator actions" not in shown
    # Results for anyone; nothing a member could not run anyway.
    assert lines(page) == {"poll results 1": "C1"}


def test_a_polls_creator_gets_its_close_button() -> None:
    assert "poll close 1" not in lines(build(DATA, ANA, NOW))
    mine = replace(DATA, polls=(make(id=1, place=MINE, creator_id="ana"),))
    assert lines(build(mine, ANA, NOW))["poll close 1"] == "C1"


def test_a_moderator_also_sees_every_schedule_and_the_latest_audit_lines_with_buttons() -> None:
    page = build(DATA, MOD, NOW)
    shown = text_of(page)
    assert "Secret channel poll?" not in shown  # moderators too see only their channels' polls
    assert lines(page) == {
        "poll results 1": "C1",
        "poll close 1": "C1",
        "debate advance 3": "C1",
        "debate close 3": "C1",
        "admin schedule pause 5": "C1",
        "admin schedule remove 5": "C1",
        "admin schedule pause 6": "C2",
        "admin schedule remove 6": "C2",
        "admin schedule resume 7": "C1",
        "admin schedule remove 7": "C1",
    }
    assert "PAUSED: paused by Mo" in shown
    log = titled(page, "Latest moderator actions")
    assert log.body.splitlines() == [
        "Mon 05 Jan 12:00 UTC · Mo: poll close #9 Question 9",
        "Mon 05 Jan 12:00 UTC · Mo: poll close #8 Question 8",
    ]


def test_a_debate_in_its_closing_vote_offers_no_advance() -> None:
    data = replace(DATA, debates=(debate(3, MINE, "after"),))
    assert "debate advance 3" not in lines(build(data, MOD, NOW))
    assert "closing vote" in text_of(build(data, MOD, NOW))


def test_an_empty_workspace_says_what_to_do() -> None:
    page = build(HomeData((), (), ()), MOD, NOW)
    shown = text_of(page)
    assert 'None in your channels. Start one in a channel: `poll create "Question?"' in shown
    assert "Nothing is scheduled in your channels." in shown
    assert "No schedules yet." in shown and "Nothing yet." in shown
    assert all_buttons(page) == []


def test_long_lists_are_cut_and_name_the_command_that_lists_them_all() -> None:
    many = tuple(make(id=n, place=MINE, question=f"Q{n}?") for n in range(1, 31))
    schedules = tuple(schedule(n, MINE) for n in range(1, 21))
    own = schedule(99, MINE, own=OwnPost("Which talks? " * 20, ("A", "B")), attach="none")
    data = HomeData(many, (), (*schedules, own), tuple(audit(n) for n in range(40, 0, -1)))
    page = build(data, MOD, NOW)
    shown = text_of(page)
    assert "30 open polls in your channels.\n…and 18 more: type `poll list` in a channel." in shown
    assert "Q12?" in shown and "Q13?" not in shown
    assert "…and 11 more: type `admin schedule list`." in shown
    assert len(titled(page, "Next prompts").body.splitlines()) == home.NEXT_MAX
    assert len(titled(page, "Latest moderator actions").body.splitlines()) == home.AUDIT_MAX
    # A schedule's own post is named, cut to fit.
    only = build(replace(data, schedules=(own,)), MOD, NOW)
    assert "a poll: Which talks? Which talks?" in text_of(only)
    assert "Which talks? " * 20 not in text_of(only)


def test_the_signature_changes_with_what_a_page_shows_only() -> None:
    same = replace(DATA, polls=tuple(replace(p, options=("x", "y")) for p in DATA.polls))
    assert same.signature == DATA.signature  # options are not on the page
    closed = replace(DATA, polls=DATA.polls[1:])
    paused = replace(DATA, schedules=(replace(DATA.schedules[0], paused=True), *DATA.schedules[1:]))
    audited = replace(DATA, audit=(audit(10), *DATA.audit))
    assert len({DATA.signature, closed.signature, paused.signature, audited.signature}) == 4


# Refreshes ------------------------------------------------------------------------------------


class Published:
    def __init__(self) -> None:
        self.pages: list[tuple[str, str, HomeData]] = []

    async def __call__(self, workspace: str, user_id: str, data: HomeData) -> None:
        self.pages.append((workspace, user_id, data))


async def test_pages_of_recent_viewers_are_refreshed_once_per_change_coalesced(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        store = bot.services.store
        assert store is not None
        timer = FakeTimer()
        published = Published()
        refresher = HomeRefresher(store, "slack", published, clock.now, interval=5, timer=timer)
        bot.services.delivery.attach("slack", RecordingPoster())
        bot.services.delivery.watch("slack", refresher.changed)
        opened = await refresher.opened("T1", "ana")
        assert opened.polls == ()
        clock.advance(timedelta(minutes=30))
        await refresher.opened("T1", "bo")
        clock.advance(timedelta(minutes=45))  # ana's visit is now past the window; bo's is not

        poll = await store.create_poll(PollDraft(MINE, "mod", "Mo", "Talks?", ("Yes", "No")))
        reply = Reply((Card("poll", "Talks?"),), track=poll.ref)
        await bot.services.delivery.post(MINE, reply)
        await bot.services.delivery.post(MINE, reply)  # a second change within the interval
        await timer.advance(0)
        await refresher.settle()
        assert [(w, u, [p.id for p in d.polls]) for w, u, d in published.pages] == [
            ("T1", "bo", [poll.id])
        ]

        # A vote changes nothing a page shows: no publish.
        await store.cast_vote(poll.id, MINE, "cy", "Cy", 1)
        await bot.services.delivery.refresh((poll.ref,), MINE)
        await timer.advance(5)
        await refresher.settle()
        assert len(published.pages) == 1

        # Another platform's changes are not this refresher's.
        bot.services.delivery.watch("discord", refresher.changed)
        refresher.changed(Place("discord", "T1", "C1"))
        assert refresher.queue.waiting == 0

        await store.close_poll(poll.id, "mod")
        await bot.services.delivery.refresh((poll.ref,), MINE)
        await timer.advance(5)
        await refresher.settle()
        assert [(u, d.polls) for _, u, d in published.pages[1:]] == [("bo", ())]
        await refresher.close()


async def test_a_failing_watcher_or_page_does_not_stop_the_delivery(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        store = bot.services.store
        assert store is not None
        poster = RecordingPoster()
        bot.services.delivery.attach("slack", poster)

        def broken(place: Place) -> None:
            raise RuntimeError("watcher broke")

        bot.services.delivery.watch("slack", broken)
        assert await bot.services.delivery.post(MINE, Reply((Card("text", "hi"),))) == "m1"

        pages: list[str] = []

        async def flaky(workspace: str, user_id: str, data: HomeData) -> None:
            if user_id == "bo":
                raise RuntimeError("user_not_found")
            pages.append(user_id)

        refresher = HomeRefresher(store, "slack", flaky, clock.now, timer=FakeTimer())
        await refresher.opened("T1", "bo")
        clock.advance(timedelta(seconds=1))
        await refresher.opened("T1", "ana")
        await store.create_poll(PollDraft(MINE, "mod", "Mo", "Talks?", ("Yes", "No")))
        await refresher.refresh("T1")
        assert pages == ["ana"]
        bot.services.delivery.unwatch("slack", broken)
        refresher.changed(Place("slack", "", "C1"))  # no workspace: nothing to refresh
        assert refresher.queue.waiting == 0


async def test_delivery_tells_its_watcher_of_answers_posts_and_redraws_but_not_refusals(
    packs: PackRegistry, clock: FakeClock, tmp_path: Path
) -> None:
    async with store_bot(packs, clock, tmp_path) as bot:
        delivery = bot.services.delivery
        delivery.attach("slack", RecordingPoster())
        heard: list[Place] = []
        delivery.watch("slack", heard.append)

        class Quiet:
            async def private(self, reply: Reply) -> None:
                pass

            async def public(self, reply: Reply) -> str | None:
                return "m1"

        await delivery.answer(
            Reply((Card("error", "No such poll."),), ephemeral=True), MINE, Quiet()
        )
        assert heard == []  # a refusal wrote nothing
        await delivery.answer(
            Reply((Card("notice", "Schedule 1 is paused."),), ephemeral=True), MINE, Quiet()
        )
        assert heard == [MINE]
        await delivery.post(OTHER, Reply((Card("text", "Prompt"),)))
        await delivery.refresh(("poll:1",), MINE)
        await delivery.refresh((), MINE)  # nothing to redraw: nothing changed
        assert heard == [MINE, OTHER, MINE]
        # Another platform's deliveries are not this watcher's business.
        delivery.attach("console", RecordingPoster())
        await delivery.post(Place("console", "local", "general"), Reply((Card("text", "x"),)))
        assert heard == [MINE, OTHER, MINE]
