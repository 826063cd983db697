"""The candidate stage compiled: every request's candidates and features in one numba call.

The first stage reads a few dozen short rows of the playlist statistics, merges them, and
fills one feature row per candidate. Written as numpy, that is hundreds of small array
operations, and each one's fixed cost (not its arithmetic) was most of a request's time
(docs/profile.md). Compiled, the same loops cost what their arithmetic costs.

This module owns what the compiled code depends on, so that editing any of it recompiles
(numba's on-disk cache is keyed on this file): the feature columns, how many candidates each
source gives, and the order of the questions. `features.py` is the typed entry point.

Ties are broken by the lower id everywhere a "best n" is taken (neighbour playlists, their
songs), so an answer never depends on a sorting algorithm's choice among equals.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# One column per signal, in this order. "last" is the newest song of the context.
FEATURES: tuple[str, ...] = (
    "embedding_next",  # input(last) . output(candidate): Word2Vec's "played next to"
    "embedding_context",  # mean input(context) . output(candidate)
    "sounds_like",  # cosine(input(last), input(candidate))
    "sounds_like_context",  # mean cosine(input(context song), input(candidate))
    "has_vector",  # the candidate has a Word2Vec vector at all
    "successor_share",  # share of last's successors that were this candidate
    "successor_log",  # log(1 + times it followed last)
    "multi_step_share",  # sum over gaps 2..5 of share(song g back -> candidate) / gap
    "second_order_share",  # share of (previous, last)'s successors
    "second_order_log",  # log(1 + times it followed the pair)
    "successor_any_share",  # mean over context songs of share(song -> candidate)
    "cooccurrence_share",  # mean over context songs of shared playlists / song's playlists
    "cooccurrence_log",  # log(1 + shared playlists with any context song)
    "cooccurrence_seeds",  # share of the context songs it shares a playlist with
    "cooccurrence_lift",  # mean shared playlists / sqrt(song's playlists x candidate's)
    "neighbour_playlists",  # weight of the training playlists most like the context holding it
    "popularity",  # log(1 + training plays): the prior the caller can turn down
    "same_artist_last",
    "same_artist_context",
    "same_tag_last",  # shares a specific Last.fm tag (ml/tags.py) with the newest song
    "same_tag_context",  # share of the context songs it shares a specific tag with
)
(
    _EMBEDDING_NEXT,
    _EMBEDDING_CONTEXT,
    _SOUNDS_LIKE,
    _SOUNDS_LIKE_CONTEXT,
    _HAS_VECTOR,
    _SUCCESSOR_SHARE,
    _SUCCESSOR_LOG,
    _MULTI_STEP_SHARE,
    _SECOND_ORDER_SHARE,
    _SECOND_ORDER_LOG,
    _SUCCESSOR_ANY_SHARE,
    _COOCCURRENCE_SHARE,
    _COOCCURRENCE_LOG,
    _COOCCURRENCE_SEEDS,
    _COOCCURRENCE_LIFT,
    _NEIGHBOUR_PLAYLISTS,
    _POPULARITY,
    _SAME_ARTIST_LAST,
    _SAME_ARTIST_CONTEXT,
    _SAME_TAG_LAST,
    _SAME_TAG_CONTEXT,
) = range(len(FEATURES))
# Two running sums besides the feature columns, from which cooccurrence_log and
# cooccurrence_lift are derived once every row has been added.
_COOCCURRENCE_ANY = len(FEATURES)
_LIFT = len(FEATURES) + 1
_SUMS = len(FEATURES) + 2

# The questions, as the compiled code numbers them (features.Question maps onto these).
QUESTION_NEXT = 0
QUESTION_NEXT_ONE = 1
QUESTION_CONTINUATION = 2
QUESTION_SIMILAR = 3

# How many candidates each source contributes (the first entries of each row, best first).
SUCCESSORS_TAKEN = 50
OTHER_GAPS_TAKEN = 15
SECOND_ORDER_TAKEN = 50
COOCCURRENCE_TAKEN = 50
COOCCURRENCE_TAKEN_PER_SEED = 25
OTHER_SEED_SUCCESSORS_TAKEN = 15
NEAREST_TAKEN = 50
NEIGHBOUR_PLAYLISTS = 30
NEIGHBOUR_TAKEN = 50
POPULAR_TAKEN = 20
CONTEXT_LIMIT = 5  # the newest songs of a longer history that shape the candidates


@njit(cache=True, nogil=True)
def _append_prefix(
    buffer: np.ndarray, used: int, targets: np.ndarray, start: int, end: int, limit: int
) -> int:
    stop = min(end, start + limit)
    for j in range(start, stop):
        buffer[used] = targets[j]
        used += 1
    return used


@njit(cache=True, nogil=True)
def _pair_row(pair_keys: np.ndarray, previous: int, song: int, size: int) -> int:
    key = np.int64(previous) * size + song
    where = np.searchsorted(pair_keys, key)
    if where < len(pair_keys) and pair_keys[where] == key:
        return int(where)
    return -1


@njit(cache=True, nogil=True)
def _worse(key: float, song: int, other_key: float, other_song: int) -> bool:
    """Does (key, song) rank below (other_key, other_song)? Larger keys first, ties by id."""
    return key < other_key or (key == other_key and song > other_song)


@njit(cache=True, nogil=True)
def _best_first(keys: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Positions (ascending) of the `limit` largest keys, ties by the lower id.

    One pass with a heap of the `limit` best so far, its worst on top: most entries are
    turned away by one comparison with that worst one.
    """
    n = len(keys)
    if n <= limit:
        return np.arange(n)
    heap = np.empty(limit, dtype=np.int64)  # positions into keys/ids
    for i in range(limit):
        heap[i] = i
        _sift_up(heap, i, keys, ids)
    for i in range(limit, n):
        top = heap[0]
        if _worse(keys[top], ids[top], keys[i], ids[i]):
            heap[0] = i
            _sift_down(heap, limit, keys, ids)
    return np.sort(heap)


