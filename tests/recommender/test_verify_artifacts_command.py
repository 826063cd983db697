"""`manage.py verify_artifacts` tells an operator which version folders are intact."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recommender.models import ModelVersion
from tests.recommender.helpers import catalogue_create, version_train_in_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(settings, tmp_path: Path) -> tuple[ModelVersion, ModelVersion]:
    settings.RECOMMENDER_ARTIFACTS_DIR = tmp_path / "models"
    catalogue_create()
    active = version_train_in_process(activate_when_done="always")
    inactive = version_train_in_process(activate_when_done="never")
    return active, inactive


def _run() -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("verify_artifacts", stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def test_intact_folders_are_reported_ok(two_versions):
    active, inactive = two_versions

    output, code = _run()

    assert code == 0
    assert f"v{active.pk} (active): ok" in output
    assert f"v{inactive.pk}: ok" in output


def test_a_damaged_inactive_version_is_named_and_exits_2(two_versions):
    _, inactive = two_versions
    with open(Path(inactive.artifacts_path) / "candidate_vectors.npy", "r+b") as handle:
        handle.seek(-4, 2)
        handle.write(b"\xff\xff\xff\xff")

    output, code = _run()

    assert code == 2
    assert f"v{inactive.pk}: BROKEN" in output
    assert "candidate_vectors.npy does not match the manifest" in output


def test_a_missing_file_of_the_active_version_exits_1(two_versions):
    active, _ = two_versions
    (Path(active.artifacts_path) / "songs.faiss").unlink()

    output, code = _run()

    assert code == 1
    assert f"v{active.pk} (active): BROKEN" in output
    assert "songs.faiss is listed in the manifest but missing" in output


def test_folders_no_version_owns_are_listed(two_versions, settings):
    stray = Path(settings.RECOMMENDER_ARTIFACTS_DIR) / "v999"
    stray.mkdir()

    output, code = _run()

    assert code == 0
    assert "v999: no succeeded or running version owns this folder" in output
