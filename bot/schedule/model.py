"""Schedules and their runs, as the store keeps them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.models import Place

Attach = Literal["none", "poll", "debate"]
ATTACH_CHOICES: tuple[Attach, ...] = ("none", "poll", "debate")

# claimed: an instance owns the run and has not yet asked the platform to post.
# posting: the post request may have gone out; after a crash nobody can tell, so it is never
#          repeated automatically (it becomes `interrupted` and moderators are told).
# retry:   the platform refused; another attempt is due at `next_attempt_at`.
# posted / failed / interrupted / skipped: final.
RunState = Literal["claimed", "posting", "retry", "posted", "failed", "interrupted", "skipped"]
IN_FLIGHT: tuple[RunState, ...] = ("claimed", "posting")


@dataclass(frozen=True)
class OwnPost:
    """A moderator's own post for a schedule: a text, or a poll asking `text` when `options`."""

    text: str
    options: tuple[str, ...] = ()

    @property
    def poll(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class NewSchedule:
    """What `admin schedule add` asks the store to keep."""

    place: Place
    cron: str
    tz: str
    attach: Attach
    thread: bool
    pack: str | None
    created_by: str
    created_at: datetime
    next_due: datetime
    # Posted on each run instead of the pack's next prompt.
    own: OwnPost | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class Schedule(NewSchedule):
    """A stored schedule; `next_due` is the first run not yet handled."""

    id: int
    paused: bool = False
    paused_reason: str = ""
    failures: int = 0  # consecutive failed attempts; reset by a successful post or a resume


@dataclass(frozen=True)
class Run:
    """One due time of one schedule, claimed under the unique key (schedule_id, due_at)."""

    schedule_id: int
    due_at: datetime
    state: RunState
    owner: str
    attempts: int = 0
    lease_until: datetime | None = None
    next_attempt_at: datetime | None = None
    prompt_id: str | None = None
    attachment: str | None = None  # a tracked card ref such as `poll:12`
    message_id: str | None = None
    error: str = ""
    manual: bool = False
    updated_at: datetime | None = None
