"""Logging: one line per event with its fields, and no secret ever written.

`log.info("vote cast", extra={"poll": 12, "user": "U1"})` becomes
`2026-01-05T12:00:00.000Z INFO bot.polls: vote cast poll=12 user=U1` (text) or one JSON object
per line (json). The redacting filter sits on the handler, so it sees records from every library
(the platforms' SDKs, aiohttp) as well as ours.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.platforms import plugins

# The bot's own secret; each platform's plug-in names its own (see `bot.platforms`), read when
# first needed, since the plug-ins import the core, this module included.
CORE_SECRET_ENV = ("OPED_BOT_SECRET",)
REDACTED = "[redacted]"


def secret_env() -> tuple[str, ...]:
    """Environment variables that hold secrets: their values are redacted wherever they appear."""
    return (*(name for p in plugins() for name in p.secrets), *CORE_SECRET_ENV)


@functools.cache
def token_shapes() -> re.Pattern[str]:
    """Token shapes redacted even when their value is not configured (a token pasted into a
    message, another workspace's token in an error), as each platform's plug-in declares them."""
    shapes = [shape for p in plugins() for shape in p.token_shapes]
    return re.compile("|".join(shapes) if shapes else r"(?!)")


# Shorter values would redact ordinary words; no real token or signing secret is this short.
MIN_SECRET_LENGTH = 8
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_HANDLER_NAME = "oped-bot"


class Redactor:
    """Replaces configured secret values and token-shaped strings with `[redacted]`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._values = re.compile("|".join(map(re.escape, values))) if values else None

    def __call__(self, text: str) -> str:
        if self._values is not None:
            text = self._values.sub(REDACTED, text)
        return token_shapes().sub(REDACTED, text)

    def value(self, value: Any) -> Any:
        """A log field with any secret inside it redacted; numbers and None pass through."""
        if value is None or isinstance(value, bool | int | float):
            return value
        return self(value if isinstance(value, str) else repr(value))


def secrets_from(env: Mapping[str, str]) -> list[str]:
    """The secret values configured in `env`."""
    return [env[name] for name in secret_env() if env.get(name)]


class RedactingFilter(logging.Filter):
    """Rewrites each record's message, arguments, extra fields and traceback without secrets."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
            record.exc_info = None  # the redacted text is what gets printed
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key in fields(record):
            setattr(record, key, self.redact.value(getattr(record, key)))
        return True


def fields(record: logging.LogRecord) -> list[str]:
    """The names passed through `extra=`."""
    return [key for key in record.__dict__ if key not in _STANDARD and not key.startswith("_")]


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _plain(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if text and not re.search(r'[\s"=\\]', text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _trace(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    if record.exc_text:
        return record.exc_text
    return formatter.formatException(record.exc_info) if record.exc_info else ""


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message key=value ...`, always a single line."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().replace("\\", "\\\\").replace("\n", "\\n")
        parts = [f"{_timestamp(record)} {record.levelname} {record.name}: {message}"]
        parts += [f"{key}={_plain(getattr(record, key))}" for key in fields(record)]
        trace = _trace(self, record)
        if trace:
            parts.append(f"exc={json.dumps(trace, ensure_ascii=False)}")
        return " ".join(parts)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in fields(record):
            event.setdefault(key, getattr(record, key))
        trace = _trace(self, record)
        if trace:
            event["exc"] = trace
        return json.dumps(event, default=str, ensure_ascii=False)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time, so a swapped stream is followed."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # StreamHandler.__init__ assigns it; the property above always wins


def setup(
    level: str = "INFO",
    fmt: str = "text",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log record to `stream` (stderr) in `fmt`, redacted; replaces an earlier setup."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler: logging.Handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler
