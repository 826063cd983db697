"""The map page's points: a PCA of the served version's vectors, coloured by genre."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.ml.tags import BROAD_GENRES, GENRES
from recommender.serving.state import ServingModel, serving_model


@dataclass(frozen=True, slots=True)
class MapPoints:
    """A 2D projection of a sample of the version's vectors, for the map page."""

    model_version: int
    tags: tuple[str, ...]
    ids: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    tag_index: tuple[int, ...]
    titles: tuple[str, ...]
    artists: tuple[str, ...]
    explained_variance: tuple[float, float]


# The map colours songs by genre (GENRES in ml/tags.py). A song's tags come in the shown order
# (genres first, most specific first), so the first genre among them is its most specific one;
# the broad genres count only when it names no other.
def main_genre(tags: Sequence[str]) -> str:
    """The genre a song is coloured by on the map ("" when its tags name none).

    `tags` in the shown order (SongTable), most specific first.
    """
    for tag in tags:
        if tag in GENRES:
            return GENRES[tag]
    for tag in tags:
        if tag in BROAD_GENRES:
            return BROAD_GENRES[tag]
    return ""


def map_points(*, sample_size: int = 5_000) -> MapPoints:
    """PCA of the query vectors of the most played songs, computed once per loaded version."""
    model = serving_model()
    return model.cached("map", lambda: _map_compute(model, sample_size))


def _map_compute(model: ServingModel, sample_size: int) -> MapPoints:
    vectors_of = model.recommender.vectors
    popular = model.recommender.popular
    placed = popular[vectors_of.rows[popular] >= 0]
    ids = [song_id for song_id in placed.tolist() if song_id in model.songs][:sample_size]
    if not ids:
        ids = [s for s in vectors_of.song_ids.tolist() if s in model.songs][:sample_size]
    rows = vectors_of.rows[np.asarray(ids, dtype=np.int64)]
    vectors = vectors_of.query[rows].astype(np.float64)
    centred = vectors - vectors.mean(axis=0)
    if len(ids) >= 2:
        _, singular, components = np.linalg.svd(centred, full_matrices=False)
        coords = centred @ components[:2].T
        variance = singular**2
        explained = variance[:2] / variance.sum() if variance.sum() else np.zeros(2)
    else:
        coords = np.zeros((len(ids), 2))
        explained = np.zeros(2)
    if coords.shape[1] < 2:
        coords = np.pad(coords, ((0, 0), (0, 2 - coords.shape[1])))
        explained = np.pad(explained, (0, 2 - len(explained)))
    main_tags = [main_genre(model.songs[song_id].tags) for song_id in ids]
    tag_counts = Counter(tag for tag in main_tags if tag)
    # The most common genres get their own colour; the rest share "other".
    tags = tuple(tag for tag, _ in tag_counts.most_common(11))
    position = {tag: i for i, tag in enumerate(tags)}
    points = MapPoints(
        model_version=model.version_id,
        tags=(*tags, "other / untagged"),
        ids=tuple(ids),
        x=tuple(round(float(value), 4) for value in coords[:, 0]),
        y=tuple(round(float(value), 4) for value in coords[:, 1]),
        tag_index=tuple(position.get(tag, len(tags)) for tag in main_tags),
        titles=tuple(model.songs[song_id].title for song_id in ids),
        artists=tuple(model.songs[song_id].artist for song_id in ids),
        explained_variance=(round(float(explained[0]), 4), round(float(explained[1]), 4)),
    )
    return points
