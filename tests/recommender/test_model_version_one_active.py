"""At most one version is active, and only a succeeded one: database constraints."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from recommender.models import ModelVersion

pytestmark = pytest.mark.django_db

SUCCEEDED = ModelVersion.Status.SUCCEEDED


def test_two_active_versions_are_rejected_by_the_database():
    ModelVersion.objects.create(status=SUCCEEDED, is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(status=SUCCEEDED, is_active=True)
    assert ModelVersion.objects.filter(is_active=True).count() == 1


def test_an_unfinished_version_cannot_be_active():
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(status=ModelVersion.Status.RUNNING, is_active=True)
