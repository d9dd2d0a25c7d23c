"""Which content pack a channel uses: its own choice, else its workspace's, else the default."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.content.model import Pack
from bot.models import Place

if TYPE_CHECKING:
    from bot.context import Services

log = logging.getLogger(__name__)


async def pack_for(services: Services, place: Place) -> Pack:
    """The pack for `place`; a chosen pack that is no longer loaded falls back to the default."""
    packs = services.packs
    store = services.store
    if store is None:
        return packs.default
    chosen = await store.pack_choice(place.platform, place.workspace, place.channel)
    if chosen is None:
        return packs.default
    if chosen not in packs.ids():
        log.warning("chosen pack is not loaded; using the default", extra={"pack": chosen})
        return packs.default
    return packs.get(chosen)
