"""Installing in many workspaces: Bolt's OAuth flow over HTTP against a fake Slack on 127.0.0.1.

Each workspace installs through /slack/install and /slack/oauth_redirect, its install is kept
(sealed) in the bot's own SQLite file, and everything done for that workspace, in a request or
not (scheduled posts, deadlines), uses that workspace's own token.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from adapters.slack.oauth import PLATFORM
from bot.app import Bot
from bot.clock import FakeClock
from bot.deadlines import close_due
from bot.models import Place
from bot.ports import PostFailed
from bot.replies import Card, Reply
from bot.scheduler import Scheduler
from bot.store.base import Store
from tests.adapters.slack.slackfake import (
    CLIENT_ID,
    FakeSlack,
    SlackRig,
    buttons,
    home_opened_event,
    oauth_config,
    shown_text,
    signed_raw,
)
from tests.adapters.slack.test_polls import ts_of

ONE, TWO = "T0AAA", "T0BBB"
ONE_TOKEN, TWO_TOKEN = "xoxb-aaa-111-one", "xoxb-bbb-222-two"
COOKIE = "slack-app-oauth-state"


@pytest.fixture
async def many(store_bot: Bot, fake: FakeSlack) -> AsyncIterator[SlackRig]:
    async with SlackRig(store_bot, fake, oauth_config()) as slack:
        yield slack


def store_of(bot: Bot) -> Store:
    assert bot.services.store is not None
    return bot.services.store


async def start_install(rig: SlackRig) -> str:
    """Open the Add to Slack page; the state its link and cookie carry."""
    status, headers, page = await rig.get("/slack/install")
    assert status == 200 and "Add to Slack" in page
    link = html.unescape(re.search(r'<a href="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    query = parse_qs(urlsplit(link).query)
    assert link.startswith("https://slack.com/oauth/v2/authorize?")
    assert query["client_id"] == [CLIENT_ID]
    assert "commands" in query["scope"][0].split(",")
    (state,) = query["state"]
    assert f"{COOKIE}={state}" in headers["Set-Cookie"]  # ties the state to this browser
    return state


async def finish_install(
    rig: SlackRig, state: str, code: str, *, cookie: str | None = None
) -> tuple[int, str]:
    """Come back from Slack's consent screen to the redirect URL, as the browser does."""
    query = urlencode({"code": code, "state": state})
    status, _, page = await rig.get(
        f"/slack/oauth_redirect?{query}", headers={"Cookie": f"{COOKIE}={cookie or state}"}
    )
    return status, page


async def install(rig: SlackRig, fake: FakeSlack, team: str, token: str) -> None:
    fake.grant(f"code-{team}", team, token)
    status, page = await finish_install(rig, await start_install(rig), f"code-{team}")
    assert status == 200, page


async def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    store = store_of(store_bot)
    kept = await store.find_install(PLATFORM, TWO)
    assert kept is not None
    assert (kept.bot_user_id, kept.bot_id, kept.app_id) == (f"UBOT{TWO}", f"B{TWO}", "A0001")
    assert "commands" in kept.scopes and TWO_TOKEN not in kept.sealed
    # Bolt checked each new token with auth.test, and nothing else used them yet.
    assert fake.tokens_used("auth.test") == [ONE_TOKEN, TWO_TOKEN]

    assert await many.command('poll create "Lunch?" "Soup" "Salad"', team=ONE) == 200
    assert await many.command('poll create "Tea?" "Green" "Black"', team=TWO) == 200
    posts = fake.called("chat.postMessage")
    assert ["Lunch?" in shown_text(p) for p in posts] == [True, False]
    assert fake.tokens_used("chat.postMessage") == [ONE_TOKEN, TWO_TOKEN]
    assert fake.tokens_used("users.info") == [ONE_TOKEN, TWO_TOKEN]


