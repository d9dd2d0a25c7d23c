"""Who reaches a poll or debate by its id: people in its own channel, nobody else.

Ids are sequential and shared by every channel and workspace, so `poll vote 4 1` can be typed
anywhere. A poll in a private channel or a DM must stay out of sight from everywhere else:
there, its id is answered exactly like an id that never existed.
"""

from __future__ import annotations

from bot.errors import NotFound
from bot.models import Place
from bot.platforms import plugin


def reaches(caller: Place, record: Place) -> bool:
    """Whether someone at `caller` may see or act on a poll or debate made at `record`.

    Same platform, workspace and channel; a thread counts as its parent channel (adapters put
    the parent in `channel` and the thread in `thread`).
    """
    if not record.channel or not caller.channel:
        return False
    if (caller.platform, caller.workspace) != (record.platform, record.workspace):
        return False
    if record.channel == caller.channel:
        return True
    # Polls made in a thread before the adapter named the parent kept the thread's id as their
    # channel; the people in that very thread still reach them. Only where the platform's ids
    # are unique across channels and threads, so that no other channel can pass for the thread.
    found = plugin(caller.platform)
    unique = found is not None and found.thread_ids_unique
    return unique and record.channel == caller.thread


def poll_not_found(poll_id: int) -> NotFound:
    """The refusal for a poll id that does not exist here; it must not depend on whether it does."""
    return NotFound("poll", f"#{poll_id}", (), "Type `poll list` to see the open polls here.")


def debate_not_found(debate_id: int) -> NotFound:
    """The refusal for a debate id that does not exist here, worded like `poll_not_found`."""
    return NotFound("debate", f"#{debate_id}", (), "Type `debate list` to see the debates here.")
