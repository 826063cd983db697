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
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from recommender.ml.features import CatalogueArrays
from recommender.ml.ranked import Ranked
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


# The evaluated questions, as the stored metrics name them.
QUESTIONS: tuple[str, ...] = ("next", "next_one_song", "continuation", "similar")
# Questions whose context is a single song (the newest of a history, or one seed).
ONE_SONG_QUESTIONS = frozenset({"next_one_song", "similar"})

Lists = dict[str, list[np.ndarray]]  # ranker -> its list for each case, in case order


def _continuation_k(truth: np.ndarray) -> int:
    return max(min(len(truth), EVALUATION_MAX_R), K)


def answers_collect(
    *,
    rankers: Mapping[str, Ranker],
    cases: Cases,
    same_on_one_song: Mapping[str, str] | None = None,
) -> dict[str, Lists]:
    """Every ranker's list for every case of every question: {question: {ranker: lists}}.

    Case by case, every ranker answers in turn, so that rankers sharing work per context (the
    ablation's variants share one candidate set) find it ready. A ranker named in
    `same_on_one_song` (name -> the ranker it copies) is not asked the one-song questions: its
    lists there are the other's by construction (baselines.ONE_SONG_SAME_AS).
    """
    copies = dict(same_on_one_song or {})
    out: dict[str, Lists] = {}
    for question in QUESTIONS:
        asked = {
            name: r
            for name, r in rankers.items()
            if question not in ONE_SONG_QUESTIONS or name not in copies
        }
        lists: Lists = {name: [] for name in asked}
        if question in ("next", "next_one_song"):
            history = HISTORY if question == "next" else 1
            for h in cases.next_histories:
                context = list(h[-history:])
                for name, r in asked.items():
                    lists[name].append(r.next(context, K).song_ids)
        elif question == "continuation":
            for seeds, truth in zip(
                cases.continuation_seeds, cases.continuation_truth, strict=True
            ):
                k = _continuation_k(truth)
                for name, r in asked.items():
                    lists[name].append(r.continuation(list(seeds), k).song_ids)
        else:
            for seed in cases.similar_seeds.tolist():
                for name, r in asked.items():
                    lists[name].append(r.similar(int(seed), K).song_ids)
        for name, original in copies.items():
            if question in ONE_SONG_QUESTIONS and name in rankers:
                lists[name] = lists[original]
        out[question] = {name: lists[name] for name in rankers}
    return out


def cases_first(cases: Cases, counts: Mapping[str, int]) -> Cases:
    """The first `counts[question]` cases of each question (a subset, in the same order)."""
    return Cases(
        next_histories=cases.next_histories[: counts["next"]],
        next_targets=cases.next_targets[: counts["next"]],
        continuation_seeds=cases.continuation_seeds[: counts["continuation"]],
        continuation_truth=cases.continuation_truth[: counts["continuation"]],
        similar_seeds=cases.similar_seeds[: counts["similar"]],
        similar_targets=cases.similar_targets[: counts["similar"]],
    )


