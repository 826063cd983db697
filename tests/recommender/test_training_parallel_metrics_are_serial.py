"""A model built with its fit, evaluation and similar table shared out to forked processes is
the model built in one process: the same stored metrics, weights and lists, value for value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from recommender.ml.features import Question
from recommender.ml.parallel import fork_available
from recommender.ml.training import BuiltModel
from tests.recommender.small_models import small_model_build


def _weights(built: BuiltModel) -> dict[str, Any]:
    return {q.value: built.recommender.scorers[q].as_dict() for q in Question}


@pytest.mark.skipif(not fork_available(), reason="this process cannot fork")
def test_metrics_and_weights_do_not_depend_on_the_number_of_processes() -> None:
    serial = small_model_build(1)
    assert serial.metrics["cases"]["continuation"] >= 3  # every process gets cases to answer

    for processes in (2, 3):
        shared = small_model_build(processes)
        assert shared.metrics == serial.metrics, processes
        assert _weights(shared) == _weights(serial), processes
        assert _tables(shared) == _tables(serial), processes


def _tables(built: BuiltModel) -> dict[str, Any]:
    table = built.recommender.similar_table
    assert table is not None
    return {
        name: np.asarray(getattr(table, name)).tolist()
        for name in ("stored", "ids", "scores", "kinds", "because_of", "tags", "share_values")
    }
