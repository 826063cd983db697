"""Offline evaluation: next-song HitRate@k and NDCG@k on playlists the model did not see.

Protocol (docs/model_quality.md):

- Hold-out: when there is no test split, a playlist is held out when a keyed hash of its key
  (the playlist's line number in train.txt) falls below HOLDOUT_SHARE. Each playlist's fate
  depends on its key and HOLDOUT_SEED only, so the benchmark and the app hold out the same
  playlists whatever else they read.
- Pairs: every consecutive (seed, next) pair of the held-out playlists. Each recommender gets
  the seed and must return k songs other than the seed; a hit is `next` among them, NDCG
  gives 1/log2(rank + 2) for a hit at 0-based rank. Pairs whose seed has no vector (a song
  only played in held-out playlists) count as misses for the embedding model; all recommenders
  are scored on the same pairs.
- When there are more than EVAL_MAX_PAIRS pairs, a deterministic random sample of that many
  is scored (seeded by HOLDOUT_SEED) to keep a training run's evaluation to seconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from recommender.embeddings import SongEmbeddings

HOLDOUT_SHARE = 0.1
HOLDOUT_SEED = 20121  # fixed once; changing it changes which playlists every model is scored on
EVAL_MAX_PAIRS = 20_000
DEFAULT_K = 10
# Scores this many seeds per matrix product: 256 x 75k float32 is ~77 MB of scores.
_BATCH = 256


def holdout_split(
    *, playlist_keys: Sequence[int], share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> tuple[set[int], set[int]]:
    """Split playlist keys into (train_keys, eval_keys), deterministically.

    A key is held out when blake2b(seed, key) read as a fraction of 2**64 is below `share`.
    Independent of the keys' order and of which other keys are passed; the held-out share is
    `share` up to sampling noise (±0.3 points for 11k playlists).
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1) (got {share})")
    threshold = int(share * 2**64)
    train: set[int] = set()
    held_out: set[int] = set()
    for key in playlist_keys:
        digest = hashlib.blake2b(
            int(key).to_bytes(8, "little", signed=True),
            digest_size=8,
            key=int(seed).to_bytes(8, "little", signed=True),
        ).digest()
        (held_out if int.from_bytes(digest, "little") < threshold else train).add(int(key))
    return train, held_out


def next_song_pairs(*, playlists: Iterable[np.ndarray]) -> np.ndarray:
    """Every consecutive (seed, next) pair of the playlists, in order: int64 array (m, 2)."""
    parts = []
    for playlist in playlists:
        songs = np.asarray(playlist, dtype=np.int64).reshape(-1)
        if len(songs) >= 2:
            parts.append(np.stack([songs[:-1], songs[1:]], axis=1))
    if not parts:
        return np.zeros((0, 2), dtype=np.int64)
    return np.concatenate(parts)


def pairs_sample(*, pairs: np.ndarray, limit: int | None, seed: int = HOLDOUT_SEED) -> np.ndarray:
    """At most `limit` pairs, a seeded random subset kept in original order (all when None)."""
    if limit is None or len(pairs) <= limit:
        return pairs
    chosen = np.random.default_rng(seed).choice(len(pairs), size=limit, replace=False)
    return pairs[np.sort(chosen)]


class Recommender(Protocol):
    def recommend(self, seeds: np.ndarray, k: int) -> np.ndarray:
        """(len(seeds), k) int64 song ids, best first, -1 padded; never the seed itself."""
        ...

    def recommendable_count(self, k: int) -> int:
        """How many distinct songs can appear in some top-k list."""
        ...


def _play_counts(playlists: Iterable[np.ndarray]) -> np.ndarray:
    arrays = [np.asarray(p, dtype=np.int64).reshape(-1) for p in playlists]
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.zeros(0, dtype=np.int64)
    return np.bincount(np.concatenate(arrays))


