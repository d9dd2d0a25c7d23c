"""Prompt rotation: a full shuffled pass before any repeat, surviving pack edits."""

from __future__ import annotations

import random

import pytest

from bot.schedule.rotation import Rotation, take_next

IDS = [f"P{n}" for n in range(1, 14)]


def run(
    state: Rotation | None, ids: list[str], count: int, seed: int = 1
) -> tuple[list[str], Rotation]:
    rng = random.Random(seed)
    taken: list[str] = []
    for _ in range(count):
        prompt, state = take_next(state, ids, rng)
        taken.append(prompt)
    assert state is not None
    return taken, state


def test_every_prompt_once_per_pass_and_shuffled() -> None:
    taken, state = run(None, IDS, 13)
    assert sorted(taken) == sorted(IDS)
    assert taken != IDS  # shuffled (fixed seed, so this cannot flake)
    assert state.position == 13 and state.remaining == ()
    more, _ = run(state, IDS, 13, seed=2)
    assert sorted(more) == sorted(IDS)
    assert more[0] != taken[-1]  # no back-to-back repeat across passes


@pytest.mark.parametrize("seed", range(40))
def test_no_repeat_at_the_pass_boundary_whatever_the_shuffle(seed: int) -> None:
    first, state = run(None, ["A", "B"], 2, seed)
    second, _ = run(state, ["A", "B"], 2, seed + 100)
    assert second[0] != first[-1]


def test_state_resumes_where_it_left_off() -> None:
    first, state = run(None, IDS, 5)
    rest, _ = run(Rotation(state.order, state.position), IDS, 8, seed=9)
    assert sorted(first + rest) == sorted(IDS)


def test_removed_prompts_are_dropped_and_new_ones_join_the_pass() -> None:
    first, state = run(None, IDS, 4)
    edited = [p for p in IDS if p not in (first[0], state.remaining[0])] + ["P99"]
    rest, _ = run(state, edited, len(edited) - 3)
    assert sorted(first[1:] + rest) == sorted(edited)
    assert state.remaining[0] not in rest


def test_single_prompt_repeats() -> None:
    taken, _ = run(None, ["P1"], 3)
    assert taken == ["P1", "P1", "P1"]


def test_empty_pack_is_refused() -> None:
    with pytest.raises(ValueError):
        take_next(None, [], random.Random(1))
