"""Radio: a station of songs built one at a time from `Recommender.next` (no Django).

Each next song is what `next` ranks after the station so far (the seeds are its start), with
three rules on top of the model's order:

1. No song twice: everything in the station and the caller's `exclude` is excluded.
2. No artist again within `artist_gap` songs (songs of unknown artist are never held back).
3. `familiarity` moves the station between the long tail (0.0) and well-known songs (1.0),
   through `next`'s own familiarity tilt (ml/familiarity.py), as every other list does.

With an integer `seed` the song is drawn (numpy Generator, seeded) among the top
`SAMPLE_AMONG` allowed candidates, weighted by their scores; without it the best one is
taken. Both are deterministic for the same input. When the model has no allowed
candidate, the most played allowed song is taken and labelled `SOURCE_POPULAR`; when not even
that exists, the station ends early and `Station.complete` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.ml.familiarity import familiarity_weight
from recommender.ml.ranked import SOURCE_POPULAR
from recommender.ml.reasons import Reason, ReasonKind
from recommender.ml.recommender import Recommender

# How many of the latest station songs `next` sees: its questions are fitted on histories
# of up to 5 songs, and a bounded window keeps each step's cost flat along the station.
HISTORY_WINDOW = 5
# Candidates asked of `next` per step, so that the artist gap and familiarity have room.
CANDIDATE_POOL = 50
SAMPLE_AMONG = 3


@dataclass(frozen=True)
class Station:
    """The station after its seeds: song ids in play order, each with how it was chosen."""

    song_ids: tuple[int, ...]
    sources: tuple[str, ...]
    reasons: tuple[Reason, ...]
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
    familiarity_weight(rules.familiarity)  # refuses a familiarity outside [0, 1] up front
    artists = recommender.catalogue.artist_ids
    size = recommender.catalogue_size
    rng = np.random.default_rng(rules.seed) if rules.seed is not None else None

    history = [int(s) for s in seeds]
    banned = np.zeros(size, dtype=bool)
    # The same set as ids, in the order banned, for `next`'s exclude (cheaper than the mask).
    banned_ids: list[int] = []
    for song in (*history, *(int(s) for s in exclude)):
        if 0 <= song < size and not banned[song]:
            banned[song] = True
            banned_ids.append(song)
    # How many allowed candidates a step looks at: the best one, or those it samples among.
    wanted = 1 if rng is None else SAMPLE_AMONG
    chosen: list[int] = []
    sources: list[str] = []
    reasons: list[Reason] = []
    while len(chosen) < length:
        recent = [artists[s] for s in history[-artist_gap:] if 0 <= s < size] if artist_gap else []
        held = {int(a) for a in recent if a >= 0}
        ranked = recommender.next(
            history[-HISTORY_WINDOW:],
            CANDIDATE_POOL,
            exclude=np.asarray(banned_ids, dtype=np.int64),
            familiarity=rules.familiarity,
        )
        ids = ranked.song_ids.tolist()
        # Walked in Python: the first allowed candidates are nearly always among the first few
        # of fifty, where array operations over all fifty cost more than the walk.
        keep = _first_allowed(ids, artists, banned, held, wanted)
        if keep:
            at = keep[_pick(ranked.scores[keep].astype(np.float64), rng)]
            song, source = ids[at], ranked.source
            (reason,) = ranked.reasons([at])
        else:
            fallback = _popular_allowed(recommender, banned, held)
            if fallback is None:
                break
            song, source = fallback, SOURCE_POPULAR
            reason = Reason(kind=ReasonKind.POPULAR_FALLBACK, because_of=None)
        chosen.append(song)
        sources.append(source)
        reasons.append(reason)
        history.append(song)
        banned[song] = True
        banned_ids.append(song)
    return Station(
        song_ids=tuple(chosen),
        sources=tuple(sources),
        reasons=tuple(reasons),
        complete=len(chosen) == length,
    )


def _first_allowed(
    ids: list[int], artists: np.ndarray, banned: np.ndarray, held: set[int], wanted: int
) -> list[int]:
    """Positions of the first `wanted` candidates neither banned nor by a held-back artist."""
    keep: list[int] = []
    for at, song in enumerate(ids):
        if not banned[song] and int(artists[song]) not in held:
            keep.append(at)
            if len(keep) == wanted:
                break
    return keep


def _pick(scores: np.ndarray, rng: np.random.Generator | None) -> int:
    """Position of the song to play among allowed candidates, given best first."""
    if rng is None:
        return 0
    top = scores[:SAMPLE_AMONG]
    weights = top / top.sum() if top.sum() > 0 else None
    return int(rng.choice(len(top), p=weights))


def _popular_allowed(recommender: Recommender, banned: np.ndarray, held: set[int]) -> int | None:
    popular = recommender.popular
    allowed = popular[
        ~banned[popular] & ~np.isin(recommender.catalogue.artist_ids[popular], list(held))
    ]
    return int(allowed[0]) if len(allowed) else None
