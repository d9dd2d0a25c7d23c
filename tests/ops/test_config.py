"""The YAML config: defaults, precedence, and a precise refusal for every kind of bad entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, format_duration, parse_duration
from bot.content.loader import BUNDLED
from tests.ops.conftest import ROOT

EXAMPLE = ROOT / "deploy" / "oped-bot.example.yaml"


def write(folder: Path, text: str, name: str = "oped-bot.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.load(path, env or {})
    return caught.value.problems


def test_no_file_means_defaults(in_tmp: Path) -> None:
    settings = Settings.load(None, {})
    assert settings == Settings()
    assert settings.config_file is None
    assert settings.content_dir == BUNDLED
    assert settings.db_path == Path("data/oped-bot.sqlite3")


def test_every_key_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
timezone: Europe/Paris
database: {path: state/bot.db}
content: {dir: /srv/packs, default_pack: north-korea-talks}
scheduler: {grace_period: 1h30m}
moderators: {roles: [teachers], users: [U024BE7LH, 123456789012345678]}
logging: {level: debug, format: json}
""",
    )
    settings = Settings.load(path, {})
    assert settings.timezone == "Europe/Paris"
    assert settings.db_path == tmp_path / "state" / "bot.db"  # relative to the file's folder
    assert settings.content_dir == Path("/srv/packs")
    assert settings.default_pack == "north-korea-talks"
    assert settings.grace_period == timedelta(hours=1, minutes=30)
    assert settings.moderator_roles == {"teachers"}
    assert settings.moderator_users == {"U024BE7LH", "123456789012345678"}
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")
    assert settings.config_file == path


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "database: {path: from-file.db}\ncontent: {dir: from-file}\n")
    settings = Settings.load(path, {"OPED_BOT_DB": "/env/x.db", "OPED_BOT_CONTENT": "/env/c"})
    assert settings.db_path == Path("/env/x.db")
    assert settings.content_dir == Path("/env/c")


def test_time_zone_is_canonicalised_as_schedules_spell_it(tmp_path: Path) -> None:
    assert Settings.load(write(tmp_path, "timezone: europe/paris\n"), {}).timezone == (
        "Europe/Paris"
    )


def test_default_file_and_oped_bot_config(in_tmp: Path) -> None:
    write(in_tmp, "timezone: Asia/Seoul\n")
    assert Settings.load(None, {}).timezone == "Asia/Seoul"
    other = write(in_tmp, "timezone: Asia/Tokyo\n", "other.yaml")
    assert Settings.load(None, {"OPED_BOT_CONFIG": str(other)}).timezone == "Asia/Tokyo"
    # An explicit --config beats OPED_BOT_CONFIG.
    assert Settings.load(Path("oped-bot.yaml"), {"OPED_BOT_CONFIG": str(other)}).timezone == (
        "Asia/Seoul"
    )


def test_a_named_file_must_exist(in_tmp: Path) -> None:
    assert problems(Path("missing.yaml")) == [
        "missing.yaml: no such file (named by --config or OPED_BOT_CONFIG); create it or drop it"
    ]
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        Settings.load(None, {"OPED_BOT_CONFIG": "nope.yaml"})


