"""The hold-out split is deterministic, order-independent and about the requested share."""

from __future__ import annotations

import random

from recommender.ml.evaluation import HOLDOUT_SEED, HOLDOUT_SHARE, holdout_split


def test_holdout_is_the_same_whatever_the_order_of_the_keys() -> None:
    keys = list(range(3, 10_003))
    shuffled = keys.copy()
    random.Random(4).shuffle(shuffled)
    assert holdout_split(playlist_keys=keys) == holdout_split(playlist_keys=shuffled)


def test_holdout_of_a_key_does_not_depend_on_the_other_keys() -> None:
    _, held_out_all = holdout_split(playlist_keys=range(10_000))
    _, held_out_half = holdout_split(playlist_keys=range(0, 10_000, 2))
    assert held_out_half == {key for key in held_out_all if key % 2 == 0}


def test_holdout_partitions_the_keys_with_about_the_requested_share() -> None:
    keys = range(20_000)
    train, held_out = holdout_split(playlist_keys=keys)
    assert train.isdisjoint(held_out)
    assert train | held_out == set(keys)
    assert abs(len(held_out) / 20_000 - HOLDOUT_SHARE) < 0.01
    _, bigger = holdout_split(playlist_keys=keys, share=0.3)
    assert abs(len(bigger) / 20_000 - 0.3) < 0.015
    assert held_out <= bigger


def test_another_seed_holds_out_other_playlists() -> None:
    _, default = holdout_split(playlist_keys=range(5_000))
    _, other = holdout_split(playlist_keys=range(5_000), seed=HOLDOUT_SEED + 1)
    assert default != other
