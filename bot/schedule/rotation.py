"""Prompt rotation: every prompt once, in a shuffled order, before any prompt repeats."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rotation:
    """Where a channel is in its current pass through a pack's prompts."""

    order: tuple[str, ...]
    position: int = 0  # index in `order` of the next prompt to post

    @property
    def remaining(self) -> tuple[str, ...]:
        return self.order[self.position :]


def take_next(
    state: Rotation | None, prompt_ids: Sequence[str], rng: random.Random
) -> tuple[str, Rotation]:
    """The prompt to post next and the state to save after posting it.

    Prompts removed from the pack since the pass began are dropped; new ones join the unseen
    rest of the pass at random places. A new pass never starts with the prompt that ended the
    last one, so nothing is posted twice in a row.
    """
    if not prompt_ids:
        raise ValueError("a pack with no prompts cannot be rotated")
    current = list(dict.fromkeys(prompt_ids))
    known = set(current)
    if state is None:
        state = Rotation(())
    seen = set(state.order)
    unseen = [p for p in state.remaining if p in known]
    for new in (p for p in current if p not in seen):
        unseen.insert(rng.randrange(len(unseen) + 1), new)
    done = tuple(p for p in state.order[: state.position] if p in known)
    if not unseen:
        # Every current prompt is in the old order, so with none unseen some are done.
        last = done[-1]
        unseen = current[:]
        rng.shuffle(unseen)
        if len(unseen) > 1 and unseen[0] == last:
            swap = rng.randrange(1, len(unseen))
            unseen[0], unseen[swap] = unseen[swap], unseen[0]
        done = ()
    order = done + tuple(unseen)
    return unseen[0], Rotation(order, len(done) + 1)
