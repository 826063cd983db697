"""Building one model version from playlists: the maths of a training run, without Django.

1. Split the training playlists into a fitting part and a validation part (VALIDATION_SEED).
2. Train Word2Vec on the fitting part; count the playlist statistics on it, and on all
   training playlists (what serves).
3. Fit the scorer's weights per question on validation cases, whose right answers the
   vectors and the fitting part's statistics never saw; for the similar question, turn the
   popularity prior down on the same cases (calibration.py). The ablation's weights
   (statistics only, embeddings only) are fitted the same way.
4. The served Recommender: all training playlists' statistics with the fitted weights.
5. Evaluate the served Recommender, its ablation, the counting baselines and the
   Recommender across the familiarity slider (FAMILIARITY_SWEEP) on the same hold-out cases
   (ml/evaluation.py), and test per question whether the served model's lists differ from
   the statistics-only variant's by more than chance (evaluation.paired_comparison).
6. Rank and store every known song's similar list with the served Recommender
   (ml/similar_table.py): a one-song list is then a lookup when served.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from recommender.ml.baselines import ONE_SONG_SAME_AS, baselines_build
from recommender.ml.calibration import calibration_apply
from recommender.ml.embeddings import SongEmbeddings, Word2VecParams, embeddings_train
from recommender.ml.evaluation import (
    VALIDATION_SEED,
    VALIDATION_SHARE,
    Cases,
    CaseScores,
    Judge,
    Ranker,
    answers_collect,
    cases_build,
    cases_split,
    headline_of,
    holdout_split,
    metrics_all,
    paired_comparison,
    scores_all,
    scores_join,
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
from recommender.ml.parallel import one_blas_thread, processes_usable, tasks_run
from recommender.ml.ranked import Ranked
from recommender.ml.recommender import Recommender
from recommender.ml.scorer import FitCase, LinearScorer, Scorers, scorer_default, scorer_fit
from recommender.ml.statistics import PlaylistStatistics, statistics_build
from recommender.ml.vectors import SongVectors

logger = logging.getLogger(__name__)

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
@one_blas_thread()
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
    processes: int | None = None,
) -> BuiltModel:
    """Train, fit and evaluate one version (steps in the module docstring).

    FAISS answers one query at a time here, on one thread; gensim keeps its own threads.
    After Word2Vec, independent pieces of work (the two statistics, parts of the validation
    and evaluation cases, the fits, the comparisons) run in `processes` processes forked
    from this one (default: parallel.processes_default(); 1 where this process cannot fork;
    ml/parallel.py). The results are those of one process, value for value.
    """

    def step(message: str) -> None:
        if on_step is not None:
            on_step(message)

    workers = processes_usable(processes)
    logger.info("model build: statistics, fit and evaluation in %d process(es)", workers)
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
    vectors, fit_statistics, statistics = _vectors_and_statistics(
        embeddings,
        fit_part=fit_part,
        train_playlists=train_playlists,
        catalogue_size=size,
        index_settings=index_settings,
        processes=workers,
    )
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
    fit_cases = _fit_cases_parallel(fitting, cases, workers)
    answer_plays = fit_statistics.plays[cases.similar_targets]
    del fitting, fit_statistics
    scorers = _scorers_fit(
        fit_cases=fit_cases,
        answer_plays=answer_plays,
        seed_tagged=np.diff(catalogue.tag_indptr)[cases.similar_seeds] > 0,
        catalogue_size=size,
        description={"validation_playlists": len(validation)},
        processes=workers,
    )
    del fit_cases
    timings["fit"] = time.perf_counter() - lap

    lap = time.perf_counter()
    step("evaluating on held-out playlists")
    recommender = Recommender(
        statistics=statistics, vectors=vectors, catalogue=catalogue, scorers=scorers["both"]
    )
    evaluation_cases = cases_build(playlists=eval_playlists)
    judge = Judge(statistics=statistics, catalogue=catalogue)
    rankers, others = _evaluation_rankers(recommender, scorers)
    scored = _scored_parallel({**rankers, **others}, evaluation_cases, judge, workers)
    questions = list(scored)
    index_report, everything, compared = _reports(scored, evaluation_cases, judge, vectors, workers)
    results = _results(everything, rankers)
    # Does Word2Vec add? The served model against the statistics-only variant, case by case.
    results["ablation_significance"] = dict(zip(questions, compared, strict=True))
    results["cases"] = evaluation_cases.counts()
    # The ablation and the familiarity sweep answer every evaluation case.
    results["ablation_cases"] = evaluation_cases.counts()
    results["k"] = 10
    results["catalogue_size"] = size
    results["index"] = index_report
    timings["evaluate"] = time.perf_counter() - lap

    lap = time.perf_counter()
    step("storing every song's similar songs")
    # After the evaluation, which ranks its similar cases itself: the stored lists are those.
    recommender = recommender.with_similar_table(processes=workers)
    timings["similar_table"] = time.perf_counter() - lap
    return BuiltModel(
        recommender=recommender, embeddings=embeddings, metrics=results, timings=timings
    )


def _vectors_and_statistics(
    embeddings: SongEmbeddings,
    *,
    fit_part: Sequence[np.ndarray],
    train_playlists: Sequence[np.ndarray],
    catalogue_size: int,
    index_settings: IndexSettings | None,
    processes: int,
) -> tuple[SongVectors, PlaylistStatistics, PlaylistStatistics]:
    """The vectors and their index, the fitting part's statistics and all training's.

    The statistics of all training playlists serve and are only needed for the evaluation,
    but nothing else can run beside the index build, so they are counted then.
    """
    tasks: list[Callable[[], Any]] = [
        # First: it stays in this process (FAISS indexes do not pickle).
        partial(
            SongVectors.from_embeddings,
            embeddings,
            catalogue_size=catalogue_size,
            index_settings=index_settings,
        ),
        partial(statistics_build, playlists=fit_part, catalogue_size=catalogue_size),
        partial(statistics_build, playlists=train_playlists, catalogue_size=catalogue_size),
    ]
    vectors, fit_statistics, statistics = tasks_run(
        tasks, processes=processes, costs=[2.0, 1.0, 1.0]
    )
    return vectors, fit_statistics, statistics


def _reports(
    scored: dict[str, dict[str, CaseScores]],
    cases: Cases,
    judge: Judge,
    vectors: SongVectors,
    processes: int,
) -> tuple[dict[str, Any], dict[str, dict[str, dict[str, float]]], list[dict[str, Any]]]:
    """The index report, every ranker's metrics, and per question the paired comparison of
    the served model with the statistics-only variant: independent tasks."""
    questions = list(scored)
    tasks: list[Callable[[], Any]] = [
        vectors.index_report,
        partial(metrics_all, scored, cases, judge),
        *[
            partial(
                paired_comparison,
                ("both", "statistics"),
                scored[question]["model"],
                scored[question]["ablation:statistics"],
                cases,
                judge,
            )
            for question in questions
        ],
    ]
    # Rough relative times, in cases compared (the index report takes about as long as the
    # similar question's comparison): only there to balance the processes.
    costs = [10_000.0, 3_000.0, *[float(len(scored[q]["model"].tops)) for q in questions]]
    done = tasks_run(tasks, processes=processes, costs=costs)
    return done[0], done[1], done[2:]


def _scorers_fit(
    *,
    fit_cases: dict[Question, list[FitCase]],
    answer_plays: np.ndarray,
    seed_tagged: np.ndarray,
    catalogue_size: int,
    description: dict[str, Any],
    processes: int,
) -> dict[str, Scorers]:
    """The weights of every ablation variant and question, each fit a task of its own."""
    jobs = [(variant, question) for variant in ABLATION for question in Question]

    def fit(variant: str, question: Question) -> LinearScorer:
        fitted = scorer_fit(
            cases=fit_cases[question],
            keep=ABLATION[variant],
            description={**description, "variant": variant},
        )
        if question is not Question.SIMILAR:
            return fitted
        return calibration_apply(
            scorer=fitted,
            cases=fit_cases[question],
            answer_plays=answer_plays,
            seed_tagged=seed_tagged,
            catalogue_size=catalogue_size,
        )

    rows = {q: sum(len(case.labels) for case in fit_cases[q]) for q in Question}
    fitted = tasks_run(
        [partial(fit, variant, question) for variant, question in jobs],
        processes=processes,
        # The similar question's calibration costs about as much again as its fit.
        costs=[rows[q] * (2.0 if q is Question.SIMILAR else 1.0) for _, q in jobs],
    )
    by_job = dict(zip(jobs, fitted, strict=True))
    return {
        variant: Scorers(by_question={q: by_job[(variant, q)] for q in Question})
        for variant in ABLATION
    }


def _evaluation_rankers(
    recommender: Recommender, scorers: dict[str, Scorers]
) -> tuple[dict[str, Ranker], dict[str, Ranker]]:
    """The served model and the baselines; then the ablation and the familiarity sweep."""
    shared = _CandidatesOnce()
    served = _SharingCandidates(recommender, scorers["both"], shared)
    rankers: dict[str, Ranker] = {"model": served}
    rankers.update(baselines_build(statistics=recommender.statistics, popular=recommender.popular))
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
    return rankers, others


def _scored_parallel(
    rankers: dict[str, Ranker], cases: Cases, judge: Judge, processes: int
) -> dict[str, dict[str, CaseScores]]:
    """Every ranker's case scores on every question, the cases shared out in pieces."""

    def piece_scored(piece: Cases) -> dict[str, dict[str, CaseScores]]:
        with one_search_thread():
            answers = answers_collect(
                rankers=rankers, cases=piece, same_on_one_song=ONE_SONG_SAME_AS
            )
            return scores_all(answers, piece, judge)

    pieces = cases_split(cases, processes)
    return scores_join(
        tasks_run(
            [partial(piece_scored, piece) for piece in pieces],
            processes=processes,
            costs=[sum(piece.counts().values()) for piece in pieces],
        )
    )


def _results(
    everything: dict[str, dict[str, dict[str, float]]], rankers: dict[str, Ranker]
) -> dict[str, Any]:
    """The stored metrics of the served model, the baselines, the ablation and the sweep."""
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
    return results


def _fit_cases_parallel(
    recommender: Recommender, cases: Cases, processes: int
) -> dict[Question, list[FitCase]]:
    """_fit_cases over cases_split's pieces, joined in case order."""

    def piece_fit_cases(piece: Cases) -> dict[Question, list[FitCase]]:
        with one_search_thread():
            return _fit_cases(recommender, piece)

    pieces = cases_split(cases, processes)
    found = tasks_run(
        [partial(piece_fit_cases, piece) for piece in pieces],
        processes=processes,
        costs=[sum(piece.counts().values()) for piece in pieces],
    )
    return {q: [case for part in found for case in part[q]] for q in Question}


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
