"""The answers the API should give, computed straight from a version's artifacts with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recommender.artifacts import artifacts_load


def exact_neighbours(
    folder: str | Path, seeds: list[int], *, k: int, exclude: set[int] = frozenset()
) -> list[tuple[int, float]]:
    """Brute force: cosine of the seeds' normalised mean query vector with every candidate."""
    loaded = artifacts_load(Path(folder))
    embeddings = loaded.embeddings
    ids = embeddings.song_ids.tolist()
    rows = [ids.index(seed) for seed in seeds if seed in ids]
    query = embeddings.query_vectors[rows].mean(axis=0)
    query = query / np.linalg.norm(query)
    scores = embeddings.candidate_vectors @ query
    banned = set(seeds) | set(exclude)
    ranked = sorted(
        ((song_id, float(score)) for song_id, score in zip(ids, scores, strict=True)),
        key=lambda item: -item[1],
    )
    return [item for item in ranked if item[0] not in banned][:k]
