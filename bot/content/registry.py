"""The live set of packs: loaded at start, swapped whole on reload so a bad pack never goes live."""

from __future__ import annotations

from pathlib import Path

from bot.content.loader import PackError, PackInvalid, check
from bot.content.model import Pack
from bot.errors import NotFound


class PackRegistry:
    """Packs by id, plus the default one."""

    def __init__(self, packs: list[Pack], default: str | None = None, root: Path | None = None):
        if not packs:
            raise ValueError("a registry needs at least one pack")
        self.root = root
        self._packs = {pack.id: pack for pack in packs}
        # A draft is served only when named: never the fallback for every channel.
        finished = [pack for pack in packs if not pack.is_draft] or packs
        self.default_id = default if default in self._packs else finished[0].id

    @classmethod
    def load(cls, root: Path, default: str | None = None) -> PackRegistry:
        """Load every pack under `root`; raise PackInvalid if any is broken."""
        packs, errors = check(root)
        if errors:
            raise PackInvalid(errors)
        if default is not None and default not in {p.id for p in packs}:
            raise PackInvalid([PackError(root, "", f"default pack {default!r} is not here")])
        return cls(packs, default, root)

    def reload(self) -> list[str]:
        """Revalidate the packs from disk; on any error keep the live ones and raise."""
        if self.root is None:
            raise RuntimeError("this registry was not loaded from disk")
        fresh = PackRegistry.load(self.root)
        self._packs = fresh._packs
        if self.default_id not in self._packs:
            self.default_id = fresh.default_id
        return sorted(self._packs)

    @property
    def default(self) -> Pack:
        return self._packs[self.default_id]

    def ids(self) -> list[str]:
        return sorted(self._packs)

    def get(self, pack_id: str) -> Pack:
        try:
            return self._packs[pack_id]
        except KeyError:
            raise NotFound("pack", pack_id, self._packs) from None

    def all(self) -> list[Pack]:
        return [self._packs[k] for k in sorted(self._packs)]
