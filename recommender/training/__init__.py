"""Training runs: the admin's lifecycle (services), the worker's run (pipeline), dead workers
(recovery). The names other modules use are re-exported here."""

from recommender.training.pipeline import (
    TrainingBusy,
    TrainingCorpus,
    TrainingTimeLimit,
    training_corpus_read,
    training_run_execute,
)
from recommender.training.recovery import runs_dead_fail, training_run_lost, worker_identity
from recommender.training.services import (
    PARAM_FIELDS,
    ModelVersionRefused,
    QueueUnavailable,
    model_version_activate,
    model_version_cancel,
    model_version_create,
    model_version_delete,
    model_version_params,
    model_version_rollback,
)

__all__ = [
    "PARAM_FIELDS",
    "ModelVersionRefused",
    "QueueUnavailable",
    "TrainingBusy",
    "TrainingCorpus",
    "TrainingTimeLimit",
    "model_version_activate",
    "model_version_cancel",
    "model_version_create",
    "model_version_delete",
    "model_version_params",
    "model_version_rollback",
    "runs_dead_fail",
    "training_corpus_read",
    "training_run_execute",
    "training_run_lost",
    "worker_identity",
]
