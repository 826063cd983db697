"""Song embeddings learned by gensim Word2Vec: songs are tokens, playlists are sentences.

This is the only module that imports gensim. Everything else sees `Word2VecParams` (what to
train with) and `SongEmbeddings` (plain numpy arrays keyed by song id), so swapping the
learner touches one file.

Scoring (measured in docs/model_quality.md): a seed is looked up by its *input* vector,
L2-normalised, and candidates are scored by their raw *output* vectors (gensim's `syn1neg`).
Skip-gram with negative sampling trains exactly that product to be large for songs played
next to each other; the output vector's norm, kept on purpose, acts as a learned prior for
"likely to be played next", and this scoring beat both cosine(input, output) and the classic
cosine(input, input) in all skip-gram trials of the search but one (ns_exponent=-0.5).
An exact inner-product index over `candidate_vectors` (not renormalised) searched with
`query_vectors` therefore reproduces the evaluated ranking.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from gensim.models import Word2Vec


class Scoring(StrEnum):
    """Which Word2Vec vectors a seed and its candidates are compared with."""

    # cosine(input vector of the seed, output vector of the candidate).
    IN_OUT = "in_out"
    # cosine(input, input): the classic "most_similar" of gensim.
    IN_IN = "in_in"
    # input . raw output: the candidate's norm kept (a learned prior); the query is
    # normalised, which does not change a single seed's ranking. The shipped default.
    IN_OUT_DOT = "in_out_dot"


DEFAULT_SCORING = Scoring.IN_OUT_DOT


@dataclass(frozen=True)
class Word2VecParams:
    """Word2Vec hyperparameters (gensim's names); defaults from docs/word2vec_search.md."""

    vector_size: int = 64
    window: int = 1  # next-song: only direct neighbours; wider windows scored lower
    negative: int = 10
    ns_exponent: float = 0.5  # between uniform (0) and word2vec's 0.75: best in the search
    sample: float = 1e-3
    sg: bool = True  # skip-gram; CBOW scored lower
    # Half the epochs of the Word2Vec-only search (docs/word2vec_search.md): in the combined
    # model 10 epochs scored the same within noise for twice the training time
    # (docs/model_quality.md).
    epochs: int = 5
    min_count: int = 1  # every played song gets a vector
    alpha: float = 0.025
    seed: int = 1
    workers: int = 2

    def validate(self) -> None:
        """Raise ValueError naming the first hyperparameter that cannot train a model."""
        at_least_one = ("vector_size", "window", "negative", "epochs", "min_count", "workers")
        for name in at_least_one:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ValueError(f"{name} must be a whole number (got {value!r})")
            if value < 1:
                why = (
                    " (the candidate vectors are the negative-sampling output layer)"
                    if name == "negative"
                    else ""
                )
                raise ValueError(f"{name} must be at least 1{why} (got {value})")
        if self.seed < 0:
            raise ValueError(f"seed must be 0 or more (got {self.seed})")
        for name in ("ns_exponent", "sample", "alpha"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number (got {value!r})")
        if self.sample < 0:
            raise ValueError(f"sample must be 0 (no down-sampling) or more (got {self.sample})")
        if not self.alpha > 0:
            raise ValueError(f"alpha (the learning rate) must be above 0 (got {self.alpha})")
        if self.vector_size > 4096:
            raise ValueError(f"vector_size must be at most 4096 (got {self.vector_size})")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class TrainingCancelled(Exception):
    """Raised by an `on_epoch_end` callback to stop training; embeddings_train re-raises it."""


_FILES = ("song_ids", "query_vectors", "candidate_vectors")


@dataclass(frozen=True)
class SongEmbeddings:
    """Learned vectors keyed by song id: row i of both matrices belongs to song_ids[i]."""

    song_ids: np.ndarray  # int64 (n,)
    query_vectors: np.ndarray  # float32 (n, d), L2-normalised: how a seed is looked up
    # float32 (n, d): what candidates are scored by; unit rows except for scoring in_out_dot,
    # whose rows are raw output vectors (rank by inner product, never renormalise them).
    candidate_vectors: np.ndarray
    words_per_second: float = 0.0
    train_seconds: float = 0.0
    scoring: str = DEFAULT_SCORING.value
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dimensions(self) -> int:
        return int(self.query_vectors.shape[1])

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.song_ids, kind="stable")
        return self.song_ids[order], order

    def rows_of(self, song_ids: np.ndarray | Sequence[int]) -> np.ndarray:
        """Row of each song id in the matrices, -1 for songs without a vector."""
        wanted = np.asarray(song_ids, dtype=np.int64).reshape(-1)
        sorted_ids, order = self._sorted
        if len(sorted_ids) == 0:
            return np.full(wanted.shape, -1, dtype=np.int64)
        where = np.searchsorted(sorted_ids, wanted).clip(0, len(sorted_ids) - 1)
        found = sorted_ids[where] == wanted
        return np.where(found, order[where], -1).astype(np.int64)

    def query_for(self, seed_ids: np.ndarray | Sequence[int]) -> np.ndarray | None:
        """The query vector for one or more seed songs: normalised mean of their query vectors.

        Seeds without a vector are ignored; None when no seed has one.
        """
        rows = self.rows_of(seed_ids)
        rows = rows[rows >= 0]
        if len(rows) == 0:
            return None
        mean = self.query_vectors[rows].mean(axis=0)
        return _normalised(mean[None, :])[0]

    def save(self, folder: Path) -> None:
        """Write the arrays as .npy files and the numbers as embeddings.json into `folder`."""
        folder = Path(folder)
        for name in _FILES:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)
        meta = {
            "words_per_second": self.words_per_second,
            "train_seconds": self.train_seconds,
            "scoring": self.scoring,
            "extra": self.extra,
        }
        (folder / "embeddings.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SongEmbeddings:
        folder = Path(folder)
        # Mapped read-only: web workers share one copy of the vectors in the page cache.
        arrays = {
            name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))
            for name in _FILES
        }
        meta_path = folder / "embeddings.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(
            song_ids=arrays["song_ids"],
            query_vectors=arrays["query_vectors"],
            candidate_vectors=arrays["candidate_vectors"],
            words_per_second=float(meta.get("words_per_second", 0.0)),
            train_seconds=float(meta.get("train_seconds", 0.0)),
            scoring=str(meta.get("scoring", DEFAULT_SCORING.value)),
            extra=dict(meta.get("extra", {})),
        )


