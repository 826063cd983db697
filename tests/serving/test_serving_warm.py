"""A web worker loads the active model when it starts, before its first request."""

import pytest

from recommender import serving
from recommender.models import ModelVersion

# serving_warm closes the thread's connections (it runs outside any request), which needs
# committed data rather than the rolled-back transaction of an ordinary test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_warming_loads_the_active_version(
    active_version: ModelVersion, settings, django_assert_num_queries
) -> None:
    settings.RECOMMENDER_ACTIVE_CHECK_SECONDS = 3600
    assert serving.serving_warm() == active_version.id
    # Loaded: within the check interval the next caller gets it without asking the database.
    with django_assert_num_queries(0):
        assert serving.serving_model().version_id == active_version.id


def test_warming_without_a_model_does_not_fail(catalogue) -> None:
    assert serving.serving_warm() is None
    with pytest.raises(serving.NoActiveModel):
        serving.serving_model()
