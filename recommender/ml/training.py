"""Building one model version from playlists: the maths of a training run, without Django.

1. Split the training playlists into a fitting part and a validation part (VALIDATION_SEED).
2. Train Word2Vec on the fitting part; count the playlist statistics on it.
3. Fit the scorer's weights per question on validation cases, whose right answers the
   vectors and the statistics never saw; for the similar question, turn the popularity
   prior down on the same cases (calibration.py). The ablation's weights (statistics only,
   embeddings only) are fitted the same way.
4. Count the statistics again on all training playlists: what serves.
5. Evaluate the served Recommender, its ablation and the counting baselines on the same
   hold-out cases (ml/evaluation.py), and the Recommender across the familiarity slider
   (FAMILIARITY_SWEEP) on the ablation's cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.ml.baselines import baselines_build
from recommender.ml.calibration import calibration_apply
from recommender.ml.embeddings import SongEmbeddings, Word2VecParams, embeddings_train
from recommender.ml.evaluation import (
    VALIDATION_SEED,
    VALIDATION_SHARE,
    Cases,
    Judge,
    Ranker,
    cases_build,
    evaluate_continuation,
    evaluate_next,
    evaluate_similar,
    evaluation_run,
    headline_of,
    holdout_split,
)
from recommender.ml.features import (
    CATALOGUE_FEATURES,
    EMBEDDING_FEATURES,
    FEATURES,
    CatalogueArrays,
    Question,
)
from recommender.ml.index import IndexSettings, one_search_thread
from recommender.ml.recommender import Ranked, Recommender
from recommender.ml.scorer import FitCase, Scorers, scorer_default, scorer_fit
from recommender.ml.statistics import statistics_build
from recommender.ml.vectors import SongVectors

# Validation cases per question for fitting the weights.
FIT_NEXT_CASES = 2_000
FIT_CONTINUATION_CASES = 400
FIT_SIMILAR_CASES = 3_000
# Cases of the ablation (a subset of the evaluation's, to keep a run short).
ABLATION_NEXT_CASES = 1_000
ABLATION_CONTINUATION_CASES = 200
ABLATION_SIMILAR_CASES = 2_000

# The slider's ends and middle; 0.5 is the served default (the ablation's "both").
FAMILIARITY_SWEEP = (0.0, 0.5, 1.0)

ABLATION: dict[str, tuple[str, ...]] = {
    "both": FEATURES,
    "statistics": tuple(f for f in FEATURES if f not in EMBEDDING_FEATURES),
    "embeddings": tuple(f for f in FEATURES if f in EMBEDDING_FEATURES | CATALOGUE_FEATURES),
}


@dataclass(frozen=True)
class BuiltModel:
    recommender: Recommender
    embeddings: SongEmbeddings
    metrics: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


@one_search_thread()
def model_build(
    *,
    train_playlists: Sequence[np.ndarray],
    train_keys: Sequence[int],
    eval_playlists: Sequence[np.ndarray],
    catalogue: CatalogueArrays,
    params: Word2VecParams,
    index_settings: IndexSettings | None = None,
    on_epoch_end: Callable[[int, int], None] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> BuiltModel:
    """Train, fit and evaluate one version (steps in the module docstring).

    FAISS answers one query at a time here, on one thread; gensim keeps its own threads.
    """

    def step(message: str) -> None:
        if on_step is not None:
            on_step(message)

    timings: dict[str, float] = {}
    lap = time.perf_counter()
    size = catalogue.size
    _, validation_keys = holdout_split(
        playlist_keys=list(train_keys), share=VALIDATION_SHARE, seed=VALIDATION_SEED
    )
    fit_part = [
        p for p, k in zip(train_playlists, train_keys, strict=True) if k not in validation_keys
    ]
    validation = [
        p for p, k in zip(train_playlists, train_keys, strict=True) if k in validation_keys
    ]
    if not fit_part:  # a tiny corpus: validate on what trains rather than on nothing
        fit_part = list(train_playlists)

    step(f"training Word2Vec on {len(fit_part)} playlists")
    embeddings = embeddings_train(playlists=fit_part, params=params, on_epoch_end=on_epoch_end)
    timings["train"] = time.perf_counter() - lap

    lap = time.perf_counter()
    step("counting playlist statistics")
    vectors = SongVectors.from_embeddings(
        embeddings, catalogue_size=size, index_settings=index_settings
    )
    fit_statistics = statistics_build(playlists=fit_part, catalogue_size=size)
    timings["statistics"] = time.perf_counter() - lap

    lap = time.perf_counter()
    step(f"fitting the scorer on {len(validation)} validation playlists")
    unfitted = Scorers(by_question={q: scorer_default() for q in Question})
    fitting = Recommender(
        statistics=fit_statistics, vectors=vectors, catalogue=catalogue, scorers=unfitted
    )
    cases = cases_build(
        playlists=validation,
        seed=VALIDATION_SEED,
        next_cases=FIT_NEXT_CASES,
        continuation_cases=FIT_CONTINUATION_CASES,
        similar_cases=FIT_SIMILAR_CASES,
    )
    fit_cases = _fit_cases(fitting, cases)
    answer_plays = fit_statistics.plays[cases.similar_targets]
    del fitting, fit_statistics
    scorers = {}
    for variant, keep in ABLATION.items():
        fitted = {
            q: scorer_fit(
                cases=fit_cases[q],
                keep=keep,
                description={"validation_playlists": len(validation), "variant": variant},
            )
            for q in Question
        }
        fitted[Question.SIMILAR] = calibration_apply(
            scorer=fitted[Question.SIMILAR],
            cases=fit_cases[Question.SIMILAR],
            answer_plays=answer_plays,
            seed_tagged=np.diff(catalogue.tag_indptr)[cases.similar_seeds] > 0,
            catalogue_size=size,
        )
        scorers[variant] = Scorers(by_question=fitted)
    timings["fit"] = time.perf_counter() - lap

    lap = time.perf_counter()
    step("counting statistics on all training playlists")
    statistics = statistics_build(playlists=train_playlists, catalogue_size=size)
    recommender = Recommender(
        statistics=statistics, vectors=vectors, catalogue=catalogue, scorers=scorers["both"]
    )
    timings["statistics"] += time.perf_counter() - lap

    lap = time.perf_counter()
    step("evaluating on held-out playlists")
    evaluation_cases = cases_build(playlists=eval_playlists)
    judge = Judge(statistics=statistics, catalogue=catalogue)
    rankers: dict[str, Ranker] = {"model": recommender}
    rankers.update(baselines_build(statistics=statistics, popular=recommender.popular))
    results: dict[str, Any] = dict(
        evaluation_run(rankers=rankers, cases=evaluation_cases, judge=judge)
    )
    ablation_cases = _subset(evaluation_cases)
    ablation = _ablation(recommender, scorers, ablation_cases, judge)
    results["ablation_metrics"] = ablation
    results["familiarity"] = _familiarity_sweep(recommender, ablation, ablation_cases, judge)
    results["ablation"] = {
        question: {variant: headline_of(question, m) for variant, m in variants.items()}
        for question, variants in ablation.items()
    }
    results["cases"] = evaluation_cases.counts()
    results["ablation_cases"] = ablation_cases.counts()
    results["k"] = 10
    results["catalogue_size"] = size
    results["index"] = vectors.index_report()
    timings["evaluate"] = time.perf_counter() - lap
    return BuiltModel(
        recommender=recommender, embeddings=embeddings, metrics=results, timings=timings
    )


def _fit_cases(recommender: Recommender, cases: Cases) -> dict[Question, list[FitCase]]:
    out: dict[Question, list[FitCase]] = {q: [] for q in Question}
    for history, target in zip(cases.next_histories, cases.next_targets.tolist(), strict=True):
        found = recommender.candidates(list(history), Question.NEXT)
        out[Question.NEXT].append(FitCase(found.features, found.song_ids == target))
        found = recommender.candidates(list(history[-1:]), Question.NEXT_ONE)
        out[Question.NEXT_ONE].append(FitCase(found.features, found.song_ids == target))
    for seeds, truth in zip(cases.continuation_seeds, cases.continuation_truth, strict=True):
        found = recommender.candidates(list(seeds), Question.CONTINUATION)
        out[Question.CONTINUATION].append(FitCase(found.features, np.isin(found.song_ids, truth)))
    for seed, target in zip(
        cases.similar_seeds.tolist(), cases.similar_targets.tolist(), strict=True
    ):
        found = recommender.candidates([seed], Question.SIMILAR)
        out[Question.SIMILAR].append(
            FitCase(found.features, found.song_ids == target, found.song_ids)
        )
    return out


def _subset(cases: Cases) -> Cases:
    return Cases(
        next_histories=cases.next_histories[:ABLATION_NEXT_CASES],
        next_targets=cases.next_targets[:ABLATION_NEXT_CASES],
        continuation_seeds=cases.continuation_seeds[:ABLATION_CONTINUATION_CASES],
        continuation_truth=cases.continuation_truth[:ABLATION_CONTINUATION_CASES],
        similar_seeds=cases.similar_seeds[:ABLATION_SIMILAR_CASES],
        similar_targets=cases.similar_targets[:ABLATION_SIMILAR_CASES],
    )


def _ablation(
    recommender: Recommender, scorers: dict[str, Scorers], cases: Cases, judge: Judge
) -> dict[str, dict[str, dict[str, float]]]:
    """Every metric per question for each feature subset, on the ablation cases."""
    out: dict[str, dict[str, dict[str, float]]] = {
        "next": {},
        "next_one_song": {},
        "continuation": {},
        "similar": {},
    }
    for variant, variant_scorers in scorers.items():
        ranker = recommender.with_scorers(variant_scorers)
        out["next"][variant] = evaluate_next(ranker, cases, judge)
        out["next_one_song"][variant] = evaluate_next(ranker, cases, judge, history=1)
        out["continuation"][variant] = evaluate_continuation(ranker, cases, judge)
        out["similar"][variant] = evaluate_similar(ranker, cases, judge)
    return out


@dataclass(frozen=True)
class _AtFamiliarity:
    """The Recommender answering every question at one familiarity (an evaluation Ranker)."""

    recommender: Recommender
    familiarity: float

    def next(self, history: Sequence[int], k: int, *, exclude: Iterable[int] = ()) -> Ranked:
        return self.recommender.next(history, k, exclude=exclude, familiarity=self.familiarity)

    def continuation(
        self, seed_ids: Sequence[int], k: int, *, exclude: Iterable[int] = ()
    ) -> Ranked:
        return self.recommender.continuation(
            seed_ids, k, exclude=exclude, familiarity=self.familiarity
        )

    def similar(self, song_id: int, k: int, *, exclude: Iterable[int] = ()) -> Ranked:
        return self.recommender.similar(song_id, k, exclude=exclude, familiarity=self.familiarity)


def _familiarity_sweep(
    recommender: Recommender,
    ablation: dict[str, dict[str, dict[str, float]]],
    cases: Cases,
    judge: Judge,
) -> dict[str, dict[str, dict[str, float]]]:
    """{question: {familiarity: metrics}} on the ablation cases; 0.5 is the ablation's "both"."""
    out: dict[str, dict[str, dict[str, float]]] = {question: {} for question in ablation}
    for familiarity in FAMILIARITY_SWEEP:
        label = f"{familiarity:g}"
        if familiarity == 0.5:
            for question in out:
                out[question][label] = ablation[question]["both"]
            continue
        ranker = _AtFamiliarity(recommender, familiarity)
        out["next"][label] = evaluate_next(ranker, cases, judge)
        out["next_one_song"][label] = evaluate_next(ranker, cases, judge, history=1)
        out["continuation"][label] = evaluate_continuation(ranker, cases, judge)
        out["similar"][label] = evaluate_similar(ranker, cases, judge)
    return out
