"""Behaviour settings: defaults, an optional YAML file, then the environment.

Secrets never live here: tokens come from the environment or a `.env` file only, and a config
file that tries to hold one is refused. Precedence, lowest first: built-in defaults, the config
file, `OPED_BOT_DB` / `OPED_BOT_CONTENT`. The database is a SQLite file (`database.path`) or a
PostgreSQL server (`database.url`, or a `postgresql://` URL in `OPED_BOT_DB`).
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from dotenv import load_dotenv

from bot import safe_yaml
from bot.content.loader import BUNDLED
from bot.errors import NotFound
from bot.logs import Redactor, secrets_from
from bot.schedule.cron import parse_tz

DEFAULT_CONFIG = Path("oped-bot.yaml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class Settings:
    """Everything the bot's behaviour depends on, with working defaults."""

    db_path: Path = Path("data/oped-bot.sqlite3")
    # A PostgreSQL URL; when set it is the database and `db_path` is unused.
    db_url: str | None = None
    content_dir: Path = BUNDLED
    default_pack: str | None = None
    timezone: str = "UTC"
    grace_period: timedelta = timedelta(hours=1)
    moderator_roles: frozenset[str] = frozenset()
    moderator_users: frozenset[str] = frozenset()
    log_level: str = "INFO"
    log_format: str = "text"
    config_file: Path | None = None  # the file these settings were read from, if any

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Defaults, with the database and content paths taken from the environment if set."""
        return cls().with_env(os.environ if env is None else env)

    @classmethod
    def load(cls, path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Read the config file (if any) and the environment; ConfigError on any bad entry.

        The file is `path`, else `$OPED_BOT_CONFIG`, else `./oped-bot.yaml` when it exists. A file
        named explicitly must exist.
        """
        env = os.environ if env is None else env
        chosen = config_path(path, env)
        settings = cls() if chosen is None else parse_file(chosen, secrets_from(env))
        return settings.with_env(env)

    @property
    def database(self) -> str | Path:
        """Where the store lives: the PostgreSQL URL if one is set, else the SQLite file."""
        return self.db_url or self.db_path

    def with_env(self, env: Mapping[str, str]) -> Settings:
        """These settings with `OPED_BOT_DB` and `OPED_BOT_CONTENT` applied."""
        # Trimmed, as a stray space or newline in .env or compose is easy to miss, and `~`
        # expanded as in the config file: neither file goes through a shell.
        db = env.get("OPED_BOT_DB", "").strip()
        content = env.get("OPED_BOT_CONTENT", "").strip()
        settings = replace(
            self, content_dir=Path(content).expanduser() if content else self.content_dir
        )
        if not db:
            return settings
        if db.startswith(POSTGRES_SCHEMES):
            return replace(settings, db_url=db)
        return replace(settings, db_path=Path(db).expanduser(), db_url=None)


# A .env holds a handful of variables.
ENV_FILE_MAX_BYTES = 64 * 1024


def load_env_file(path: Path = Path(".env")) -> bool:
    """Add the variables of a `.env` file to the environment; a variable already set wins.

    ConfigError, naming the file, if it exists but cannot be read as a small UTF-8 file.
    """
    if not path.is_file():
        return False
    try:
        text = safe_yaml.read_text(path, ENV_FILE_MAX_BYTES)
    except safe_yaml.FileRefused as exc:
        raise ConfigError([f"{path}: {exc}"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror})"]) from None
    return load_dotenv(stream=io.StringIO(text), override=False)


class ConfigError(Exception):
    """The config file is unusable; `problems` lists each as `file: key.path: what is wrong`.

    Problems are redacted as log lines are: a token pasted into the file is never echoed.
    """

    def __init__(self, problems: list[str], secrets: Iterable[str] = ()) -> None:
        redact = Redactor(secrets)
        self.problems = [redact(problem) for problem in problems]
        super().__init__("\n".join(self.problems))