def test_the_brief_s_example_message(in_tmp: Path) -> None:
    path = write(in_tmp, 'scheduler:\n  grace_period: "1 hour"\n')
    assert problems(Path("oped-bot.yaml")) == [
        'oped-bot.yaml: scheduler.grace_period: "1 hour" is not a duration like 30m, 1h, 2d'
    ]
    assert path.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("timezone: Mars/Olympus\n", 'timezone: "Mars/Olympus" is not an IANA time zone'),
        ("timezone: 5\n", "timezone: 5 is not a non-empty text"),
        # Host aliases resolve with zoneinfo but are not places; schedules refuse them too.
        ("timezone: localtime\n", 'timezone: "localtime" is not an IANA time zone'),
        ("timezone: Factory\n", 'timezone: "Factory" is not an IANA time zone'),
        ("database: {path: ''}\n", 'database.path: "" is not a non-empty text'),
        ("content: {default_pack: My Pack}\n", 'content.default_pack: "My Pack" is not a pack id'),
        ("scheduler: {grace_period: 90}\n", "scheduler.grace_period: 90 is not a duration"),
        ("scheduler: {grace_period: 1w}\n", 'scheduler.grace_period: "1w" is not a duration'),
        ("scheduler: {grace_period: 31d}\n", 'grace_period: "31d" is longer than the 30d maximum'),
        # Beyond what a timedelta holds: a refusal, not a crash at start.
        ("scheduler: {grace_period: 99999999999d}\n", '"99999999999d" is too long a duration'),
        ("moderators: {users: alice}\n", 'moderators.users: "alice" is not a list'),
        ("moderators: {roles: [true]}\n", "moderators.roles: entry true is not a user or role"),
        ("logging: {level: LOUD}\n", 'logging.level: "LOUD" is not one of DEBUG, INFO,'),
        ("logging: {format: xml}\n", 'logging.format: "xml" is not one of text, json'),
        ("logging: verbose\n", 'logging: must be a mapping with keys level, format, not "verbose"'),
        ("- a\n- b\n", "oped-bot.yaml: must be a mapping with keys timezone, database,"),
    ],
)
def test_bad_values_name_the_key_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(write(tmp_path, text))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'oped-bot.yaml'}: ")
    assert expected in found[0]


def test_unknown_keys_are_refused_with_a_suggestion(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "schedular: {}\nlogging: {levle: INFO}\n"))
    assert [p.split(": ", 1)[1] for p in found] == [
        "schedular: unknown key (did you mean scheduler? expected one of: timezone, database, "
        "content, scheduler, moderators, logging)",
        "logging.levle: unknown key (did you mean level? expected one of: level, format)",
    ]


def test_secrets_in_the_file_are_refused(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "discord_token: abc\nlogging: {slack_signing_secret: s}\n"))
    assert [p.split(": ", 2)[1:] for p in found] == [
        ["discord_token", SECRETS_REFUSED],
        ["logging.slack_signing_secret", SECRETS_REFUSED],
    ]


SECRETS_REFUSED = (
    "secrets are not read from the config file; set them in the environment or a .env file "
    "(see deploy/.env.example) and remove this key"
)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "timezone: Nowhere\nlogging: {level: x, format: y}\n"))
    assert [p.split(": ")[1] for p in found] == ["timezone", "logging.level", "logging.format"]


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "timezone: UTC\nlogging: [unclosed\n"))
    assert "line 3" in found[0] and "not valid YAML" in found[0]


def test_empty_file_and_empty_sections_keep_defaults(tmp_path: Path) -> None:
    assert Settings.load(write(tmp_path, ""), {}).timezone == "UTC"
    assert Settings.load(write(tmp_path, "logging:\n"), {}).log_level == "INFO"


def test_the_annotated_example_is_valid_and_covers_every_key() -> None:
    settings = Settings.load(EXAMPLE, {})
    assert settings.default_pack == "north-korea-talks"
    text = EXAMPLE.read_text(encoding="utf-8")
    for key in (
        "timezone:",
        "path:",
        "url:",
        "dir:",
        "default_pack:",
        "grace_period:",
        "roles:",
        "users:",
        "level:",
        "format:",
    ):
        assert key in text


