"""Artifact arrays are mapped from the page cache, not copied into each web worker."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from recommender.ml.shared_arrays import arrays_map, arrays_save


def _examples() -> dict[str, np.ndarray]:
    generator = np.random.default_rng(7)
    return {
        "counts": np.arange(11, dtype=np.int64),
        "table.vectors": generator.random((7, 3), dtype=np.float32),
        "empty": np.zeros(0, dtype=np.int32),
        "columns": np.asfortranarray(generator.random((3, 4))),
        "flags": np.array([True, False, True]),
    }


def test_saved_arrays_come_back_mapped_read_only_and_aligned(tmp_path: Path) -> None:
    arrays = _examples()
    path = arrays_save(tmp_path / "tables.npz", arrays)

    mapped = arrays_map(path)

    assert set(mapped) == set(arrays)
    for name, original in arrays.items():
        np.testing.assert_array_equal(mapped[name], original)
        assert mapped[name].dtype == original.dtype
        if original.size:
            assert isinstance(mapped[name].base, np.memmap), name
            assert not mapped[name].flags.writeable, name
            assert mapped[name].ctypes.data % 64 == 0, name
    with pytest.raises(ValueError, match="read-only"):
        mapped["counts"][0] = 5


def test_the_file_stays_an_ordinary_npz(tmp_path: Path) -> None:
    arrays = _examples()
    path = arrays_save(tmp_path / "tables.npz", arrays)

    assert zipfile.ZipFile(path).testzip() is None
    with np.load(path, allow_pickle=False) as loaded:
        for name, original in arrays.items():
            np.testing.assert_array_equal(loaded[name], original)


@pytest.mark.parametrize("writer", [np.savez, np.savez_compressed])
def test_files_written_by_numpy_itself_still_load(tmp_path: Path, writer) -> None:  # type: ignore[no-untyped-def]
    arrays = _examples()
    writer(tmp_path / "old.npz", **arrays)

    loaded = arrays_map(tmp_path / "old.npz")

    for name, original in arrays.items():
        np.testing.assert_array_equal(loaded[name], original)


def test_object_arrays_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Python objects"):
        arrays_save(tmp_path / "bad.npz", {"names": np.array(["a", None], dtype=object)})
