"""Soak test: 32 clients for 5 minutes against gunicorn while a worker trains and activates.

    .venv/bin/python bench/soak.py [--minutes 5] [--clients 32] [--segment 30]
                                   [--source ../shared/data/yes_complete]
                                   [--out bench/results/soak.json]

Uses the database and artifacts the settings point at (DATABASE_URL, RECOMMENDER_VAR_DIR).
With --source it first migrates and ingests that folder; when no version is active, the
soak's worker trains one first. Needs Debian's `wrk` and a running Redis (REDIS_URL).

What happens:
1. gunicorn (config/gunicorn.py, sync workers, rate limit off) and a Celery worker
   on a queue of its own are started; the web workers load the active version.
2. Warm-up: --warmup seconds of the same load; the workers' memory afterwards is the baseline.
3. The soak: wrk with --clients connections for --minutes, as back-to-back segments of
   --segment seconds, so that throughput, p99 and errors are known per segment. Requests mix
   one-seed GET /api/songs/{id}/similar and five-seed POST /api/recommendations (random songs
   the model places, fixed seed).
4. At 10% of the soak a training run (default hyperparameters, --train-epochs epochs so that
   it ends well within the soak on a loaded machine) is queued with "activate when done:
   always": the worker trains on the same 2 cores while the site is under load, and the new
   version is activated mid-load. At 80% the previous version is activated again (a
   rollback under load).
5. Every 5 s: resident memory (RSS and USS) of every web worker, which version /healthz
   reports, and the training run's status.

Pass criteria (printed and stored): 0 failed requests (wrk's connect/read/write/timeout errors
and non-2xx answers), the run succeeded and was served, and no web worker's memory at the end
exceeds its post-warm-up baseline by more than 10% (USS, the pages it does not share; RSS is
reported as well).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A queue of our own: the soak's worker must not take another install's runs, nor theirs ours.
os.environ.setdefault("RECOMMENDER_CELERY_QUEUE", f"soak-{uuid.uuid4().hex[:8]}")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.serve_benchmark import Server, get_json, wrk  # noqa: E402
from recommender import serving  # noqa: E402
from recommender.ml.embeddings import Word2VecParams  # noqa: E402
from recommender.models import ModelVersion  # noqa: E402
from recommender.training import model_version_activate, model_version_create  # noqa: E402

SAMPLE_IDS = 2_000
RANDOM_SEED = 20121
SAMPLE_EVERY_S = 5.0
MEMORY_GROWTH_LIMIT = 0.10


def prepare(source: str) -> None:
    """Migrate and ingest (idempotent): the catalogue the soak serves."""
    call_command("migrate", verbosity=0, interactive=False)
    call_command("ingest_playlists", source=source, verbosity=1)


def first_version_ensure(timeout: float = 1800.0) -> None:
    """Train and activate a version through the worker when none is active."""
    if ModelVersion.objects.filter(is_active=True).exists():
        return
    run = model_version_create(activate_when_done=ModelVersion.Activation.ALWAYS)
    print(f"no active version: training version {run.pk} first")
    deadline = time.monotonic() + timeout
    while run.status in (ModelVersion.Status.QUEUED, ModelVersion.Status.RUNNING):
        if time.monotonic() > deadline:
            sys.exit(f"version {run.pk} did not finish in {timeout:.0f} s")
        time.sleep(2)
        run.refresh_from_db()
    if not run.is_active:
        sys.exit(f"version {run.pk} ended {run.status}: {run.error}")


def worker_start(log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env={**os.environ},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def memory_of(pids: list[int]) -> dict[int, dict[str, float]]:
    result = {}
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except psutil.NoSuchProcess:
            continue
        result[pid] = {"rss_mb": round(info.rss / 2**20, 1), "uss_mb": round(info.uss / 2**20, 1)}
    return result


class Sampler(threading.Thread):
    """Every few seconds: worker memory, the version /healthz reports, the run's status."""

    def __init__(self, server: Server, started: float) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.started = started
        self.samples: list[dict[str, Any]] = []
        self.run_id: int | None = None
        self.stop_event = threading.Event()

    def run(self) -> None:
        from django.db import connection

        while not self.stop_event.is_set():
            sample: dict[str, Any] = {"t": round(time.monotonic() - self.started, 1)}
            try:
                _, body = get_json(self.server.url + "/healthz", timeout=10)
                sample["serving_version"] = body.get("model_version")
            except OSError as exc:
                sample["health_error"] = str(exc)
            sample["memory"] = memory_of(self.server.worker_pids())
            if self.run_id is not None:
                run = ModelVersion.objects.get(id=self.run_id)
                sample["run"] = {
                    "status": run.status,
                    "epoch": run.progress_epoch,
                    "message": run.progress_message,
                }
            self.samples.append(sample)
            self.stop_event.wait(SAMPLE_EVERY_S)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--segment", type=float, default=30.0, help="seconds per wrk segment")
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--train-epochs",
        type=int,
        default=3,
        help="epochs of the run trained under load (it must finish well within the soak)",
    )
    parser.add_argument("--source", help="migrate + ingest this folder first (and train v1)")
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "soak.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    if args.source:
        prepare(args.source)
    log_dir = Path(os.environ.get("RECOMMENDER_VAR_DIR", REPO / "var")) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    worker = worker_start(log_dir / "soak-worker.log")
    try:
        first_version_ensure()
    except BaseException:
        worker.terminate()
        raise

    model = serving.serving_model()
    first_version = model.version_id
    rng = np.random.default_rng(RANDOM_SEED)
    ids = [
        int(i)
        for i in rng.choice(
            sorted(model.recommender.vectors.song_ids.tolist()), size=SAMPLE_IDS, replace=False
        )
    ]
    del model
    load_before = os.getloadavg()

    server = Server(worker_class="sync", workers=args.workers, threads=1)
    segments: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    try:
        server.wait_ready()
        pids = server.worker_pids()
        print(f"gunicorn {args.workers} sync workers {pids}; serving version {first_version}")
        warm = wrk(server.url, ids=ids, mode="one", clients=args.clients, duration=args.warmup)
        baseline = memory_of(pids)
        print(f"warm-up: {warm['rps']} req/s; memory {baseline}")

        started = time.monotonic()
        total = args.minutes * 60
        sampler = Sampler(server, started)
        sampler.start()

        def schedule() -> None:
            time.sleep(total * 0.10)
            run = model_version_create(
                params=Word2VecParams(epochs=args.train_epochs),
                activate_when_done=ModelVersion.Activation.ALWAYS,
            )
            sampler.run_id = run.pk
            events.append({"t": round(time.monotonic() - started, 1), "queued_run": run.pk})
            time.sleep(max(0.0, total * 0.80 - (time.monotonic() - started)))
            run.refresh_from_db()
            if run.is_active:
                model_version_activate(version_id=first_version)
                events.append(
                    {"t": round(time.monotonic() - started, 1), "activated": first_version}
                )
            else:
                events.append(
                    {"t": round(time.monotonic() - started, 1), "rollback_skipped": run.status}
                )
            from django.db import connection

            connection.close()

        scheduler = threading.Thread(target=schedule, daemon=True)
        scheduler.start()
        number = 0
        while time.monotonic() - started < total - 1:
            left = total - (time.monotonic() - started)
            mode = "one" if number % 2 == 0 else "five"
            segment = wrk(
                server.url,
                ids=ids,
                mode=mode,
                clients=args.clients,
                duration=min(args.segment, left),
            )
            segment.update(mode=mode, ends_at_s=round(time.monotonic() - started, 1))
            segments.append(segment)
            print(
                f"  {segment['ends_at_s']:6.1f}s {mode:4}: {segment['rps']:7.1f} req/s "
                f"p99 {segment['p99_ms']:7.1f} ms errors {segment['error_total']}"
            )
            number += 1
        scheduler.join(timeout=60)
        sampler.stop_event.set()
        sampler.join()
        final = memory_of(pids)
    finally:
        server.stop()
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()

    run = ModelVersion.objects.get(id=sampler.run_id) if sampler.run_id else None
    growth = {
        pid: {
            "uss_baseline_mb": baseline[pid]["uss_mb"],
            "uss_end_mb": final[pid]["uss_mb"],
            "uss_growth": round(final[pid]["uss_mb"] / baseline[pid]["uss_mb"] - 1, 3),
            "rss_baseline_mb": baseline[pid]["rss_mb"],
            "rss_end_mb": final[pid]["rss_mb"],
            "rss_growth": round(final[pid]["rss_mb"] / baseline[pid]["rss_mb"] - 1, 3),
            "rss_max_mb": max(
                sample["memory"][pid]["rss_mb"]
                for sample in sampler.samples
                if pid in sample["memory"]
            ),
        }
        for pid in baseline
        if pid in final
    }
    requests = sum(segment["requests"] for segment in segments)
    failed = sum(segment["error_total"] for segment in segments)
    versions_seen = sorted(
        {sample["serving_version"] for sample in sampler.samples if sample.get("serving_version")}
    )
    summary = {
        "minutes": args.minutes,
        "clients": args.clients,
        "requests": requests,
        "failed_requests": failed,
        "rps_median_segment": statistics.median(segment["rps"] for segment in segments),
        "p99_ms_median_segment": statistics.median(segment["p99_ms"] for segment in segments),
        "p99_ms_worst_segment": max(segment["p99_ms"] for segment in segments),
        "p50_ms_median_segment": statistics.median(segment["p50_ms"] for segment in segments),
        "training_run": run.pk if run else None,
        "training_status": run.status if run else None,
        "training_seconds": (
            round((run.finished_at - run.started_at).total_seconds(), 1)
            if run and run.finished_at and run.started_at
            else None
        ),
        "versions_served_during_soak": versions_seen,
        "worker_pids_unchanged": sorted(final) == sorted(baseline),
        "max_uss_growth": max(item["uss_growth"] for item in growth.values()),
        "max_rss_growth": max(item["rss_growth"] for item in growth.values()),
        "health_check_failures": sum(1 for sample in sampler.samples if "health_error" in sample),
    }
    summary["passed"] = (
        failed == 0
        and summary["training_status"] == ModelVersion.Status.SUCCEEDED
        and len(versions_seen) >= 2
        and summary["worker_pids_unchanged"]
        and summary["max_uss_growth"] <= MEMORY_GROWTH_LIMIT
        and summary["health_check_failures"] == 0
    )
    document = {
        "what": "bench/soak.py: gunicorn on 127.0.0.1 under wrk (separate process) while a "
        "Celery worker trains a new version that is activated mid-load, then rolled back",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "database": django.db.connection.vendor,
            "load_average_1min_before": round(load_before[0], 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        },
        "gunicorn": {"worker_class": "sync", "workers": args.workers},
        "first_version": first_version,
        "summary": summary,
        "events": events,
        "memory_per_worker": growth,
        "warmup": warm,
        "segments": segments,
        "samples": sampler.samples,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.out).write_text(json.dumps(document, indent=2, default=str) + "\n", "utf-8")
    print(json.dumps(summary, indent=2))
    print(f"written to {args.out}")
    if not summary["passed"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
