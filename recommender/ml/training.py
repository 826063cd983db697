"""Building one model version from playlists: the maths of a training run, without Django.

1. Split the training playlists into a fitting part and a validation part (VALIDATION_SEED).
2. Train Word2Vec on the fitting part; count the playlist statistics on it.
3. Fit the scorer's weights per question on validation cases, whose right answers the
   vectors and the statistics never saw; for the similar question, turn the popularity
   prior down on the same cases (calibration.py). The ablation's weights (statistics only,
   embeddings only) are fitted the same way.
4. Count the statistics again on all training playlists: what serves.
5. Evaluate the served Recommender, its ablation, the counting baselines and the
   Recommender across the familiarity slider (FAMILIARITY_SWEEP) on the same hold-out cases
   (ml/evaluation.py), and test per question whether the served model's lists differ from
   the statistics-only variant's by more than chance (evaluation.paired_comparison).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.ml.baselines import ONE_SONG_SAME_AS, baselines_build
from recommender.ml.calibration import calibration_apply
from recommender.ml.embeddings import SongEmbeddings, Word2VecParams, embeddings_train
from recommender.ml.evaluation import (
    VALIDATION_SEED,
    VALIDATION_SHARE,
    Cases,
    Judge,
    Ranker,
    answers_collect,
    cases_build,
    headline_of,
    holdout_split,
    metrics_all,
    paired_comparison,
    scores_all,
)
from recommender.ml.familiarity import DEFAULT_FAMILIARITY
from recommender.ml.features import (
    CATALOGUE_FEATURES,
    EMBEDDING_FEATURES,
    FEATURES,
    Candidates,
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
# The slider's ends and middle; 0.5 is the served default (the served model's own lists).
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
    shared = _CandidatesOnce()
    served = _SharingCandidates(recommender, scorers["both"], shared)
    rankers: dict[str, Ranker] = {"model": served}
    rankers.update(baselines_build(statistics=statistics, popular=recommender.popular))
    # Asked right after the served model on every case, so they reuse its candidates.
    others: dict[str, Ranker] = {
        f"ablation:{variant}": _SharingCandidates(recommender, scorers[variant], shared)
        for variant in ABLATION
        if variant != "both"
    }
    others.update(
        {
            f"familiarity:{value:g}": _AtFamiliarity(served, value)
            for value in FAMILIARITY_SWEEP
            if value != DEFAULT_FAMILIARITY
        }
    )
    answers = answers_collect(
        rankers={**rankers, **others}, cases=evaluation_cases, same_on_one_song=ONE_SONG_SAME_AS
    )
    scored = scores_all(answers, evaluation_cases, judge)
    everything = metrics_all(scored, evaluation_cases, judge)
    results: dict[str, Any] = {
        question: {name: by[name] for name in rankers} for question, by in everything.items()
    }
    results["ablation_metrics"] = {
        question: {
            variant: by["model" if variant == "both" else f"ablation:{variant}"]
            for variant in ABLATION
        }
        for question, by in everything.items()
    }
    results["familiarity"] = {
        question: {
            f"{value:g}": by["model" if value == DEFAULT_FAMILIARITY else f"familiarity:{value:g}"]
            for value in FAMILIARITY_SWEEP
        }
        for question, by in everything.items()
    }
    results["ablation"] = {
        question: {variant: headline_of(question, m) for variant, m in variants.items()}
        for question, variants in results["ablation_metrics"].items()
    }
    # Does Word2Vec add? The served model against the statistics-only variant, case by case.
    results["ablation_significance"] = {
        question: paired_comparison(
            ("both", "statistics"),
            by["model"],
            by["ablation:statistics"],
            evaluation_cases,
            judge,
        )
        for question, by in scored.items()
    }
    results["cases"] = evaluation_cases.counts()
    # The ablation and the familiarity sweep answer every evaluation case.
    results["ablation_cases"] = evaluation_cases.counts()
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


class _CandidatesOnce:
    """The newest context's candidates, kept for the next recommender asked the same context."""

    def __init__(self) -> None:
        self.key: tuple[Any, ...] | None = None
        self.found: Candidates | None = None


class _SharingCandidates(Recommender):
    """A Recommender with other weights whose first stage is shared with its siblings.

    The evaluation asks the served weights, the ablation's and the familiarity sweep's about
    the same case one after the other. Candidates and their features do not depend on the
    weights, so they are built once per case; the ranking is Recommender's own.
    """

    def __init__(self, base: Recommender, scorers: Scorers, shared: _CandidatesOnce) -> None:
        super().__init__(
            statistics=base.statistics,
            vectors=base.vectors,
            catalogue=base.catalogue,
            scorers=scorers,
        )
        self.shared = shared

    def candidates(
        self, context: Sequence[int], question: Question, *, exclude: Iterable[int] = ()
    ) -> Candidates:
        key = (tuple(int(s) for s in context), question, tuple(int(s) for s in exclude))
        if self.shared.found is None or self.shared.key != key:
            self.shared.found = super().candidates(context, question, exclude=exclude)
            self.shared.key = key
        return self.shared.found


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
