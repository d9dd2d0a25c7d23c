"""What a handler sees: the request, the services, and the caller's rights."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.catalogue import Catalogue
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content.model import Pack
from bot.content.registry import PackRegistry
from bot.delivery import Delivery
from bot.metrics import Metrics, Readiness
from bot.models import Place, Request, User
from bot.ports import Groups, Poster
from bot.store.base import Store


@dataclass
class Services:
    """Long-lived dependencies shared by every handler; tests build their own."""

    packs: PackRegistry
    store: Store | None = None
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings = field(default_factory=Settings)
    rng: random.Random = field(default_factory=random.Random)
    posters: dict[str, Poster] = field(default_factory=dict)  # by platform name
    groups: dict[str, Groups] = field(default_factory=dict)  # by platform name, where it has them
    metrics: Metrics = field(default_factory=Metrics)
    readiness: Readiness = field(default_factory=Readiness)
    delivery: Delivery = field(init=False)

    def __post_init__(self) -> None:
        self.delivery = Delivery(self)


@dataclass(frozen=True)
class Context:
    """One handler call's view of the world."""

    request: Request
    services: Services
    is_moderator: bool
    pack: Pack
    catalogue: Catalogue

    @property
    def place(self) -> Place:
        return self.request.place

    @property
    def user(self) -> User:
        return self.request.user
