"""Scale benchmark: synthetic yes_* catalogues of 75k to 3M songs through the real pipeline.

    .venv/bin/python bench/scale.py [--sizes 75000,300000,1000000,3000000] [--duration 10]
                                    [--force] [--note "what else ran"] [--keep]
    .venv/bin/python bench/scale.py --plot-only     # docs/scale.png again from the JSON
    .venv/bin/python bench/scale.py --table         # the markdown table of the JSON

Per size (songs in the catalogue), in a Python process of its own with a scratch
RECOMMENDER_VAR_DIR (/tmp/scale-<songs>/, SQLite) and Redis at REDIS_URL (default DB 14) on a
queue of its own:

1. generate, or reuse, /tmp/scale-data/songs-<songs>/, a yes_* folder (catalogue_generate);
2. ingest: `manage.py ingest_playlists --source DIR`, wall seconds and the peak RSS of its
   process tree (psutil, sampled every 0.2 s);
3. train: a real `celery -A config worker --concurrency=1` (bench/train_pipeline.py starts it)
   and `manage.py train_model --wait --activate always`; the run's own phase timings and
   words/s from its ModelVersion, the worker's peak RSS;
4. bare gensim on the same corpus, in the same run right after (bench/train_pipeline.py's
   reference, with the version's hyperparameters): words/s, and the pipeline's over it;
5. the version folder's size on disk, and the recall@10 of its indexes (metrics["index"]);
6. serving as bin/up starts it (gunicorn -c config/gunicorn.py, 2 sync workers, rate limit
   off): seconds until every worker is ready, USS/PSS after warm-up (bench/worker_memory.py),
   then wrk p50/p99 and req/s at 1 and 16 clients for one-seed similar and next with a 5-song
   history (bench/serve_benchmark.py's driver, --duration seconds a case).

The results go to bench/results/scale.json after each size, with the load average before and
after and the busiest other processes (the machine may be shared: --note says by whom).
Sizes already there are skipped unless --force. A size that fails is recorded with its stage
and error, and the larger sizes are not tried; nor is one whose peak memory, extrapolated
from the two largest sizes measured, would not fit in 85% of the machine's memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import math
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "scale.json"
PLOT = ROOT / "docs" / "scale.png"
DATA_ROOT = Path("/tmp/scale-data")
SIZES = (75_000, 300_000, 1_000_000, 3_000_000)
REDIS_URL = "redis://127.0.0.1:6379/14"
MB = 2**20
# Fit-to-memory guard: a size whose extrapolated peak exceeds this share of RAM is not tried.
MEMORY_SHARE = 0.85

# --- The shape of yes_complete, measured once from its train.txt, song_hash.txt and tags.txt
# (the data itself is never read by this script).
SEED = 2012
GENERATOR_VERSION = 1
ENTRIES_PER_SONG = 25.0  # yes_complete: 1,887,938 entries / 75,262 songs = 25.1
# Songs per non-empty playlist line: the quantiles (levels -> values) of the 11,093 lines;
# sampling interpolates between them (mean 170, longest 448).
LENGTH_LEVELS: tuple[float, ...] = (0, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35)
LENGTH_LEVELS += (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)
LENGTH_LEVELS += (0.999, 1)
LENGTH_VALUES: tuple[float, ...] = (1, 8, 11, 22, 37, 49, 61, 74, 91, 113, 135, 161, 190)
LENGTH_VALUES += (208, 223, 234, 244, 254, 264, 273, 284, 302, 326, 363, 420, 448)
EMPTY_LINE_SHARE = 44 / 11_137
# Plays per song: every song is played at least once (as in yes_complete, where 31% are
# played exactly once); the other plays follow Zipf-Mandelbrot, weight (rank + q)^-s, fitted
# to yes_complete's sorted counts on log-spaced ranks (s = 1.55, q = 500 of 75,262 songs).
# q grows with the catalogue, so every size has yes_complete's curve stretched over it.
ZIPF_EXPONENT = 1.55
ZIPF_OFFSET_PER_SONG = 500 / 75_262
# Songs per artist (the "-" placeholder artist left out): quantiles, mean 4.6.
ARTIST_LEVELS = (0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1)
ARTIST_SONGS = (1, 1, 2, 5, 11, 17, 38, 83, 201)
# Tags: 250 names; 42% of the songs untagged; tags per tagged song (quantiles, mean 13);
# a tag's use falls with its rank as rank^-0.73.
TAG_NAMES = 250
UNTAGGED_SHARE = 0.42
TAG_COUNT_LEVELS = (0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1)
TAG_COUNT_VALUES = (1, 1, 3, 9, 21, 31, 55, 77)
TAG_EXPONENT = 0.73
# Title words (quantiles: 1 at 10%, 3 at the median, 6 at 90%).
TITLE_LEVELS = (0, 0.1, 0.5, 0.9, 1)
TITLE_WORDS = (1, 1, 3, 6, 10)
FEATURING_SHARE = 0.05  # "Title (w\/ Other Artist)", the escaped slash of the real file
AMPERSAND_SHARE = 0.02  # "A &#x26; B"
# Stations play mostly one genre: a genre per artist, a genre per playlist, and this share of
# a playlist's songs drawn from its genre (the rest from the whole catalogue), so that songs
# co-occur as in radio logs and the vectors cluster (which an approximate index depends on).
SONGS_PER_GENRE = 2_500
GENRE_LOYALTY = 0.85
GENRE_TAGS = 3


def _from_quantiles(
    rng: np.random.Generator,
    levels: Sequence[float],
    values: Sequence[float] | np.ndarray,
    size: int,
) -> np.ndarray:
    """Draws from the distribution whose quantiles are given (linear in between)."""
    return np.maximum(1, np.rint(np.interp(rng.random(size), levels, values))).astype(np.int64)


def _vocabulary() -> list[str]:
    """1,000 made-up words (the same ones every run)."""
    rng = np.random.default_rng(0)
    onsets = [*"bcdfghjklmnprstvwz", "ch", "sh", "th", "br", "st", "gr", "fl"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ou", "ee"]
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < 1_000:
        word = "".join(
            onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))]
            for _ in range(int(rng.integers(1, 4)))
        )
        if word not in seen:
            seen.add(word)
            words.append(word.capitalize())
    return words


def _artist_name(index: int, words: list[str]) -> str:
    """A distinct name per artist index: two words, three past a million artists."""
    size = len(words)
    parts = [words[index % size], words[(index // size) % size]]
    if index >= size * size:
        parts.append(words[index // (size * size)])
    return " ".join(parts)


def catalogue_generate(
    folder: Path, *, songs: int, seed: int = SEED, entries_per_song: float = ENTRIES_PER_SONG
) -> dict[str, Any]:
    """Write a yes_*-style folder of `songs` songs; return what it holds. Deterministic.

    1. Artists with songs-per-artist like yes_complete's; each artist has a genre.
    2. Popularity: a random rank per song, weight (rank + q)^-s.
    3. Playlists with yes_complete's lengths (shortened by 1/entries_per_song, the share of
       the one play every song gets), each of a genre chosen by the genre's total weight;
       their slots are drawn by weight from the genre (GENRE_LOYALTY) or the catalogue.
    4. Every song gets one more play in a random playlist of its genre; each playlist's
       songs are shuffled.
    5. tags.txt, tag_hash.txt, song_hash.txt and train.txt (hashes, play counts, playlists,
       a few empty lines) in the formats playlists/parsing.py reads.
    """
    started = time.perf_counter()
    rng = np.random.default_rng([seed, songs])
    words = _vocabulary()
    folder.mkdir(parents=True, exist_ok=True)

    sizes = _from_quantiles(rng, ARTIST_LEVELS, ARTIST_SONGS, songs)
    ends = np.cumsum(sizes)
    artists = int(np.searchsorted(ends, songs)) + 1
    sizes = sizes[:artists]
    sizes[-1] -= int(ends[artists - 1]) - songs
    artist_of = rng.permutation(np.repeat(np.arange(artists), sizes))
    genres = max(4, round(songs / SONGS_PER_GENRE))
    genre_share = (np.arange(genres) + 1.0) ** -0.7
    genre_of = rng.choice(genres, size=artists, p=genre_share / genre_share.sum())[artist_of]

    rank = rng.permutation(songs)
    weight = (rank + 1 + ZIPF_OFFSET_PER_SONG * songs) ** -ZIPF_EXPONENT
    by_genre = np.argsort(genre_of, kind="stable")
    cumulative = np.cumsum(weight[by_genre])
    first = np.searchsorted(genre_of[by_genre], np.arange(genres))
    last = np.searchsorted(genre_of[by_genre], np.arange(genres), side="right")
    low = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0.0)
    high = np.where(last > 0, cumulative[np.maximum(last - 1, 0)], 0.0)

    entries = round(entries_per_song * songs)
    drawn = entries - songs
    shorter = 1 - 1 / entries_per_song
    count = int(drawn / (np.mean(LENGTH_VALUES) * shorter) * 1.2) + 16
    lengths = _from_quantiles(rng, LENGTH_LEVELS, np.multiply(LENGTH_VALUES, shorter), count)
    lengths = lengths[: int(np.searchsorted(np.cumsum(lengths), drawn)) + 1]
    lengths[-1] -= int(lengths.sum()) - drawn
    playlists = len(lengths)
    genre_mass = high - low
    playlist_genre = rng.choice(genres, size=playlists, p=genre_mass / genre_mass.sum())

    slot_playlist = np.repeat(np.arange(playlists, dtype=np.int64), lengths)
    slot_genre = playlist_genre[slot_playlist]
    loyal = rng.random(drawn) < GENRE_LOYALTY
    u = rng.random(drawn)
    target = np.where(
        loyal, low[slot_genre] + u * (high - low)[slot_genre], u * float(cumulative[-1])
    )
    del slot_genre, loyal, u
    picked = by_genre[np.searchsorted(cumulative, target, side="right").clip(0, songs - 1)]
    del target

    genre_order = np.argsort(playlist_genre, kind="stable")
    genre_first = np.searchsorted(playlist_genre[genre_order], np.arange(genres))
    genre_count = np.bincount(playlist_genre, minlength=genres)
    own = genre_count[genre_of]
    position = genre_first[genre_of] + (rng.random(songs) * np.maximum(own, 1)).astype(np.int64)
    anywhere = rng.integers(0, playlists, size=songs)
    home = np.where(own > 0, genre_order[position.clip(0, playlists - 1)], anywhere)

    playlist_of = np.concatenate([slot_playlist, home])
    song_of = np.concatenate([picked, np.arange(songs, dtype=np.int64)])
    del slot_playlist, picked
    order = np.argsort(playlist_of + rng.random(len(playlist_of)), kind="stable")
    tokens = song_of[order]
    del order, song_of
    bounds = np.cumsum(np.bincount(playlist_of, minlength=playlists))[:-1]
    del playlist_of
    plays = np.bincount(tokens, minlength=songs)
    empty_lines = set(rng.choice(playlists, size=round(playlists * EMPTY_LINE_SHARE)).tolist())

    with (folder / "train.txt").open("w", encoding="utf-8") as out:
        hashes = 10_000_000 + np.arange(songs, dtype=np.int64) * 7 + rng.integers(0, 7, songs)
        out.write(" ".join(map(str, hashes.tolist())) + "\n")
        out.write(" ".join(map(str, plays.tolist())) + "\n")
        lines: list[str] = []
        for number, playlist in enumerate(np.split(tokens, bounds)):
            if number in empty_lines:
                lines.append("")
            lines.append(" ".join(map(str, playlist.tolist())))
            if len(lines) >= 10_000:
                out.write("\n".join(lines) + "\n")
                lines = []
        if lines:
            out.write("\n".join(lines) + "\n")
    del tokens

    title_words = _from_quantiles(rng, TITLE_LEVELS, TITLE_WORDS, songs)
    word_ids = rng.integers(0, len(words), size=(songs, max(TITLE_WORDS))).tolist()
    style = rng.random(songs)
    guest = rng.integers(0, artists, size=songs).tolist()
    with (folder / "song_hash.txt").open("w", encoding="utf-8") as out:
        rows = []
        for song in range(songs):
            title_ids = word_ids[song][: title_words[song]]
            title = " ".join(words[word] for word in title_ids)
            if style[song] < AMPERSAND_SHARE and len(title_ids) > 1:
                title = title.replace(" ", " &#x26; ", 1)
            elif style[song] > 1 - FEATURING_SHARE:
                title += f" (w\\/ {_artist_name(guest[song], words)})"
            rows.append(f"{song} \t{title}\t{_artist_name(int(artist_of[song]), words)}\n")
        out.write("".join(rows))
    del rows, word_ids

    tag_weight = (np.arange(TAG_NAMES) + 1.0) ** -TAG_EXPONENT
    tag_log = np.log(tag_weight / tag_weight.sum())
    genre_tags = np.stack(
        [
            rng.choice(TAG_NAMES, size=GENRE_TAGS, replace=False, p=np.exp(tag_log))
            for _ in range(genres)
        ]
    )
    tagged = rng.random(songs) >= UNTAGGED_SHARE
    tag_count = _from_quantiles(rng, TAG_COUNT_LEVELS, TAG_COUNT_VALUES, songs)
    with (folder / "tags.txt").open("w", encoding="utf-8") as out:
        for start in range(0, songs, 20_000):
            stop = min(start + 20_000, songs)
            # Gumbel top-k: k tags without replacement, by weight; the genre's own come first.
            keys = tag_log + rng.gumbel(size=(stop - start, TAG_NAMES))
            np.put_along_axis(keys, genre_tags[genre_of[start:stop]], 1e3, axis=1)
            ranked = np.argsort(-keys, axis=1)[:, : max(TAG_COUNT_VALUES)].tolist()
            out.write(
                "".join(
                    " ".join(map(str, ranked[row][: tag_count[song]])) + "\n"
                    if tagged[song]
                    else "#\n"
                    for row, song in enumerate(range(start, stop))
                )
            )
    with (folder / "tag_hash.txt").open("w", encoding="utf-8") as out:
        out.write("".join(f"{tag}, {words[tag].lower()}\n" for tag in range(TAG_NAMES)))

    top = np.sort(plays)[::-1]
    summary = {
        "songs": songs,
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "entries_per_song": entries_per_song,
        "entries": int(plays.sum()),
        "playlists": playlists,
        "empty_lines": len(empty_lines),
        "artists": artists,
        "genres": genres,
        "tagged_share": round(float(tagged.mean()), 3),
        "top_1_percent_share_of_plays": round(
            float(top[: max(1, songs // 100)].sum() / top.sum()), 3
        ),
        "played_once_share": round(float((plays == 1).mean()), 3),
        "megabytes": round(sum(path.stat().st_size for path in folder.iterdir()) / MB, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
    (folder / "scale-meta.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def catalogue_ensure(songs: int, *, root: Path = DATA_ROOT) -> tuple[Path, dict[str, Any]]:
    """The folder of `songs` songs, generated unless a complete one of this generator exists."""
    folder = root / f"songs-{songs}"
    meta = folder / "scale-meta.json"
    if meta.is_file():
        summary = json.loads(meta.read_text())
        if (summary["seed"], summary["generator"]) == (SEED, GENERATOR_VERSION):
            return folder, summary
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {songs:,} songs into {folder}", flush=True)
    return folder, catalogue_generate(folder, songs=songs)


# --- Measuring processes


class PeakMemory:
    """The largest RSS summed over a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self.peak_at = 0.0  # time.time() of the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.pid)
                total = root.memory_info().rss
                for child in root.children(recursive=True):
                    with suppress(psutil.Error):
                        total += child.memory_info().rss
            except psutil.Error:
                return
            if total / MB > self.peak_mb:
                self.peak_mb, self.peak_at = total / MB, time.time()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Run a command to its end: wall seconds and peak RSS of its tree; its output to `log`."""
    started = time.perf_counter()
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        with PeakMemory(process.pid) as memory:
            returncode = process.wait()
    if returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command[1:3])} exited {returncode}:\n{tail}")
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(memory.peak_mb, 1),
    }


def busiest_others(exclude: int) -> list[dict[str, Any]]:
    """The five busiest processes over one second, outside `exclude`'s tree (names only)."""
    ours = {exclude, *(child.pid for child in psutil.Process(exclude).children(recursive=True))}
    processes = [p for p in psutil.process_iter(["name"]) if p.pid not in ours]
    for process in processes:
        with suppress(psutil.Error):
            process.cpu_percent(None)
    time.sleep(1.0)
    busy = []
    for process in processes:
        with suppress(psutil.Error):
            busy.append({"name": process.info["name"], "cpu_percent": process.cpu_percent(None)})
    busy.sort(key=lambda item: -item["cpu_percent"])
    return [item for item in busy[:5] if item["cpu_percent"] >= 5]


