"""Web worker memory against the number of workers: is it shared, or multiplied?

    .venv/bin/python bench/worker_memory.py [--workers 1,2,4,8] [--out FILE]

Needs an ingested catalogue and an active model version (as bench/serve_benchmark.py does) and
Debian's `wrk`. For each worker count it starts gunicorn with config/gunicorn.py (sync workers),
waits until every worker has loaded the model, sends every kind of API request for a few
seconds (so that the pages a request touches are in memory), then reads psutil's
memory_full_info of the master and each worker:

- RSS counts shared pages in full for every process, so it multiplies by construction;
- USS is what only that process holds;
- PSS splits each shared page between the processes mapping it, so the sum over processes is
  the memory the deployment really uses.

The figure the issue asks for is total PSS at N workers over total PSS at one worker.
Memory is not a timing, so a busy machine does not change it; the load is still recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serve_benchmark import RANDOM_SEED, REPO, SAMPLE_IDS, Server, wrk
from recommender import serving

WARM_SECONDS = 3
WARM_CLIENTS = 4
MB = 2**20


def sample_ids() -> list[int]:
    """Songs the active model places, drawn as the serving benchmark draws them."""
    return draw_ids(serving.serving_model().recommender.vectors.song_ids.tolist())


def draw_ids(placed: Sequence[int]) -> list[int]:
    """SAMPLE_IDS of the `placed` song ids (fewer when there are fewer), with RANDOM_SEED."""
    import numpy as np

    rng = np.random.default_rng(RANDOM_SEED)
    return [
        int(song)
        for song in rng.choice(sorted(placed), size=min(SAMPLE_IDS, len(placed)), replace=False)
    ]


def process_memory(pid: int) -> dict[str, float]:
    info = psutil.Process(pid).memory_full_info()
    return {
        "rss_mb": round(info.rss / MB, 1),
        "uss_mb": round(info.uss / MB, 1),
        "pss_mb": round(info.pss / MB, 1),
    }


def measure(workers: int, ids: list[int]) -> dict[str, Any]:
    server = Server(worker_class="sync", workers=workers, threads=1)
    try:
        server.wait_ready()
        memory = server_memory(server, ids)
    finally:
        server.stop()
    return {"workers": workers, **memory}


def server_memory(server: Server, ids: list[int]) -> dict[str, Any]:
    """Memory of a ready server's master and workers after every kind of request (warm-up)."""
    for mode in ("one", "five", "next"):
        wrk(server.url, ids=ids, mode=mode, clients=WARM_CLIENTS, duration=WARM_SECONDS)
    time.sleep(1)
    master = process_memory(server.process.pid)
    per_worker = [process_memory(pid) for pid in server.worker_pids()]
    processes = [master, *per_worker]
    return {
        "master": master,
        "per_worker": per_worker,
        "total_pss_mb": round(sum(item["pss_mb"] for item in processes), 1),
        "total_rss_mb": round(sum(item["rss_mb"] for item in processes), 1),
        "total_uss_mb": round(sum(item["uss_mb"] for item in processes), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4,8", help="comma-separated worker counts")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "worker_memory.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    counts = sorted({int(part) for part in args.workers.split(",")})
    if 1 not in counts:
        counts.insert(0, 1)  # the reference every ratio is taken against
    model = serving.serving_model()
    ids = sample_ids()
    load_before = os.getloadavg()
    runs = []
    for workers in counts:
        run = measure(workers, ids)
        runs.append(run)
        print(
            f"{workers} workers: total PSS {run['total_pss_mb']} MB, "
            f"RSS {run['total_rss_mb']} MB, USS {run['total_uss_mb']} MB"
        )
    one = next(run for run in runs if run["workers"] == 1)["total_pss_mb"]
    for run in runs:
        run["pss_ratio_to_one_worker"] = round(run["total_pss_mb"] / one, 2)
    four = next((run for run in runs if run["workers"] == 4), None)
    result = {
        "what": "gunicorn sync workers serving the active version; memory after warm-up requests",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        },
        "model_version": model.version_id,
        "songs_placed": model.size,
        "goal": "total PSS at 4 workers at most 1.5x one worker's",
        "goal_met": None if four is None else four["pss_ratio_to_one_worker"] <= 1.5,
        "runs": runs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
