"""Radio: a station of songs built one at a time from `Recommender.next` (no Django).

Each next song is what `next` ranks after the station so far (the seeds are its start), with
three rules on top of the model's order:

1. No song twice: everything in the station and the caller's `exclude` is excluded.
2. No artist again within `artist_gap` songs (songs of unknown artist are never held back).
3. `familiarity` moves the station between the long tail (0.0) and well-known songs (1.0):
   each candidate's score is multiplied by its popularity percentile raised to
   `weight = FAMILIARITY_STRENGTH * (familiarity - 0.5)`, i.e. log score + weight * log p.
   At 0.5 the weight is 0, so the model's own order is kept exactly; the model already holds
   the popularity prior it was fitted with, and familiarity only tilts away from it.

With an integer `seed` the song is drawn (numpy Generator, seeded) among the top
`SAMPLE_AMONG` re-ranked candidates, weighted by their adjusted scores; without it the best
one is taken. Both are deterministic for the same input. When the model has no allowed
candidate, the most played allowed song is taken and labelled `SOURCE_POPULAR`; when not even
that exists, the station ends early and `Station.complete` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.ml.recommender import SOURCE_POPULAR, Recommender

# How many of the latest station songs `next` sees: its questions are fitted on histories
# of up to 5 songs, and a bounded window keeps each step's cost flat along the station.
HISTORY_WINDOW = 5
# Candidates asked of `next` per step, so that the artist gap and familiarity have room.
CANDIDATE_POOL = 50
# The exponent's range: familiarity 0 or 1 gives p^-2 or p^2, strong enough to change the
# station's mean plays, not so strong that the model's score stops mattering.
FAMILIARITY_STRENGTH = 4.0
SAMPLE_AMONG = 3


def popularity_percentiles(plays: np.ndarray) -> np.ndarray:
    """Per song, its rank among played songs scaled into (0, 1]; unplayed songs get the least.

    Ranks rather than raw counts, so that a few huge hits do not flatten everything else.
    """
    n = len(plays)
    order = np.argsort(plays, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(1, n + 1, dtype=np.float64)
    played = int(np.count_nonzero(plays > 0))
    # Played songs take ranks (n - played, n]: they map onto [1/played, 1], below which
    # unplayed songs sit at 1/(played + 1).
    percentiles = (ranks - (n - played)) / max(played, 1)
    percentiles[plays <= 0] = 1.0 / (played + 1)
    return np.clip(percentiles, 1.0 / (played + 1), 1.0)


def familiarity_weight(familiarity: float) -> float:
    if not 0.0 <= familiarity <= 1.0:
        raise ValueError("familiarity must lie in [0, 1]")
    return FAMILIARITY_STRENGTH * (familiarity - 0.5)


@dataclass(frozen=True)
class Station:
    """The station after its seeds: song ids in play order, each with how it was chosen."""

    song_ids: tuple[int, ...]
    sources: tuple[str, ...]
    # False when fewer songs than asked were found (the catalogue ran out under the rules).
    complete: bool


@dataclass(frozen=True)
class StationRules:
    """What the listener asked of a station besides its seeds (see the module docstring)."""

    length: int
    familiarity: float = 0.5
    artist_gap: int = 3
    seed: int | None = None  # None: always the best song; an int: seeded sampling


def station_build(
    recommender: Recommender,
    seeds: Sequence[int],
    rules: StationRules,
    *,
    exclude: Iterable[int] = (),
) -> Station:
    """`rules.length` songs to play after `seeds`, following the rules; never loops forever.

    Every step either adds one song or ends the station, so it takes at most `length` steps.
    """
    length, artist_gap = rules.length, rules.artist_gap
    if length < 0 or artist_gap < 0:
        raise ValueError("length and artist_gap must not be negative")
    weight = familiarity_weight(rules.familiarity)
    percentiles = popularity_percentiles(recommender.statistics.plays)
    artists = recommender.catalogue.artist_ids
    size = recommender.catalogue_size
    rng = np.random.default_rng(rules.seed) if rules.seed is not None else None

    history = [int(s) for s in seeds]
    banned = np.zeros(size, dtype=bool)
    for song in (*history, *(int(s) for s in exclude)):
        if 0 <= song < size:
            banned[song] = True
    chosen: list[int] = []
    sources: list[str] = []
    while len(chosen) < length:
        recent = [artists[s] for s in history[-artist_gap:] if 0 <= s < size] if artist_gap else []
        held = {int(a) for a in recent if a >= 0}
        ranked = recommender.next(
            history[-HISTORY_WINDOW:], CANDIDATE_POOL, exclude=np.flatnonzero(banned).tolist()
        )
        ids = ranked.song_ids
        keep = ~banned[ids] & ~np.isin(artists[ids], list(held))
        ids, scores = ids[keep], ranked.scores[keep].astype(np.float64)
        if len(ids):
            song = _pick(ids, scores * percentiles[ids] ** weight, rng)
            source = ranked.source
        else:
            fallback = _popular_allowed(recommender, banned, held)
            if fallback is None:
                break
            song, source = fallback, SOURCE_POPULAR
        chosen.append(song)
        sources.append(source)
        history.append(song)
        banned[song] = True
    return Station(song_ids=tuple(chosen), sources=tuple(sources), complete=len(chosen) == length)


def _pick(ids: np.ndarray, adjusted: np.ndarray, rng: np.random.Generator | None) -> int:
    # Stable sort: equal adjusted scores keep the model's order.
    order = np.argsort(-adjusted, kind="stable")
    if rng is None:
        return int(ids[order[0]])
    top = order[:SAMPLE_AMONG]
    weights = adjusted[top] / adjusted[top].sum() if adjusted[top].sum() > 0 else None
    return int(ids[top[rng.choice(len(top), p=weights)]])


def _popular_allowed(recommender: Recommender, banned: np.ndarray, held: set[int]) -> int | None:
    popular = recommender.popular
    allowed = popular[
        ~banned[popular] & ~np.isin(recommender.catalogue.artist_ids[popular], list(held))
    ]
    return int(allowed[0]) if len(allowed) else None
