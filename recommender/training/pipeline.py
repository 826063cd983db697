"""The worker's run: claim a queued version, read the corpus, build the model, write it, finish.

The maths lives in recommender.ml.training; this module holds what touches the database and
the artifact folder, and the run's progress, cancellation and time limit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from playlists.selectors import (
    catalogue_facts,
    playlist_line_numbers,
    playlist_song_ids_iter,
    song_count,
    split_exists,
)
from recommender.artifacts import (
    artifacts_delete,
    artifacts_write,
)
from recommender.ml.embeddings import TrainingCancelled
from recommender.ml.evaluation import HOLDOUT_SEED, HOLDOUT_SHARE, holdout_split
from recommender.ml.features import CatalogueArrays
from recommender.ml.index import IndexSettings
from recommender.ml.tags import specific_tag_ids, tags_ranked
from recommender.ml.training import model_build
from recommender.models import ModelVersion
from recommender.training.recovery import runs_dead_fail, worker_identity
from recommender.training.services import (
    _ACTIVATION_ATTEMPTS,
    _activate_locked,
    _should_activate,
    model_version_params,
)

logger = logging.getLogger(__name__)

Status = ModelVersion.Status
Activation = ModelVersion.Activation

# The Word2VecParams fields a ModelVersion stores (workers is a property of the machine, not
# of the model: it changes speed, not what is learned beyond thread-scheduling noise).


class TrainingTimeLimit(Exception):
    """The run went past its time limit (checked after every epoch)."""


class TrainingBusy(Exception):
    """Another run is training; this one stays queued and its message should come back later."""

    def __init__(self, *, version_id: int, running_id: int | None) -> None:
        self.version_id = version_id
        self.running_id = running_id
        which = f"version {running_id}" if running_id is not None else "another version"
        super().__init__(f"model version {version_id} waits: {which} is training")


@dataclass(frozen=True)
class TrainingCorpus:
    """Playlists read once from the database, split into what trains and what evaluates."""

    train: list[np.ndarray]
    # Each training playlist's line number in train.txt: the key of the validation split.
    train_keys: list[int]
    evaluation: list[np.ndarray]
    catalogue: CatalogueArrays
    stats: dict[str, Any]


def training_run_execute(
    *, version_id: int, time_limit_seconds: float | None = None
) -> ModelVersion | None:
    """Train, evaluate, write and (maybe) activate one queued version. Runs in the worker.

    1. Fail the runs of workers that died, then claim this run with a conditional update
       (queued -> running); a duplicate or redelivered message claims nothing and returns None.
       While another run is running the claim is refused by the "one running" constraint:
       the run stays queued ("waiting: version N is training") and TrainingBusy is raised so
       that the task asks again later.
    2. Read the corpus once: the train split's playlists of 2+ songs; the test split
       evaluates when it exists, otherwise a deterministic hold-out of train playlists that
       is excluded from training.
    3. Train; after every epoch record progress and stop when cancellation was requested
       (status cancelled, nothing written).
    4. Evaluate the model and both baselines on the same held-out pairs.
    5. Write the artifacts atomically (temporary folder, one rename) to v<ID>/.
    6. In one transaction: record results, status succeeded, and activate per
       activate_when_done ("better": HitRate@10 at least the active version's).
    Any error marks the run failed with a readable message, removes what it wrote and is
    re-raised; the active version is never touched by a failing run. `time_limit_seconds`
    (the task's soft limit) is also checked after every epoch: Celery's soft-limit signal
    can land where Python ignores exceptions, an epoch boundary cannot.
    """
    runs_dead_fail(claiming=True)
    try:
        # A savepoint: on PostgreSQL a failed statement inside an outer transaction would
        # otherwise poison it.
        with transaction.atomic():
            claimed = ModelVersion.objects.filter(
                id=version_id, status=Status.QUEUED, cancel_requested=False
            ).update(
                status=Status.RUNNING,
                worker=worker_identity(),
                progress_epoch=0,
                progress_message="reading the corpus",
                error="",
            )
            if claimed:
                # Stamped once the claim holds: a claim that waited for another run to commit
                # its end starts after that end, not when it began to wait.
                now = timezone.now()
                ModelVersion.objects.filter(id=version_id).update(started_at=now, heartbeat_at=now)
    except IntegrityError:
        raise _busy(version_id) from None
    if not claimed:
        logger.info(
            "model version %s is not queued: nothing to do (duplicate message?)", version_id
        )
        return None

    version = ModelVersion.objects.get(id=version_id)
    phase = "reading the corpus"
    written: Path | None = None
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # A little before Celery's own soft-limit signal, so that the clean stop between epochs wins.
    deadline = (
        time.monotonic() + time_limit_seconds - min(0.05 * time_limit_seconds, 30.0)
        if time_limit_seconds
        else None
    )
    try:
        params = model_version_params(version)
        lap = time.perf_counter()
        corpus = training_corpus_read()
        timings["read_corpus"] = time.perf_counter() - lap
        _raise_if_cancelled(version_id)

        phase = "training"
        lap = time.perf_counter()

        def step(message: str) -> None:
            nonlocal phase
            phase = message.split(" on ")[0]
            _progress(version_id, message=message)
            _raise_if_cancelled(version_id)

        built = model_build(
            train_playlists=corpus.train,
            train_keys=corpus.train_keys,
            eval_playlists=corpus.evaluation,
            catalogue=corpus.catalogue,
            params=params,
            index_settings=index_settings(),
            processes=settings.RECOMMENDER_TRAIN_PROCESSES or None,
            on_epoch_end=partial(_epoch_end, version_id, deadline, time_limit_seconds),
            on_step=step,
        )
        timings.update(built.timings)
        metrics = built.metrics
        _raise_if_cancelled(version_id)

        phase = "writing artifacts"
        _progress(version_id, message="writing artifacts")
        lap = time.perf_counter()
        result = artifacts_write(
            version_id=version_id,
            write=partial(built.recommender.save, embeddings=built.embeddings),
            manifest_extra={
                "songs": built.recommender.vectors.size,
                "dimensions": built.embeddings.dimensions,
                "hyperparameters": {**version.hyperparameters, "workers": params.workers},
                "metrics": metrics,
                "corpus": corpus.stats,
                "created_at": timezone.now().isoformat(),
            },
        )
        written = result.path
        timings["write"] = time.perf_counter() - lap
        timings["total"] = time.perf_counter() - started

        phase = "recording the results"
        return _finish(
            version_id=version_id,
            values={
                "metrics": metrics,
                "corpus_stats": corpus.stats,
                "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
                "train_seconds": built.embeddings.train_seconds,
                "words_per_second": built.embeddings.words_per_second,
                "artifacts_path": str(result.path),
            },
        )
    except TrainingCancelled:
        if written is not None:
            artifacts_delete(written)
        ModelVersion.objects.filter(id=version_id, status=Status.RUNNING).update(
            status=Status.CANCELLED,
            progress_message=f"cancelled while {phase}",
            finished_at=timezone.now(),
        )
        logger.info("model version %s cancelled while %s", version_id, phase)
        return ModelVersion.objects.get(id=version_id)
    except BaseException as exc:
        if written is not None:
            artifacts_delete(written)
        error = f"failed while {phase}: {_readable(exc, limit=time_limit_seconds)}"
        logger.exception("model version %s %s", version_id, error)
        _failure_record(version_id=version_id, error=error)
        raise


def index_settings() -> IndexSettings:
    """The RECOMMENDER_INDEX_* settings (docs/operations.md)."""
    return IndexSettings(
        exact_below=settings.RECOMMENDER_INDEX_EXACT_BELOW,
        lists=settings.RECOMMENDER_INDEX_LISTS,
        lists_per_root=settings.RECOMMENDER_INDEX_LISTS_PER_ROOT,
        nprobe=settings.RECOMMENDER_INDEX_NPROBE,
        recall_target=settings.RECOMMENDER_INDEX_RECALL or None,
    )


def _busy(version_id: int) -> TrainingBusy:
    running_id = (
        ModelVersion.objects.filter(status=Status.RUNNING).values_list("id", flat=True).first()
    )
    which = f"version {running_id}" if running_id is not None else "another version"
    ModelVersion.objects.filter(id=version_id, status=Status.QUEUED).update(
        progress_message=f"waiting: {which} is training"
    )
    logger.info("model version %s waits: %s is training", version_id, which)
    return TrainingBusy(version_id=version_id, running_id=running_id)


def _failure_record(*, version_id: int, error: str) -> None:
    for attempt in (1, 2):
        try:
            ModelVersion.objects.filter(id=version_id, status=Status.RUNNING).update(
                status=Status.FAILED, error=error, progress_message="", finished_at=timezone.now()
            )
            return
        except Exception:
            # A time limit can interrupt a query half-way and leave the connection unusable;
            # a fresh connection records the failure. If the database itself is away, the
            # original error (re-raised by the caller) matters more than this one.
            logger.exception("could not record the failure of model version %s", version_id)
            if attempt == 1:
                connection.close()


def training_corpus_read() -> TrainingCorpus:
    """Read the training playlists (2+ songs) once and split off the evaluation playlists.

    With a test split, all train playlists train and the test split evaluates. Without one,
    a playlist is held out when evaluation.holdout_split puts its line number in train.txt
    among the HOLDOUT_SHARE held-out keys (seeded by HOLDOUT_SEED), so a benchmark reading
    the file holds out the same playlists.
    """
    rows = list(playlist_song_ids_iter(split="train", min_length=2))
    line_of = playlist_line_numbers(split="train")
    if split_exists(split="test"):
        kept = rows
        evaluation = [songs for _, songs in playlist_song_ids_iter(split="test", min_length=2)]
        how = "the test split"
    else:
        _, held_out = holdout_split(playlist_keys=[line_of[pid] for pid, _ in rows])
        kept = [(pid, songs) for pid, songs in rows if line_of[pid] not in held_out]
        evaluation = [songs for pid, songs in rows if line_of[pid] in held_out]
        how = f"a {HOLDOUT_SHARE:.0%} hold-out of train playlists (seed {HOLDOUT_SEED})"
    train = [songs for _, songs in kept]
    train_keys = [line_of[pid] for pid, _ in kept]
    del rows, kept
    catalogue = catalogue_arrays_read()
    stats = {
        "train_playlists": len(train),
        "train_songs": int(sum(len(songs) for songs in train)),
        "eval_playlists": len(evaluation),
        "eval_songs": int(sum(len(songs) for songs in evaluation)),
        "catalogue_size": song_count(),
        "catalogue_ids": catalogue.size,
        "evaluated_on": how,
    }
    return TrainingCorpus(
        train=train, train_keys=train_keys, evaluation=evaluation, catalogue=catalogue, stats=stats
    )


def catalogue_arrays_read() -> CatalogueArrays:
    """Artists and specific tags (most specific first) of every song, as ranking arrays."""
    facts = catalogue_facts()
    ordered = [facts.song_tags.get(song, []) for song in range(facts.size)]
    specific, idf = specific_tag_ids(tag_names=facts.tag_names, song_tags=ordered)
    return CatalogueArrays.build(
        catalogue_size=facts.size,
        artists=facts.artists,
        tags={
            song: tags_ranked(tags, specific=specific, idf=idf)
            for song, tags in facts.song_tags.items()
        },
        recommendable=set(facts.artists),
    )


def _epoch_end(
    version_id: int, deadline: float | None, limit: float | None, done: int, total: int
) -> None:
    # Runs in the training thread between epochs: one UPDATE and one indexed read.
    ModelVersion.objects.filter(id=version_id).update(
        progress_epoch=done,
        progress_message=f"epoch {done} of {total}",
        heartbeat_at=timezone.now(),
    )
    logger.info("model version %s: epoch %s of %s", version_id, done, total)
    _raise_if_cancelled(version_id)
    if deadline is not None and time.monotonic() > deadline:
        raise TrainingTimeLimit(f"past the time limit of {limit:g} s")


def _progress(version_id: int, *, message: str) -> None:
    ModelVersion.objects.filter(id=version_id).update(
        progress_message=message, heartbeat_at=timezone.now()
    )


def _raise_if_cancelled(version_id: int) -> None:
    if ModelVersion.objects.filter(id=version_id, cancel_requested=True).exists():
        raise TrainingCancelled


def _readable(exc: BaseException, *, limit: float | None = None) -> str:
    if isinstance(exc, SoftTimeLimitExceeded | TrainingTimeLimit):
        of = f" of {limit:g} s" if limit else ""
        return f"the run took longer than its time limit{of} (RECOMMENDER_TRAIN_SOFT_LIMIT)"
    if isinstance(exc, SystemExit):
        return (
            f"the worker process was stopped (exit code {exc.code}): the hard time limit or a "
            "shutdown"
        )
    text = str(exc).strip()
    if isinstance(exc, ValueError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _finish(*, version_id: int, values: dict[str, Any]) -> ModelVersion:
    for attempt in range(1, _ACTIVATION_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _finish_locked(version_id=version_id, values=values)
        except IntegrityError:
            # Another version became active between our read and our write; decide again.
            if attempt == _ACTIVATION_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _finish_locked(*, version_id: int, values: dict[str, Any]) -> ModelVersion:
    active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
    version = ModelVersion.objects.select_for_update().get(id=version_id)
    if version.cancel_requested:
        raise TrainingCancelled
    if version.status != Status.RUNNING:
        raise RuntimeError(f"the run was marked {version.status} while it was running")
    for name, value in values.items():
        setattr(version, name, value)
    version.status = Status.SUCCEEDED
    version.progress_epoch = version.epochs
    version.progress_message = "done"
    version.finished_at = timezone.now()
    version.save()
    if _should_activate(version, active):
        _activate_locked(version, active)
        version.progress_message = "done; activated"
        ModelVersion.objects.filter(id=version.pk).update(progress_message=version.progress_message)
    return version
