"""Vectors whose neighbour table is missing, cut short or of the wrong shape do not load.

(Through a version folder the manifest catches most of these first:
tests/serving/test_api_broken_artifacts.py; this is the loader's own check, for files that
match their manifest but not the vectors beside them.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from recommender.ml.vectors import ALIKE_TABLE_FILE, NEXT_TABLE_FILE, SongVectors
from tests.recommender.neighbour_models import SONGS, trained, vectors_of

# Room past the trained songs: ids that are in the catalogue but have no vector.
CATALOGUE = SONGS + 5


def _rewritten(change: Callable[[np.ndarray], np.ndarray]) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        np.save(path, change(np.load(path)), allow_pickle=False)

    return damage


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _naming(song: int) -> Callable[[np.ndarray], np.ndarray]:
    def change(table: np.ndarray) -> np.ndarray:
        table = table.copy()
        table[3, 7] = song
        return table

    return change


DAMAGES = [
    pytest.param(Path.unlink, id="deleted"),
    pytest.param(_truncate, id="truncated"),
    pytest.param(lambda path: path.write_bytes(b""), id="empty"),
    pytest.param(_rewritten(lambda table: table[:-1]), id="a-row-short"),
    pytest.param(_rewritten(lambda table: table[:, :-1]), id="narrower"),
    pytest.param(_rewritten(lambda table: table.ravel()), id="flat"),
    pytest.param(_rewritten(lambda table: table.astype(np.int64)), id="int64"),
    pytest.param(_rewritten(_naming(CATALOGUE - 1)), id="a-song-without-a-vector"),
    pytest.param(_rewritten(_naming(CATALOGUE + 3)), id="a-song-outside-the-catalogue"),
    pytest.param(_rewritten(_naming(-2)), id="a-negative-id"),
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("vectors")
    embeddings = trained()
    vectors_of(embeddings, catalogue_size=CATALOGUE).save(folder, embeddings=embeddings)
    return folder


def _copy(saved: Path, to: Path) -> Path:
    for path in saved.iterdir():
        (to / path.name).write_bytes(path.read_bytes())
    return to


def test_the_undamaged_folder_loads(saved: Path, tmp_path: Path) -> None:
    SongVectors.load(_copy(saved, tmp_path), catalogue_size=CATALOGUE)


@pytest.mark.parametrize("name", [NEXT_TABLE_FILE, ALIKE_TABLE_FILE])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_table_refuses_to_load(
    saved: Path, tmp_path: Path, name: str, damage: Callable[[Path], object]
) -> None:
    folder = _copy(saved, tmp_path)
    damage(folder / name)

    with pytest.raises((OSError, ValueError)):
        SongVectors.load(folder, catalogue_size=CATALOGUE)