def folder_mb(folder: Path) -> float:
    return round(sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / MB, 1)


# --- One size, in its own process (the settings are read once per process)


def size_measure(*, songs: int, data: Path, result: Path, duration: float) -> None:
    """Steps 2-6 of the module docstring; `result` is rewritten after each step."""
    env = {**os.environ}
    var_dir = Path(env["RECOMMENDER_VAR_DIR"])
    python = sys.executable
    entry: dict[str, Any] = {"stage": "ingest"}

    def save(stage: str) -> None:
        entry["stage"] = stage
        result.write_text(json.dumps(entry, indent=2) + "\n")

    migrate = [python, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    save("ingest")
    ingest = [python, "manage.py", "ingest_playlists", "--source", str(data)]
    entry["ingest"] = run_measured(ingest, env, var_dir / "ingest.log")
    entry["ingest"]["database_mb"] = round(
        sum(p.stat().st_size for p in var_dir.glob("*.sqlite3*")) / MB, 1
    )
    print(f"  ingest {entry['ingest']}", flush=True)

    save("training")
    from bench.train_pipeline import _direct_gensim_once, _worker_start

    worker = _worker_start(env, var_dir / "worker.log")
    # The words/s ratio compares two runs minutes apart: the load during each says how fair.
    loads = {"training_before": os.getloadavg()[0]}
    try:
        with PeakMemory(worker.pid) as worker_memory:
            command = run_measured(
                [python, "manage.py", "train_model", "--wait", "--activate", "always"],
                env,
                var_dir / "train.log",
            )
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    loads["training_after"] = os.getloadavg()[0]

    # Django from here on (serve_benchmark sets it up when imported).
    from bench.serve_benchmark import Server, wrk
    from bench.worker_memory import draw_ids, server_memory
    from recommender.ml.embeddings import SongEmbeddings
    from recommender.models import ModelVersion
    from recommender.training import model_version_params, training_corpus_read

    version = ModelVersion.objects.get(is_active=True)
    entry["training"] = {
        "version": version.pk,
        "command_seconds": command["seconds"],
        "worker_peak_rss_mb": round(worker_memory.peak_mb, 1),
        # Compare with the phases (read_corpus, train, statistics, fit, statistics again on
        # all playlists, evaluate, write) to see which one holds the most memory.
        "worker_peak_seconds_after_run_start": (
            round(worker_memory.peak_at - version.started_at.timestamp(), 1)
            if version.started_at
            else None
        ),
        "phases_seconds": version.timings,
        "train_seconds": version.train_seconds,
        "words_per_second": round(version.words_per_second or 0),
        "corpus": version.corpus_stats,
        "hit_rate_at_10": version.hit_rate("model"),
    }
    entry["index"] = version.metrics.get("index", {})
    entry["artifacts_mb"] = folder_mb(Path(version.artifacts_path))
    print(f"  training {entry['training']}", flush=True)
    save("bare gensim")
    logging.getLogger("gensim").setLevel(logging.WARNING)  # a line per second otherwise
    corpus = training_corpus_read()
    loads["bare_gensim_before"] = os.getloadavg()[0]
    bare = _direct_gensim_once(corpus.train, model_version_params(version))
    loads["bare_gensim_after"] = os.getloadavg()[0]
    entry["training"]["load_average_1min"] = {key: round(x, 2) for key, x in loads.items()}
    del corpus
    gc.collect()
    entry["training"]["bare_gensim"] = {key: round(value, 2) for key, value in bare.items()}
    entry["training"]["over_bare_gensim"] = round(
        entry["training"]["words_per_second"] / bare["words_per_second"], 3
    )
    print(f"  bare gensim {entry['training']['bare_gensim']}", flush=True)

    save("serving")
    ids = draw_ids(SongEmbeddings.load(Path(version.artifacts_path)).song_ids.tolist())
    started = time.perf_counter()
    server = Server(worker_class="sync", workers=2, threads=1)
    try:
        server.wait_ready(timeout=3600)
        ready = time.perf_counter() - started
        memory = server_memory(server, ids)
        cases = {
            f"{mode}_c{clients}": wrk(
                server.url, ids=ids, mode=mode, clients=clients, duration=duration
            )
            for mode in ("one", "next")
            for clients in (1, 16)
        }
    finally:
        server.stop()
    entry["serving"] = {
        "gunicorn": "config/gunicorn.py, 2 sync workers",
        "ready_seconds": round(ready, 1),
        "memory": memory,
        "cases": cases,
    }
    print(f"  serving {cases}", flush=True)
    save("done")


def size_run(songs: int, args: argparse.Namespace) -> dict[str, Any]:
    """Generate (or reuse) the folder, then measure it in a child process; the entry."""
    data, catalogue = catalogue_ensure(songs, root=args.data_root)
    var_dir = Path(f"/tmp/scale-{songs}")
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = {**os.environ}
    env.pop("DATABASE_URL", None)  # SQLite in the scratch folder
    env.update(
        {
            "RECOMMENDER_VAR_DIR": str(var_dir),
            "RECOMMENDER_ARTIFACTS_DIR": str(var_dir / "models"),
            "REDIS_URL": os.environ.get("REDIS_URL", REDIS_URL),
            "RECOMMENDER_CELERY_QUEUE": f"scale-{uuid.uuid4().hex[:8]}",
            "RECOMMENDER_TRAIN_SOFT_LIMIT": str(args.train_limit),
            "RECOMMENDER_API_RATE_LIMIT": "0",
            "GUNICORN_TIMEOUT": "600",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    result = var_dir / "result.json"
    load_before = os.getloadavg()
    others_before = busiest_others(os.getpid())
    started = time.perf_counter()
    child = subprocess.run(
        [
            *(sys.executable, __file__, "--child", str(songs), "--data", str(data)),
            *("--result", str(result), "--duration", str(args.duration)),
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    entry = json.loads(result.read_text()) if result.is_file() else {"stage": "start"}
    entry = {
        "songs": songs,
        "status": "done" if child.returncode == 0 and entry["stage"] == "done" else "failed",
        **({"failed_at": entry["stage"]} if child.returncode else {}),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "note": args.note,
        "load_average_1_5_15_before": [round(x, 2) for x in load_before],
        "load_average_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        "busiest_other_processes_before": others_before,
        "busiest_other_processes_after": busiest_others(os.getpid()),
        "catalogue": catalogue,
        **{key: value for key, value in entry.items() if key != "stage"},
    }
    if entry["status"] == "failed":
        logs = sorted(var_dir.glob("*.log"), key=lambda path: path.stat().st_mtime)
        entry["error_tail"] = logs[-1].read_text(errors="replace")[-1500:] if logs else ""
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    return entry


# --- The document: headline figures, growth, table, plot


def headline(entry: dict[str, Any]) -> dict[str, float | None]:
    """The figures of one size that the table, the plot and the growth exponents use."""

    def get(*path: str) -> Any:
        value: Any = entry
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    recalls = [index.get("recall_at_10") for index in (entry.get("index") or {}).values() if index]
    per_worker = get("serving", "memory", "per_worker") or []
    return {
        "entries": get("catalogue", "entries"),
        "ingest_s": get("ingest", "seconds"),
        "ingest_peak_mb": get("ingest", "peak_rss_mb"),
        "database_mb": get("ingest", "database_mb"),
        "run_s": get("training", "phases_seconds", "total"),
        "train_s": get("training", "phases_seconds", "train"),
        "statistics_s": get("training", "phases_seconds", "statistics"),
        "fit_s": get("training", "phases_seconds", "fit"),
        "evaluate_s": get("training", "phases_seconds", "evaluate"),
        "similar_table_s": get("training", "phases_seconds", "similar_table"),
        "write_s": get("training", "phases_seconds", "write"),
        "worker_peak_mb": get("training", "worker_peak_rss_mb"),
        "words_per_s": get("training", "words_per_second"),
        "over_bare_gensim": get("training", "over_bare_gensim"),
        "artifacts_mb": get("artifacts_mb"),
        "ready_s": get("serving", "ready_seconds"),
        "worker_pss_mb": max((w["pss_mb"] for w in per_worker), default=None),
        "worker_uss_mb": max((w["uss_mb"] for w in per_worker), default=None),
        "total_pss_mb": get("serving", "memory", "total_pss_mb"),
        "similar_p50_ms": get("serving", "cases", "one_c1", "p50_ms"),
        "similar_p99_ms": get("serving", "cases", "one_c1", "p99_ms"),
        "similar_rps_c1": get("serving", "cases", "one_c1", "rps"),
        "similar_rps_c16": get("serving", "cases", "one_c16", "rps"),
        "similar_p99_c16_ms": get("serving", "cases", "one_c16", "p99_ms"),
        "next_p50_ms": get("serving", "cases", "next_c1", "p50_ms"),
        "next_p99_ms": get("serving", "cases", "next_c1", "p99_ms"),
        "next_rps_c16": get("serving", "cases", "next_c16", "rps"),
        "recall_at_10": min(recalls) if recalls else None,
    }


def done_sizes(document: dict[str, Any]) -> list[dict[str, Any]]:
    entries = document.get("sizes", {}).values()
    return sorted((e for e in entries if e.get("status") == "done"), key=lambda e: e["songs"])


def growth(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per figure, the exponent b of figure ~ songs^b between consecutive sizes and overall
    (1 is linear; n log n shows as a little above 1 and rising; 2 is quadratic)."""
    sizes = done_sizes(document)
    if len(sizes) < 2:
        return {}
    figures = [headline(entry) for entry in sizes]
    songs = np.log([entry["songs"] for entry in sizes])
    result = {}
    for name in figures[0]:
        values = [figure[name] for figure in figures]
        if any(value is None or value <= 0 for value in values):
            continue
        logs = np.log(np.asarray(values, dtype=float))
        steps = np.diff(logs) / np.diff(songs)
        result[name] = {
            "between_sizes": [round(float(step), 2) for step in steps],
            "overall": round(float(np.polyfit(songs, logs, 1)[0]), 2),
        }
    return result


def markdown_table(document: dict[str, Any]) -> str:
    """The headline figures of every measured size as a markdown table."""
    rows = [
        "| songs | entries | ingest s | ingest peak MB | run s (train, evaluate) "
        "| words/s (x bare gensim) | worker peak MB | artifacts MB | PSS MB per web worker "
        "(2 total) | similar p50 / p99 ms, 1 client | similar req/s, 16 | next p50 ms "
        "| recall@10 |",
        "|" + "---|" * 13,
    ]

    def fmt(value: float | None, digits: int = 0) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    for entry in done_sizes(document):
        h = headline(entry)
        rows.append(
            f"| {entry['songs']:,} | {fmt(h['entries'])} | {fmt(h['ingest_s'], 1)} "
            f"| {fmt(h['ingest_peak_mb'])} | {fmt(h['run_s'])} ({fmt(h['train_s'])}, "
            f"{fmt(h['evaluate_s'])}) | {fmt(h['words_per_s'])} "
            f"({fmt(h['over_bare_gensim'], 2)}) | {fmt(h['worker_peak_mb'])} "
            f"| {fmt(h['artifacts_mb'])} | {fmt(h['worker_pss_mb'])} ({fmt(h['total_pss_mb'])}) "
            f"| {fmt(h['similar_p50_ms'], 2)} / {fmt(h['similar_p99_ms'], 2)} "
            f"| {fmt(h['similar_rps_c16'])} | {fmt(h['next_p50_ms'], 2)} "
            f"| {fmt(h['recall_at_10'], 3)} |"
        )
    for entry in sorted(document.get("sizes", {}).values(), key=lambda e: e["songs"]):
        if entry.get("status") != "done":
            why = entry.get("reason") or f"failed at {entry.get('failed_at')}"
            rows.append(f"| {entry['songs']:,} | {entry['status']}: {why} |" + " |" * 11)
    return "\n".join(rows)


SECONDS_LINES = {
    "ingest_s": "ingest",
    "train_s": "Word2Vec (train phase)",
    "statistics_s": "playlist statistics",
    "fit_s": "fit the scorer",
    "evaluate_s": "evaluate",
    "similar_table_s": "store every similar list",
    "run_s": "whole training run",
    "ready_s": "web server ready",
}
MB_LINES = {
    "ingest_peak_mb": "ingest peak RSS",
    "worker_peak_mb": "Celery worker peak RSS",
    "database_mb": "SQLite database",
    "artifacts_mb": "model version folder",
    "total_pss_mb": "web server PSS (master + 2 workers)",
    "worker_pss_mb": "PSS of one web worker",
}


def plot(document: dict[str, Any], path: Path) -> None:
    """docs/scale.png: seconds and MB against songs, log-log, a dotted linear guide each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = done_sizes(document)
    songs = [entry["songs"] for entry in sizes]
    figures = [headline(entry) for entry in sizes]
    figure, axes = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    for axis, lines, unit in ((axes[0], SECONDS_LINES, "seconds"), (axes[1], MB_LINES, "MB")):
        top = 0.0
        for key, label in lines.items():
            points = [(n, float(f[key] or 0)) for n, f in zip(songs, figures, strict=True)]
            points = [(n, value) for n, value in points if value > 0]
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=label)
                top = max(top, *(value for _, value in points))
        if songs and top:
            guide = np.array([songs[0], songs[-1]], dtype=float)
            axis.plot(guide, top * guide / guide[-1], ":", color="grey", label="linear (guide)")
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("songs in the catalogue (about 25 playlist entries each)")
        axis.set_ylabel(unit)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    axes[0].set_title("time per step")
    axes[1].set_title("memory and disk")
    loads = ", ".join(f"{e['songs'] // 1000}k: {e['load_average_1_5_15_before'][0]}" for e in sizes)
    figure.suptitle(f"bench/scale.py (2 cores; 1-min load average before each size: {loads})")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)


def projected_peak_mb(document: dict[str, Any], songs: int) -> float | None:
    """The largest peak RSS of a step at `songs`, extrapolated from the two largest sizes."""
    sizes = done_sizes(document)[-2:]
    if len(sizes) < 2:
        return None
    peaks = [
        max(float(headline(entry)[key] or 0.0) for key in ("ingest_peak_mb", "worker_peak_mb"))
        for entry in sizes
    ]
    exponent = math.log(peaks[1] / peaks[0]) / math.log(sizes[1]["songs"] / sizes[0]["songs"])
    return peaks[1] * (songs / sizes[1]["songs"]) ** max(exponent, 1.0)


def machine() -> dict[str, Any]:
    import faiss
    import gensim

    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": np.__version__,
        "gensim": gensim.__version__,
        "faiss": faiss.__version__,
        "database": "SQLite (scratch RECOMMENDER_VAR_DIR)",
    }


@contextmanager
def _document(path: Path) -> Iterator[dict[str, Any]]:
    document = json.loads(path.read_text()) if path.is_file() else {}
    yield document
    document["growth_exponents"] = growth(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="songs, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0, help="wrk seconds per case")
    parser.add_argument("--force", action="store_true", help="measure sizes already measured")
    parser.add_argument("--note", default="", help="recorded with each size: who else ran what")
    parser.add_argument("--keep", action="store_true", help="keep /tmp/scale-<songs>/")
    parser.add_argument("--train-limit", type=int, default=12 * 3600, help="soft limit, seconds")
    parser.add_argument("--data-root", type=Path, default=DATA_ROOT)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--plot", type=Path, default=PLOT)
    parser.add_argument("--plot-only", action="store_true", help="render the plot from the JSON")
    parser.add_argument("--table", action="store_true", help="print the JSON's markdown table")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size_measure(songs=args.child, data=args.data, result=args.result, duration=args.duration)
        return
    if args.table or args.plot_only:
        document = json.loads(args.output.read_text())
        if args.plot_only:
            plot(document, args.plot)
            print(f"wrote {args.plot}")
        if args.table:
            print(markdown_table(document))
        return
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    memory_mb = psutil.virtual_memory().total / MB
    for songs in sorted(int(size) for size in args.sizes.split(",")):
        with _document(args.output) as document:
            document["what"] = (
                "bench/scale.py: synthetic yes_* catalogues through ingest, a Celery worker's "
                "training and evaluation, and gunicorn under wrk"
            )
            document["machine"] = machine()
            sizes = document.setdefault("sizes", {})
            if sizes.get(str(songs), {}).get("status") == "done" and not args.force:
                print(f"{songs:,} songs: measured already (--force to measure again)")
                continue
            projected = projected_peak_mb(document, songs)
            if projected and projected > MEMORY_SHARE * memory_mb:
                sizes[str(songs)] = {
                    "songs": songs,
                    "status": "skipped",
                    "reason": f"projected peak RSS {projected:,.0f} MB exceeds "
                    f"{MEMORY_SHARE:.0%} of {memory_mb:,.0f} MB",
                }
                print(sizes[str(songs)]["reason"])
                break
        print(f"== {songs:,} songs", flush=True)
        entry = size_run(songs, args)
        with _document(args.output) as document:
            document.setdefault("sizes", {})[str(songs)] = entry
            document["sizes"] = dict(
                sorted(document["sizes"].items(), key=lambda item: int(item[0]))
            )
        print(json.dumps(headline(entry)), flush=True)
        if entry["status"] != "done":
            print(f"{songs:,} songs failed at {entry.get('failed_at')}: larger sizes not tried")
            break
    document = json.loads(args.output.read_text())
    plot(document, args.plot)
    print(markdown_table(document))
    print(f"wrote {args.output} and {args.plot}")


if __name__ == "__main__":
    main()
