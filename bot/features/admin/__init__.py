"""Moderator admin commands: schedules, polls, debates, exports, audit, moderators, packs.

Every command here is `moderator=True`, so `Bot.handle` refuses it to members before it runs.
Each action that succeeds writes one audit line (who, what, when) and then hands the moderator any
pending reports (a schedule paused after failures, a run interrupted by a restart), once.
"""

from __future__ import annotations

from bot.catalogue import Command, Option
from bot.completion import Completer
from bot.features.admin.base import admin_command
from bot.features.admin.moderators import moderators_add, moderators_list, moderators_remove
from bot.features.admin.packs import content_reload, pack_choices_of, pack_list, pack_use
from bot.features.admin.records import AUDIT_MAX, audit_show, export_polls
from bot.features.admin.schedules import (
    schedule_add,
    schedule_choices,
    schedule_list,
    schedule_pause,
    schedule_remove,
    schedule_resume,
    schedule_run,
    time_zone_choices,
)
from bot.features.admin.votes import debate_advance, debate_close, poll_close, poll_delete
from bot.limits import (
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN,
    POLL_QUESTION_MAX,
    SCHEDULED_TEXT_MAX,
)
from bot.schedule.model import ATTACH_CHOICES

COMPLETERS: dict[str, Completer] = {
    "time_zones": time_zone_choices,
    "packs": pack_choices_of,
    "schedules": schedule_choices,
}

# Declarations -------------------------------------------------------------------------------

_ID = Option(
    "id",
    "int",
    "The schedule's number (see `admin schedule list`)",
    required=True,
    autocomplete="schedules",
    min_value=1,
)


def _number_option(what: str, source: str) -> Option:
    return Option(
        "id", "int", f"The {what}'s number", required=True, autocomplete=source, min_value=1
    )


_WHO = Option(
    "who", "text", "A user or role: mention it or paste its id", required=True, max_length=100
)

