"""Distinct ids for the per-request path, through one sort.

numpy's `np.unique` picks its algorithm by input type and size, and for the few dozen song ids
a request excludes its general path costs several times a plain sort. `sorted_unique(x)`
gives exactly `np.unique(x)`. (The candidate stage's own set operations are compiled, in
candidate_kernel.py.)
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