def cases_split(cases: Cases, parts: int) -> list[Cases]:
    """`cases` cut into `parts` contiguous pieces, each question's cases shared out evenly.

    In order: the pieces' cases, one after the other, are the cases (a piece may hold none).
    """
    counts = cases.counts()

    def piece(i: int) -> Cases:
        def bounds(question: str) -> slice:
            n = counts[question]
            return slice(n * i // parts, n * (i + 1) // parts)

        nxt, cont, sim = bounds("next"), bounds("continuation"), bounds("similar")
        return Cases(
            next_histories=cases.next_histories[nxt],
            next_targets=cases.next_targets[nxt],
            continuation_seeds=cases.continuation_seeds[cont],
            continuation_truth=cases.continuation_truth[cont],
            similar_seeds=cases.similar_seeds[sim],
            similar_targets=cases.similar_targets[sim],
        )

    return [piece(i) for i in range(max(1, parts))]


def lists_first(answers: dict[str, Lists], counts: Mapping[str, int]) -> dict[str, Lists]:
    """The lists of the first `counts` cases (what cases_first keeps), per question and ranker."""
    of = {"next": "next", "next_one_song": "next", "continuation": "continuation"}
    return {
        question: {name: lists[: counts[of.get(question, "similar")]] for name, lists in by.items()}
        for question, by in answers.items()
    }


@dataclass(frozen=True)
class CaseScores:
    """One ranker's lists on one question, scored case by case.

    What the stored metrics add up (in case order, so the sums are the same floats whoever
    adds them) and what the paired comparison of two rankers compares.
    """

    question: str
    tops: list[np.ndarray]  # each case's top K
    accuracy: list[float]  # 1.0 / 0.0 for a hit in the top K, or precision@K (continuation)
    ranked: list[float]  # the NDCG@K gain, or R-precision (continuation)
    tag_agreement: list[float | None]  # similar only; None where the seed has no specific tag


def case_scores(question: str, lists: list[np.ndarray], cases: Cases, judge: Judge) -> CaseScores:
    """Score `lists` (one per case, answers_collect's order) against the cases' answers."""
    tops = [songs[:K] for songs in lists]
    accuracy: list[float] = []
    ranked: list[float] = []
    agreement: list[float | None] = []
    if question == "continuation":
        for songs, truth in zip(lists, cases.continuation_truth, strict=True):
            r = min(len(truth), EVALUATION_MAX_R)
            accuracy.append(np.isin(songs[:K], truth).sum() / K)
            ranked.append(np.isin(songs[:r], truth).sum() / max(r, 1))
    else:
        targets = cases.similar_targets if question == "similar" else cases.next_targets
        for songs, target in zip(tops, targets.tolist(), strict=True):
            where = np.flatnonzero(songs == target)
            accuracy.append(1.0 if len(where) else 0.0)
            ranked.append(1.0 / np.log2(where[0] + 2.0) if len(where) else 0.0)
        if question == "similar":
            agreement = [
                judge.tag_agreement(int(seed), songs)
                for seed, songs in zip(cases.similar_seeds.tolist(), tops, strict=True)
            ]
    return CaseScores(
        question=question, tops=tops, accuracy=accuracy, ranked=ranked, tag_agreement=agreement
    )


def _answers(question: str, cases: Cases) -> list[np.ndarray]:
    if question == "continuation":
        return list(cases.continuation_truth)
    return [cases.similar_targets if question == "similar" else cases.next_targets]


def metrics_from(scores: CaseScores, cases: Cases, judge: Judge) -> dict[str, float]:
    """The stored metrics of one ranker on one question, from its case scores."""
    count = max(len(scores.tops), 1)
    # Python's sum adds left to right: the same floats as a running total over the cases.
    accuracy = sum(scores.accuracy, 0.0) / count
    ranked = sum(scores.ranked, 0.0) / count
    beyond = judge.beyond_accuracy(scores.tops, _answers(scores.question, cases))
    if scores.question == "continuation":
        head = {"precision_at_10": accuracy, "r_precision": ranked}
    else:
        head = {"hit_rate_at_10": accuracy, "ndcg_at_10": ranked}
    if scores.question == "similar":
        agreements = [a for a in scores.tag_agreement if a is not None]
        head["tag_agreement"] = float(np.mean(agreements)) if agreements else 0.0
    return {**head, **beyond, "cases": len(scores.tops)}


def metrics_of(
    question: str, lists: list[np.ndarray], cases: Cases, judge: Judge
) -> dict[str, float]:
    """One ranker's metrics on one question, from its lists (answers_collect's order)."""
    return metrics_from(case_scores(question, lists, cases, judge), cases, judge)


def scores_all(
    answers: dict[str, Lists], cases: Cases, judge: Judge
) -> dict[str, dict[str, CaseScores]]:
    """case_scores for every question and ranker; rankers holding the very same lists (copies,
    answers_collect's same_on_one_song) share one scoring."""
    out: dict[str, dict[str, CaseScores]] = {}
    for question, by in answers.items():
        done: dict[int, CaseScores] = {}
        out[question] = {}
        for name, lists in by.items():
            if id(lists) not in done:
                done[id(lists)] = case_scores(question, lists, cases, judge)
            out[question][name] = done[id(lists)]
    return out


def scores_join(
    pieces: Sequence[dict[str, dict[str, CaseScores]]],
) -> dict[str, dict[str, CaseScores]]:
    """scores_all of cases_split's pieces, in order, as scores_all of all the cases.

    Case scores are per case, so joining the pieces' lists gives the very same values; rankers
    sharing one scoring in every piece (copies) share the joined one.
    """
    out: dict[str, dict[str, CaseScores]] = {}
    for question, by in pieces[0].items():
        done: dict[tuple[int, ...], CaseScores] = {}
        out[question] = {}
        for name in by:
            parts = [piece[question][name] for piece in pieces]
            key = tuple(id(part) for part in parts)
            if key not in done:
                done[key] = CaseScores(
                    question=question,
                    tops=[top for part in parts for top in part.tops],
                    accuracy=[value for part in parts for value in part.accuracy],
                    ranked=[value for part in parts for value in part.ranked],
                    tag_agreement=[value for part in parts for value in part.tag_agreement],
                )
            out[question][name] = done[key]
    return out


def metrics_all(
    scored: dict[str, dict[str, CaseScores]], cases: Cases, judge: Judge
) -> dict[str, dict[str, dict[str, float]]]:
    """metrics_from for every question and ranker of `scored`: {question: {ranker: metrics}}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for question, by in scored.items():
        done: dict[int, dict[str, float]] = {}
        for scores in by.values():
            if id(scores) not in done:
                done[id(scores)] = metrics_from(scores, cases, judge)
        out[question] = {name: dict(done[id(scores)]) for name, scores in by.items()}
    return out


def evaluate_next(
    ranker: Ranker, cases: Cases, judge: Judge, *, history: int = HISTORY
) -> dict[str, float]:
    lists = [ranker.next(list(h[-history:]), K).song_ids for h in cases.next_histories]
    return metrics_of("next", lists, cases, judge)


def evaluate_continuation(ranker: Ranker, cases: Cases, judge: Judge) -> dict[str, float]:
    lists = [
        ranker.continuation(list(seeds), _continuation_k(truth)).song_ids
        for seeds, truth in zip(cases.continuation_seeds, cases.continuation_truth, strict=True)
    ]
    return metrics_of("continuation", lists, cases, judge)


def evaluate_similar(ranker: Ranker, cases: Cases, judge: Judge) -> dict[str, float]:
    lists = [ranker.similar(int(seed), K).song_ids for seed in cases.similar_seeds.tolist()]
    return metrics_of("similar", lists, cases, judge)


def evaluation_run(
    *, rankers: dict[str, Ranker], cases: Cases, judge: Judge
) -> dict[str, dict[str, dict[str, float]]]:
    """Every ranker on every question: {question: {ranker: metrics}}."""
    answers = answers_collect(rankers=rankers, cases=cases)
    return metrics_all(scores_all(answers, cases, judge), cases, judge)


# The paired comparison of two rankers on the same cases (the ablation: is Word2Vec's part real?).
SIGNIFICANCE_RESAMPLES = 2_000
SIGNIFICANCE_SEED = 20123
SIGNIFICANCE_LEVEL = 0.05
SLICE = 100  # resamples per matrix product (a catalogue x SLICE matrix for reach)


def sign_test(wins: int, losses: int) -> float:
    """Exact two-sided sign test (McNemar's exact test on 0/1 outcomes): the chance, under a
    fair coin, of a split of the wins + losses discordant cases at least as uneven as this."""
    n = wins + losses
    if n == 0:
        return 1.0
    log_half = n * math.log(0.5)
    log_terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + log_half
        for i in range(min(wins, losses) + 1)
    ]
    top = max(log_terms)
    return min(1.0, 2.0 * math.exp(top) * sum(math.exp(t - top) for t in log_terms))


def _interval(values: np.ndarray) -> list[float]:
    low, high = np.quantile(values, [SIGNIFICANCE_LEVEL / 2, 1 - SIGNIFICANCE_LEVEL / 2])
    return [float(low), float(high)]


@dataclass(frozen=True)
class _Side:
    """One ranker's top lists reduced to what reach and the popularity ratio add up."""

    plays: np.ndarray  # float64 (n,): training plays summed over the case's top K
    listed: np.ndarray  # float64 (n,): songs in the case's top K
    songs: Any  # scipy CSC (len(rows), n): which of the rows' songs each case's top K holds

    @classmethod
    def of(cls, scores: CaseScores, judge: Judge, rows: np.ndarray) -> _Side:
        """`rows`: the sorted song ids that get a row, at least every song the lists hold."""
        from scipy import sparse  # the worker only

        lengths = np.array([len(top) for top in scores.tops], dtype=np.int64)
        flat = np.concatenate(scores.tops) if scores.tops else np.zeros(0, np.int64)
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        songs = sparse.csc_matrix(
            (np.ones(len(flat), dtype=np.float32), np.searchsorted(rows, flat), indptr),
            shape=(len(rows), len(lengths)),
        )
        plays = judge.statistics.plays
        return cls(
            plays=np.array([float(plays[top].sum()) for top in scores.tops]),
            listed=lengths.astype(np.float64),
            songs=songs,
        )


def paired_comparison(
    names: tuple[str, str],
    first: CaseScores,
    second: CaseScores,
    cases: Cases,
    judge: Judge,
    *,
    resamples: int = SIGNIFICANCE_RESAMPLES,
    seed: int = SIGNIFICANCE_SEED,
) -> dict[str, dict[str, Any]]:
    """Do two rankers differ on the same cases by more than chance? Metric by metric.

    Each entry holds both values, the difference (`<a>_minus_<b>`), a two-sided p-value and
    the cases. Per-case metrics (HR@10 or precision@10; tag agreement for similar) are tested
    with the exact sign test on the cases where the two differ (`discordant`: [a better, b
    better]), with a 95% paired-bootstrap interval of the difference. Reach and the popularity
    ratio are not sums over cases: their p-value comes from a paired randomisation test (each
    case's two lists swapped at random), and the popularity ratio's interval from the paired
    bootstrap; reach has none (resampling cases shrinks reach itself, not only its noise).
    """
    a, b = names
    label = f"{a}_minus_{b}"
    n = len(first.tops)
    out: dict[str, dict[str, Any]] = {}
    if n == 0:
        return out
    slices = [(start, min(SLICE, resamples - start)) for start in range(0, resamples, SLICE)]

    def per_case(metric: str, x_values: list[Any], y_values: list[Any]) -> None:
        x = np.array([np.nan if v is None else v for v in x_values], dtype=np.float64)
        y = np.array([np.nan if v is None else v for v in y_values], dtype=np.float64)
        kept = np.isfinite(x) & np.isfinite(y)
        m = int(kept.sum())
        if not m:
            return
        difference = (x - y)[kept]
        rng = np.random.default_rng(seed)
        resampled = np.empty(resamples)
        for start, rows in slices:  # the mean difference over m cases drawn with replacement
            drawn = rng.integers(0, m, size=(rows, m), dtype=np.int32)
            resampled[start : start + rows] = difference[drawn].mean(axis=1)
        wins, losses = int((difference > 0).sum()), int((difference < 0).sum())
        out[metric] = {
            a: float(x[kept].mean()),
            b: float(y[kept].mean()),
            label: float(difference.mean()),
            "ci95": _interval(resampled),
            "p_value": sign_test(wins, losses),
            "test": "sign",
            "cases": m,
            "discordant": [wins, losses],
        }

    headline = "precision_at_10" if first.question == "continuation" else "hit_rate_at_10"
    per_case(headline, first.accuracy, second.accuracy)
    if first.question == "similar":
        per_case("tag_agreement", first.tag_agreement, second.tag_agreement)

    # A song that neither ranker lists is covered by no resample: only listed songs get a row.
    listed = np.unique(np.concatenate([np.zeros(0, np.int64), *first.tops, *second.tops]))
    one, two = _Side.of(first, judge, listed), _Side.of(second, judge, listed)
    plays = judge.statistics.plays
    if first.question == "continuation":
        right_plays = np.array([float(plays[t].sum()) for t in cases.continuation_truth])
        right_count = np.array([float(len(t)) for t in cases.continuation_truth])
    else:
        targets = cases.similar_targets if first.question == "similar" else cases.next_targets
        right_plays = plays[targets].astype(np.float64)
        right_count = np.ones(n)

    def ratio(weights: np.ndarray, side: _Side) -> np.ndarray:
        """Popularity ratio with each case counted `weights` times (rows: resamples)."""
        right = (weights @ right_plays) / np.maximum(weights @ right_count, 1)
        recommended = (weights @ side.plays) / np.maximum(weights @ side.listed, 1)
        return recommended / np.where(right > 0, right, 1)

    def covered(side: _Side, weights: np.ndarray) -> np.ndarray:
        """Songs in at least one top K of the cases with weight > 0, per row of `weights`."""
        hits = np.asarray(side.songs @ (weights > 0).T.astype(np.float32))
        return (hits > 0).sum(axis=0)

    ones = np.ones((1, n))
    size = max(judge.catalogue.size, 1)
    observed_ratio = float(ratio(ones, one)[0] - ratio(ones, two)[0])
    reach_one = float(covered(one, ones)[0]) / size
    reach_two = float(covered(two, ones)[0]) / size
    boot_ratio = np.empty(resamples)
    null_ratio = np.empty(resamples)
    null_reach = np.empty(resamples)
    boot_rng = np.random.default_rng(seed)
    swap_rng = np.random.default_rng(seed + 1)
    total_one = np.asarray(one.songs.sum(axis=1)).ravel()[:, None]
    total_two = np.asarray(two.songs.sum(axis=1)).ravel()[:, None]
    for start, rows in slices:
        drawn = boot_rng.integers(0, n, size=(rows, n))
        counts = np.bincount(
            (drawn + (np.arange(rows) * n)[:, None]).ravel(), minlength=rows * n
        ).reshape(rows, n)
        counts = counts.astype(np.float64)  # once, not in each of ratio's products
        boot_ratio[start : start + rows] = ratio(counts, one) - ratio(counts, two)
        # Randomisation: each case's two lists change places with probability 1/2.
        swap = swap_rng.random((rows, n)) < 0.5
        moved, stay = swap.astype(np.float64), (~swap).astype(np.float64)
        a_plays = stay @ one.plays + moved @ two.plays
        a_listed = stay @ one.listed + moved @ two.listed
        b_plays = stay @ two.plays + moved @ one.plays
        b_listed = stay @ two.listed + moved @ one.listed
        right = (right_plays.sum()) / max(right_count.sum(), 1)
        null_ratio[start : start + rows] = (
            a_plays / np.maximum(a_listed, 1) - b_plays / np.maximum(b_listed, 1)
        ) / (right if right > 0 else 1)
        shift = swap.T.astype(np.float32)  # (n, rows)
        from_one = np.asarray(one.songs @ shift)  # one's songs in the swapped cases
        from_two = np.asarray(two.songs @ shift)
        covered_a = ((total_one - from_one + from_two) > 0).sum(axis=0)
        covered_b = ((total_two - from_two + from_one) > 0).sum(axis=0)
        null_reach[start : start + rows] = (covered_a - covered_b) / size
    out["reach"] = {
        a: reach_one,
        b: reach_two,
        label: reach_one - reach_two,
        "ci95": None,
        "p_value": _randomisation_p(null_reach, reach_one - reach_two),
        "test": "randomisation",
        "cases": n,
    }
    out["popularity_ratio"] = {
        a: float(ratio(ones, one)[0]),
        b: float(ratio(ones, two)[0]),
        label: observed_ratio,
        "ci95": _interval(boot_ratio),
        "p_value": _randomisation_p(null_ratio, observed_ratio),
        "test": "randomisation",
        "cases": n,
    }
    return out


def _randomisation_p(null: np.ndarray, observed: float) -> float:
    """Two-sided: the share of swapped resamples at least as far from 0 as observed (add-one)."""
    extreme = int((np.abs(null) >= abs(observed) - 1e-12).sum())
    return min(1.0, (1 + extreme) / (len(null) + 1))


def headline_of(question: str, metrics: dict[str, float]) -> float:
    """A question's accuracy figure: precision@10 for continuation, HR@10 otherwise."""
    return float(metrics["precision_at_10" if question == "continuation" else "hit_rate_at_10"])
