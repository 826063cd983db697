"""A version whose files are missing or damaged never serves and never causes a 500.

The process keeps answering from the version it already holds (and says so on /healthz), or
answers 503 with the reason when it holds none; a folder that failed to load is read again
only after LOAD_RETRY_SECONDS, not on every request.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from recommender import serving
from recommender.artifacts import MANIFEST
from recommender.ml.index import INDEX_FILE
from recommender.ml.scorer import SCORER_FILE
from recommender.ml.statistics import STATISTICS_FILE
from recommender.ml.vectors import ALIKE_TABLE_FILE, NEXT_TABLE_FILE
from recommender.models import ModelVersion
from recommender.serving import state
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

LOAD_FAILED = "could not load model version"


def _similar_url(catalogue: Catalogue) -> str:
    return f"/api/songs/{catalogue.id('Jolene')}/similar"


def _force_active(version: ModelVersion) -> None:
    # The activation service refuses damaged folders, so this is what a disk fault (or a
    # hand-made change) after activation looks like to the web processes.
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        ModelVersion.objects.filter(id=version.id).update(
            is_active=True, activated_at=timezone.now()
        )


def _damage_the_end(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.seek(-8, 2)
        handle.write(b"\x00" * 8)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _rewrite_behind_the_manifest(path: Path, change: Callable[[bytes], bytes]) -> None:
    """Change a file and record the change in the manifest: only the loader can notice."""
    import json

    from recommender.artifacts import _file_entry

    path.write_bytes(change(path.read_bytes()))
    manifest_path = path.parent / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][path.name] = _file_entry(path)
    manifest_path.write_text(json.dumps(manifest))


def _statistics_naming_songs_outside_the_catalogue(path: Path) -> None:
    import io

    import numpy as np

    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["successors_1.targets"] = arrays["successors_1.targets"] + 10_000
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _rewrite_behind_the_manifest(path, lambda _: buffer.getvalue())


def _neighbours_one_row_short(path: Path) -> None:
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, np.load(path)[:-1], allow_pickle=False)
    _rewrite_behind_the_manifest(path, lambda _: buffer.getvalue())


def _assert_unavailable_because_version_is_broken(api: Client, version: ModelVersion) -> None:
    """503 everywhere with the version and the reason, in the documented error shape."""
    why = f"the active model version {version.id} could not be loaded"
    for path, url in (
        ("/api/songs/{song_id}/similar", "/api/songs/1/similar"),
        ("/api/models/active", "/api/models/active"),
        ("/healthz", "/healthz"),
    ):
        response = api.get(url)
        assert response.status_code == 503, (url, response.content)
        body = assert_documented(response, path)
        assert why in body["error"]["message"], (url, body)
        assert "missing or damaged" in body["error"]["message"], (url, body)
    assert api.get("/healthz").json()["model_version"] is None


def test_damaged_files_of_a_newly_activated_version_keep_the_previous_one_serving(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    first = train_version(seed=1)
    url = _similar_url(catalogue)
    assert api.get(url).json()["model_version"] == first.id
    second = train_version(seed=2, activate=False)
    _damage_the_end(Path(second.artifacts_path) / "query_vectors.npy")
    _force_active(second)

    response = api.get(url)

    assert response.status_code == 200
    assert response.json()["model_version"] == first.id


def test_health_says_which_version_serves_while_the_active_one_cannot_be_loaded(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    first = train_version(seed=1)
    assert api.get(_similar_url(catalogue)).status_code == 200
    second = train_version(seed=2, activate=False)
    (Path(second.artifacts_path) / INDEX_FILE).unlink()
    _force_active(second)

    response = api.get("/healthz")

    # Still answering (200, so a load balancer keeps it), but not from the active version.
    assert response.status_code == 200
    body = assert_documented(response, "/healthz")
    assert body["status"] == "degraded"
    assert body["model_version"] == first.id
    message = body["error"]["message"]
    assert f"the active model version {second.id} could not be loaded" in message
    assert f"version {first.id} answers meanwhile" in message
    # /api/models/active names the version that answers, as documented.
    assert api.get("/api/models/active").json()["id"] == first.id


def test_a_file_deleted_under_the_served_version_is_found_at_the_next_load(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    version = train_version()
    url = _similar_url(catalogue)
    assert api.get(url).json()["model_version"] == version.id
    (Path(version.artifacts_path) / INDEX_FILE).unlink()

    # The process holds everything in memory: it goes on answering.
    assert api.get(url).json()["model_version"] == version.id
    # The same version activated again (a roll back and forth) reloads it: the load fails, and
    # the copy in memory, the last good one, goes on answering.
    _force_active(version)
    assert api.get(url).json()["model_version"] == version.id
    assert api.get("/healthz").json()["status"] == "degraded"
    # A process that starts now (or restarts) has nothing good to load.
    serving.serving_reset()
    _assert_unavailable_because_version_is_broken(api, version)


@pytest.mark.parametrize(
    ("damage", "name"),
    [
        pytest.param(_truncate, MANIFEST, id="manifest-truncated"),
        pytest.param(lambda path: path.write_text("[]"), MANIFEST, id="manifest-not-an-object"),
        pytest.param(
            lambda path: path.write_text('{"files": {"songs.faiss": 7}}'),
            MANIFEST,
            id="manifest-without-sizes",
        ),
        pytest.param(_truncate, INDEX_FILE, id="index-truncated"),
        pytest.param(Path.unlink, STATISTICS_FILE, id="statistics-deleted"),
        pytest.param(_truncate, STATISTICS_FILE, id="statistics-truncated"),
        pytest.param(_damage_the_end, STATISTICS_FILE, id="statistics-bytes-changed"),
        pytest.param(
            _statistics_naming_songs_outside_the_catalogue,
            STATISTICS_FILE,
            id="statistics-consistent-with-manifest-but-wrong",
        ),
        pytest.param(
            lambda path: _rewrite_behind_the_manifest(path, lambda _: b'{"format": 1}'),
            SCORER_FILE,
            id="scorer-without-weights",
        ),
        pytest.param(Path.unlink, NEXT_TABLE_FILE, id="next-neighbours-deleted"),
        pytest.param(_truncate, ALIKE_TABLE_FILE, id="alike-neighbours-truncated"),
        pytest.param(
            _neighbours_one_row_short,
            NEXT_TABLE_FILE,
            id="neighbours-consistent-with-manifest-but-a-row-short",
        ),
    ],
)
def test_a_damaged_active_version_in_a_starting_process_is_503_with_the_reason(
    api: Client, catalogue: Catalogue, train_version, damage: Callable[[Path], object], name: str
) -> None:
    version = train_version()
    damage(Path(version.artifacts_path) / name)

    _assert_unavailable_because_version_is_broken(api, version)


def test_a_failed_load_is_retried_after_the_retry_interval_not_on_every_request(
    api: Client,
    catalogue: Catalogue,
    train_version,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    version = train_version()
    index = Path(version.artifacts_path) / INDEX_FILE
    good = index.read_bytes()
    _truncate(index)
    url = _similar_url(catalogue)

    def load_failures() -> int:
        return sum(LOAD_FAILED in record.getMessage() for record in caplog.records)

    with caplog.at_level(logging.ERROR, logger="recommender.serving"):
        answers = [api.get(url).status_code for _ in range(20)]
        answers += [api.get("/healthz").status_code for _ in range(5)]
        # Every request answered (no 500), and the folder was read once, not 25 times.
        assert set(answers) == {503}
        assert load_failures() == 1

        # Once the interval has passed (made zero here) the next request tries again...
        monkeypatch.setattr(state, "LOAD_RETRY_SECONDS", 0.0)
        assert api.get(url).status_code == 503
        assert load_failures() == 2
        # ...and serves as soon as the folder is whole again.
        index.write_bytes(good)
        response = api.get(url)
        assert response.status_code == 200
        assert response.json()["model_version"] == version.id
        assert api.get("/healthz").json()["status"] == "ok"


def test_a_missing_folder_with_nothing_loaded_is_503(
    api: Client, catalogue: Catalogue, train_version
) -> None:
    version = train_version()
    shutil.rmtree(version.artifacts_path)
    response = api.get(_similar_url(catalogue))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_active_model"
    assert "could not be loaded" in response.json()["error"]["message"]
