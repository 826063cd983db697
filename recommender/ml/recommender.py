"""The Recommender: the one answer to "what would a listener get?".

Built from one version's artifact folder (or, in the worker, from the arrays it just made),
it answers three questions with the same two stages, candidates (features.py) then the
fitted linear scorer (scorer.py):

- similar(song): songs that belong with one song (song page, /api/songs/<id>/similar);
- continuation(seeds): songs that belong with a set of songs (home page, /api/recommendations);
- next(history): what to play after an ordered list of recent songs (/api/next).

When no song of the context has any signal (no vector, never in a training playlist), the
answer is the labelled popular fallback: the most played songs sharing a specific tag with
the context first. The worker's evaluation calls these same methods.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

import numpy as np

from recommender.ml.embeddings import SongEmbeddings
from recommender.ml.familiarity import (
    DEFAULT_FAMILIARITY,
    familiarity_weight,
    reciprocal_popularity_ranks,
)
from recommender.ml.features import (
    FEATURES,
    Candidates,
    CatalogueArrays,
    Question,
    candidates_build,
    compile_ahead,
)
from recommender.ml.ranked import SOURCE_MODEL, SOURCE_POPULAR, Ranked
from recommender.ml.reasons import Explanation, ReasonContext
from recommender.ml.scorer import Scorers
from recommender.ml.similar_table import SimilarTable
from recommender.ml.sorted_sets import sorted_unique
from recommender.ml.statistics import PlaylistStatistics
from recommender.ml.vectors import SongVectors


class Recommender:
    """Ranks songs for a context with one version's statistics, vectors and weights."""

    def __init__(
        self,
        *,
        statistics: PlaylistStatistics,
        vectors: SongVectors,
        catalogue: CatalogueArrays,
        scorers: Scorers,
        similar_table: SimilarTable | None = None,
    ) -> None:
        if catalogue.size != statistics.catalogue_size or len(vectors.rows) != catalogue.size:
            raise ValueError("statistics, vectors and catalogue describe catalogues of other sizes")
        compile_ahead()
        self.statistics = statistics
        self.vectors = vectors
        self.catalogue = catalogue
        self.scorers = scorers
        # Every song's stored similar list (ml/similar_table.py), when the worker wrote one.
        self.similar_table = similar_table
        plays = statistics.plays
        played = np.flatnonzero((plays > 0) & catalogue.recommendable)
        # Most played first, ties by lower id.
        self.popular = played[np.argsort(-plays[played], kind="stable")].astype(np.int64)
        # log(1 / popularity rank) per song: what familiarity tilts by (ml/familiarity.py).
        self.log_popularity = np.log(reciprocal_popularity_ranks(plays)).astype(np.float32)
        # Per song: does the model know anything about it (a vector or a statistic)?
        self._known = (
            (vectors.rows >= 0)
            | (statistics.successors[0].totals > 0)
            | (statistics.cooccurrence.totals > 0)
        )

    def save(self, folder: Path, *, embeddings: SongEmbeddings) -> None:
        """Write everything `load` reads into `folder` (the version's temporary folder)."""
        self.vectors.save(folder, embeddings=embeddings)
        self.statistics.save(folder)
        self.catalogue.save(folder)
        self.scorers.save(folder)
        if self.similar_table is not None:
            self.similar_table.save(folder)

    @classmethod
    def load(cls, folder: Path) -> Recommender:
        """The recommender of a version folder; raises when a file is missing or inconsistent."""
        folder = Path(folder)
        statistics = PlaylistStatistics.load(folder)
        catalogue = CatalogueArrays.load(folder)
        vectors, _ = SongVectors.load(folder, catalogue_size=statistics.catalogue_size)
        return cls(
            statistics=statistics,
            vectors=vectors,
            catalogue=catalogue,
            scorers=Scorers.load(folder),
            similar_table=SimilarTable.load(folder, catalogue_size=statistics.catalogue_size),
        )

    @property
    def catalogue_size(self) -> int:
        return self.catalogue.size

    def with_scorers(self, scorers: Scorers) -> Recommender:
        """The same recommender ranking with other weights (the evaluation's ablation); the
        stored similar lists belong to the old weights and are left behind."""
        return Recommender(
            statistics=self.statistics,
            vectors=self.vectors,
            catalogue=self.catalogue,
            scorers=scorers,
        )

    def with_similar_table(self, *, processes: int) -> Recommender:
        """The same recommender with every known song's similar list ranked and stored."""
        return Recommender(
            statistics=self.statistics,
            vectors=self.vectors,
            catalogue=self.catalogue,
            scorers=self.scorers,
            similar_table=SimilarTable.compute(
                partial(self.similar, familiarity=DEFAULT_FAMILIARITY),
                songs=np.flatnonzero(self._known),
                catalogue_size=self.catalogue_size,
                familiarity=DEFAULT_FAMILIARITY,
                processes=processes,
            ),
        )

    def similar(
        self,
        song_id: int,
        k: int,
        *,
        exclude: Iterable[int] = (),
        max_per_artist: int | None = None,
        familiarity: float = DEFAULT_FAMILIARITY,
    ) -> Ranked:
        return self._rank([int(song_id)], Question.SIMILAR, k, exclude, max_per_artist, familiarity)

    def continuation(
        self,
        seed_ids: Sequence[int],
        k: int,
        *,
        exclude: Iterable[int] = (),
        max_per_artist: int | None = None,
        familiarity: float = DEFAULT_FAMILIARITY,
    ) -> Ranked:
        seeds = list(dict.fromkeys(int(s) for s in seed_ids))
        question = Question.SIMILAR if len(seeds) == 1 else Question.CONTINUATION
        return self._rank(seeds, question, k, exclude, max_per_artist, familiarity)

    def next(
        self,
        history: Sequence[int],
        k: int,
        *,
        exclude: Iterable[int] = (),
        max_per_artist: int | None = None,
        familiarity: float = DEFAULT_FAMILIARITY,
    ) -> Ranked:
        """What to play after `history` (oldest first); songs of the history never come back."""
        songs = [int(s) for s in history]
        question = Question.NEXT if len(songs) > 1 else Question.NEXT_ONE
        return self._rank(songs, question, k, exclude, max_per_artist, familiarity)

    def candidates(
        self, context: Sequence[int], question: Question, *, exclude: Iterable[int] = ()
    ) -> Candidates:
        """The first stage alone (the worker fits the scorer on these)."""
        context = [int(s) for s in context]
        excluded = _as_ids(exclude)
        banned = sorted_unique(np.concatenate([np.asarray(context, dtype=np.int64), excluded]))
        return candidates_build(
            context=context,
            question=question,
            statistics=self.statistics,
            vectors=self.vectors,
            catalogue=self.catalogue,
            banned=banned,
            popular=self.popular,
        )

    def has_signal(self, song: int) -> bool:
        """True when the model knows anything about the song (a vector or a statistic)."""
        return 0 <= song < self.catalogue_size and bool(self._known[song])

    def _rank(
        self,
        context: list[int],
        question: Question,
        k: int,
        exclude: Iterable[int],
        max_per_artist: int | None,
        familiarity: float,
    ) -> Ranked:
        if not context:
            raise ValueError("a recommendation needs at least one song")
        if k < 1:
            raise ValueError(f"k must be at least 1 (got {k})")
        size = len(self._known)
        outside = [s for s in context if not 0 <= s < size]
        if outside:
            raise ValueError(f"songs outside the catalogue: {outside}")
        excluded = _as_ids(exclude)
        stored = self._stored_similar(context, question, k, excluded, max_per_artist, familiarity)
        if stored is not None:
            return stored
        tilt_weight = familiarity_weight(familiarity)
        if not self._known[context].any():
            return self._popular_fallback(context, k, excluded.tolist(), max_per_artist)
        # candidates() is the step the evaluation shares between scorers: call it by name.
        found = self.candidates(context, question, exclude=excluded)
        scorer = self.scorers[question]
        logits = scorer.scores(found.features) if len(found) else np.zeros(0, np.float32)
        if tilt_weight:
            logits = logits + tilt_weight * self.log_popularity[found.song_ids]
        # Best first, ties by lower id (candidates are sorted by id, the sort is stable).
        order = np.argsort(-logits, kind="stable")
        if max_per_artist is None:
            positions = order[:k]
        else:
            positions = order[self._pick(found.song_ids[order], k, max_per_artist)]
        ids = found.song_ids[positions]
        scores = 1.0 / (1.0 + np.exp(-logits[positions].astype(np.float64)))
        if len(ids) < k:
            taken = np.concatenate([ids, np.asarray(context, dtype=np.int64), excluded])
            extra = self._popular_fill(taken, k - len(ids), max_per_artist, ids)
            ids = np.concatenate([ids, extra])
            scores = np.concatenate([scores, np.zeros(len(extra))])
        return Ranked(
            song_ids=ids.astype(np.int64, copy=False),
            scores=scores.astype(np.float32),
            source=SOURCE_MODEL,
            explanation=Explanation(
                where=self._reason_context(context),
                song_ids=ids,
                features=found.features,
                scored_rows=positions,
                scorer=scorer,
                tag_matched=np.zeros(len(ids), dtype=bool),
            ),
        )

    def _stored_similar(
        self,
        context: list[int],
        question: Question,
        k: int,
        excluded: np.ndarray,
        max_per_artist: int | None,
        familiarity: float,
    ) -> Ranked | None:
        """The stored list of a plain similar question, or None to rank it."""
        table = self.similar_table
        if (
            table is None
            or question is not Question.SIMILAR
            or len(excluded)
            or max_per_artist is not None
            or familiarity != table.familiarity
        ):
            return None
        return table.ranked(context[0], k)

    def _reason_context(self, context: Sequence[int]) -> ReasonContext:
        return ReasonContext(
            statistics=self.statistics,
            vectors=self.vectors,
            catalogue=self.catalogue,
            context=context,
        )

    def _pick(self, ranked_ids: np.ndarray, k: int, max_per_artist: int) -> np.ndarray:
        """Positions in `ranked_ids` of the first k that respect the per-artist cap."""
        counts: dict[int, int] = {}
        picked: list[int] = []
        artists = self.catalogue.artist_ids[ranked_ids].tolist()
        for position, artist in enumerate(artists):
            if artist >= 0:
                if counts.get(artist, 0) >= max_per_artist:
                    continue
                counts[artist] = counts.get(artist, 0) + 1
            picked.append(position)
            if len(picked) == k:
                break
        return np.asarray(picked, dtype=np.int64)

    def _popular_fill(
        self,
        taken: np.ndarray,
        n: int,
        max_per_artist: int | None,
        already: np.ndarray,
        preferred: np.ndarray | None = None,
    ) -> np.ndarray:
        pool = self.popular if preferred is None else preferred
        pool = pool[~np.isin(pool, taken)]
        if max_per_artist is None:
            return pool[:n]
        counts: dict[int, int] = {}
        for artist in self.catalogue.artist_ids[already].tolist():
            counts[artist] = counts.get(artist, 0) + 1
        out: list[int] = []
        for song, artist in zip(
            pool.tolist(), self.catalogue.artist_ids[pool].tolist(), strict=True
        ):
            if artist >= 0 and counts.get(artist, 0) >= max_per_artist:
                continue
            counts[artist] = counts.get(artist, 0) + 1
            out.append(song)
            if len(out) == n:
                break
        return np.asarray(out, dtype=np.int64)

    def _popular_by_tag(self, tag: int) -> np.ndarray:
        """Positions in self.popular of the songs carrying `tag` (built once, on first use)."""
        index = self.__dict__.get("_tag_index")
        if index is None:
            cat = self.catalogue
            owners = np.repeat(np.arange(cat.size), np.diff(cat.tag_indptr))
            rank = np.full(cat.size, -1, dtype=np.int64)
            rank[self.popular] = np.arange(len(self.popular))
            ranked = rank[owners] >= 0
            tags, positions = cat.tag_ids[ranked], rank[owners][ranked]
            order = np.lexsort((positions, tags))
            tags, positions = tags[order], positions[order]
            bounds = np.searchsorted(tags, np.arange(int(tags.max()) + 2 if len(tags) else 1))
            index = (bounds, positions)
            self.__dict__["_tag_index"] = index
        bounds, positions = index
        if not 0 <= tag < len(bounds) - 1:
            return positions[:0]
        return positions[bounds[tag] : bounds[tag + 1]]

    def _popular_fallback(
        self, context: list[int], k: int, excluded: list[int], max_per_artist: int | None
    ) -> Ranked:
        """Popular songs, those sharing a specific tag with the context first."""
        tags = np.unique(np.concatenate([self.catalogue.tags_of(s) for s in context]))
        taken = np.asarray(context + excluded, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        first = empty
        if len(tags):
            sharing = np.unique(np.concatenate([self._popular_by_tag(int(t)) for t in tags]))
            # Back to popularity order: `sharing` holds positions in self.popular.
            first = self._popular_fill(taken, k, max_per_artist, empty, self.popular[sharing])
        rest = self._popular_fill(
            np.concatenate([taken, first]), k - len(first), max_per_artist, first
        )
        ids = np.concatenate([first, rest])[:k]
        top = float(self.statistics.plays[self.popular[0]]) if len(self.popular) else 1.0
        scores = self.statistics.plays[ids] / (top or 1.0)
        ids = ids.astype(np.int64)
        return Ranked(
            song_ids=ids,
            scores=scores.astype(np.float32),
            source=SOURCE_POPULAR,
            explanation=Explanation(
                where=self._reason_context(context),
                song_ids=ids,
                features=np.zeros((0, len(FEATURES)), dtype=np.float32),
                scored_rows=np.zeros(0, dtype=np.int64),
                scorer=None,
                tag_matched=np.arange(len(ids)) < len(first),
            ),
        )


def _as_ids(songs: Iterable[int]) -> np.ndarray:
    """Song ids as an int64 array (an int64 array is taken as it is)."""
    if isinstance(songs, np.ndarray) and songs.dtype == np.int64:
        return songs
    return np.fromiter((int(s) for s in songs), dtype=np.int64)