def config_path(path: Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read, or None to run on defaults."""
    if path is not None:
        chosen = path
    elif env.get("OPED_BOT_CONFIG"):
        chosen = Path(env["OPED_BOT_CONFIG"])
    elif _present(DEFAULT_CONFIG):
        return DEFAULT_CONFIG  # even if it is not a regular file: refused by name, not ignored
    else:
        return None
    if not _present(chosen):
        raise ConfigError(
            [f"{chosen}: no such file (named by --config or OPED_BOT_CONFIG); create it or drop it"]
        )
    return chosen


def _present(path: Path) -> bool:
    return path.exists() or path.is_symlink()


# --- validation --------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,48}$")


class _Bad(ValueError):
    """A value that fails its check; the message says what is wrong with it."""


def _show(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f"{_show(value)} is not a non-empty text")
    return value.strip()


def parse_duration(value: Any) -> timedelta:
    """`30m`, `1h`, `2d`, `1h30m`, `45s` as a timedelta; ValueError otherwise."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if match is None or not any(match.groups()):
        raise _Bad(f"{_show(value)} is not a duration like 30m, 1h, 2d")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise _Bad(f"{_show(value)} is too long a duration") from None


def format_duration(delta: timedelta) -> str:
    """A timedelta in the config's own spelling: `1h30m`, `2d`, `0s`."""
    seconds = int(delta.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


# The scheduler looks back this far for missed runs (and computes `now - grace`, which a huge
# value would overflow); a post more than a month late is not a scheduled post any more.
GRACE_MAX = timedelta(days=30)


def _grace(value: Any) -> timedelta:
    grace = parse_duration(value)
    if grace > GRACE_MAX:
        raise _Bad(f"{_show(value)} is longer than the {format_duration(GRACE_MAX)} maximum")
    return grace


def _timezone(value: Any) -> str:
    # The same check `admin schedule add --tz` makes, so a zone the file accepts is one the
    # schedules and exports accept too (`localtime` and other host aliases are not places).
    try:
        return parse_tz(_text(value))
    except NotFound:
        raise _Bad(
            f"{_show(value)} is not an IANA time zone such as UTC, Europe/Paris, America/New_York"
        ) from None


def _pack_id(value: Any) -> str:
    name = _text(value)
    if not _PACK_ID.match(name):
        raise _Bad(f"{_show(value)} is not a pack id (the pack's folder name, e.g. my-pack)")
    return name


def _ids(value: Any) -> frozenset[str]:
    # Numeric ids are read by YAML as ints; both spellings mean the same id.
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _Bad(f"{_show(value)} is not a list such as [alice, U024BE7LH]")
    ids = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            raise _Bad(f"entry {_show(item)} is not a user or role id or name")
        ids.add(str(item).strip())
    return frozenset(ids)


def _choice(options: tuple[str, ...], *, upper: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = value.strip().upper() if upper and isinstance(value, str) else value
        if text not in options:
            raise _Bad(f"{_show(value)} is not one of {', '.join(options)}")
        return str(text)

    return check


def _path(value: Any) -> Path:
    return Path(_text(value)).expanduser()


def _postgres_url(value: Any) -> str:
    url = _text(value)
    if not url.startswith(POSTGRES_SCHEMES):
        raise _Bad(f"{_show(value)} is not a postgresql:// URL")
    if ":" in urlsplit(url).netloc.rpartition("@")[0]:
        # The file is not a place for secrets (see the module docstring).
        raise _Bad(
            "holds a password; keep it out of the file: set PGPASSWORD (or ~/.pgpass), or "
            "give the whole URL in OPED_BOT_DB"
        )
    return url


@dataclass(frozen=True)
class _Field:
    """A leaf of the schema: the Settings attribute it sets and the check that converts it."""

    attr: str
    check: Callable[[Any], Any]


_Schema = dict[str, "_Field | _Schema"]
# Relative paths are relative to the file's folder, not the working directory.
SCHEMA: _Schema = {
    "timezone": _Field("timezone", _timezone),
    "database": {"path": _Field("db_path", _path), "url": _Field("db_url", _postgres_url)},
    "content": {
        "dir": _Field("content_dir", _path),
        "default_pack": _Field("default_pack", _pack_id),
    },
    "scheduler": {"grace_period": _Field("grace_period", _grace)},
    "moderators": {
        "roles": _Field("moderator_roles", _ids),
        "users": _Field("moderator_users", _ids),
    },
    "logging": {
        "level": _Field("log_level", _choice(LOG_LEVELS, upper=True)),
        "format": _Field("log_format", _choice(LOG_FORMATS)),
    },
}


def _unknown(name: str, known: list[str]) -> str:
    if re.search(r"token|secret|password", name, re.I):
        return (
            "secrets are not read from the config file; set them in the environment or a .env "
            "file (see deploy/.env.example) and remove this key"
        )
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"unknown key ({hint}expected one of: {', '.join(known)})"


def parse_file(path: Path, secrets: Iterable[str] = ()) -> Settings:
    """Settings from one YAML file; ConfigError listing every problem found.

    `secrets` are the configured secret values, refused (and never shown) like token shapes.
    """
    try:
        data = safe_yaml.load(path, safe_yaml.CONFIG_MAX_BYTES)
    except safe_yaml.FileRefused as exc:
        raise ConfigError([f"{path}: {exc}"], secrets) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror})"], secrets) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{path}: {where}not valid YAML ({problem})"], secrets) from None
    return parse_mapping(data, path, secrets)


