"""The Store contract both storage drivers implement (SQLite and PostgreSQL).

Every write method returns only after its transaction has committed: a returned value is an
acknowledgement the caller may show to a user. A write refused by a domain rule raises `Refused`
(or `bot.errors.NotFound` for an unknown id) and writes nothing. Times are timezone-aware UTC.
The contract tests in `tests/store/` pin down this behaviour on both engines. The rules behind
the writes (what a click does, debate phases, who reaches what) are pure core functions in
`bot.poll_rules`, `bot.debates` and `bot.scope`; the drivers apply their decisions atomically.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.errors import UserError
from bot.models import Place
from bot.schedule.model import NewSchedule, Run, RunState, Schedule
from bot.schedule.rotation import Rotation
from bot.store.installs import Install

ResultsMode = Literal["live", "closed", "mods"]
VoteChange = Literal["added", "moved", "retracted", "removed"]
Side = Literal["for", "against", "undecided"]
Phase = Literal["before", "after", "closed"]
VotePhase = Literal["before", "after"]
SubjectKind = Literal["user", "role"]

SIDES: tuple[Side, ...] = ("for", "against", "undecided")
RESULTS_MODES: tuple[ResultsMode, ...] = ("live", "closed", "mods")


class Refused(UserError):
    """A write refused by a domain rule (closed poll, too many picks...); nothing was written."""


@dataclass(frozen=True)
class PollRole:
    """A role or user group a poll is limited to, with its name as shown."""

    id: str
    name: str  # "@Editors": plain text, never a mention that could ping


@dataclass(frozen=True)
class Voter:
    """What the vote rules need to know about who votes: their roles, and channel membership.

    `member` is None until the platform was asked (only polls limited to the channel's members
    need it).
    """

    roles: frozenset[str] = frozenset()
    member: bool | None = None


# A voter the request says nothing about: no roles, channel membership not looked up.
NO_GROUPS = Voter()


class NotEligible(Refused):
    """A voter outside a poll's roles or channel; the poll says who may vote."""

    def __init__(self, message: str, poll: Poll) -> None:
        super().__init__(message)
        self.poll = poll


@dataclass(frozen=True)
class PollDraft:
    """A poll as its creator asked for it, already validated (see `bot.poll_rules.draft`)."""

    place: Place
    creator_id: str
    creator_name: str
    question: str
    options: tuple[str, ...]
    max_picks: int = 1
    anonymous: bool = False
    results: ResultsMode = "live"
    closes_at: datetime | None = None
    # Members may add options (`poll add`), up to the 20-option limit.
    open_options: bool = False
    # Post one reminder this long before the deadline.
    remind: timedelta | None = None
    # Only members with one of these roles (`--roles`), or of the poll's channel (`--members`).
    roles: tuple[PollRole, ...] = ()
    members_only: bool = False
    # Voters rank every option (`poll rank`), counted by instant runoff.
    ranked: bool = False


@dataclass(frozen=True)
class PollEdit:
    """A decided change to a poll (see `bot.poll_rules.edit`); None leaves that part as it is."""

    question: str | None = None
    options: tuple[str, ...] | None = None
    closes_at: datetime | None = None

    @property
    def wording(self) -> bool:
        """Whether it changes what people vote on (allowed only until the first vote)."""
        return self.question is not None or self.options is not None


@dataclass(frozen=True)
class AuditNote:
    """Who did an action, for the audit line written in the action's own transaction.

    The line's detail is `detail`, else it names the record: `#12 The question or motion`.
    A `report` is queued for the workspace's moderators in the same transaction too.
    """

    actor_id: str
    actor_name: str
    action: str
    detail: str | None = None
    report: str | None = None


@dataclass(frozen=True)
class DebateDraft:
    """A debate to open, already checked (a scheduled run's attachment)."""

    place: Place
    creator_id: str
    creator_name: str
    motion: str
    prompt_id: str | None


@dataclass(frozen=True)
class Preparation:
    """Everything a scheduled run needs before posting, decided by the core, stored at once.

    The prompt named, the poll or debate made (its audit line with it), the channel's rotation
    moved on: either all of it is kept, or none (a crash before the commit), so a retry never
    makes a second poll or moves the rotation twice.
    """

    run: Run
    owner: str
    prompt_id: str
    rotation_pack: str
    rotation: Rotation | None  # None: the schedule's own post, no prompt taken
    poll: PollDraft | None = None
    debate: DebateDraft | None = None
    # The rotation the choice was made from: if the channel's has moved on since (another
    # process posted there), nothing is stored and `bot.store.work.Conflict` is raised.
    rotation_was: Rotation | None = None