@njit(cache=True, nogil=True)
def _sift_up(heap: np.ndarray, at: int, keys: np.ndarray, ids: np.ndarray) -> None:
    while at > 0:
        parent = (at - 1) // 2
        a, b = heap[at], heap[parent]
        if not _worse(keys[a], ids[a], keys[b], ids[b]):
            return
        heap[at], heap[parent] = b, a
        at = parent


@njit(cache=True, nogil=True)
def _sift_down(heap: np.ndarray, size: int, keys: np.ndarray, ids: np.ndarray) -> None:
    at = 0
    while True:
        worst = at
        for child in (2 * at + 1, 2 * at + 2):
            if child < size:
                c, w = heap[child], heap[worst]
                if _worse(keys[c], ids[c], keys[w], ids[w]):
                    worst = child
        if worst == at:
            return
        heap[at], heap[worst] = heap[worst], heap[at]
        at = worst


@njit(cache=True, nogil=True)
def neighbour_playlist_scores(
    songs: np.ndarray,
    song_playlists_indptr: np.ndarray,
    song_playlists: np.ndarray,
    playlist_songs_indptr: np.ndarray,
    playlist_songs: np.ndarray,
    limit: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Songs of the `limit` training playlists that share most with `songs`, with scores.

    A playlist's weight is the sum over the songs it shares of log(playlists / playlists
    holding that song): sharing a rare song says more than sharing a hit. A song's score is
    the weight of the chosen playlists holding it over the weight of all chosen playlists.
    `songs` are distinct and inside the catalogue. Returns (ids, scores), ids in no order.
    """
    playlists = len(playlist_songs_indptr) - 1
    size = len(song_playlists_indptr) - 1
    weights = np.zeros(playlists)
    seen = np.zeros(playlists, dtype=np.bool_)
    members = 0
    for s in songs:
        members += song_playlists_indptr[s + 1] - song_playlists_indptr[s]
    touched = np.empty(members, dtype=np.int64)
    n_touched = 0
    for s in songs:
        start, end = song_playlists_indptr[s], song_playlists_indptr[s + 1]
        idf = math.log((playlists + 1.0) / (end - start + 1.0))
        for j in range(start, end):
            p = song_playlists[j]
            weights[p] += idf
            if not seen[p]:
                seen[p] = True
                touched[n_touched] = p
                n_touched += 1
    # Playlists with a positive weight (a song in every playlist weighs nothing); the chosen
    # ones are then taken in ascending number, so that every sum below has one order.
    kept = np.empty(n_touched, dtype=np.int64)
    n_kept = 0
    for p in touched[:n_touched]:
        if weights[p] != 0.0:
            kept[n_kept] = p
            n_kept += 1
    kept = kept[:n_kept]
    if n_kept == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    top = np.sort(kept[_best_first(weights[kept], kept, limit)])
    total_weight = 0.0
    total_songs = 0
    for p in top:
        total_weight += weights[p]
        total_songs += playlist_songs_indptr[p + 1] - playlist_songs_indptr[p]
    # A sparse set over song ids: slot[s] is trusted only when ids[slot[s]] == s.
    slot = np.empty(size, dtype=np.int32)
    ids = np.empty(total_songs, dtype=np.int64)
    sums = np.zeros(total_songs)
    n_ids = 0
    for p in top:
        w = weights[p]
        for j in range(playlist_songs_indptr[p], playlist_songs_indptr[p + 1]):
            s = playlist_songs[j]
            at = slot[s]
            if not (0 <= at < n_ids and ids[at] == s):
                at = n_ids
                slot[s] = at
                ids[at] = s
                n_ids += 1
            sums[at] += w
    return ids[:n_ids], (sums[:n_ids] / total_weight).astype(np.float32)


@njit(cache=True, nogil=True)
def _is_banned(banned: np.ndarray, song: int) -> bool:
    where = np.searchsorted(banned, song)
    return bool(where < len(banned) and banned[where] == song)


@njit(cache=True, nogil=True)
def _add_row(
    sums: np.ndarray,
    slot: np.ndarray,
    ids: np.ndarray,
    targets: np.ndarray,
    counts: np.ndarray,
    start: int,
    end: int,
    column: int,
    scale: float,
    log_column: int,
) -> None:
    """sums[candidate, column] += count * scale for each entry of the row that is a
    candidate, and log(1 + count) into `log_column` when it is not -1."""
    n = len(ids)
    for j in range(start, end):
        at = slot[targets[j]]
        if 0 <= at < n and ids[at] == targets[j]:
            count = float(counts[j])
            sums[at, column] += count * scale
            if log_column >= 0:
                sums[at, log_column] += math.log1p(count)


@njit(cache=True, nogil=True)
def candidates_compute(
    recent: np.ndarray,
    question: int,
    nearest: np.ndarray,
    popular_head: np.ndarray,
    banned: np.ndarray,
    successor_indptr: tuple[np.ndarray, ...],
    successor_targets: tuple[np.ndarray, ...],
    successor_counts: tuple[np.ndarray, ...],
    successor_totals: tuple[np.ndarray, ...],
    pair_keys: np.ndarray,
    second_indptr: np.ndarray,
    second_targets: np.ndarray,
    second_counts: np.ndarray,
    second_totals: np.ndarray,
    cooccurrence_indptr: np.ndarray,
    cooccurrence_targets: np.ndarray,
    cooccurrence_counts: np.ndarray,
    playlist_counts: np.ndarray,
    plays: np.ndarray,
    song_playlists_indptr: np.ndarray,
    song_playlists: np.ndarray,
    playlist_songs_indptr: np.ndarray,
    playlist_songs: np.ndarray,
    recommendable: np.ndarray,
    artist_ids: np.ndarray,
    tag_indptr: np.ndarray,
    tag_ids: np.ndarray,
    tag_limit: int,
    vector_rows: np.ndarray,
    query: np.ndarray,
    output: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate ids ascending, float32 features) for `recent` (oldest first, at most
    CONTEXT_LIMIT songs, each inside the catalogue); the arguments are described in
    features.candidates_build; `tag_limit` is one more than the largest tag id."""
    size = len(plays)
    n_recent = len(recent)
    last = recent[n_recent - 1]
    gaps = len(successor_indptr)
    is_next = question in (QUESTION_NEXT, QUESTION_NEXT_ONE)
    gap_songs = min(gaps, n_recent) if is_next else 1
    pair = _pair_row(pair_keys, recent[n_recent - 2], last, size) if n_recent >= 2 else -1
    per_seed = COOCCURRENCE_TAKEN if n_recent == 1 else COOCCURRENCE_TAKEN_PER_SEED

    distinct = np.unique(recent)
    neighbour_ids = np.zeros(0, dtype=np.int64)
    neighbour_scores = np.zeros(0, dtype=np.float32)
    neighbour_best = np.zeros(0, dtype=np.int64)
    if len(distinct) > 1:
        neighbour_ids, neighbour_scores = neighbour_playlist_scores(
            distinct,
            song_playlists_indptr,
            song_playlists,
            playlist_songs_indptr,
            playlist_songs,
            NEIGHBOUR_PLAYLISTS,
        )
        neighbour_best = neighbour_ids[
            _best_first(neighbour_scores, neighbour_ids, NEIGHBOUR_TAKEN)
        ]

    # Every source's first entries, then the distinct allowed ones, ascending.
    capacity = (
        SUCCESSORS_TAKEN
        + OTHER_GAPS_TAKEN * gaps
        + SECOND_ORDER_TAKEN
        + (per_seed + OTHER_SEED_SUCCESSORS_TAKEN) * n_recent
        + len(neighbour_best)
        + len(nearest)
        + len(popular_head)
    )
    buffer = np.empty(capacity, dtype=np.int64)
    used = 0
    first = successor_indptr[0]
    used = _append_prefix(
        buffer, used, successor_targets[0], first[last], first[last + 1], SUCCESSORS_TAKEN
    )
    for gap in range(2, gap_songs + 1):
        song = recent[n_recent - gap]
        indptr = successor_indptr[gap - 1]
        used = _append_prefix(
            buffer,
            used,
            successor_targets[gap - 1],
            indptr[song],
            indptr[song + 1],
            OTHER_GAPS_TAKEN,
        )
    if pair >= 0:
        used = _append_prefix(
            buffer,
            used,
            second_targets,
            second_indptr[pair],
            second_indptr[pair + 1],
            SECOND_ORDER_TAKEN,
        )
    for song in recent:
        used = _append_prefix(
            buffer,
            used,
            cooccurrence_targets,
            cooccurrence_indptr[song],
            cooccurrence_indptr[song + 1],
            per_seed,
        )
    for i in range(n_recent - 1):
        song = recent[i]
        used = _append_prefix(
            buffer,
            used,
            successor_targets[0],
            first[song],
            first[song + 1],
            OTHER_SEED_SUCCESSORS_TAKEN,
        )
    for song in neighbour_best:
        buffer[used] = song
        used += 1
    for song in nearest:
        buffer[used] = song
        used += 1
    for song in popular_head:
        buffer[used] = song
        used += 1
    merged = np.unique(buffer[:used])
    ids = np.empty(len(merged), dtype=np.int64)
    n = 0
    for song in merged:
        if 0 <= song < size and recommendable[song] and not _is_banned(banned, song):
            ids[n] = song
            n += 1
    ids = ids[:n]
    features = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return ids, features
    slot = np.empty(size, dtype=np.int32)
    for i in range(n):
        slot[ids[i]] = i

    # The statistics, summed per candidate in float64.
    sums = np.zeros((n, _SUMS))
    total = float(successor_totals[0][last])
    if total > 0:
        _add_row(
            sums,
            slot,
            ids,
            successor_targets[0],
            successor_counts[0],
            first[last],
            first[last + 1],
            _SUCCESSOR_SHARE,
            1.0 / total,
            _SUCCESSOR_LOG,
        )
    for gap in range(2, gap_songs + 1):
        song = recent[n_recent - gap]
        gap_total = float(successor_totals[gap - 1][song])
        if gap_total > 0:
            indptr = successor_indptr[gap - 1]
            _add_row(
                sums,
                slot,
                ids,
                successor_targets[gap - 1],
                successor_counts[gap - 1],
                indptr[song],
                indptr[song + 1],
                _MULTI_STEP_SHARE,
                1.0 / gap_total / gap,
                -1,
            )
    if pair >= 0 and second_totals[pair] > 0:
        _add_row(
            sums,
            slot,
            ids,
            second_targets,
            second_counts,
            second_indptr[pair],
            second_indptr[pair + 1],
            _SECOND_ORDER_SHARE,
            1.0 / float(second_totals[pair]),
            _SECOND_ORDER_LOG,
        )
    share = 1.0 / n_recent
    for song in recent:
        song_total = float(successor_totals[0][song])
        if song_total > 0:
            _add_row(
                sums,
                slot,
                ids,
                successor_targets[0],
                successor_counts[0],
                first[song],
                first[song + 1],
                _SUCCESSOR_ANY_SHARE,
                share / song_total,
                -1,
            )
    for song in recent:
        in_playlists = float(playlist_counts[song])
        start, end = cooccurrence_indptr[song], cooccurrence_indptr[song + 1]
        if in_playlists > 0:
            _add_row(
                sums,
                slot,
                ids,
                cooccurrence_targets,
                cooccurrence_counts,
                start,
                end,
                _COOCCURRENCE_SHARE,
                share / in_playlists,
                -1,
            )
        lift = share / math.sqrt(max(in_playlists, 1.0))
        for j in range(start, end):
            at = slot[cooccurrence_targets[j]]
            if 0 <= at < n and ids[at] == cooccurrence_targets[j]:
                count = float(cooccurrence_counts[j])
                sums[at, _COOCCURRENCE_SEEDS] += share
                sums[at, _LIFT] += count * lift
                sums[at, _COOCCURRENCE_ANY] += count
    for j in range(len(neighbour_ids)):
        at = slot[neighbour_ids[j]]
        if 0 <= at < n and ids[at] == neighbour_ids[j]:
            sums[at, _NEIGHBOUR_PLAYLISTS] += neighbour_scores[j]

    # Facts about the candidates themselves and about the context.
    last_artist = artist_ids[last]
    last_row = vector_rows[last]
    mean_input, context_query = context_queries(recent, vector_rows, query)
    # Each context song's tags as one bit per position in `recent` (at most CONTEXT_LIMIT).
    tag_bits = np.zeros(tag_limit, dtype=np.int64)
    for position in range(n_recent):
        song = recent[position]
        for j in range(tag_indptr[song], tag_indptr[song + 1]):
            tag_bits[tag_ids[j]] |= np.int64(1) << position
    last_bit = np.int64(1) << (n_recent - 1)

    for i in range(n):
        song = ids[i]
        out = features[i]
        for column in range(_SUMS - 2):
            out[column] = sums[i, column]
        out[_COOCCURRENCE_LOG] = math.log1p(sums[i, _COOCCURRENCE_ANY])
        out[_COOCCURRENCE_LIFT] = sums[i, _LIFT] / math.sqrt(max(float(playlist_counts[song]), 1.0))
        out[_POPULARITY] = math.log1p(float(plays[song]))
        artist = artist_ids[song]
        if last_artist >= 0 and artist == last_artist:
            out[_SAME_ARTIST_LAST] = 1.0
        if artist >= 0:
            for context_song in recent:
                if artist_ids[context_song] == artist:
                    out[_SAME_ARTIST_CONTEXT] = 1.0
                    break
        bits = np.int64(0)
        for j in range(tag_indptr[song], tag_indptr[song + 1]):
            bits |= tag_bits[tag_ids[j]]
        if bits & last_bit:
            out[_SAME_TAG_LAST] = 1.0
        sharing = 0
        for position in range(n_recent):
            if (bits >> position) & 1:
                sharing += 1
        out[_SAME_TAG_CONTEXT] = np.float32(sharing) / np.float32(n_recent)
        row = vector_rows[song]
        if row >= 0:
            out[_HAS_VECTOR] = 1.0
            if last_row >= 0:
                out[_EMBEDDING_NEXT] = _dot(output, row, query, last_row)
                out[_SOUNDS_LIKE] = _dot(query, row, query, last_row)
            if len(context_query):
                out[_EMBEDDING_CONTEXT] = _dot_vector(output, row, context_query)
                out[_SOUNDS_LIKE_CONTEXT] = _dot_vector(query, row, mean_input)
    return ids, features