async def test_a_command_from_a_workspace_that_never_installed_is_refused(
    many: SlackRig, fake: FakeSlack
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    assert await many.command("summary", team="T0NEVER") == 200
    # Bolt tells the user through the response_url; no token was used for that workspace.
    assert "installation" in shown_text(fake.responses[-1])
    assert fake.called("users.info") == [] and fake.called("chat.postMessage") == []


async def test_the_tokens_are_encrypted_in_the_database_file(
    many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await store_of(store_bot).close()  # everything is in the main file now
    path = store_bot.services.settings.db_path
    raw = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert ONE.encode() in raw  # the row is there...
    assert ONE_TOKEN.encode() not in raw and b"xoxb-" not in raw  # ...its token is not


async def test_a_state_is_used_once(many: SlackRig, fake: FakeSlack, store_bot: Bot) -> None:
    state = await start_install(many)
    fake.grant("code-1", ONE, ONE_TOKEN)
    assert (await finish_install(many, state, "code-1"))[0] == 200
    fake.grant("code-2", TWO, TWO_TOKEN)
    status, _ = await finish_install(many, state, "code-2")  # a replayed redirect
    assert status != 200
    assert "code-2" in fake.grants  # never exchanged for a token
    assert await store_of(store_bot).find_install(PLATFORM, TWO) is None


async def test_an_expired_state_is_refused(
    many: SlackRig, fake: FakeSlack, store_bot: Bot, clock: FakeClock
) -> None:
    state = await start_install(many)
    clock.advance(timedelta(minutes=10, seconds=1))
    fake.grant("code-1", ONE, ONE_TOKEN)
    status, _ = await finish_install(many, state, "code-1")
    assert status != 200
    assert fake.called("oauth.v2.access") == []
    assert await store_of(store_bot).find_install(PLATFORM, ONE) is None


async def test_a_state_this_app_never_issued_is_refused(
    many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await start_install(many)
    fake.grant("code-1", ONE, ONE_TOKEN)
    status, _ = await finish_install(many, "forged-state", "code-1")  # cookie set to match
    assert status != 200
    assert fake.called("oauth.v2.access") == []
    assert await store_of(store_bot).find_install(PLATFORM, ONE) is None


async def test_a_scheduled_post_goes_out_with_its_workspace_token(
    many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    fake.admins.add("U0ADMIN")
    await many.command('admin schedule add "0 9 * * *"', user="U0ADMIN", team=TWO)
    found = re.search(r"Schedule (\d+)", shown_text(fake.posted()[-1]))
    assert found
    schedule = await store_of(store_bot).get_schedule(int(found.group(1)))
    assert schedule is not None and schedule.place.workspace == TWO
    scheduler = Scheduler(store_bot.services, store_bot.catalogue)
    [outcome] = await scheduler.tick(schedule.next_due)  # no request: only the store knows T
    assert outcome.state == "posted"
    assert fake.tokens_used("chat.postMessage")[-1] == TWO_TOKEN


async def test_a_deadline_closes_a_poll_with_its_workspace_token(
    many: SlackRig, fake: FakeSlack, store_bot: Bot, clock: FakeClock
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    await many.command('poll create "Deal?" "Yes" "No" --closes 1h', team=TWO)
    clock.advance(timedelta(hours=2))
    (closed,) = await close_due(store_bot.services, clock.now())
    announcement = fake.called("chat.postMessage")[-1]
    assert "has closed" in shown_text(announcement)
    assert closed.announcement_id  # announced through the poster, with the workspace token
    await many.timer.advance(1.0)
    await many.adapter.drain()
    assert fake.called("chat.update")
    assert set(fake.tokens_used("chat.postMessage") + fake.tokens_used("chat.update")) == {
        TWO_TOKEN
    }


def event_body(team: str, event: dict[str, object]) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{team}{event['type']}",
            "event_time": int(time.time()),
        }
    )


async def send_event(rig: SlackRig, team: str, event: dict[str, object]) -> int:
    raw = event_body(team, event).encode()
    headers = {**signed_raw(raw, str(int(time.time()))), "Content-Type": "application/json"}
    status, _ = await rig.post(raw, headers)
    await rig.adapter.drain()
    return status


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [f"UBOT{TWO}"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
async def test_uninstalling_forgets_the_workspace_and_its_token(
    event: dict[str, object], many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    assert await send_event(many, TWO, event) == 200
    store = store_of(store_bot)
    assert await store.find_install(PLATFORM, TWO) is None
    assert await store.find_install(PLATFORM, ONE) is not None  # the other one stays
    # A later command from that workspace is refused, without the stale token...
    assert await many.command("summary", team=TWO) == 200
    assert "installation" in shown_text(fake.responses[-1])
    # ...and a scheduled post there fails for good instead of using it.
    with pytest.raises(PostFailed, match="not installed in workspace T0BBB") as raised:
        await many.adapter.poster.post(Place("slack", TWO, "C1"), Reply((Card("text", "hi"),)))
    assert raised.value.retryable is False
    assert TWO_TOKEN not in fake.tokens_used("users.info") + fake.tokens_used("chat.postMessage")
    # The workspace still installed is answered as before.
    assert await many.command('poll create "Still?" "Yes" "No"', team=ONE) == 200
    assert fake.tokens_used("chat.postMessage") == [ONE_TOKEN]


async def test_a_user_token_revoked_leaves_the_bot_installed(
    many: SlackRig, fake: FakeSlack, store_bot: Bot
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    event = {"type": "tokens_revoked", "tokens": {"oauth": ["U0INSTALLER"], "bot": []}}
    assert await send_event(many, ONE, event) == 200
    assert await store_of(store_bot).find_install(PLATFORM, ONE) is not None


async def test_a_workspace_token_is_checked_with_slack_once_not_per_request(
    many: SlackRig, fake: FakeSlack
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    for _ in range(3):
        assert await many.command("summary", team=ONE) == 200
    # One auth.test at install, one when the first request is authorised; then remembered.
    assert fake.tokens_used("auth.test") == [ONE_TOKEN, ONE_TOKEN]


async def test_a_replica_with_another_secret_refuses_cleanly_and_logs_the_fix(
    many: SlackRig, fake: FakeSlack, store_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    # A second replica on the same database, started with another OPED_BOT_SECRET.
    async with SlackRig(store_bot, fake, oauth_config(secret="another-secret")) as other:
        assert await other.command("summary", team=ONE) == 200
    assert "installation" in shown_text(fake.responses[-1])
    assert fake.called("users.info") == []  # nothing was done with a token it cannot read
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "OPED_BOT_SECRET back to the value used" in logged
    assert ONE_TOKEN not in logged and "another-secret" not in logged


async def test_forms_and_private_files_use_the_workspace_token(
    many: SlackRig, fake: FakeSlack
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    assert await many.command("poll new", team=TWO) == 200
    assert fake.tokens_used("views.open") == [TWO_TOKEN]
    fake.admins.add("U0ADMIN")
    await many.command('poll create "Lunch?" "Soup" "Salad"', team=TWO)
    await many.command("poll export 1", user="U0ADMIN", team=TWO)
    assert fake.tokens_used("conversations.open") == [TWO_TOKEN]
    assert set(fake.tokens_used("files.getUploadURLExternal")) == {TWO_TOKEN}


async def test_the_home_tab_is_read_and_published_with_its_workspaces_token(
    many: SlackRig, fake: FakeSlack
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    assert await many.command('poll create "Tea?" "Green" "Black"', team=TWO) == 200
    fake.members = {"U0001": {"C0001"}}
    opened = {**home_opened_event("U0001"), "team_id": TWO}
    assert await many.event(opened) == 200
    assert fake.tokens_used("users.conversations") == [TWO_TOKEN]
    assert fake.tokens_used("views.publish") == [TWO_TOKEN]
    assert "Tea?" in shown_text(fake.views("U0001")[-1])


async def test_vote_limits_are_looked_up_with_the_polls_workspace_token(
    many: SlackRig, fake: FakeSlack
) -> None:
    await install(many, fake, ONE, ONE_TOKEN)
    await install(many, fake, TWO, TWO_TOKEN)
    fake.usergroups = {"S0ED": ("editors", ["U0ED"])}
    line = 'poll create "Publish?" "Yes" "No" --roles <!subteam^S0ED|@editors>'
    assert await many.command(line, team=TWO, markup=True) == 200
    posted = fake.called("chat.postMessage")[-1]
    button = buttons(posted)[0]
    ts = ts_of(fake, posted)
    await many.click(button["action_id"], button["value"], message_ts=ts, user="U0ED", team=TWO)
    assert fake.tokens_used("usergroups.users.list") == [TWO_TOKEN]
    assert "Who can vote: @editors" in shown_text(fake.called("chat.update")[-1])
