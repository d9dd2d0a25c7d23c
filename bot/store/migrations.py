"""SQLite schema migrations: an append-only list, applied in order and tracked in user_version.

Migration N (counting from 1) is `MIGRATIONS[N - 1]`; a database at `PRAGMA user_version = N`
has had the first N applied. Never edit or reorder a released migration: append a new one.
Each migration is a tuple of single statements (triggers contain `;`, so no naive splitting),
run in one transaction together with the user_version bump.

PostgreSQL's migrations (`pg_migrations.py`) move in step: append the same migration there,
written for PostgreSQL, with the same description (a test compares them), so one version
number means one shape on both engines.

Invariants live in the schema, not only in code, so no bug in a handler can break them:
a person counts at most once per option (primary key), never holds more picks than the poll
allows (trigger), and cannot vote on a closed poll or in a debate phase that is over (triggers).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One schema step: what it is for and its statements."""

    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "polls, debates, moderators, audit log, tracked messages, meta",
        (
            """CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            """CREATE TABLE polls (
                id INTEGER PRIMARY KEY,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                thread TEXT,
                creator_id TEXT NOT NULL,
                creator_name TEXT NOT NULL,
                question TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
                max_picks INTEGER NOT NULL CHECK (max_picks BETWEEN 1 AND 20),
                anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
                results TEXT NOT NULL CHECK (results IN ('live', 'closed', 'mods')),
                created_at TEXT NOT NULL,
                closes_at TEXT,
                closed_at TEXT,
                closed_by TEXT,
                announced_at TEXT
            )""",
            """CREATE INDEX polls_open_by_channel
                ON polls (platform, workspace, channel) WHERE closed_at IS NULL""",
            """CREATE INDEX polls_open_by_deadline
                ON polls (closes_at) WHERE closed_at IS NULL AND closes_at IS NOT NULL""",
            """CREATE TABLE poll_options (
                poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
                position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 20),
                label TEXT NOT NULL CHECK (length(trim(label)) BETWEEN 1 AND 75),
                PRIMARY KEY (poll_id, position),
                UNIQUE (poll_id, label COLLATE NOCASE)
            ) WITHOUT ROWID""",
            # `voter` is the user id, or a keyed hash of it for anonymous polls. WITHOUT ROWID
            # keeps rows in key order, so storage order does not reveal who voted when.
            """CREATE TABLE poll_votes (
                poll_id INTEGER NOT NULL,
                voter TEXT NOT NULL,
                option INTEGER NOT NULL,
                voter_name TEXT,
                voted_at TEXT,
                PRIMARY KEY (poll_id, voter, option),
                FOREIGN KEY (poll_id, option)
                    REFERENCES poll_options (poll_id, position) ON DELETE CASCADE
            ) WITHOUT ROWID""",
            "CREATE INDEX poll_votes_by_option ON poll_votes (poll_id, option)",
            """CREATE TRIGGER poll_votes_open_insert BEFORE INSERT ON poll_votes
            WHEN (SELECT closed_at FROM polls WHERE id = NEW.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            """CREATE TRIGGER poll_votes_open_update BEFORE UPDATE ON poll_votes
            WHEN (SELECT closed_at FROM polls WHERE id = NEW.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            """CREATE TRIGGER poll_votes_open_delete BEFORE DELETE ON poll_votes
            WHEN (SELECT closed_at FROM polls WHERE id = OLD.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            """CREATE TRIGGER poll_votes_max_picks BEFORE INSERT ON poll_votes
            WHEN (SELECT count(*) FROM poll_votes
                  WHERE poll_id = NEW.poll_id AND voter = NEW.voter)
                 >= (SELECT max_picks FROM polls WHERE id = NEW.poll_id)
            BEGIN
                SELECT RAISE(ABORT, 'too many picks');
            END""",
            """CREATE TABLE debates (
                id INTEGER PRIMARY KEY,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                thread TEXT,
                creator_id TEXT NOT NULL,
                creator_name TEXT NOT NULL,
                motion TEXT NOT NULL CHECK (length(motion) BETWEEN 1 AND 300),
                prompt_id TEXT,
                phase TEXT NOT NULL CHECK (phase IN ('before', 'after', 'closed')),
                created_at TEXT NOT NULL,
                advanced_at TEXT,
                closed_at TEXT,
                closed_by TEXT
            )""",
            """CREATE INDEX debates_open_by_channel
                ON debates (platform, workspace, channel) WHERE phase != 'closed'""",
            """CREATE TABLE debate_votes (
                debate_id INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
                voter TEXT NOT NULL,
                phase TEXT NOT NULL CHECK (phase IN ('before', 'after')),
                side TEXT NOT NULL CHECK (side IN ('for', 'against', 'undecided')),
                voter_name TEXT NOT NULL,
                voted_at TEXT NOT NULL,
                PRIMARY KEY (debate_id, voter, phase)
            ) WITHOUT ROWID""",
            """CREATE TRIGGER debate_votes_phase_insert BEFORE INSERT ON debate_votes
            WHEN (SELECT phase FROM debates WHERE id = NEW.debate_id) IS NOT NEW.phase
            BEGIN
                SELECT RAISE(ABORT, 'debate is not in this phase');
            END""",
            """CREATE TRIGGER debate_votes_phase_update BEFORE UPDATE ON debate_votes
            WHEN (SELECT phase FROM debates WHERE id = NEW.debate_id) IS NOT NEW.phase
            BEGIN
                SELECT RAISE(ABORT, 'debate is not in this phase');
            END""",
            """CREATE TABLE moderators (
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                subject_id TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('user', 'role')),
                name TEXT NOT NULL,
                added_by TEXT NOT NULL,
                added_at TEXT NOT NULL,
                PRIMARY KEY (platform, workspace, subject_id)
            ) WITHOUT ROWID""",
            """CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                actor_id TEXT NOT NULL,
                actor_name TEXT NOT NULL,
                action TEXT NOT NULL,
                detail TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_by_workspace ON audit_log (platform, workspace, id)",
            """CREATE TABLE tracked_messages (
                id INTEGER PRIMARY KEY,
                ref TEXT NOT NULL,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                thread TEXT,
                message_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (ref, platform, channel, message_id)
            )""",
        ),
    ),
    Migration(
        "schedules and their runs, prompt rotation, pending reports, pack choices",
        (
            """CREATE TABLE schedules (
                id INTEGER PRIMARY KEY,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                cron TEXT NOT NULL,
                tz TEXT NOT NULL,
                attach TEXT NOT NULL CHECK (attach IN ('none', 'poll', 'debate')),
                thread INTEGER NOT NULL CHECK (thread IN (0, 1)),
                pack TEXT,
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL,
                next_due TEXT NOT NULL,
                paused_at TEXT,
                paused_reason TEXT NOT NULL DEFAULT '',
                failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0)
            )""",
            "CREATE INDEX schedules_due ON schedules (next_due) WHERE paused_at IS NULL",
            "CREATE INDEX schedules_by_workspace ON schedules (platform, workspace)",
            # One row per (schedule, due time): the primary key is what makes a run exactly-once.
            """CREATE TABLE schedule_runs (
                schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
                due_at TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('claimed', 'posting', 'retry', 'posted',
                    'failed', 'interrupted', 'skipped')),
                owner TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                lease_until TEXT,
                next_attempt_at TEXT,
                prompt_id TEXT,
                attachment TEXT,
                message_id TEXT,
                error TEXT NOT NULL DEFAULT '',
                manual INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
                claimed_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (schedule_id, due_at)
            ) WITHOUT ROWID""",
            """CREATE INDEX schedule_runs_unfinished
                ON schedule_runs (state) WHERE state IN ('claimed', 'posting', 'retry')""",
            """CREATE TABLE prompt_rotations (
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                pack TEXT NOT NULL,
                prompt_order TEXT NOT NULL,
                position INTEGER NOT NULL CHECK (position >= 0),
                updated_at TEXT NOT NULL,
                PRIMARY KEY (platform, workspace, channel, pack)
            ) WITHOUT ROWID""",
            """CREATE TABLE pending_reports (
                id INTEGER PRIMARY KEY,
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                created_at TEXT NOT NULL,
                text TEXT NOT NULL,
                delivered_at TEXT,
                delivered_to TEXT
            )""",
            """CREATE INDEX pending_reports_waiting
                ON pending_reports (platform, workspace) WHERE delivered_at IS NULL""",
            # channel '' holds the workspace-wide choice.
            """CREATE TABLE pack_choices (
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                channel TEXT NOT NULL,
                pack TEXT NOT NULL,
                chosen_by TEXT NOT NULL,
                chosen_at TEXT NOT NULL,
                PRIMARY KEY (platform, workspace, channel)
            ) WITHOUT ROWID""",
        ),
    ),
    Migration(
        "claimed deliveries: a request replayed or retried by the platform is processed once",
        (
            # A claim outlives the platform's replay window and is then pruned.
            """CREATE TABLE deliveries (
                key TEXT PRIMARY KEY,
                expires_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX deliveries_by_expiry ON deliveries (expires_at)",
        ),
    ),
    Migration(
        "community polls: member options, reminders, schedules posting their own poll or text",
        (
            # Members may add options with `poll add` (`poll create --open`).
            """ALTER TABLE polls ADD COLUMN open_options INTEGER NOT NULL DEFAULT 0
                CHECK (open_options IN (0, 1))""",
            # How long before the deadline to remind (`--remind`), the moment that falls on
            # (kept in step with the deadline by edits), and when a sweep claimed it: set once,
            # by one conditional update, so one reminder is posted whatever restarts or races.
            "ALTER TABLE polls ADD COLUMN remind_minutes INTEGER CHECK (remind_minutes > 0)",
            "ALTER TABLE polls ADD COLUMN remind_at TEXT",
            "ALTER TABLE polls ADD COLUMN reminded_at TEXT",
            """CREATE INDEX polls_reminders_due
                ON polls (remind_at) WHERE reminded_at IS NULL AND remind_at IS NOT NULL""",
            # A moderator's own post for a schedule instead of the pack's next prompt: the
            # text (or a poll's question) and, for a poll, its options as a JSON list.
            "ALTER TABLE schedules ADD COLUMN own_text TEXT",
            "ALTER TABLE schedules ADD COLUMN own_options TEXT",
        ),
    ),
    Migration(
        "home viewers: who opened the bot's home page lately, so any process can refresh it",
        (
            # One row per person and workspace, moved forward on every visit; rows older than
            # the refresh window are pruned by the next visit in the workspace.
            """CREATE TABLE home_viewers (
                platform TEXT NOT NULL,
                workspace TEXT NOT NULL,
                user_id TEXT NOT NULL,
                seen_at TEXT NOT NULL,
                PRIMARY KEY (platform, workspace, user_id)
            ) WITHOUT ROWID""",
            "CREATE INDEX home_viewers_by_time ON home_viewers (platform, workspace, seen_at)",
        ),
    ),
    Migration(
        "installations (OAuth, one per workspace, tokens sealed) and OAuth states",
        (
            # One row per workspace, or per organisation for an install
            # across it (workspace ''); `sealed` holds the tokens encrypted, never clear text.
            """CREATE TABLE installations (
                platform TEXT NOT NULL,
                organisation TEXT NOT NULL,
                workspace TEXT NOT NULL,
                org_wide INTEGER NOT NULL CHECK (org_wide IN (0, 1)),
                app_id TEXT NOT NULL,
                bot_id TEXT NOT NULL,
                bot_user_id TEXT NOT NULL,
                scopes TEXT NOT NULL,
                sealed TEXT NOT NULL,
                installed_at TEXT NOT NULL,
                PRIMARY KEY (platform, organisation, workspace)
            ) WITHOUT ROWID""",
            "CREATE INDEX installations_by_workspace ON installations (platform, workspace)",
            # An install under way: single-use (deleted when used) and short-lived.
            """CREATE TABLE oauth_states (
                state TEXT PRIMARY KEY,
                expires_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at)",
        ),
    ),
    Migration(
        "who may vote: polls limited to roles or user groups, or to the channel's members",
        (
            # `--roles`: a JSON list of {"id", "name"}, the name as the card shows it.
            "ALTER TABLE polls ADD COLUMN voter_roles TEXT",
            # `--members`: only members of the poll's channel may vote.
            """ALTER TABLE polls ADD COLUMN members_only INTEGER NOT NULL DEFAULT 0
                CHECK (members_only IN (0, 1))""",
        ),
    ),
    Migration(
        "ranked-choice polls: a ranked flag on polls, and each voter's ranking as a ballot",
        (
            """ALTER TABLE polls ADD COLUMN ranked INTEGER NOT NULL DEFAULT 0
                CHECK (ranked IN (0, 1))""",
            # One row per place on a voter's ranking (1 is the most preferred), each option at
            # most once. `voter`, `voter_name` and `voted_at` follow poll_votes (anonymity).
            """CREATE TABLE poll_ballots (
                poll_id INTEGER NOT NULL,
                voter TEXT NOT NULL,
                preference INTEGER NOT NULL CHECK (preference BETWEEN 1 AND 20),
                option INTEGER NOT NULL,
                voter_name TEXT,
                voted_at TEXT,
                PRIMARY KEY (poll_id, voter, preference),
                UNIQUE (poll_id, voter, option),
                FOREIGN KEY (poll_id, option)
                    REFERENCES poll_options (poll_id, position) ON DELETE CASCADE
            ) WITHOUT ROWID""",
            """CREATE TRIGGER poll_ballots_open_insert BEFORE INSERT ON poll_ballots
            WHEN (SELECT closed_at FROM polls WHERE id = NEW.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            """CREATE TRIGGER poll_ballots_open_update BEFORE UPDATE ON poll_ballots
            WHEN (SELECT closed_at FROM polls WHERE id = NEW.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            """CREATE TRIGGER poll_ballots_open_delete BEFORE DELETE ON poll_ballots
            WHEN (SELECT closed_at FROM polls WHERE id = OLD.poll_id) IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'poll is closed');
            END""",
            # A ranked poll takes rankings only, and any other poll no ranking.
            """CREATE TRIGGER poll_ballots_ranked_only BEFORE INSERT ON poll_ballots
            WHEN (SELECT ranked FROM polls WHERE id = NEW.poll_id) = 0
            BEGIN
                SELECT RAISE(ABORT, 'poll is not ranked');
            END""",
            """CREATE TRIGGER poll_votes_unranked_only BEFORE INSERT ON poll_votes
            WHEN (SELECT ranked FROM polls WHERE id = NEW.poll_id) = 1
            BEGIN
                SELECT RAISE(ABORT, 'poll is ranked');
            END""",
        ),
    ),
)