def parse_mapping(data: Any, path: Path, secrets: Iterable[str] = ()) -> Settings:
    """Validate already-parsed YAML `data` read from `path`."""
    if data is None:
        return Settings(config_file=path)
    secrets = list(secrets)
    redact = Redactor(secrets)
    problems = [
        f"{path}: {where}: {TOKEN_IN_FILE}" if where else f"{path}: {TOKEN_IN_FILE}"
        for where in _tokens(data, "", redact)
    ]
    values: dict[str, Any] = {}
    _walk(data, SCHEMA, path, "", values, problems, redact)
    if problems:
        raise ConfigError(problems, secrets)
    return Settings(config_file=path, **values)


TOKEN_IN_FILE = (
    "looks like a token or secret, and secrets are not read from the config file: move it to "
    "the environment or .env (see deploy/.env.example) and remove it from this file"
)


def _tokens(value: Any, where: str, redact: Redactor) -> Iterator[str]:
    """The key path of every token-shaped key or value inside `value`, lists included.

    A token is recognised by the same shapes (and configured values) that the logs redact.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and redact(key) != key:
                yield name
            yield from _tokens(item, name, redact)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _tokens(item, f"{where}[{index}]", redact)
    elif isinstance(value, str) and redact(value) != value:
        yield where


def _walk(
    data: Any,
    schema: _Schema,
    path: Path,
    prefix: str,
    values: dict[str, Any],
    problems: list[str],
    redact: Redactor,
) -> None:
    """Check one mapping level against `schema`, collecting converted values and problems."""
    if not isinstance(data, dict):
        where = f"{path}: {prefix.rstrip('.')}" if prefix else str(path)
        problems.append(
            f"{where}: must be a mapping with keys {', '.join(schema)}, not {_show(data)}"
        )
        return
    for key, value in data.items():
        name = f"{prefix}{key}"
        entry = schema.get(str(key))
        if any(_tokens({key: value}, prefix.rstrip("."), redact)):
            continue  # already reported as a token, without its value
        if entry is None:
            problems.append(f"{path}: {name}: {_unknown(str(key), list(schema))}")
        elif isinstance(entry, dict):
            if value is not None:  # an empty section keeps its defaults
                _walk(value, entry, path, f"{name}.", values, problems, redact)
        else:
            try:
                converted = entry.check(value)
            except _Bad as exc:
                problems.append(f"{path}: {name}: {exc}")
                continue
            if isinstance(converted, Path) and not converted.is_absolute():
                # Against the file's own folder, made absolute now: the same file means the
                # same places whatever the working directory, and logs show where they are.
                converted = Path(os.path.abspath(path.parent / converted))
            values[entry.attr] = converted
