"""A small model built by model_build without Django: groups of songs played together, with
strays, artists and tags, so that every feature and every reason kind varies."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from recommender.ml.embeddings import Word2VecParams
from recommender.ml.features import CatalogueArrays
from recommender.ml.training import BuiltModel, model_build

SIZE = 120
GROUPS = 6
# One worker thread: gensim's threads would make two trainings differ before any of our code.
PARAMS = replace(
    Word2VecParams(), vector_size=16, window=2, epochs=3, negative=5, sample=0.0, workers=1
)


def grouped_with_strays(count: int, seed: int) -> list[np.ndarray]:
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


def small_model_build(processes: int) -> BuiltModel:
    """The model of 400 such playlists, evaluated on 60 more; the last 3 songs are never
    played (the popular fallback answers for them)."""
    train = [p[p < SIZE - 3] for p in grouped_with_strays(400, 1)]
    catalogue = CatalogueArrays.build(
        catalogue_size=SIZE,
        artists={s: f"artist {s % 17}" for s in range(SIZE)},
        tags={s: [s % GROUPS, GROUPS + s % 4] for s in range(0, SIZE, 2)},
    )
    return model_build(
        train_playlists=train,
        train_keys=list(range(len(train))),
        eval_playlists=[p[p < SIZE - 3] for p in grouped_with_strays(60, 2)],
        catalogue=catalogue,
        params=PARAMS,
        processes=processes,
    )