@dataclass(frozen=True)
class RawWord2Vec:
    """Unnormalised Word2Vec layers keyed by song id (for the benchmark's scoring comparison)."""

    song_ids: np.ndarray  # int64 (n,)
    input_vectors: np.ndarray  # float32 (n, d): gensim's wv.vectors
    output_vectors: np.ndarray  # float32 (n, d): gensim's syn1neg
    words_per_second: float
    train_seconds: float

    def embeddings(self, scoring: Scoring | str = DEFAULT_SCORING) -> SongEmbeddings:
        """Query and candidate matrices for one scoring method."""
        scoring = Scoring(scoring)
        query = _normalised(self.input_vectors)
        if scoring is Scoring.IN_OUT:
            candidates = _normalised(self.output_vectors)
        elif scoring is Scoring.IN_IN:
            candidates = query
        else:
            candidates = np.ascontiguousarray(self.output_vectors, dtype=np.float32)
        return SongEmbeddings(
            song_ids=self.song_ids,
            query_vectors=query,
            candidate_vectors=candidates,
            words_per_second=self.words_per_second,
            train_seconds=self.train_seconds,
            scoring=scoring.value,
        )


def embeddings_train(
    *,
    playlists: Iterable[np.ndarray] | Sequence[np.ndarray],
    params: Word2VecParams,
    on_epoch_end: Callable[[int, int], None] | None = None,
    scoring: Scoring | str = DEFAULT_SCORING,
) -> SongEmbeddings:
    """Train Word2Vec on playlists of song ids and return normalised song vectors.

    1. Validate `params` (ValueError with a readable message).
    2. Turn each playlist into a list of string tokens once (gensim's token type); an empty
       corpus raises ValueError.
    3. Train; after every epoch call `on_epoch_end(epochs_done, epochs_total)`. If it raises
       TrainingCancelled, training stops there and the exception propagates.
    4. Return normalised input vectors as queries and (by default, `in_out_dot`) raw output
       vectors as candidates, in gensim's vocabulary order, keyed by int64 song id.
    """
    return word2vec_train(playlists=playlists, params=params, on_epoch_end=on_epoch_end).embeddings(
        scoring
    )