@njit(cache=True, nogil=True)
def context_queries(
    recent: np.ndarray, vector_rows: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(mean input vector of the context songs with one, that mean at unit length); both
    empty when no context song has a vector. One song's own vector is its unit mean; when
    opposite seeds cancel out, the first one's direction is as good as another."""
    dims = query.shape[1]
    mean = np.zeros(dims, dtype=np.float32)
    first = -1
    with_vectors = 0
    for song in recent:
        row = vector_rows[song]
        if row >= 0:
            if first < 0:
                first = row
            with_vectors += 1
            for d in range(dims):
                mean[d] += query[row, d]
    if with_vectors == 0:
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)
    mean /= np.float32(with_vectors)
    if with_vectors == 1:
        return mean, query[first].copy()
    norm = np.float32(math.sqrt(float(np.sum(mean * mean))))
    if norm > 1e-6:
        return mean, mean / norm
    return mean, query[first].copy()


# fastmath lets the compiler reorder these sums into vector instructions; the products then
# differ from numpy's in the last bits only (the oracle test's tolerance).
@njit(cache=True, nogil=True, fastmath=True)
def _dot_vector(left: np.ndarray, left_row: int, right: np.ndarray) -> np.float32:
    total = np.float32(0.0)
    for d in range(left.shape[1]):
        total += left[left_row, d] * right[d]
    return total


