"""Serving benchmark: gunicorn on loopback under wrk, against the active model of this install.

    .venv/bin/python bench/serve_benchmark.py [--duration 20] [--configs sync:2,gthread:2:4]
                                              [--out bench/results/serve.json]

Needs an ingested catalogue and an active model version in the database the settings point
at (RECOMMENDER_VAR_DIR / DATABASE_URL), e.g. after `bin/up`, and Debian's `wrk`.

For each gunicorn configuration (worker class, workers, threads) it measures, each case for
--duration seconds (wrk's own HdrHistogram for p50/p99, requests per second from its count):

1. one-seed requests  GET /api/songs/{random song}/similar?k=10      at 1 and 16 clients
2. five-seed requests POST /api/recommendations {"seeds": 5 random}  at 1 and 16 clients
   and next-song requests POST /api/next {"history": 5 random}    at 1 and 16 clients
   and a 50-song station  POST /api/radio {"seeds": [1 random], "length": 50}  at 1 client
3. resident memory (RSS, and USS: pages the worker does not share) of every worker
For the first configuration it also runs
4. a hot swap under load: 16 clients for --duration seconds while another version (or the
   same one again, which reloads it too) is activated and then the original again; wrk's
   error counts (connect/read/write/timeout/non-2xx) must stay 0;
and once,
5. the reference in this process: a bare FAISS search for the same random songs plus JSON
   encoding of the same answer, so that the API's p50 at 1 client can be given as a ratio;
6. the yardstick of the issue, "a bare Django view doing only the FAISS search", served the same
   way (bench/serve_bare_urls.py) right before the API, so that the API's throughput can be
   compared with it under the same machine load (the machine may be shared).

Random songs are drawn with a fixed seed among the songs the model places. The rate limit is
turned off for the server (one client address would otherwise be throttled).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

# One OpenMP thread, as in the web workers (config/gunicorn.py): the reference must
# measure the same single-threaded search. Set before faiss is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from config.errors import json_bytes  # noqa: E402
from recommender import api, serving  # noqa: E402
from recommender.models import ModelVersion  # noqa: E402
from recommender.training import model_version_activate  # noqa: E402

SAMPLE_IDS = 2_000
RANDOM_SEED = 20121
WRK_SCRIPT = r"""
local ids = {%(ids)s}
local mode = "%(mode)s"
local counter = 0
math.randomseed(%(seed)d)

