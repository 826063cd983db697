"""Why a song is in a list: the signal that added most to its score, and the song behind it.

The linear scorer's score is a sum of per-feature contributions (weight x standardised value,
scorer.LinearScorer.contributions). The familiarity tilt is left out: it is the listener's own
lean to well-known or long-tail songs, the same for every list, not why a song fits. Features are
grouped into reason kinds (KIND_OF_FEATURE); a song's reason is the kind whose contributions
sum highest, so the reason is read off the score, never written after the fact. Its
`because_of` is the context song that carries that signal most for the song (the seed it was
most often played after, shares most playlists with, lies nearest to, ...), or None when the
signal belongs to no one song (popularity, "playlists like yours").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from recommender.ml.candidate_kernel import table_strength
from recommender.ml.features import CONTEXT_LIMIT, FEATURES, CatalogueArrays
from recommender.ml.reason_kernel import kind_shares, strongest_rows
from recommender.ml.scorer import LinearScorer
from recommender.ml.statistics import PlaylistStatistics
from recommender.ml.vectors import SongVectors


class ReasonKind(StrEnum):
    PLAYED_AFTER = "played-after"  # successor statistics: followed a context song
    PLAYED_WITH = "played-with"  # co-occurrence: in the same playlists
    SOUNDS_LIKE = "sounds-like"  # Word2Vec: near a context song in the learned song space
    SAME_ARTIST = "same-artist"
    SAME_TAG = "same-tag"  # shares a specific Last.fm tag (ml/tags.py)
    POPULAR = "popular"  # the fitted popularity prior
    POPULAR_FALLBACK = "popular-fallback"  # the model knew nothing: a labelled popular pick


KIND_OF_FEATURE: dict[str, ReasonKind] = {
    "embedding_next": ReasonKind.SOUNDS_LIKE,
    "embedding_context": ReasonKind.SOUNDS_LIKE,
    "sounds_like": ReasonKind.SOUNDS_LIKE,
    "sounds_like_context": ReasonKind.SOUNDS_LIKE,
    "has_vector": ReasonKind.SOUNDS_LIKE,
    "successor_share": ReasonKind.PLAYED_AFTER,
    "successor_log": ReasonKind.PLAYED_AFTER,
    "multi_step_share": ReasonKind.PLAYED_AFTER,
    "second_order_share": ReasonKind.PLAYED_AFTER,
    "second_order_log": ReasonKind.PLAYED_AFTER,
    "successor_any_share": ReasonKind.PLAYED_AFTER,
    "cooccurrence_share": ReasonKind.PLAYED_WITH,
    "cooccurrence_log": ReasonKind.PLAYED_WITH,
    "cooccurrence_seeds": ReasonKind.PLAYED_WITH,
    "cooccurrence_lift": ReasonKind.PLAYED_WITH,
    "neighbour_playlists": ReasonKind.PLAYED_WITH,
    "popularity": ReasonKind.POPULAR,
    "same_artist_last": ReasonKind.SAME_ARTIST,
    "same_artist_context": ReasonKind.SAME_ARTIST,
    "same_tag_last": ReasonKind.SAME_TAG,
    "same_tag_context": ReasonKind.SAME_TAG,
}
# The kinds a scored song can have, in a fixed order (the columns of the grouped shares).
SCORED_KINDS: tuple[ReasonKind, ...] = tuple(dict.fromkeys(KIND_OF_FEATURE[f] for f in FEATURES))
# Per feature, its column in SCORED_KINDS (what reason_kernel.kind_shares sums it into).
KIND_COLUMN = np.array([SCORED_KINDS.index(KIND_OF_FEATURE[f]) for f in FEATURES], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Reason:
    kind: ReasonKind
    because_of: int | None  # a song of the context, or None
    # same-tag and tag-matched fallback picks: the most specific tag shared with because_of.
    tag: int | None = None
    # Each kind's share of the positive contributions to the score, largest first (sum 1);
    # empty for the popular fallback, which has no score to share out.
    shares: tuple[tuple[ReasonKind, float], ...] = ()


@dataclass(frozen=True)
class ReasonContext:
    """What finding `because_of` reads: one version's arrays and the listener's songs."""

    statistics: PlaylistStatistics
    vectors: SongVectors
    catalogue: CatalogueArrays
    context: Sequence[int]  # oldest first


@dataclass(frozen=True)
class Explanation:
    """What a ranked list needs to say why each song is there, worked out only when asked.

    The first `len(scored_rows)` songs were scored; the rest are popular picks (the fallback,
    or the fill after the model's candidates ran out). A scored song's contributions are
    computed only for the songs whose reasons are asked: the radio asks for one of fifty.
    """

    where: ReasonContext
    song_ids: np.ndarray  # int64 (n,)
    features: np.ndarray  # (candidates, len(FEATURES)): every candidate's features
    scored_rows: np.ndarray  # int (scored,): the row in `features` of each scored song
    scorer: LinearScorer | None  # what scored them (None: nothing was scored)
    tag_matched: np.ndarray  # bool (n,): popular picks sharing a specific tag with the context

    def reasons(self, positions: Sequence[int]) -> tuple[Reason, ...]:
        picked = np.asarray(positions, dtype=np.int64)
        finder = _BecauseOf(self.where, self.song_ids[picked])
        scored = picked < len(self.scored_rows)
        out: list[Reason] = []
        rows = self.features[self.scored_rows[picked[scored]]]
        scored_reasons = iter(
            _scored_reasons(rows, self.scorer, finder, np.flatnonzero(scored).tolist())
        )
        for i, (position, is_scored) in enumerate(
            zip(picked.tolist(), scored.tolist(), strict=True)
        ):
            if is_scored:
                out.append(next(scored_reasons))
            else:
                because_of = (
                    finder.song_for(ReasonKind.SAME_TAG, i) if self.tag_matched[position] else None
                )
                out.append(
                    Reason(
                        kind=ReasonKind.POPULAR_FALLBACK,
                        because_of=because_of,
                        tag=finder.shared_tag(i, because_of),
                    )
                )
        return tuple(out)


def _scored_reasons(
    rows: np.ndarray, scorer: LinearScorer | None, finder: _BecauseOf, where: list[int]
) -> list[Reason]:
    """The reason of each row of candidate features, scored by `scorer`; row r is song where[r].

    The arithmetic is compiled (reason_kernel.kind_shares), then read off row by row.
    """
    if not len(rows) or scorer is None:
        return []
    strongest, order, fractions, lifted = kind_shares(
        rows, scorer.mean, scorer.scale, scorer.weights, KIND_COLUMN, len(SCORED_KINDS)
    )
    kinds, orders, shares_of, counts = (
        strongest.tolist(),
        order.tolist(),
        fractions.tolist(),
        lifted.tolist(),
    )
    out: list[Reason] = []
    for row, i in enumerate(where):
        kind = SCORED_KINDS[kinds[row]]
        share = shares_of[row]
        shares = tuple([(SCORED_KINDS[j], share[j]) for j in orders[row][: counts[row]]])
        because_of = finder.song_for(kind, i)
        tag = finder.shared_tag(i, because_of) if kind is ReasonKind.SAME_TAG else None
        out.append(Reason(kind=kind, because_of=because_of, tag=tag, shares=shares))
    return out


class _BecauseOf:
    """Per reason kind, which context song carries the signal for each song (lazily)."""

    def __init__(self, where: ReasonContext, song_ids: np.ndarray) -> None:
        self.where = where
        self.ids = np.asarray(song_ids, dtype=np.int64)
        self.recent = [int(s) for s in where.context][-CONTEXT_LIMIT:]
        self._best: dict[ReasonKind, list[int | None]] = {}

    def song_for(self, kind: ReasonKind, position: int) -> int | None:
        if kind not in self._best:
            self._best[kind] = self._compute(kind)
        return self._best[kind][position]

    def shared_tag(self, position: int, other: int | None) -> int | None:
        """The song's most specific tag that `other` carries too (None without one)."""
        if other is None:
            return None
        catalogue = self.where.catalogue
        theirs = catalogue.tags_of(other)
        for tag in catalogue.tags_of(int(self.ids[position])).tolist():
            if tag in theirs:
                return int(tag)
        return None

    def _compute(self, kind: ReasonKind) -> list[int | None]:
        if kind is ReasonKind.PLAYED_AFTER:
            strength = self._table_strength("successors")
        elif kind is ReasonKind.PLAYED_WITH:
            strength = self._table_strength("cooccurrence")
        elif kind is ReasonKind.SOUNDS_LIKE:
            strength = self._cosines()
        elif kind is ReasonKind.SAME_ARTIST:
            strength = self._same_artist()
        elif kind is ReasonKind.SAME_TAG:
            strength = self._same_tag()
        else:
            return [None] * len(self.ids)
        return _strongest(strength, self.recent)

    def _table_strength(self, table: str) -> np.ndarray:
        """(context songs, n): the largest share of a context song's row that is the song."""
        if not len(self.ids) or not self.recent:
            return np.zeros((len(self.recent), len(self.ids)))
        return table_strength(
            np.asarray(self.recent, dtype=np.int64),
            self.ids,
            *self.where.statistics.reason_tables[table],
        )

    def _cosines(self) -> np.ndarray:
        vectors = self.where.vectors
        out = np.zeros((len(self.recent), len(self.ids)))
        rows = vectors.rows[self.ids]
        placed = rows >= 0
        for row, song in enumerate(self.recent):
            own = vectors.row_of(song)
            if own >= 0 and placed.any():
                # Shifted so that any cosine beats "no vector" (0).
                out[row, placed] = 2.0 + vectors.query[rows[placed]] @ vectors.query[own]
        return out

    def _same_artist(self) -> np.ndarray:
        artists = self.where.catalogue.artist_ids
        mine = artists[self.ids]
        out = np.zeros((len(self.recent), len(self.ids)))
        for row, song in enumerate(self.recent):
            if artists[song] >= 0:
                # Newer context songs win ties (the row index grows with recency).
                out[row] = (mine == artists[song]) * (1.0 + row)
        return out

    def _same_tag(self) -> np.ndarray:
        sharing = self.where.catalogue.sharing_tags_with(self.ids, self.recent)
        # Newer context songs win ties (the row index grows with recency).
        rank = np.arange(1.0, len(self.recent) + 1.0)[:, None]
        return sharing * rank


def _strongest(strength: np.ndarray, recent: list[int]) -> list[int | None]:
    if not len(recent):
        return [None] * strength.shape[1]
    return [recent[b] if b >= 0 else None for b in strongest_rows(strength).tolist()]