@dataclass(frozen=True)
class Poll:
    """A stored poll. `closed_at` is set once it is closed (by hand or by its deadline)."""

    id: int
    place: Place
    creator_id: str
    creator_name: str
    question: str
    options: tuple[str, ...]
    max_picks: int
    anonymous: bool
    results: ResultsMode
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    announced: bool
    open_options: bool = False
    remind: timedelta | None = None
    reminded: bool = False
    roles: tuple[PollRole, ...] = ()
    members_only: bool = False
    ranked: bool = False

    @property
    def ref(self) -> str:
        return f"poll:{self.id}"

    @property
    def multi(self) -> bool:
        return self.max_picks > 1

    def is_open(self, now: datetime) -> bool:
        """Open until closed by hand or until its deadline, whichever comes first."""
        if self.closed_at is not None:
            return False
        return self.closes_at is None or now < self.closes_at


@dataclass(frozen=True)
class Tally:
    """Votes per option (index 0 is option 1) and how many distinct people voted."""

    counts: tuple[int, ...]
    voters: int

    @property
    def votes(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class VoteOutcome:
    """What one click did: the voter's picks before and after it (option numbers from 1)."""

    poll: Poll
    option: int
    change: VoteChange
    previous: tuple[int, ...]
    picks: tuple[int, ...]


@dataclass(frozen=True)
class PollVote:
    """One stored pick, for exports. Anonymous polls give no voter and no time."""

    option: int
    voter_id: str | None
    voter_name: str | None
    voted_at: datetime | None


@dataclass(frozen=True)
class Ballot:
    """One voter's stored ranking, most preferred first. Anonymous polls give no voter or time."""

    ranking: tuple[int, ...]
    voter_id: str | None
    voter_name: str | None
    voted_at: datetime | None


@dataclass(frozen=True)
class RankOutcome:
    """What one ranking did: the ranking stored, and the one it replaced (() if none)."""

    poll: Poll
    ranking: tuple[int, ...]
    previous: tuple[int, ...]


@dataclass(frozen=True)
class Debate:
    """An Oxford-style debate: an opening vote, the discussion, a closing vote."""

    id: int
    place: Place
    creator_id: str
    creator_name: str
    motion: str
    prompt_id: str | None
    phase: Phase
    created_at: datetime
    advanced_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None

    @property
    def ref(self) -> str:
        return f"debate:{self.id}"


@dataclass(frozen=True)
class DebateVote:
    """One person's position in one phase of a debate."""

    voter_id: str
    voter_name: str
    phase: VotePhase
    side: Side


@dataclass(frozen=True)
class DebateVoteOutcome:
    """What a debate vote did: the phase it counted in and the side it replaced, if any."""

    debate: Debate
    phase: VotePhase
    side: Side
    previous: Side | None


@dataclass(frozen=True)
class Moderator:
    """A user or role given moderator rights in the bot."""

    subject_id: str
    kind: SubjectKind
    name: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the moderators' audit log."""

    id: int
    at: datetime
    platform: str
    workspace: str
    actor_id: str
    actor_name: str
    action: str
    detail: str


@dataclass(frozen=True)
class TrackedMessage:
    """A platform message that shows a tracked card (`poll:12`), so it can be edited later."""

    place: Place
    message_id: str


class Store(Protocol):
    """Domain operations on durable state. Every write is committed before it returns."""

    async def close(self) -> None:
        """Finish pending writes and release the database."""
        ...

    async def ping(self) -> None:
        """Raise if the database cannot answer a trivial read (for `/readyz`)."""
        ...

    # Polls

    async def create_poll(self, draft: PollDraft) -> Poll:
        """Store a new poll and return it with an id no poll ever had, deleted ones included."""
        ...

    async def get_poll(self, poll_id: int) -> Poll | None:
        """The poll with this id, or None."""
        ...

    async def open_polls(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Poll]:
        """Polls still taking votes, in a workspace or one channel, oldest first."""
        ...

    async def cast_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        option: int,
        *,
        by: Voter = NO_GROUPS,
    ) -> VoteOutcome:
        """Click `option` (from 1): add, move, retract or toggle the voter's pick.

        Raises NotFound for a poll `place` does not reach (`bot.scope.reaches`: another
        channel or workspace) exactly as for an unknown id, Refused for a closed poll, an
        unknown option or a pick beyond the poll's limit, NotEligible for a voter (`by`) outside
        the poll's roles or channel. Refusals write nothing.
        """
        ...

    async def rank_vote(
        self,
        poll_id: int,
        place: Place,
        user_id: str,
        user_name: str,
        typed: tuple[str, ...],
        *,
        by: Voter = NO_GROUPS,
    ) -> RankOutcome:
        """Store the voter's ranking of a ranked poll, replacing any earlier one, atomically.

        `typed` is the ranking as typed (option numbers, most preferred first), checked against
        the poll as stored (see `bot.poll_rules.check_rank`): Refused or NotFound otherwise,
        and NotEligible if the poll is limited to roles or members `by` does not have.
        """
        ...

    async def poll_ballots(self, poll_id: int) -> list[Ballot]:
        """Every ranking cast in a ranked poll, for counts and exports (no voters if anonymous)."""
        ...

    async def add_option(
        self,
        poll_id: int,
        place: Place,
        label: str,
        *,
        audit: AuditNote | None = None,
        by: Voter = NO_GROUPS,
    ) -> Poll:
        """Add a member's option to an open `--open` poll, with its audit line; the poll after.

        The rules are `bot.poll_rules.check_add`'s (NotFound as for an unknown id, Refused for a
        closed or full poll, one not `--open`, or an option it already has; NotEligible for a
        voter (`by`) who may not vote in it); refusals write nothing.
        """
        ...

    async def edit_poll(
        self, poll_id: int, place: Place, change: PollEdit, *, audit: AuditNote | None = None
    ) -> Poll:
        """Apply a decided edit to an open poll, with its audit line; the poll after.

        Refused (nothing written) if the poll is closed, or if `change.wording` and anyone has
        voted (`bot.poll_rules.check_edit`); a new deadline moves the reminder with it.
        """
        ...

    async def reopen_poll(
        self,
        poll_id: int,
        place: Place,
        closes_at: datetime | None,
        *,
        audit: AuditNote | None = None,
    ) -> Poll:
        """Open a closed poll again until `closes_at` (None: no deadline), with its audit line.

        Refused if it is open (`bot.poll_rules.check_reopen`); its votes are kept.
        """
        ...

    async def tally(self, poll_id: int) -> Tally:
        """Current counts per option and turnout."""
        ...

    async def poll_votes(self, poll_id: int) -> list[PollVote]:
        """Every stored pick, by option; voters are None for anonymous polls."""
        ...

    async def polls_since(
        self, platform: str, workspace: str, since: datetime | None = None
    ) -> list[Poll]:
        """Every poll of a workspace (open or closed) created at or after `since`, oldest first."""
        ...

    async def close_poll(
        self, poll_id: int, closed_by: str, *, audit: AuditNote | None = None
    ) -> Poll:
        """Close an open poll by hand; the caller's reply is its announcement.

        With `audit`, its audit line is written in the same transaction (as for the debate
        methods below).
        """
        ...

    async def close_due_polls(self, now: datetime, platforms: Collection[str]) -> list[Poll]:
        """Close every poll of these platforms whose deadline is at or before `now`.

        Each is marked announced in the same transaction, so it is returned exactly once.
        """
        ...

    async def claim_reminders(self, now: datetime, platforms: Collection[str]) -> list[Poll]:
        """Claim every due reminder of open polls of these platforms, each exactly once.

        A poll is returned by one call only, across processes and restarts; one whose deadline
        has passed is not reminded.
        """
        ...

    async def next_deadline(self, platforms: Collection[str]) -> datetime | None:
        """The earliest deadline or unclaimed reminder among open polls of these platforms."""
        ...

    # Debates

    async def create_debate(
        self,
        place: Place,
        creator_id: str,
        creator_name: str,
        motion: str,
        prompt_id: str | None,
        *,
        audit: AuditNote | None = None,
    ) -> Debate:
        """Open a debate in its opening-vote phase."""
        ...

    async def get_debate(self, debate_id: int) -> Debate | None:
        """The debate with this id, or None."""
        ...

    async def open_debates(
        self, platform: str, workspace: str, channel: str | None = None
    ) -> list[Debate]:
        """Debates not closed yet, in a workspace or one channel, oldest first."""
        ...

    async def cast_debate_vote(
        self, debate_id: int, place: Place, user_id: str, user_name: str, side: Side
    ) -> DebateVoteOutcome:
        """Record the voter's side in the debate's current phase (replacing an earlier one).

        Raises NotFound, as for an unknown id, when `place` does not reach the debate
        (`bot.scope.reaches`), and Refused for a closed debate; refusals write nothing.
        """
        ...

    async def advance_debate(self, debate_id: int, *, audit: AuditNote | None = None) -> Debate:
        """Move a debate from its opening vote to its closing vote."""
        ...

    async def close_debate(
        self, debate_id: int, closed_by: str, *, audit: AuditNote | None = None
    ) -> Debate:
        """Close a debate; no vote is accepted after this."""
        ...

    async def debate_votes(self, debate_id: int) -> list[DebateVote]:
        """Every recorded position, both phases."""
        ...

    # Moderation, audit, tracked messages

    async def audit(
        self,
        platform: str,
        workspace: str,
        actor_id: str,
        actor_name: str,
        action: str,
        detail: str,
    ) -> None:
        """Append one line to the audit log."""
        ...

    async def audit_log(
        self, platform: str, workspace: str, limit: int = 50, *, before: int | None = None
    ) -> list[AuditEntry]:
        """The newest audit lines of a workspace (older than entry `before`), newest first."""
        ...

    async def add_moderator(
        self,
        platform: str,
        workspace: str,
        subject_id: str,
        *,
        kind: SubjectKind = "user",
        name: str = "",
        added_by: str = "",
        audit: AuditNote | None = None,
    ) -> bool:
        """Grant moderator rights to a user or role id; False if it already had them.

        `audit` is written only if this call granted them, in the same transaction; so for
        every write method below that takes one.
        """
        ...

    async def remove_moderator(
        self, platform: str, workspace: str, subject_id: str, *, audit: AuditNote | None = None
    ) -> bool:
        """Take granted rights away; False if the id had none."""
        ...

    async def moderator_ids(self, platform: str, workspace: str) -> frozenset[str]:
        """User and role ids granted moderator rights in the bot (beyond platform admins)."""
        ...

    async def list_moderators(self, platform: str, workspace: str) -> list[Moderator]:
        """Granted moderators, oldest grant first."""
        ...

    async def remember_message(self, ref: str, place: Place, message_id: str) -> None:
        """Record that `message_id` in `place` shows the card `ref` (idempotent)."""
        ...

    async def messages_for(self, ref: str) -> list[TrackedMessage]:
        """Messages showing the card `ref`, oldest first."""
        ...

    # Schedules, prompt rotation, reports, pack choices, admin (issue 6)

    async def create_schedule(
        self, new: NewSchedule, *, audit: AuditNote | None = None
    ) -> Schedule:
        """Store a new schedule and return it with its id.

        `audit.detail` follows the new id in the line: `schedule 4: <detail>`.
        """
        ...

    async def get_schedule(self, schedule_id: int) -> Schedule | None:
        """The schedule with this id, or None."""
        ...

    async def list_schedules(self, platform: str, workspace: str) -> list[Schedule]:
        """A workspace's schedules, oldest first."""
        ...

    async def due_schedules(self, now: datetime, platforms: Collection[str]) -> list[Schedule]:
        """Unpaused schedules of these platforms whose `next_due` is at or before `now`."""
        ...

    async def advance_schedule(
        self,
        schedule_id: int,
        expected: datetime,
        next_due: datetime,
        *,
        audit: AuditNote | None = None,
    ) -> bool:
        """Move `next_due` from `expected` to `next_due`; False if someone moved it first.

        `audit` is written only by the call that moved it, in the same transaction.
        """
        ...

    async def pause_schedule(
        self, schedule_id: int, reason: str, *, audit: AuditNote | None = None
    ) -> bool:
        """Pause a running schedule; False if it was already paused (or is gone).

        `audit` (and its report) is written only if this call paused it, in the same transaction.
        """
        ...

    async def resume_schedule(
        self, schedule_id: int, next_due: datetime, *, audit: AuditNote | None = None
    ) -> bool:
        """Unpause, clear the failure count and set the next due time; False if not paused."""
        ...

    async def delete_schedule(self, schedule_id: int, *, audit: AuditNote | None = None) -> bool:
        """Delete a schedule and its runs; False if there was none."""
        ...

    async def count_schedule_failure(self, schedule_id: int) -> int:
        """Add one to the consecutive failures and return the new count."""
        ...

    async def clear_schedule_failures(self, schedule_id: int) -> None:
        """Reset the consecutive failures after a successful post."""
        ...

    async def claim_run(
        self,
        schedule_id: int,
        due_at: datetime,
        owner: str,
        now: datetime,
        lease_until: datetime,
        *,
        manual: bool = False,
    ) -> Run | None:
        """Claim (schedule, due time) for `owner`; None if anyone ever claimed it before."""
        ...

    async def update_run(
        self,
        run: Run,
        *,
        expect_state: RunState,
        expect_owner: str,
        audit: AuditNote | None = None,
    ) -> bool:
        """Save `run` if it is still in `expect_state` held by `expect_owner` (else False).

        `audit` (and its report) is written only with a saved run, in the same transaction.
        """
        ...

    async def runs_to_resume(self, now: datetime, platforms: Collection[str]) -> list[Run]:
        """In-flight runs whose lease ran out, and retries now due, oldest due first."""
        ...

    async def schedule_runs(self, schedule_id: int, limit: int = 5) -> list[Run]:
        """A schedule's latest runs, newest claim first."""
        ...

    async def next_schedule_event(self, platforms: Collection[str]) -> datetime | None:
        """The earliest next due time, retry time or lease expiry, for the scheduler's sleep."""
        ...

    async def prepare_run(self, preparation: Preparation) -> Run | None:
        """Store a run's preparation in one transaction; None if the run is no longer ours.

        Only a run still `claimed` by `preparation.owner` and not prepared yet is prepared.
        Raises `bot.store.work.Conflict`, storing nothing, if the channel's rotation is no
        longer `preparation.rotation_was`.
        """
        ...

    async def load_rotation(
        self, platform: str, workspace: str, channel: str, pack: str
    ) -> Rotation | None:
        """Where a channel is in its pass through a pack's prompts, if it has started one."""
        ...

    async def save_rotation(
        self, platform: str, workspace: str, channel: str, pack: str, rotation: Rotation
    ) -> None:
        """Record a channel's rotation state."""
        ...

    async def add_report(self, platform: str, workspace: str, text: str) -> None:
        """Queue a report for the next moderator who runs an admin command in the workspace."""
        ...

    async def take_reports(self, platform: str, workspace: str, taken_by: str) -> list[str]:
        """Undelivered reports, oldest first, marked delivered: each is returned once."""
        ...

    async def set_pack_choice(
        self,
        platform: str,
        workspace: str,
        channel: str | None,
        pack: str,
        chosen_by: str,
        *,
        audit: AuditNote | None = None,
    ) -> None:
        """Choose the pack for a channel, or for the workspace when `channel` is None."""
        ...

    async def pack_choice(self, platform: str, workspace: str, channel: str) -> str | None:
        """The channel's chosen pack, else the workspace's, else None."""
        ...

    async def pack_choices(self, platform: str, workspace: str) -> dict[str, str]:
        """Every choice in a workspace by channel ('' for the workspace default)."""
        ...

    async def delete_poll(self, poll_id: int, *, audit: AuditNote | None = None) -> bool:
        """Delete a poll, its votes and its tracked messages; False if there was none."""
        ...

    # Home page viewers

    async def note_home_viewer(
        self, platform: str, workspace: str, user_id: str, *, forget_before: datetime
    ) -> None:
        """Record that `user_id` opened the home page now; forget visits before `forget_before`."""
        ...

    async def home_viewers(
        self, platform: str, workspace: str, since: datetime, limit: int = 100
    ) -> list[str]:
        """Who opened the home page at or after `since`, most recent visit first."""
        ...

    async def claim_delivery(self, key: str, keep_until: datetime) -> bool:
        """Claim a delivery by key until `keep_until`; False if it is claimed already.

        Exactly-once across processes: the claim is a unique row, and expired ones are pruned.
        """
        ...

    # Installations (OAuth, one per workspace) and OAuth states (issue 15)

    async def save_install(self, install: Install) -> None:
        """Keep an installation, replacing the workspace's (or organisation's) earlier one."""
        ...

    async def find_install(
        self, platform: str, workspace: str, *, organisation: str = "", org_wide: bool = False
    ) -> Install | None:
        """The install that serves `workspace` (or the organisation's, `org_wide`), or None."""
        ...

    async def delete_install(
        self, platform: str, workspace: str, *, organisation: str = "", org_wide: bool = False
    ) -> bool:
        """Forget an install (uninstalled, or its token revoked); False if there was none."""
        ...

    async def list_installs(self, platform: str, limit: int = 100) -> list[Install]:
        """The newest installs of a platform, newest first, at most `limit`."""
        ...

    async def issue_oauth_state(self, state: str, expires_at: datetime) -> None:
        """Remember an OAuth state until `expires_at`."""
        ...

    async def consume_oauth_state(self, state: str) -> bool:
        """Use an OAuth state up: True once, if it was issued and has not expired."""
        ...