COMMANDS: list[Command] = [
    admin_command(
        ("admin", "schedule", "add"),
        "Post a debate prompt in a channel on a schedule (cron, in a time zone).",
        schedule_add,
        (
            Option(
                "cron",
                "words",
                "When, as five cron fields: minute hour day month weekday",
                required=True,
                max_length=100,
                placeholder='"<cron>"',
            ),
            Option(
                "channel",
                "text",
                "Where to post (default: here)",
                positional=False,
                max_length=100,
                placeholder="#channel",
            ),
            Option(
                "tz",
                "text",
                "IANA time zone, e.g. Europe/London (default: the bot's)",
                positional=False,
                autocomplete="time_zones",
                max_length=64,
                placeholder="Area/City",
            ),
            Option(
                "with",
                "choice",
                "Attach a poll or an Oxford debate",
                positional=False,
                choices=ATTACH_CHOICES,
            ),
            Option("thread", "flag", "Open a discussion thread under each post", positional=False),
            Option(
                "pack",
                "text",
                "Content pack for the prompts (default: the channel's)",
                positional=False,
                autocomplete="packs",
                max_length=50,
                placeholder="<pack-id>",
            ),
            Option(
                "poll",
                "text",
                "Post your own poll, asking this, instead of the pack's prompts",
                positional=False,
                max_length=POLL_QUESTION_MAX,
                placeholder='"<question>"',
            ),
            Option(
                "options",
                "list",
                f"With --poll: its options, each in quotes ({POLL_OPTIONS_MIN} to "
                f"{POLL_OPTIONS_MAX})",
                max_items=POLL_OPTIONS_MAX,
                max_length=POLL_OPTION_MAX,
                placeholder='"<option>" ...',
            ),
            Option(
                "text",
                "text",
                "Post this text instead of the pack's prompts",
                positional=False,
                max_length=SCHEDULED_TEXT_MAX,
                placeholder='"<text>"',
            ),
        ),
        (
            'admin schedule add "0 9 * * 1-5" --tz Europe/London --with poll --thread',
            'admin schedule add "0 9 * * 1" --poll "Lunch on Friday?" "Pizza" "Sushi" "Salad"',
            'admin schedule add "0 17 * * 5" --text "Weekly thread: what did you read?"',
            'admin schedule add "30 17 * * 5" --channel #debates --with debate',
        ),
    ),
    admin_command(
        ("admin", "schedule", "list"), "The schedules in this workspace.", schedule_list, view=True
    ),
    admin_command(
        ("admin", "schedule", "pause"),
        "Stop a schedule posting until resumed.",
        schedule_pause,
        (_ID,),
    ),
    admin_command(
        ("admin", "schedule", "resume"), "Restart a paused schedule.", schedule_resume, (_ID,)
    ),
    admin_command(("admin", "schedule", "remove"), "Delete a schedule.", schedule_remove, (_ID,)),
    admin_command(
        ("admin", "schedule", "run"), "Post a schedule's next prompt now.", schedule_run, (_ID,)
    ),
    admin_command(
        ("admin", "poll", "close"),
        "Close a poll now and announce its results.",
        poll_close,
        (_number_option("poll", "polls"),),
    ),
    admin_command(
        ("admin", "poll", "delete"),
        "Delete a poll and its votes (for spam or mistakes; closing keeps the results).",
        poll_delete,
        (_number_option("poll", "polls"),),
    ),
    admin_command(
        ("admin", "debate", "advance"),
        "End a debate's opening vote and open the closing vote.",
        debate_advance,
        (_number_option("debate", "debates"),),
    ),
    admin_command(
        ("admin", "debate", "close"),
        "Close a debate and show the result.",
        debate_close,
        (_number_option("debate", "debates"),),
    ),
    admin_command(
        ("admin", "export", "polls"),
        "Download the workspace's poll results as CSV.",
        export_polls,
        (
            Option(
                "since",
                "text",
                "Only polls created on or after this date (2026-01-31)",
                positional=False,
                max_length=10,
                placeholder="2026-01-31",
            ),
        ),
        ("admin export polls --since 2026-01-01",),
    ),
    admin_command(
        ("admin", "audit"),
        "The latest admin actions: who did what, when.",
        audit_show,
        (
            Option(
                "count",
                "int",
                "How many entries",
                min_value=1,
                max_value=AUDIT_MAX,
                placeholder="N",
            ),
            Option(
                "before",
                "int",
                "Only entries older than this one (the footer gives the next page)",
                positional=False,
                min_value=1,
                placeholder="<entry>",
            ),
        ),
        ("admin audit", "admin audit 50"),
        view=True,
    ),
    admin_command(
        ("admin", "moderators", "add"),
        "Give a user, or a role where the platform grants rights by role, moderator rights.",
        moderators_add,
        (_WHO,),
        ("admin moderators add <@U024BE7LH>",),
    ),
    admin_command(
        ("admin", "moderators", "remove"),
        "Take moderator rights granted in the bot.",
        moderators_remove,
        (_WHO,),
    ),
    admin_command(
        ("admin", "moderators", "list"),
        "Who has moderator rights in the bot.",
        moderators_list,
        view=True,
    ),
    admin_command(
        ("admin", "content", "reload"),
        "Re-read and validate the content packs; a broken pack is refused.",
        content_reload,
    ),
    admin_command(
        ("admin", "pack", "list"), "The content packs and where each is used.", pack_list, view=True
    ),
    admin_command(
        ("admin", "pack", "use"),
        "Choose the content pack for this channel (or the whole workspace).",
        pack_use,
        (
            Option("id", "text", "The pack id", required=True, autocomplete="packs", max_length=50),
            Option(
                "channel",
                "text",
                "Another channel (default: here)",
                positional=False,
                max_length=100,
                placeholder="#channel",
            ),
            Option("workspace", "flag", "Make it the workspace default", positional=False),
        ),
    ),
]
