"""A model built with its fit and evaluation shared out to forked processes is the model
built in one process: the same stored metrics and weights, value for value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from recommender.ml.embeddings import Word2VecParams
from recommender.ml.features import CatalogueArrays, Question
from recommender.ml.parallel import fork_available
from recommender.ml.training import BuiltModel, model_build

SIZE = 120
GROUPS = 6
# One worker thread: gensim's threads would make two trainings differ before any of our code.
PARAMS = replace(
    Word2VecParams(), vector_size=16, window=2, epochs=3, negative=5, sample=0.0, workers=1
)


def _playlists(count: int, seed: int) -> list[np.ndarray]:
    """Playlists mostly from one group of songs, with strays: the features all vary."""
    rng = np.random.default_rng(seed)
    size = SIZE // GROUPS
    out = []
    for _ in range(count):
        group = int(rng.integers(GROUPS))
        songs = rng.integers(group * size, (group + 1) * size, size=int(rng.integers(8, 24)))
        strays = rng.random(len(songs)) < 0.15
        songs[strays] = rng.integers(SIZE, size=int(strays.sum()))
        out.append(songs.astype(np.int64))
    return out


def _build(processes: int) -> BuiltModel:
    train = _playlists(400, 1)
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={s: f"artist {s % 17}" for s in range(SIZE)},
        tags={s: [s % GROUPS, GROUPS + s % 4] for s in range(0, SIZE, 2)},
    )
    return model_build(
        train_playlists=train,
        train_keys=list(range(len(train))),
        eval_playlists=_playlists(60, 2),
        catalogue=catalogue,
        params=PARAMS,
        processes=processes,
    )


def _weights(built: BuiltModel) -> dict[str, Any]:
    return {q.value: built.recommender.scorers[q].as_dict() for q in Question}


@pytest.mark.skipif(not fork_available(), reason="this process cannot fork")
def test_metrics_and_weights_do_not_depend_on_the_number_of_processes() -> None:
    serial = _build(1)
    assert serial.metrics["cases"]["continuation"] >= 3  # every process gets cases to answer

    for processes in (2, 3):
        shared = _build(processes)
        assert shared.metrics == serial.metrics, processes
        assert _weights(shared) == _weights(serial), processes
