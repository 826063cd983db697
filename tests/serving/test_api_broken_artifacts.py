"""A version whose files are missing or damaged never serves and never causes a 500."""

import pytest
from django.test import Client

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


def test_damaged_files_of_a_newly_activated_version_keep_the_previous_one_serving(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    from django.db import transaction
    from django.utils import timezone

    first = train_version(seed=1)
    url = f"/api/songs/{catalogue.id('Jolene')}/similar"
    assert api.get(url).json()["model_version"] == first.id
    second = train_version(seed=2, activate=False)
    # Damage one file: the manifest's checksum no longer matches.
    with open(f"{second.artifacts_path}/query_vectors.npy", "r+b") as handle:
        handle.seek(-8, 2)
        handle.write(b"\x00" * 8)
    # The service refuses damaged folders, so this is what a disk fault after activation does.
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        ModelVersion.objects.filter(id=second.id).update(
            is_active=True, activated_at=timezone.now()
        )
    response = api.get(url)
    assert response.status_code == 200
    assert response.json()["model_version"] == first.id


def test_a_missing_folder_with_nothing_loaded_is_503(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    import shutil

    version = train_version()
    shutil.rmtree(version.artifacts_path)
    response = api.get(f"/api/songs/{catalogue.id('Jolene')}/similar")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_model"
    assert "could not be loaded" in response.json()["error"]["message"]
