"""Draft packs: what `content new` writes for an editor to finish, and what is still unfinished."""

from __future__ import annotations

from bot.content.loader import DRAFT_MARK, PackError
from bot.content.model import Pack


def unfinished(pack: Pack) -> list[PackError]:
    """One problem per field of `pack` that still holds a draft placeholder."""
    return [
        PackError(
            pack.folder / "pack.yaml",
            where,
            f"still a draft; replace the {DRAFT_MARK} text with the real content",
        )
        for where in pack.drafts
    ]


def draft_summary(pack: Pack) -> str:
    """What a draft lacks in one line, and where it may be tried meanwhile."""
    count = len(pack.drafts)
    return (
        f"draft {pack.id}: {count} field{'s' if count != 1 else ''} still to fill in (listed "
        f"above). Try it meanwhile with `oped-bot console --pack {pack.folder}`; "
        "`admin pack use` refuses it until `oped-bot content check` passes."
    )