def word2vec_train(
    *,
    playlists: Iterable[np.ndarray] | Sequence[np.ndarray],
    params: Word2VecParams,
    on_epoch_end: Callable[[int, int], None] | None = None,
) -> RawWord2Vec:
    """Train Word2Vec and return its raw input and output layers keyed by song id.

    Same steps as embeddings_train, without normalising; used by the hyperparameter search to
    compare scoring methods on one trained model.
    """
    params.validate()
    sentences = _sentences(playlists)
    words = sum(len(sentence) for sentence in sentences)
    if words == 0:
        raise ValueError(
            "the training corpus is empty: no playlist holds a song (ingest the data set first)"
        )
    # Imported here, not at the top: web processes import this module for SongEmbeddings and
    # Word2VecParams only, and gensim (with scipy) would cost each of them about 80 MB.
    from gensim.models import Word2Vec

    model = Word2Vec(
        vector_size=params.vector_size,
        window=params.window,
        negative=params.negative,
        ns_exponent=params.ns_exponent,
        sample=params.sample,
        sg=1 if params.sg else 0,
        hs=0,
        min_count=params.min_count,
        alpha=params.alpha,
        seed=params.seed,
        workers=params.workers,
    )
    model.build_vocab(sentences)
    if len(model.wv) == 0:
        raise ValueError(
            f"the training corpus is empty after min_count={params.min_count}: "
            "no song is played often enough to get a vector"
        )
    started = time.perf_counter()
    _, raw_words = model.train(
        sentences,
        total_examples=len(sentences),
        epochs=params.epochs,
        callbacks=[_epoch_reporter_class()(on_epoch_end, params.epochs)] if on_epoch_end else [],
    )
    seconds = time.perf_counter() - started
    song_ids = np.fromiter((int(key) for key in model.wv.index_to_key), dtype=np.int64)
    return RawWord2Vec(
        song_ids=song_ids,
        input_vectors=np.ascontiguousarray(model.wv.vectors, dtype=np.float32),
        output_vectors=np.ascontiguousarray(model.syn1neg, dtype=np.float32),
        words_per_second=raw_words / seconds if seconds > 0 else 0.0,
        train_seconds=seconds,
    )


@cache
def _epoch_reporter_class() -> type:
    # Built on first use so that importing this module does not import gensim.
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochReporter(CallbackAny2Vec):  # type: ignore[misc]
        def __init__(self, report: Callable[[int, int], None], epochs: int) -> None:
            self.report = report
            self.epochs = epochs
            self.done = 0

        def on_epoch_end(self, model: Word2Vec) -> None:
            # gensim calls this in the training thread after the epoch's workers have
            # finished, so an exception here (TrainingCancelled) leaves train() with no
            # thread running.
            self.done += 1
            self.report(self.done, self.epochs)

    return EpochReporter


def _sentences(playlists: Iterable[np.ndarray] | Sequence[np.ndarray]) -> list[list[str]]:
    # One shared str object per song id: 1.9M tokens then cost pointers, not 1.9M strings.
    arrays = [np.asarray(playlist, dtype=np.int64).reshape(-1) for playlist in playlists]
    arrays = [array for array in arrays if len(array)]
    if not arrays:
        return []
    tokens = {song_id: str(song_id) for song_id in np.unique(np.concatenate(arrays)).tolist()}
    return [[tokens[i] for i in array.tolist()] for array in arrays]


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # An all-zero row (never happens after training, but cheap to guard) stays zero.
    return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1.0), dtype=np.float32)
