"""Small synthetic playlists in which songs form groups that are played together."""

from __future__ import annotations

import numpy as np

GROUP_SIZE = 6
GROUPS = 4


def grouped_playlists(*, per_group: int = 30, length: int = 8, seed: int = 7) -> list[np.ndarray]:
    """Playlists drawn from one group each: group g holds songs g*6 .. g*6+5."""
    rng = np.random.default_rng(seed)
    playlists = []
    for index in range(per_group * GROUPS):
        group = index % GROUPS
        songs = np.arange(group * GROUP_SIZE, (group + 1) * GROUP_SIZE)
        playlists.append(rng.choice(songs, size=length).astype(np.int32))
    return playlists


def group_of(song: int) -> int:
    return int(song) // GROUP_SIZE
