"""Offline evaluation of the three questions on playlists the model did not see.

Protocol (docs/model_quality.md):

- Hold-out: test.txt when it was ingested; otherwise a playlist of train.txt is held out when
  a keyed hash of its line number falls below HOLDOUT_SHARE (holdout_split). The scorer's
  weights are fitted on a second split of the remaining training playlists (VALIDATION_SEED),
  never on the hold-out.
- next: a song of a held-out playlist and the distinct songs among the five before it; HR@10
  and NDCG@10, with that history and with the previous song alone.
- continuation: five random distinct seeds of a held-out playlist with at least 15 distinct
  songs; the playlist's other songs are right. Precision@10 and R-precision (R = the number
  of right songs, capped at EVALUATION_MAX_R).
- similar: HR@10 of the next song, and tag agreement: the share of the top 10 that shares a
  specific tag (ml/tags.py) with the seed, over seeds that have one.
- Beyond accuracy, for every question: reach (share of the catalogue in at least one top 10),
  popularity ratio (mean training plays of the recommended songs / of the right answers) and
  the share of lists with more than two songs by one artist.

Every ranker (the Recommender, its ablations and the counting baselines) answers the same
cases through the same methods that serve the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from recommender.ml.features import CatalogueArrays
from recommender.ml.recommender import Ranked
from recommender.ml.statistics import PlaylistStatistics

HOLDOUT_SHARE = 0.1
HOLDOUT_SEED = 20121  # fixed once; changing it changes which playlists every model is scored on
VALIDATION_SHARE = 0.1
VALIDATION_SEED = 20122  # the scorer's validation split of the training playlists
K = 10
HISTORY = 5
CONTINUATION_SEEDS = 5
CONTINUATION_MIN_DISTINCT = 15
EVALUATION_MAX_R = 100
NEXT_CASES = 5_000
CONTINUATION_CASES = 1_000
SIMILAR_CASES = 10_000


def holdout_split(
    *, playlist_keys: Sequence[int], share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> tuple[set[int], set[int]]:
    """Split playlist keys into (kept, held_out), deterministically.

    A key is held out when blake2b(seed, key) read as a fraction of 2**64 is below `share`.
    Independent of the keys' order and of which other keys are passed.
    """
    if not 0 <= share < 1:
        raise ValueError(f"share must be in [0, 1) (got {share})")
    threshold = int(share * 2**64)
    kept: set[int] = set()
    held_out: set[int] = set()
    for key in playlist_keys:
        digest = hashlib.blake2b(
            int(key).to_bytes(8, "little", signed=True),
            digest_size=8,
            key=int(seed).to_bytes(8, "little", signed=True),
        ).digest()
        (held_out if int.from_bytes(digest, "little") < threshold else kept).add(int(key))
    return kept, held_out


@dataclass(frozen=True)
class Cases:
    """The evaluation (or validation) cases of the three questions."""

    next_histories: tuple[tuple[int, ...], ...]
    next_targets: np.ndarray  # int64
    continuation_seeds: tuple[tuple[int, ...], ...]
    continuation_truth: tuple[np.ndarray, ...]  # the other distinct songs of each playlist
    similar_seeds: np.ndarray  # int64
    similar_targets: np.ndarray  # int64: the song played right after the seed

    def counts(self) -> dict[str, int]:
        return {
            "next": len(self.next_targets),
            "continuation": len(self.continuation_seeds),
            "similar": len(self.similar_seeds),
        }


def cases_build(
    *,
    playlists: Sequence[np.ndarray],
    seed: int = HOLDOUT_SEED,
    next_cases: int = NEXT_CASES,
    continuation_cases: int = CONTINUATION_CASES,
    similar_cases: int = SIMILAR_CASES,
) -> Cases:
    """Draw the cases of every question from `playlists`, deterministically (seeded)."""
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(p, dtype=np.int64).reshape(-1) for p in playlists]
    positions = [(i, t) for i, a in enumerate(arrays) for t in range(1, len(a))]
    chosen = _sample(len(positions), next_cases, rng)
    histories = []
    targets = []
    for j in chosen.tolist():
        i, t = positions[j]
        # The distinct songs of the window, newest occurrence kept: what /api/next accepts.
        window = arrays[i][max(0, t - HISTORY) : t].tolist()
        histories.append(tuple(reversed(dict.fromkeys(reversed(window)))))
        targets.append(int(arrays[i][t]))

    similar_chosen = _sample(len(positions), similar_cases, rng)
    similar_seeds = [int(arrays[positions[j][0]][positions[j][1] - 1]) for j in similar_chosen]
    similar_targets = [int(arrays[positions[j][0]][positions[j][1]]) for j in similar_chosen]

    distinct = [np.unique(a) for a in arrays]
    eligible = [i for i, d in enumerate(distinct) if len(d) >= CONTINUATION_MIN_DISTINCT]
    if len(eligible) >= continuation_cases:
        drawn = [eligible[i] for i in _sample(len(eligible), continuation_cases, rng).tolist()]
    else:
        # Fewer playlists than cases: every playlist again, with other seeds each time.
        drawn = [eligible[j % len(eligible)] for j in range(continuation_cases)] if eligible else []
    seeds_out = []
    truth_out = []
    for i in drawn:
        seeds = rng.choice(distinct[i], CONTINUATION_SEEDS, replace=False)
        seeds_out.append(tuple(int(s) for s in seeds))
        truth_out.append(np.setdiff1d(distinct[i], seeds))
    return Cases(
        next_histories=tuple(histories),
        next_targets=np.asarray(targets, dtype=np.int64),
        continuation_seeds=tuple(seeds_out),
        continuation_truth=tuple(truth_out),
        similar_seeds=np.asarray(similar_seeds, dtype=np.int64),
        similar_targets=np.asarray(similar_targets, dtype=np.int64),
    )


def _sample(total: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    if total <= limit:
        return np.arange(total)
    return np.sort(rng.choice(total, limit, replace=False))


class Ranker(Protocol):
    def next(self, history: Sequence[int], k: int, *, exclude: Iterable[int] = ()) -> Ranked: ...

    def continuation(
        self, seed_ids: Sequence[int], k: int, *, exclude: Iterable[int] = ()
    ) -> Ranked: ...

    def similar(self, song_id: int, k: int, *, exclude: Iterable[int] = ()) -> Ranked: ...


@dataclass(frozen=True)
class Judge:
    """What the metrics need to know about songs: training plays, artists, specific tags."""

    statistics: PlaylistStatistics
    catalogue: CatalogueArrays

    def beyond_accuracy(
        self, lists: list[np.ndarray], answers: list[np.ndarray]
    ) -> dict[str, float]:
        plays = self.statistics.plays
        recommended = np.concatenate(lists) if lists else np.zeros(0, np.int64)
        right = np.concatenate(answers) if answers else np.zeros(0, np.int64)
        right_mean = float(plays[right].mean()) if len(right) else 0.0
        crowded = 0
        for songs in lists:
            artists = self.catalogue.artist_ids[songs]
            artists = artists[artists >= 0]
            if len(artists) and int(np.bincount(artists).max()) > 2:
                crowded += 1
        return {
            "reach": len(np.unique(recommended)) / max(self.catalogue.size, 1),
            "popularity_ratio": (
                float(plays[recommended].mean()) / right_mean
                if right_mean and len(recommended)
                else 0.0
            ),
            "artist_crowded_share": crowded / max(len(lists), 1),
        }

    def tag_agreement(self, seed: int, songs: np.ndarray) -> float | None:
        seed_tags = self.catalogue.tags_of(seed)
        if not len(seed_tags) or not len(songs):
            return None
        tags, owners = self.catalogue.tags_of_many(songs)
        return float(self.catalogue.sharing_a_tag(tags, owners, len(songs), seed_tags).mean())


def _hits(lists: list[np.ndarray], targets: np.ndarray) -> tuple[float, float]:
    hits = 0.0
    gains = 0.0
    for songs, target in zip(lists, targets.tolist(), strict=True):
        where = np.flatnonzero(songs[:K] == target)
        if len(where):
            hits += 1
            gains += 1.0 / np.log2(where[0] + 2.0)
    count = max(len(lists), 1)
    return hits / count, gains / count


def evaluate_next(
    ranker: Ranker, cases: Cases, judge: Judge, *, history: int = HISTORY
) -> dict[str, float]:
    lists = [ranker.next(list(h[-history:]), K).song_ids for h in cases.next_histories]
    hit_rate, ndcg = _hits(lists, cases.next_targets)
    answers = [cases.next_targets]
    return {
        "hit_rate_at_10": hit_rate,
        "ndcg_at_10": ndcg,
        **judge.beyond_accuracy(lists, answers),
        "cases": len(lists),
    }


def evaluate_continuation(ranker: Ranker, cases: Cases, judge: Judge) -> dict[str, float]:
    precision = 0.0
    r_precision = 0.0
    lists = []
    for seeds, truth in zip(cases.continuation_seeds, cases.continuation_truth, strict=True):
        r = min(len(truth), EVALUATION_MAX_R)
        songs = ranker.continuation(list(seeds), max(r, K)).song_ids
        precision += np.isin(songs[:K], truth).sum() / K
        r_precision += np.isin(songs[:r], truth).sum() / max(r, 1)
        lists.append(songs[:K])
    count = max(len(lists), 1)
    return {
        "precision_at_10": precision / count,
        "r_precision": r_precision / count,
        **judge.beyond_accuracy(lists, list(cases.continuation_truth)),
        "cases": len(lists),
    }


def evaluate_similar(ranker: Ranker, cases: Cases, judge: Judge) -> dict[str, float]:
    lists = [ranker.similar(int(seed), K).song_ids for seed in cases.similar_seeds.tolist()]
    hit_rate, ndcg = _hits(lists, cases.similar_targets)
    agreements = [
        a
        for a in (
            judge.tag_agreement(int(seed), songs)
            for seed, songs in zip(cases.similar_seeds.tolist(), lists, strict=True)
        )
        if a is not None
    ]
    return {
        "hit_rate_at_10": hit_rate,
        "ndcg_at_10": ndcg,
        "tag_agreement": float(np.mean(agreements)) if agreements else 0.0,
        **judge.beyond_accuracy(lists, [cases.similar_targets]),
        "cases": len(lists),
    }


def evaluation_run(
    *, rankers: dict[str, Ranker], cases: Cases, judge: Judge
) -> dict[str, dict[str, dict[str, float]]]:
    """Every ranker on every question: {question: {ranker: metrics}}."""
    return {
        "next": {name: evaluate_next(r, cases, judge) for name, r in rankers.items()},
        "next_one_song": {
            name: evaluate_next(r, cases, judge, history=1) for name, r in rankers.items()
        },
        "continuation": {
            name: evaluate_continuation(r, cases, judge) for name, r in rankers.items()
        },
        "similar": {name: evaluate_similar(r, cases, judge) for name, r in rankers.items()},
    }


def headline_of(question: str, metrics: dict[str, float]) -> float:
    """A question's accuracy figure: precision@10 for continuation, HR@10 otherwise."""
    return float(metrics["precision_at_10" if question == "continuation" else "hit_rate_at_10"])
