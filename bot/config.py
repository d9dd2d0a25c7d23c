"""Behaviour settings. Secrets never live here: they come from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.content.loader import BUNDLED


@dataclass(frozen=True)
class Settings:
    """Everything the bot's behaviour depends on, with working defaults."""

    db_path: Path = Path("data/oped-bot.sqlite3")
    content_dir: Path = BUNDLED
    default_pack: str | None = None
    timezone: str = "UTC"
    grace_period: timedelta = timedelta(hours=1)
    moderator_roles: frozenset[str] = frozenset()
    moderator_users: frozenset[str] = frozenset()
    log_level: str = "INFO"
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults, with the database and content paths taken from the environment if set."""
        settings = cls()
        db = os.environ.get("OPED_BOT_DB")
        content = os.environ.get("OPED_BOT_CONTENT")
        return cls(
            db_path=Path(db) if db else settings.db_path,
            content_dir=Path(content) if content else settings.content_dir,
        )
