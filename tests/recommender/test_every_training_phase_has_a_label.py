"""Every phase a training run times is shown on the version's admin page under a name of its
own: a phase added to the worker without a label would silently drop out of the page."""

from __future__ import annotations

import pytest

from recommender.metrics_display import PHASES, timing_facts
from tests.recommender.helpers import catalogue_create, version_train_in_process

pytestmark = pytest.mark.django_db


def test_every_timed_phase_is_labelled(settings, tmp_path) -> None:
    # A folder of its own: version ids restart with every test database, folders are never
    # replaced.
    settings.RECOMMENDER_ARTIFACTS_DIR = str(tmp_path / "models")
    catalogue_create()
    version = version_train_in_process()
    assert "similar_table" in version.timings
    assert set(version.timings) <= set(PHASES), set(version.timings) - set(PHASES)
    facts = timing_facts(version.timings)
    assert [name for name, _ in facts] == [
        PHASES[phase] for phase in PHASES if phase in version.timings
    ]
    assert facts[-1][0] == "Total"
