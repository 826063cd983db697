"""Where a request's time goes: py-spy samples of one gunicorn worker under wrk.

    .venv/bin/pip install py-spy   # a profiling tool, not a dependency of the app
    .venv/bin/python bench/profile_api.py [--duration 20] [--modes one,next,radio]

Needs what bench/serve_benchmark.py needs (an install with an active version, Debian's wrk)
plus py-spy. For each request kind it starts `gunicorn -c python:config.gunicorn` with one
sync worker, keeps one wrk client sending that request, and samples the worker with py-spy
for --duration seconds. It writes

- bench/results/profile.json: per kind, the share of samples in each part of the stack
  (our ranking in recommender/ml, our serving and views, Django, numpy, FAISS, JSON) and the
  functions with the most samples, by self and by inclusive time;
- docs/profile-<kind>.svg: py-spy's flame graph of the same kind of request;
- docs/profile.md: the tables of profile.json, rendered from it.
 Shares are of samples of the worker while it serves, so they do
not depend on how fast the machine is; idle time (waiting for the next request) is left out.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

# serve_benchmark sets up Django (and one OpenMP thread) when imported.
from bench.serve_benchmark import RANDOM_SEED, REPO, SAMPLE_IDS, Server, wrk
from recommender import serving

PY_SPY = REPO / ".venv" / "bin" / "py-spy"
# Stack frames are "function (file:line)"; a frame's part is the first rule its file matches.
PARTS: tuple[tuple[str, str], ...] = (
    ("ranking (recommender/ml)", "(recommender/ml/"),
    ("serving and views (recommender, config)", "(recommender/"),
    ("serving and views (recommender, config)", "(config/"),
    ("FAISS", "faiss"),
    ("numpy", "numpy"),
    ("JSON", "json"),
    ("pydantic / ninja", "pydantic"),
    ("pydantic / ninja", "ninja"),
    ("Django", "django"),
    ("gunicorn and the server loop", "gunicorn"),
)
# py-spy samples a waiting worker inside the socket wait: not time spent on a request.
IDLE = ("select (selectors.py", "wait (gunicorn/workers/sync.py", "accept (socket.py")


def part_of(frame: str) -> str:
    for name, needle in PARTS:
        if needle in frame:
            return name
    return "other (Python, standard library)"


def stage_of(frames: list[str]) -> str:
    """The outermost layer of ours on the stack: what the time was spent for."""
    if any("(recommender/ml/" in frame for frame in frames):
        return "ranking (recommender/ml, with the numpy and FAISS it calls)"
    if any(is_ours(frame) for frame in frames):
        return "serving, views and middleware of ours (with what they call)"
    if any("django" in frame for frame in frames):
        return "Django alone"
    return "gunicorn, the socket and the rest"


def is_ours(frame: str) -> bool:
    """py-spy names a file of this repository by its path from the repository root."""
    return "(recommender/" in frame or "(config/" in frame


def function_of(frame: str) -> str:
    """ "name (file:line)" -> "name (file)": one entry per function, not per line."""
    name, _, where = frame.rpartition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if name else frame


def summarise(raw: Path, top: int = 15) -> dict[str, Any]:
    """Shares of samples per stage and per innermost part, and the top functions."""
    by_stage: collections.Counter[str] = collections.Counter()
    by_part: collections.Counter[str] = collections.Counter()
    self_time: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frames[-1] for marker in IDLE):
            continue
        count = int(count_text)
        busy += count
        by_stage[stage_of(frames)] += count
        by_part[part_of(frames[-1])] += count
        self_time[function_of(frames[-1])] += count
        # Inclusive time of our own functions only: the server's frames hold every sample.
        for name in {function_of(f) for f in frames if is_ours(f)}:
            inclusive[name] += count

    def shares(counter: collections.Counter[str], limit: int | None = None) -> dict[str, float]:
        return {name: round(n / busy, 3) for name, n in counter.most_common(limit)}

    return {
        "busy_samples": busy,
        "share_by_stage": shares(by_stage),
        "share_by_innermost_part": shares(by_part),
        "top_self": shares(self_time, top),
        "top_inclusive_of_ours": shares(inclusive, top),
    }


def profile(mode: str, *, ids: list[int], duration: float, out_dir: Path) -> dict[str, Any]:
    server = Server(worker_class="sync", workers=1, threads=1)
    try:
        server.wait_ready()
        wrk(server.url, ids=ids, mode=mode, clients=1, duration=3)  # warm caches
        (worker,) = server.worker_pids()
        load = threading.Thread(
            target=lambda: wrk(server.url, ids=ids, mode=mode, clients=1, duration=duration + 4)
        )
        load.start()
        with tempfile.TemporaryDirectory() as folder:
            raw = Path(folder) / "stacks.txt"
            seconds = str(max(1, round(duration / 2)))
            # Two recordings of the same steady load: collapsed stacks to count, an SVG to read.
            for fmt, target in (("raw", raw), ("flamegraph", out_dir / f"profile-{mode}.svg")):
                command = [str(PY_SPY), "record", "--pid", str(worker), "--duration", seconds]
                command += ["--rate", "200", "--format", fmt, "--output", str(target)]
                subprocess.run(
                    [*command, "--nonblocking"],
                    check=True,
                    capture_output=True,
                )
            load.join()
            return summarise(raw)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds sampled per kind")
    parser.add_argument("--modes", default="one,next,radio", help="wrk request kinds")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "profile.json"))
    args = parser.parse_args()
    for tool in ("wrk", str(PY_SPY)):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing (see this script's docstring)")
    model = serving.serving_model()
    rng = np.random.default_rng(RANDOM_SEED)
    placed = sorted(model.recommender.vectors.song_ids.tolist())
    ids = [int(song_id) for song_id in rng.choice(placed, size=SAMPLE_IDS, replace=False)]
    names = {"one": "similar (GET .../similar?k=10)", "next": "next (5-song history, k=10)"}
    names["radio"] = "radio (50 songs)"
    results: dict[str, Any] = {"model_version": model.version_id, "kinds": {}}
    for mode in args.modes.split(","):
        summary = profile(mode, ids=ids, duration=args.duration, out_dir=REPO / "docs")
        results["kinds"][mode] = {"request": names.get(mode, mode), **summary}
        print(mode, json.dumps(summary["share_by_stage"]))
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    (REPO / "docs" / "profile.md").write_text(markdown(results))
    print(f"wrote {args.out} and docs/profile.md")


def markdown(results: dict[str, Any]) -> str:
    """docs/profile.md: every table of the results, nothing that is not in them."""
    lines = [
        "# Where a request's time goes",
        "",
        "Rendered by `bench/profile_api.py` from `bench/results/profile.json` (model version "
        f"{results['model_version']}): py-spy samples of one gunicorn sync worker while one wrk "
        "client sends one kind of request, idle samples left out. Shares are of the worker's "
        "busy samples. The flame graphs beside this file (`profile-<kind>.svg`) show the same "
        "recordings; `docs/serving.md` says what was changed because of them.",
    ]
    for mode, kind in results["kinds"].items():
        lines += ["", f"## {kind['request']}", "", f"{kind['busy_samples']} busy samples.", ""]
        lines += ["| stage (outermost code of ours on the stack) | share |", "|---|---|"]
        lines += [f"| {name} | {share:.1%} |" for name, share in kind["share_by_stage"].items()]
        lines += ["", "| function, by samples inside it (self) | share |", "|---|---|"]
        lines += [f"| `{name}` | {share:.1%} |" for name, share in kind["top_self"].items()]
        lines += ["", "| function of ours, by samples under it (inclusive) | share |", "|---|---|"]
        lines += [
            f"| `{name}` | {share:.1%} |" for name, share in kind["top_inclusive_of_ours"].items()
        ]
        lines += ["", f"Flame graph: [profile-{mode}.svg](profile-{mode}.svg)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
