"""Model versions: every training run, its hyperparameters, progress, metrics and artifacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


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

    # Word2Vec hyperparameters (gensim names).
    vector_size = models.PositiveIntegerField(default=64)
    window = models.PositiveIntegerField(default=5)
    negative = models.PositiveIntegerField(default=10)
    ns_exponent = models.FloatField(default=0.75)
    sample = models.FloatField(default=1e-3)
    sg = models.BooleanField(default=True, help_text="skip-gram when true, CBOW when false")
    epochs = models.PositiveIntegerField(default=10)
    min_count = models.PositiveIntegerField(default=1)
    alpha = models.FloatField(default=0.025)
    seed = models.PositiveIntegerField(default=1)
    corpus = models.CharField(max_length=16, choices=Corpus.choices, default=Corpus.TRAIN_SPLIT)

    # Lifecycle.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    is_active = models.BooleanField(default=False)
    activate_when_done = models.CharField(
        max_length=8,
        choices=[("always", "always"), ("better", "if at least as good"), ("never", "never")],
        default="better",
    )
    cancel_requested = models.BooleanField(default=False)
    progress_epoch = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid that ran it")

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    train_seconds = models.FloatField(null=True, blank=True)

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
