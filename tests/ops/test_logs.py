"""Logs: one line per event with its fields, and no token ever printed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs

DISCORD = "MTA4NjY4NzQ1MjE4NjQ3NDU2MA.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB"
SLACK_BOT = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_APP = "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
ENV = {
    "DISCORD_TOKEN": DISCORD,
    "SLACK_BOT_TOKEN": SLACK_BOT,
    "SLACK_APP_TOKEN": SLACK_APP,
    "SLACK_SIGNING_SECRET": SIGNING,
    "HOME": "/root",
}
SECRETS = (DISCORD, SLACK_BOT, SLACK_APP, SIGNING)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logs.setup("DEBUG", "text", logs.secrets_from(ENV), stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_configured_secrets_and_token_shapes_never_reach_the_output(
    captured: io.StringIO,
) -> None:
    log = logging.getLogger("tests.ops.redaction")
    log.info("connecting with %s and %s", DISCORD, SLACK_BOT)
    log.warning(f"signing secret is {SIGNING}")  # already formatted into the message
    log.error("field leak", extra={"token": SLACK_APP, "headers": {"Authorization": SLACK_BOT}})
    try:
        raise RuntimeError(f"auth failed for {DISCORD}")
    except RuntimeError:
        log.exception("with a traceback")
    # Token-shaped strings that are not configured here are redacted too.
    strangers = (
        "xoxp-99999999-88888888-ZZZZZZZZZZZZ",
        "NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I",
    )
    log.info("pasted %s and %s", *strangers)
    output = captured.getvalue()
    for secret in (*SECRETS, *strangers):
        assert secret not in output
    assert output.count(logs.REDACTED) >= 8
    assert "connecting with [redacted] and [redacted]" in output
    assert "auth failed for [redacted]" in output


def test_redaction_leaves_ordinary_text_alone() -> None:
    redact = logs.Redactor(["short", SIGNING])
    assert redact("a short vote on poll 12 by U024BE7LH") == "a short vote on poll 12 by U024BE7LH"
    assert redact(f"x{SIGNING}y") == f"x{logs.REDACTED}y"


def test_text_lines_carry_their_fields(captured: io.StringIO) -> None:
    logging.getLogger("bot.polls").info(
        "vote cast\nsecond line", extra={"poll": 12, "user": "ana maria", "ok": True}
    )
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("bot.app").exception("command failed", extra={"incident": "ab12"})
    lines = captured.getvalue().splitlines()
    assert len(lines) == 2  # one line per event, even with a newline and a traceback
    first = lines[0].split(" ", 1)[1]
    assert first == 'INFO bot.polls: vote cast\\nsecond line poll=12 user="ana maria" ok=true'
    assert lines[1].split(" ", 1)[1].startswith("ERROR bot.app: command failed incident=ab12 exc=")
    assert "ValueError: boom" in lines[1]


def test_json_lines_parse() -> None:
    stream = io.StringIO()
    handler = logs.setup("INFO", "json", logs.secrets_from(ENV), stream)
    try:
        logging.getLogger("bot.runtime").info("starting", extra={"adapters": "discord,slack"})
        logging.getLogger("bot.runtime").debug("not shown at INFO")
        logging.getLogger("x").info("token %s", SLACK_BOT)
    finally:
        logging.getLogger().removeHandler(handler)
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["message"] for e in events] == ["starting", "token [redacted]"]
    assert events[0]["adapters"] == "discord,slack"
    assert events[0]["level"] == "INFO" and events[0]["logger"] == "bot.runtime"
    assert events[0]["time"].endswith("Z")


def test_setup_replaces_itself() -> None:
    root = logging.getLogger()
    first = logs.setup("INFO", "text", (), io.StringIO())
    second = logs.setup("INFO", "text", (), io.StringIO())
    try:
        assert first not in root.handlers and second in root.handlers
    finally:
        root.removeHandler(second)