local function pick()
  return ids[math.random(#ids)]
end

request = function()
  if mode == "one" then
    return wrk.format("GET", "/api/songs/" .. pick() .. "/similar?k=10")
  end
  if mode == "radio" then
    return wrk.format("POST", "/api/radio", {["Content-Type"] = "application/json"},
                      '{"seeds":[' .. pick() .. '],"length":50}')
  end
  -- Five distinct songs: /api/next refuses a history that repeats one.
  local chosen, seen = {}, {}
  while #chosen < 5 do
    local id = pick()
    if not seen[id] then seen[id] = true; chosen[#chosen + 1] = id end
  end
  local songs = table.concat(chosen, ",")
  if mode == "next" then
    return wrk.format("POST", "/api/next", {["Content-Type"] = "application/json"},
                      '{"history":[' .. songs .. '],"k":10}')
  end
  return wrk.format("POST", "/api/recommendations", {["Content-Type"] = "application/json"},
                    '{"seeds":[' .. songs .. '],"k":10}')
end

done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"mean_us":%%.1f,"errors":{"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float = 5.0) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    """gunicorn with config/gunicorn.py (bin/up's start), its log in a temporary file.

    `plain`: `gunicorn config.wsgi` with no config file and no OMP_NUM_THREADS, the ordinary
    way to serve a Django project: the app must limit FAISS's threads itself.
    """

    def __init__(
        self,
        *,
        worker_class: str,
        workers: int,
        threads: int,
        settings: str = "config.settings",
        plain: bool = False,
        fast_path: bool = True,
    ) -> None:
        self.port = free_port()
        self.workers = workers
        # Kept open for the server's lifetime; removed in stop().
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="serve-bench-", suffix=".log", delete=False
        )
        self.plain = plain
        # Neither start gets OMP_NUM_THREADS (this process sets it for its own reference):
        # bin/up does not set it either, the app limits FAISS's threads itself.
        env = {
            **{k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"},
            "RECOMMENDER_API_RATE_LIMIT": "0",
            "DJANGO_LOG_LEVEL": "INFO",
            "DJANGO_SETTINGS_MODULE": settings,
            "RECOMMENDER_API_FAST_PATH": "1" if fast_path else "0",
        }
        start = ["config.wsgi"] if plain else ["-c", "python:config.gunicorn"]
        command = [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            *start,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Wait until every worker is ready (post_worker_init logs it) and /healthz says 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()[-2000:]}")
            loaded = Path(self.log.name).read_text().count(" ready, model version ")
            # A plain start has no ready hook: each worker loads the model on its first request
            # (the warm-up run before the measured cases).
            if loaded >= self.workers or self.plain:
                try:
                    status, _ = get_json(self.url + "/healthz")
                except OSError:
                    status = 0
                if status == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError("the workers did not load the model in time")

    def worker_pids(self) -> list[int]:
        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def memory(self) -> list[dict[str, float]]:
        result = []
        for pid in self.worker_pids():
            info = psutil.Process(pid).memory_full_info()
            result.append(
                {
                    "pid": pid,
                    "rss_mb": round(info.rss / 2**20, 1),
                    "uss_mb": round(info.uss / 2**20, 1),
                    "pss_mb": round(getattr(info, "pss", 0) / 2**20, 1),
                }
            )
        return result

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        Path(self.log.name).unlink(missing_ok=True)


def wrk(url: str, *, ids: list[int], mode: str, clients: int, duration: float) -> dict[str, Any]:
    """Run wrk for `duration` seconds; return its numbers plus requests per second."""
    script = WRK_SCRIPT % {"ids": ",".join(map(str, ids)), "mode": mode, "seed": RANDOM_SEED}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        threads = 1 if clients == 1 else 2
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{clients}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(handle.name)
    match = re.search(r"^RESULT (\{.*\})$", completed.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
    result = json.loads(match.group(1))
    seconds = result["duration_us"] / 1e6
    return {
        "clients": clients,
        "requests": result["requests"],
        "seconds": round(seconds, 2),
        "rps": round(result["requests"] / seconds, 1),
        "p50_ms": round(result["p50_us"] / 1000, 3),
        "p90_ms": round(result["p90_us"] / 1000, 3),
        "p99_ms": round(result["p99_us"] / 1000, 3),
        "max_ms": round(result["max_us"] / 1000, 3),
        "errors": result["errors"],
        "error_total": sum(result["errors"].values()),
    }


def reference(model: serving.ServingModel, ids: list[int]) -> dict[str, float]:
    """In-process: bare FAISS search + JSON of the same answer, and the full service call
    (both written by the app's JSON writer, config/errors.json_bytes)."""
    bare: list[float] = []
    service: list[float] = []
    for song_id in ids:
        started = time.perf_counter()
        vectors = model.recommender.vectors
        query = vectors.query[vectors.row_of(song_id)].reshape(1, -1)
        scores, found = vectors.alike_index.search(query, 11)
        seed = model.songs[song_id]
        results = [
            {"song": api.song_json(model.songs[other]), "score": score}
            for other, score in zip(found[0].tolist(), scores[0].tolist(), strict=True)
            if other != song_id
        ][:10]
        payload = {
            "seed": api.song_json(seed),
            "model_version": model.version_id,
            "source": "model",
            "unplaced_seeds": [],
            "results": results,
        }
        json_bytes(payload)
        bare.append(time.perf_counter() - started)

        started = time.perf_counter()
        answer = serving.songs_similar(song_id=song_id, k=10)
        json_bytes(api.recommendation_json(answer, one_seed=True))
        service.append(time.perf_counter() - started)
    return {
        "bare_faiss_plus_json_p50_ms": round(statistics.median(bare) * 1000, 3),
        "service_plus_json_p50_ms": round(statistics.median(service) * 1000, 3),
        "samples": len(ids),
    }


def swap_under_load(
    server: Server, *, ids: list[int], duration: float, original: int, other: int
) -> dict[str, Any]:
    """16 clients while versions are switched; which versions /healthz reported meanwhile."""
    seen: list[int | None] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                _, body = get_json(server.url + "/healthz", timeout=10)
                seen.append(body.get("model_version"))
            except OSError:
                seen.append(None)
            time.sleep(0.25)

    def switch() -> None:
        time.sleep(duration * 0.25)
        model_version_activate(version_id=other)
        if other == original:
            # Re-activating the active version is a no-op in the service: touch the time so
            # the workers still see a new activation and reload (what a second version does).
            from django.utils import timezone

            ModelVersion.objects.filter(id=original).update(activated_at=timezone.now())
        time.sleep(duration * 0.35)
        model_version_activate(version_id=original)
        if other == original:
            from django.utils import timezone

            ModelVersion.objects.filter(id=original).update(activated_at=timezone.now())

    watcher = threading.Thread(target=watch)
    switcher = threading.Thread(target=switch)
    watcher.start()
    switcher.start()
    try:
        result = wrk(server.url, ids=ids, mode="one", clients=16, duration=duration)
    finally:
        switcher.join()
        time.sleep(2.5)
        stop.set()
        watcher.join()
    versions = [version for version in seen if version is not None]
    return {
        **result,
        "switched_to": other,
        "switched_back_to": original,
        "versions_seen_by_healthz": sorted(set(versions)),
        "health_failures": sum(1 for version in seen if version is None),
    }


def bare_django(*, ids: list[int], duration: float) -> dict[str, Any]:
    """The yardstick: a Django view doing only the FAISS search, gunicorn sync x 2, same load."""
    server = Server(worker_class="sync", workers=2, threads=1, settings="bench.serve_bare_settings")
    try:
        server.wait_ready()
        wrk(server.url, ids=ids, mode="one", clients=16, duration=3)
        return {
            f"c{clients}": wrk(server.url, ids=ids, mode="one", clients=clients, duration=duration)
            for clients in (1, 16)
        }
    finally:
        server.stop()


def _against_bare(cases: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    """The issue's yardstick for similar and next (5-song history): p50 at 1 client as a
    multiple of the bare view's (goal at most 1.3) and req/s at 16 clients as a share of its
    (goal at least 0.9), both measured in this run."""
    return {
        case: {
            "p50_ratio": round(cases[f"{case}_c1"]["p50_ms"] / bare["c1"]["p50_ms"], 2),
            "rps_ratio_at_16": round(cases[f"{case}_c16"]["rps"] / bare["c16"]["rps"], 2),
        }
        for case in ("one_seed", "next_seed")
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per case")
    parser.add_argument(
        "--configs",
        default="sync:2,plain:2,gthread:2:4",
        help="gunicorn setups, comma-separated worker_class:workers[:threads]; "
        "plain:N is `gunicorn config.wsgi --workers N`, with no config file; ninja:N is sync:N "
        "with RECOMMENDER_API_FAST_PATH=0 (every request through its django-ninja operation)",
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "serve.json"))
    parser.add_argument("--no-swap", action="store_true", help="skip the hot-swap case")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")

    model = serving.serving_model()
    original = model.version_id
    rng = np.random.default_rng(RANDOM_SEED)
    placed = sorted(model.recommender.vectors.song_ids.tolist())
    ids = [int(song_id) for song_id in rng.choice(placed, size=SAMPLE_IDS, replace=False)]
    other = (
        ModelVersion.objects.filter(status=ModelVersion.Status.SUCCEEDED)
        .exclude(id=original)
        .order_by("-finished_at")
        .values_list("id", flat=True)
        .first()
    ) or original
    print(f"model version {original}: {model.size} songs placed; swap partner {other}")

    load_before = os.getloadavg()
    ref = reference(model, ids[:1000])
    print(f"reference: {ref}")

    configs = []
    bare = bare_django(ids=ids, duration=args.duration)
    print(f"bare Django view + FAISS: {bare}")
    for number, spec in enumerate(args.configs.split(",")):
        parts = spec.split(":")
        plain, fast_path = parts[0] == "plain", parts[0] != "ninja"
        worker_class = "sync" if parts[0] in ("plain", "ninja") else parts[0]
        workers = int(parts[1])
        threads = int(parts[2]) if len(parts) > 2 else 1
        name = f"{worker_class} {workers} workers" + (
            f" x {threads} threads" if threads > 1 else ""
        )
        name = f"plain `gunicorn config.wsgi` ({name})" if plain else name
        name = name if fast_path else f"{name}, no fast path"
        print(f"== {name}")
        server = Server(
            worker_class=worker_class,
            workers=workers,
            threads=threads,
            plain=plain,
            fast_path=fast_path,
        )
        try:
            server.wait_ready()
            wrk(server.url, ids=ids, mode="one", clients=16, duration=3)  # warm caches
            cases = {}
            for mode in ("one", "five", "next"):
                for clients in (1, 16):
                    case = f"{mode}_seed_c{clients}"
                    cases[case] = wrk(
                        server.url, ids=ids, mode=mode, clients=clients, duration=args.duration
                    )
                    print(f"   {case}: {cases[case]}")
            cases["radio_50_c1"] = wrk(
                server.url, ids=ids, mode="radio", clients=1, duration=args.duration
            )
            print(f"   radio_50_c1: {cases['radio_50_c1']}")
            memory = server.memory()
            print(f"   memory: {memory}")
            entry: dict[str, Any] = {
                "name": name,
                "plain": plain,
                "fast_path": fast_path,
                "worker_class": worker_class,
                "workers": workers,
                "threads": threads,
                "cases": cases,
                "worker_memory": memory,
                "api_p50_over_reference": round(
                    cases["one_seed_c1"]["p50_ms"] / ref["bare_faiss_plus_json_p50_ms"], 2
                ),
                "api_rps_over_bare_django_rps_at_16": round(
                    cases["one_seed_c16"]["rps"] / bare["c16"]["rps"], 2
                ),
                "against_bare_view": _against_bare(cases, bare),
            }
            if number == 0 and not args.no_swap:
                entry["swap_under_load"] = swap_under_load(
                    server, ids=ids, duration=args.duration, original=original, other=other
                )
                print(f"   swap: {entry['swap_under_load']}")
                entry["worker_memory_after_swap"] = server.memory()
            configs.append(entry)
        finally:
            server.stop()

    started_by_config = [entry for entry in configs if not entry["plain"] and entry["fast_path"]]
    best = max(started_by_config, key=lambda entry: entry["cases"]["one_seed_c16"]["rps"])
    goals = {
        "p50_at_1_client_ms": 2.0,
        "radio_of_50_p50_at_1_client_ms": 15.0,
        "rps_at_16_clients": 1200,
        "p99_at_16_clients_ms": 25.0,
        "worker_rss_mb": 300,
    }
    summary = {
        "best_config": best["name"],
        "one_seed_p50_at_1_client_ms": best["cases"]["one_seed_c1"]["p50_ms"],
        "one_seed_rps_at_16_clients": best["cases"]["one_seed_c16"]["rps"],
        "one_seed_p99_at_16_clients_ms": best["cases"]["one_seed_c16"]["p99_ms"],
        "five_seed_p50_at_1_client_ms": best["cases"]["five_seed_c1"]["p50_ms"],
        "five_seed_rps_at_16_clients": best["cases"]["five_seed_c16"]["rps"],
        "five_seed_p99_at_16_clients_ms": best["cases"]["five_seed_c16"]["p99_ms"],
        "next_history_of_5_p50_at_1_client_ms": best["cases"]["next_seed_c1"]["p50_ms"],
        "next_history_of_5_rps_at_16_clients": best["cases"]["next_seed_c16"]["rps"],
        "radio_of_50_p50_at_1_client_ms": best["cases"]["radio_50_c1"]["p50_ms"],
        "api_p50_over_reference": best["api_p50_over_reference"],
        "bare_django_faiss_view_rps_at_16_clients": bare["c16"]["rps"],
        "api_rps_over_bare_django_rps_at_16": best["api_rps_over_bare_django_rps_at_16"],
        "max_worker_rss_mb": max(
            item["rss_mb"]
            for entry in configs
            for key in ("worker_memory", "worker_memory_after_swap")
            for item in entry.get(key, [])
        ),
        "swap_errors": configs[0].get("swap_under_load", {}).get("error_total"),
        "bare_view_p50_at_1_client_ms": bare["c1"]["p50_ms"],
        "against_bare_view": best["against_bare_view"],
    }
    ninja = [entry for entry in configs if not entry["fast_path"]]
    if ninja:
        # The same start with every request through its django-ninja operation.
        summary["fast_path_against_ninja"] = {
            case: {
                "p50_ratio": round(
                    best["cases"][f"{case}_c1"]["p50_ms"]
                    / ninja[0]["cases"][f"{case}_c1"]["p50_ms"],
                    2,
                ),
                "rps_ratio_at_16": round(
                    best["cases"][f"{case}_c16"]["rps"] / ninja[0]["cases"][f"{case}_c16"]["rps"], 2
                ),
            }
            for case in ("one_seed", "next_seed")
        }
    plain = [entry for entry in configs if entry["plain"]]
    if plain:
        # bin/up's start with the same worker class and count as the plain one.
        (same,) = [
            entry
            for entry in started_by_config
            if (entry["worker_class"], entry["workers"], entry["threads"])
            == (plain[0]["worker_class"], plain[0]["workers"], plain[0]["threads"])
        ] or [best]
        summary["plain_start"] = {
            case: {
                "plain_p50_over_bin_up": round(
                    plain[0]["cases"][f"{case}_c1"]["p50_ms"]
                    / same["cases"][f"{case}_c1"]["p50_ms"],
                    2,
                ),
                "plain_rps_over_bin_up_at_16": round(
                    plain[0]["cases"][f"{case}_c16"]["rps"] / same["cases"][f"{case}_c16"]["rps"], 2
                ),
            }
            for case in ("one_seed", "next_seed")
        }
    document = {
        "what": "bench/serve_benchmark.py: gunicorn on 127.0.0.1, load from wrk (separate "
        "process), random songs the model places, k=10",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine competes for its 2 cores: the 1-minute load average
            # before and after the run says how quiet it was (2.0 = both cores busy).
            "load_average_1min_before": round(load_before[0], 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        },
        "duration_per_case_s": args.duration,
        "model_version": original,
        "songs_placed": model.size,
        "goals": goals,
        "summary": summary,
        "reference_in_process": ref,
        "bare_django_faiss_view": bare,
        "configs": configs,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
