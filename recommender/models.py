"""Model versions: every training run, its hyperparameters, progress, metrics and artifacts."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Q


def hyperparameter_default(name: str) -> object:
    """The default of one Word2Vec hyperparameter, from Word2VecParams (the single source)."""
    # Imported here: gensim is only needed when a row is created, not by every process that
    # imports the models (migrations, the web server's startup).
    from recommender.ml.embeddings import Word2VecParams

    return getattr(Word2VecParams(), name)


class ModelVersion(models.Model):
    """One training run. A succeeded run whose artifacts exist can serve; at most one does."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"
        CANCELLED = "cancelled", "cancelled"

    class Corpus(models.TextChoices):
        TRAIN_SPLIT = "train", "train split (minus the hold-out when there is no test split)"

    # Word2Vec hyperparameters (gensim names). Defaults are read from Word2VecParams when a row
    # is made, so the dataclass is the one place they are chosen (and no migration is needed
    # when the hyperparameter search moves them).
    vector_size = models.PositiveIntegerField(
        default=partial(hyperparameter_default, "vector_size")
    )
    window = models.PositiveIntegerField(default=partial(hyperparameter_default, "window"))
    negative = models.PositiveIntegerField(default=partial(hyperparameter_default, "negative"))
    ns_exponent = models.FloatField(default=partial(hyperparameter_default, "ns_exponent"))
    sample = models.FloatField(default=partial(hyperparameter_default, "sample"))
    sg = models.BooleanField(
        default=partial(hyperparameter_default, "sg"),
        help_text="skip-gram when true, CBOW when false",
    )
    epochs = models.PositiveIntegerField(default=partial(hyperparameter_default, "epochs"))
    min_count = models.PositiveIntegerField(default=partial(hyperparameter_default, "min_count"))
    alpha = models.FloatField(default=partial(hyperparameter_default, "alpha"))
    seed = models.PositiveIntegerField(default=partial(hyperparameter_default, "seed"))
    corpus = models.CharField(max_length=16, choices=Corpus.choices, default=Corpus.TRAIN_SPLIT)

    # Lifecycle.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    is_active = models.BooleanField(default=False)

    class Activation(models.TextChoices):
        ALWAYS = "always", "always"
        BETTER = "better", "if at least as good"
        NEVER = "never", "never"

    activate_when_done = models.CharField(
        max_length=8, choices=Activation.choices, default=Activation.BETTER
    )
    cancel_requested = models.BooleanField(default=False)
    progress_epoch = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid that ran it")
    # The Celery message's id, chosen before publishing so a duplicate can be recognised.
    task_id = models.CharField(max_length=64, blank=True)
    # Touched after every epoch: a run on another machine whose heartbeat stops is dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    train_seconds = models.FloatField(null=True, blank=True)
    words_per_second = models.FloatField(null=True, blank=True)
    # Seconds per phase: {"read_corpus": .., "train": .., "evaluate": .., "write": .., "total": ..}
    timings = models.JSONField(default=dict, blank=True)

    # Results: {"model": {...}, "popularity": {...}, "successors": {...}, "pairs": N, ...}
    metrics = models.JSONField(default=dict, blank=True)
    corpus_stats = models.JSONField(default=dict, blank=True)
    artifacts_path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"
            ),
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(status="succeeded"),
                name="only_succeeded_versions_are_active",
            ),
            # One training at a time, whatever the number of workers: a second run's claim
            # (queued -> running) fails here and the run waits in the queue (training.py).
            # Two writers would double the memory and CPU a run needs and race to activate.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="one_running_training"
            ),
        ]

    def __str__(self) -> str:
        return f"model v{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.epochs:
            return 0
        return min(100, round(100 * self.progress_epoch / self.epochs))

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def hit_rate(self, recommender: str = "model") -> float | None:
        """Next-song HitRate@10 of the model (or of a baseline, e.g. "successors") when measured."""
        metrics = self.metrics or {}
        # Versions trained before the three-question evaluation stored next-song figures flat.
        scored = metrics.get("next", metrics)
        value = (scored.get(recommender) or {}).get("hit_rate_at_10")
        return float(value) if value is not None else None

    @property
    def hyperparameters(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in HYPERPARAMETER_FIELDS}


HYPERPARAMETER_FIELDS = (
    "vector_size",
    "window",
    "negative",
    "ns_exponent",
    "sample",
    "sg",
    "epochs",
    "min_count",
    "alpha",
    "seed",
    "corpus",
)

FINISHED_STATUSES = (
    ModelVersion.Status.SUCCEEDED,
    ModelVersion.Status.FAILED,
    ModelVersion.Status.CANCELLED,
)