@njit(cache=True, nogil=True, fastmath=True)
def _dot(left: np.ndarray, left_row: int, right: np.ndarray, right_row: int) -> np.float32:
    total = np.float32(0.0)
    for d in range(left.shape[1]):
        total += left[left_row, d] * right[right_row, d]
    return total


@njit(cache=True, nogil=True)
def table_strength(
    recent: np.ndarray,
    songs: np.ndarray,
    indptrs: tuple[np.ndarray, ...],
    targets: tuple[np.ndarray, ...],
    counts: tuple[np.ndarray, ...],
    totals: tuple[np.ndarray, ...],
) -> np.ndarray:
    """(len(recent), len(songs)): the largest share of a context song's row that is the song,
    over the tables given (table g, counted from 1, divides its shares by g: a successor two
    steps later says less than one right after)."""
    out = np.zeros((len(recent), len(songs)))
    order = np.argsort(songs)
    wanted = songs[order]
    for r in range(len(recent)):
        song = recent[r]
        for g in range(len(indptrs)):
            total = float(totals[g][song])
            if total <= 0:
                continue
            indptr, row_targets, row_counts = indptrs[g], targets[g], counts[g]
            for j in range(indptr[song], indptr[song + 1]):
                at = np.searchsorted(wanted, row_targets[j])
                while at < len(wanted) and wanted[at] == row_targets[j]:
                    share = float(row_counts[j]) / total / (g + 1)
                    position = order[at]
                    if share > out[r, position]:
                        out[r, position] = share
                    at += 1
    return out
