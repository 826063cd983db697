"""Benchmark of the catalogue ingest on the real yes_complete folder, SQLite and PostgreSQL.

    .venv/bin/python bench/ingest_benchmark.py [--runs 3] [--data ../shared/data/yes_complete]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--skip-postgres]

Each run gets a fresh, migrated database (a new SQLite file; a throwaway PostgreSQL database
created beside the maintenance database given by --postgres and dropped afterwards) and a fresh
Python process, which measures in order:
  parse      reading and validating the files only (the reference: no database at all)
  full       playlists_ingest into the empty catalogue
  unchanged  playlists_ingest of the same folder again (fingerprint check, nothing written)
  peak RSS   of that process (resource.getrusage), i.e. everything above together
Medians over the runs go to bench/results/ingest.json, with the machine's load average (other
work on the machine slows every figure), and `full / parse` as a machine-independent ratio.
Goals (issue 2): full <= 10 s on SQLite, <= 15 s on PostgreSQL, unchanged <= 3 s, RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "ingest.json"
GOALS = {"sqlite": 10.0, "postgresql": 15.0, "unchanged": 3.0, "peak_rss_mb": 1024.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "yes_complete"))
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL maintenance database; throwaway databases are created beside it",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()
    if args.worker:
        worker(Path(args.data))
        return

    load_before = os.getloadavg()
    started = time.time()
    backends: dict[str, Any] = {"sqlite": [run_sqlite(args.data) for _ in range(args.runs)]}
    if not args.skip_postgres:
        backends["postgresql"] = [run_postgres(args.data, args.postgres) for _ in range(args.runs)]
    result = {
        "benchmark": "playlists_ingest of yes_complete into a fresh database",
        "command": f"python bench/ingest_benchmark.py --runs {args.runs}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1_5_15_before": [round(x, 2) for x in load_before],
            "load_average_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        },
        "goals_seconds": GOALS,
        "results": {name: summarise(name, runs) for name, runs in backends.items()},
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["results"], indent=2))
    print(f"written to {args.output}")


def summarise(backend: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median(key: str) -> float:
        return round(statistics.median(run[key] for run in runs), 3)

    summary = {
        "runs": len(runs),
        "median_parse_seconds": median("parse_seconds"),
        "median_full_ingest_seconds": median("full_seconds"),
        "median_unchanged_reingest_seconds": median("unchanged_seconds"),
        "median_full_over_parse": median("full_over_parse"),
        "max_peak_rss_mb": round(max(run["peak_rss_mb"] for run in runs), 1),
        "database_version": runs[0]["database_version"],
        "each_run": runs,
    }
    summary["meets_goals"] = (
        summary["median_full_ingest_seconds"] <= GOALS[backend]
        and summary["median_unchanged_reingest_seconds"] <= GOALS["unchanged"]
        and summary["max_peak_rss_mb"] < GOALS["peak_rss_mb"]
    )
    return summary


def run_sqlite(data: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="songrec-bench-") as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        return measure(data, url, var_dir=folder)


def run_postgres(data: str, maintenance_url: str) -> dict[str, Any]:
    import psycopg

    name = f"songrec_bench_{uuid.uuid4().hex[:8]}"
    base = maintenance_url.rsplit("/", 1)[0]
    with psycopg.connect(maintenance_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="songrec-bench-") as folder:
            return measure(data, f"{base}/{name}", var_dir=folder)
    finally:
        with psycopg.connect(maintenance_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(data: str, database_url: str, *, var_dir: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url, "RECOMMENDER_VAR_DIR": var_dir}
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--verbosity", "0", "--skip-checks"],
        cwd=REPO,
        env=env,
        check=True,
    )
    output = subprocess.run(
        [python, __file__, "--worker", "--data", data],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    run = json.loads(output.strip().splitlines()[-1])
    print(f"  {run}", file=sys.stderr)
    return run


def worker(data: Path) -> None:
    """One fresh process: parse (reference), full ingest, unchanged ingest, peak RSS."""
    import resource

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from playlists.ingest import playlists_ingest
    from playlists.models import Song
    from playlists.parsing import dataset_parse

    assert not Song.objects.exists(), "the benchmark needs an empty catalogue"
    started = time.perf_counter()
    dataset_parse(data)
    parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    full = playlists_ingest(source=data)
    full_seconds = time.perf_counter() - started
    assert full.changed and full.songs == Song.objects.count()

    started = time.perf_counter()
    unchanged = playlists_ingest(source=data)
    unchanged_seconds = time.perf_counter() - started
    assert not unchanged.changed

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
    print(
        json.dumps(
            {
                "parse_seconds": round(parse_seconds, 3),
                "full_seconds": round(full_seconds, 3),
                "unchanged_seconds": round(unchanged_seconds, 3),
                "full_over_parse": round(full_seconds / parse_seconds, 2),
                # ru_maxrss is in KiB on Linux.
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "database_version": version,
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