def test_durations() -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration(" 1h30m ") == timedelta(hours=1, minutes=30)
    assert parse_duration("45s") == timedelta(seconds=45)
    for bad in ("", "h", "1 hour", "30", "-1h", "1m1h"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    assert format_duration(timedelta(days=1, hours=2, seconds=5)) == "1d2h5s"
    assert format_duration(timedelta(0)) == "0s"


def test_from_env_still_works(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPED_BOT_DB", str(tmp_path / "x.db"))
    monkeypatch.delenv("OPED_BOT_CONTENT", raising=False)
    settings = Settings.from_env()
    assert settings.db_path == tmp_path / "x.db"
    assert settings.content_dir == BUNDLED


SLACK_BOT = "xoxb-1111-2222-abcdefghijklmnop"
SLACK_USER = "xoxp-1111-2222-3333-abcdefabcdef"
SLACK_APP = "xapp-1-A111-2222-abcdefabcdef"
DISCORD = "MTA4NjY4NzQ1MjE4NjQ3NDU2MA.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"timezone: {SLACK_BOT}\n", "timezone"),
        (f"logging: {{level: {SLACK_USER}}}\n", "logging.level"),
        (f"moderators: {{users: [U024BE7LH, {SLACK_APP}]}}\n", "moderators.users[1]"),
        (f"content: {{dir: {DISCORD}}}\n", "content.dir"),
        (f"slack:\n  bot: {SLACK_BOT}\n", "slack.bot"),  # an unknown key holding one
        (f"- {DISCORD}\n", "[0]"),  # not even a mapping
        (f"{SLACK_BOT}: yes\n", SLACK_BOT),  # as a key
    ],
)
def test_a_token_anywhere_in_the_file_stops_start_up_and_is_never_shown(
    tmp_path: Path, text: str, where: str
) -> None:
    found = problems(write(tmp_path, text))
    shown = where.replace(SLACK_BOT, "[redacted]")
    assert any(f": {shown}: looks like a token" in p for p in found), found
    assert any("move it to the environment or .env" in p for p in found), found
    for token in (SLACK_BOT, SLACK_USER, SLACK_APP, DISCORD):
        assert all(token not in p for p in found), found


def test_a_configured_secret_pasted_into_the_file_is_refused(tmp_path: Path) -> None:
    secret = "s3cret-signing-value-42"
    found = problems(write(tmp_path, f"timezone: {secret}\n"), {"SLACK_SIGNING_SECRET": secret})
    assert len(found) == 1 and "timezone: looks like a token" in found[0]
    assert secret not in found[0]


def test_config_errors_are_redacted_like_log_lines() -> None:
    error = ConfigError(
        [f"a.yaml: x: {SLACK_BOT} and s3cret-signing-value"], ["s3cret-signing-value"]
    )
    assert error.problems == ["a.yaml: x: [redacted] and [redacted]"]
    assert SLACK_BOT not in str(error)


def test_path_variables_are_trimmed_and_expand_home(tmp_path: Path) -> None:
    settings = Settings.load(None, {"OPED_BOT_DB": " ~/bot.db\n", "OPED_BOT_CONTENT": "   "})
    assert settings.db_path == Path.home() / "bot.db"
    assert settings.content_dir == BUNDLED  # blank means unset, not a folder named "   "


def test_the_database_is_a_file_or_a_postgresql_url(tmp_path: Path) -> None:
    url = "postgresql://oped@db.internal:5432/oped"
    from_file = Settings.load(write(tmp_path, f"database:\n  url: {url}\n"), {})
    assert from_file.db_url == url and from_file.database == url
    from_env = Settings.load(None, {"OPED_BOT_DB": "postgresql://u:pw@h/db"})
    assert from_env.database == "postgresql://u:pw@h/db"
    # A file path in the environment wins over a URL in the file.
    back = Settings.load(write(tmp_path, f"database:\n  url: {url}\n"), {"OPED_BOT_DB": "x.db"})
    assert back.database == Path("x.db")
    assert Settings.load(None, {}).database == Path("data/oped-bot.sqlite3")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://h/db", 'database.url: "mysql://h/db" is not a postgresql:// URL'),
        ("postgresql://u:hunter2@h/db", "database.url: holds a password; keep it out of the file"),
    ],
)
def test_a_bad_database_url_is_refused(tmp_path: Path, url: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.load(write(tmp_path, f"database:\n  url: {url}\n"), {})
    assert expected in str(caught.value)
    assert "hunter2" not in str(caught.value)
