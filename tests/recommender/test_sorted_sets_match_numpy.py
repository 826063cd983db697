"""The per-request set operations give exactly numpy's answers, on awkward inputs too."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.ml.features import CatalogueArrays
from recommender.ml.sorted_sets import sorted_unique

SIZES = (0, 1, 2, 7, 300, 5000)


@pytest.mark.parametrize("size", SIZES)
def test_sorted_unique_is_np_unique(size: int) -> None:
    rng = np.random.default_rng(size)
    for dtype in (np.int32, np.int64):
        values = rng.integers(0, max(size // 3, 1), size).astype(dtype)
        got = sorted_unique(values)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, np.unique(values))


def test_sharing_tags_with_is_sharing_a_tag_for_each_reference() -> None:
    rng = np.random.default_rng(5)
    size = 400
    tags = {s: rng.choice(40, rng.integers(0, 5), replace=False).tolist() for s in range(size)}
    catalogue = CatalogueArrays.build(catalogue_size=size, artists={}, tags=tags)
    songs = np.unique(rng.integers(0, size, 150))
    references = [3, 3, 17, 250, 399]  # a repeated song counts at each of its positions
    references += [s for s in range(size) if not tags[s]][:1]  # a song without tags
    got = catalogue.sharing_tags_with(songs, references)
    owned, owners = catalogue.tags_of_many(songs)
    for row, song in enumerate(references):
        expected = catalogue.sharing_a_tag(owned, owners, len(songs), catalogue.tags_of(song))
        np.testing.assert_array_equal(got[row], expected, err_msg=str(song))
    assert got.any() and not got.all()