class PopularityRecommender:
    """Recommends the songs played most often in the training playlists (ties: lower id)."""

    def __init__(self, *, playlists: Iterable[np.ndarray]) -> None:
        counts = _play_counts(playlists)
        self.counts = counts
        played = np.flatnonzero(counts)
        # Stable sort on -count keeps lower ids first among equals.
        self.ranking = played[np.argsort(-counts[played], kind="stable")].astype(np.int64)

    def top(self, k: int, *, excluding: Iterable[int] = ()) -> list[int]:
        skip = set(excluding)
        result: list[int] = []
        for song in self.ranking[: k + len(skip)].tolist():
            if song not in skip:
                result.append(song)
                if len(result) == k:
                    break
        return result

    def recommend(self, seeds: np.ndarray, k: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
        head = self.ranking[: k + 1]
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        for i, seed in enumerate(seeds.tolist()):
            row = head[head != seed][:k]
            out[i, : len(row)] = row
        return out

    def recommendable_count(self, k: int) -> int:
        return int(min(len(self.ranking), k + 1))


class SuccessorRecommender:
    """Recommends the songs that most often directly follow the seed in the training playlists.

    Followers are ranked by how often they follow the seed, ties by overall popularity, then
    by id. When a seed has fewer than k followers (or none) the list is filled with the most
    popular songs not yet in it.
    """

    def __init__(self, *, playlists: Iterable[np.ndarray] | Sequence[np.ndarray]) -> None:
        playlists = list(playlists)
        self.popularity = PopularityRecommender(playlists=playlists)
        counts = self.popularity.counts
        pairs = next_song_pairs(playlists=playlists)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]  # a song never recommends itself
        if len(pairs):
            # One integer key per (seed, follower): a 1-D unique is ~5x faster than axis=0.
            width = int(pairs.max()) + 1
            keys, times = np.unique(pairs[:, 0] * width + pairs[:, 1], return_counts=True)
            unique = np.stack([keys // width, keys % width], axis=1)
        else:
            unique, times = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
        popularity = counts[unique[:, 1]] if len(unique) else np.zeros(0, dtype=np.int64)
        # lexsort: last key is primary -> by seed, then more follows, more plays, lower id.
        order = np.lexsort((unique[:, 1], -popularity, -times, unique[:, 0]))
        self.seeds = unique[order, 0]
        self.followers = unique[order, 1]
        self.follow_counts = times[order]

    def followers_of(self, seed: int) -> np.ndarray:
        start, end = np.searchsorted(self.seeds, [seed, seed + 1])
        return self.followers[start:end]

    def recommend(self, seeds: np.ndarray, k: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        cache: dict[int, list[int]] = {}
        for i, seed in enumerate(seeds.tolist()):
            row = cache.get(seed)
            if row is None:
                row = self.followers_of(seed)[:k].tolist()
                if len(row) < k:
                    row += self.popularity.top(k - len(row), excluding=[seed, *row])
                cache[seed] = row
            out[i, : len(row)] = row
        return out

    def recommendable_count(self, k: int) -> int:
        reachable = set(np.unique(self.followers).tolist())
        reachable.update(self.popularity.ranking[: k + 1].tolist())
        return len(reachable)


class EmbeddingRecommender:
    """Ranks candidates by query_vector(seed) . candidate_vectors, exactly (batched numpy).

    The same maths as the serving index (an exact inner-product index over candidate_vectors);
    a seed without a vector gets no recommendations (-1 row), which scores as a miss.
    """

    def __init__(self, embeddings: SongEmbeddings) -> None:
        self.embeddings = embeddings

    def recommend(self, seeds: np.ndarray, k: int) -> np.ndarray:
        seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
        out = np.full((len(seeds), k), -1, dtype=np.int64)
        rows = self.embeddings.rows_of(seeds)
        known = np.flatnonzero(rows >= 0)
        # Score each distinct seed once: held-out playlists repeat their seeds a lot.
        unique_rows, inverse = np.unique(rows[known], return_inverse=True)
        top = self._top_rows(unique_rows, k)
        out[known] = top[inverse]
        return out

    def _top_rows(self, rows: np.ndarray, k: int) -> np.ndarray:
        ids = self.embeddings.song_ids
        candidates = self.embeddings.candidate_vectors
        queries = self.embeddings.query_vectors
        n = len(ids)
        take = min(k, n - 1)
        result = np.full((len(rows), k), -1, dtype=np.int64)
        if take <= 0:
            return result
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            scores = queries[batch] @ candidates.T
            scores[np.arange(len(batch)), batch] = -np.inf  # never the seed itself
            best = np.argpartition(-scores, take - 1, axis=1)[:, :take]
            best_scores = np.take_along_axis(scores, best, axis=1)
            # Descending score, ties by lower row for a deterministic order.
            order = np.lexsort((best, -best_scores), axis=1)
            result[start : start + len(batch), :take] = ids[np.take_along_axis(best, order, 1)]
        return result

    def recommendable_count(self, k: int) -> int:
        return len(self.embeddings.song_ids) if k > 0 else 0


@dataclass(frozen=True)
class Metrics:
    """Next-song quality of one recommender on one set of pairs.

    coverage: share of catalogue songs the recommender can recommend at all (songs with a
    vector for the model; followers + fallback for successors; k+1 songs for popularity).
    recommended_share: share of catalogue songs that actually appear in at least one top-k
    list over the evaluated seeds.
    """

    hit_rate_at_10: float
    ndcg_at_10: float
    coverage: float
    pairs: int
    recommended_share: float = 0.0
    k: int = DEFAULT_K

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(
    *, recommender: Recommender, pairs: np.ndarray, catalogue_size: int, k: int = DEFAULT_K
) -> Metrics:
    """Score a recommender on (seed, next) pairs: hit rate and NDCG at k, and coverage."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if catalogue_size <= 0:
        raise ValueError(f"catalogue_size must be at least 1 (got {catalogue_size})")
    lists = recommender.recommend(pairs[:, 0], k) if len(pairs) else np.zeros((0, k), np.int64)
    matches = lists == pairs[:, 1:2]
    hit = matches.any(axis=1)
    rank = matches.argmax(axis=1)
    gains = np.where(hit, 1.0 / np.log2(rank + 2.0), 0.0)
    count = len(pairs)
    recommended = np.unique(lists[lists >= 0])
    return Metrics(
        hit_rate_at_10=float(hit.mean()) if count else 0.0,
        ndcg_at_10=float(gains.mean()) if count else 0.0,
        coverage=min(1.0, recommender.recommendable_count(k) / catalogue_size),
        pairs=count,
        recommended_share=len(recommended) / catalogue_size,
        k=k,
    )


def evaluation_run(
    *,
    train_playlists: Sequence[np.ndarray],
    eval_playlists: Sequence[np.ndarray],
    embeddings: SongEmbeddings,
    catalogue_size: int,
    k: int = DEFAULT_K,
    max_pairs: int | None = EVAL_MAX_PAIRS,
) -> dict[str, Any]:
    """Score the model and both baselines on the same held-out pairs.

    Returns {"model": Metrics dict, "popularity": ..., "successors": ..., "pairs": scored
    pairs, "pairs_total": all held-out pairs, "k": k} — the shape stored on ModelVersion.metrics.
    """
    all_pairs = next_song_pairs(playlists=eval_playlists)
    pairs = pairs_sample(pairs=all_pairs, limit=max_pairs)
    recommenders: dict[str, Recommender] = {
        "model": EmbeddingRecommender(embeddings),
        "popularity": PopularityRecommender(playlists=train_playlists),
        "successors": SuccessorRecommender(playlists=train_playlists),
    }
    result: dict[str, Any] = {
        name: evaluate(
            recommender=recommender, pairs=pairs, catalogue_size=catalogue_size, k=k
        ).as_dict()
        for name, recommender in recommenders.items()
    }
    result.update(pairs=len(pairs), pairs_total=len(all_pairs), k=k)
    return result
