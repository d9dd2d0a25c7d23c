"""Prompt rotation over many passes: every prompt exactly once per pass, never twice in a row."""

from __future__ import annotations

import itertools
import random

import pytest

from bot.schedule.rotation import Rotation, take_next


def passes(ids: list[str], count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    state: Rotation | None = None
    found: list[list[str]] = []
    for _ in range(count):
        one = []
        for _ in ids:
            prompt, state = take_next(state, ids, rng)
            one.append(prompt)
        found.append(one)
    return found


@pytest.mark.parametrize("ids", [["A", "B", "C"], ["A", "B", "C", "D", "E"]])
def test_each_pass_posts_every_prompt_once_and_never_repeats_at_the_seam(ids: list[str]) -> None:
    found = passes(ids, 120, seed=7)
    for one in found:
        assert sorted(one) == ids
    posted = [prompt for one in found for prompt in one]
    assert all(a != b for a, b in itertools.pairwise(posted))
    # A new pass may start with any prompt but the one just posted, so every other one leads
    # some pass (120 passes make missing one of them practically impossible).
    assert {one[0] for one in found} == set(ids)


def test_the_first_post_starts_a_pass_at_its_beginning() -> None:
    prompt, state = take_next(None, ["A", "B", "C"], random.Random(3))
    assert state.position == 1
    assert state.order[0] == prompt and sorted(state.order) == ["A", "B", "C"]


def test_a_pack_with_no_prompts_is_refused_by_name() -> None:
    with pytest.raises(ValueError) as refused:
        take_next(Rotation(("A",), 1), [], random.Random(1))
    assert str(refused.value) == "a pack with no prompts cannot be rotated"
