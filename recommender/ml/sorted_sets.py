"""Set operations on small integer arrays for the per-request path, through one sort each.

numpy's `np.unique` and `np.isin` pick their algorithm by input type and size, and for the
few thousand song ids a request handles the general ones cost several times a plain sort
(bench/results/serve.json measures the whole path). These give exactly the same answers:
`sorted_unique(x)` equals `np.unique(x)`, `in_sorted(x, s)` equals `np.isin(x, s)` for a
sorted `s`. `IdLookup` answers "where is each of these ids" for many unsorted ids, where a
binary search per id would miss the cache at every step.
"""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (np.unique without its hash path)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def positions_in(sorted_ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value, its position in `sorted_ids` and whether it is there at all.

    Positions of absent values are clipped into range and must be ignored (mask False).
    """
    if not len(sorted_ids):
        return np.zeros(len(values), dtype=np.intp), np.zeros(len(values), dtype=bool)
    where = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return where, sorted_ids[where] == values


def in_sorted(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which values are in `sorted_ids` (ascending): np.isin through one binary search."""
    return positions_in(sorted_ids, values)[1]


class IdLookup:
    """Positions of ids in a set of distinct non-negative ids below `universe`.

    A dense table of positions, left uninitialised: a slot is trusted only if the id stored
    at the position it names is the one looked up, so unwritten slots cost nothing to skip
    (the "sparse set" of Briggs and Torczon). Building it touches only the ids' own slots.
    """

    def __init__(self, ids: np.ndarray, universe: int) -> None:
        self.ids = ids
        self._position = np.empty(universe, dtype=np.intp)
        self._position[ids] = np.arange(len(ids))

    def find(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, found) for `values` (each in [0, universe)); positions where found is
        False are meaningless."""
        if not len(self.ids):
            return np.zeros(len(values), dtype=np.intp), np.zeros(len(values), dtype=bool)
        # Read as unsigned, an unwritten (garbage) slot is either in range or huge, so one
        # minimum brings every slot into range (np.clip's wrapper costs more than the lookup).
        where = self._position[values].view(np.uintp)
        np.minimum(where, len(self.ids) - 1, out=where)
        positions = where.view(np.intp)
        return positions, self.ids[positions] == values
