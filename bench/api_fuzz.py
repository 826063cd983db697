"""API fuzzing, the long run: schemathesis against the app's own OpenAPI document, real data.

    RECOMMENDER_VAR_DIR=/tmp/songrec-fuzz-bench .venv/bin/python bench/api_fuzz.py \\
        --source ../shared/data/yes_complete --examples 500

1. A sandbox of its own (RECOMMENDER_VAR_DIR, default /tmp/songrec-fuzz-bench; SQLite there
   unless DATABASE_URL is set): migrate, ingest the data set (idempotent), and unless a model
   version is active, train one in this process with epochs=1 and activate it (the run tests
   the API, not the model's quality; training_run_execute is what the worker runs).
2. Schemathesis' engine, what `schemathesis run` runs, in this process against Django's WSGI
   handler with every middleware: the document's examples, coverage (boundary values, every
   other method) and --examples random cases per operation, half of them valid and half
   invalid; the checks of tests/serving/fuzzing.py; song ids and search words drawn from the
   catalogue part of the time, so that answers with results are fuzzed too, not only 404s.
   The CI test (tests/serving/test_api_fuzz.py) runs the same checks with 50 examples.
3. Writes bench/results/api_fuzz.json: cases and statuses per operation, failures (must be 0),
   seconds, versions, date, machine load; exits 1 when any check failed.

The rate limit is off (RECOMMENDER_API_RATE_LIMIT=0): every case comes from one address.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "api_fuzz.json"
SEED = 20121
SEARCH_SONGS = 300  # the most played songs give the search words


def _environment() -> Path:
    var_dir = Path(os.environ.setdefault("RECOMMENDER_VAR_DIR", "/tmp/songrec-fuzz-bench"))
    os.environ["RECOMMENDER_API_RATE_LIMIT"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    return var_dir


def sandbox_prepare(*, source: str, epochs: int) -> dict[str, Any]:
    """Migrate, ingest, and make sure a model version is active; say what it took."""
    from django.core.management import call_command

    from recommender import training
    from recommender.models import ModelVersion

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("ingest_playlists", source=source)
    ingest_seconds = time.perf_counter() - started
    active = ModelVersion.objects.filter(is_active=True).first()
    train_seconds = None
    if active is None:
        started = time.perf_counter()
        version = ModelVersion.objects.create(
            epochs=epochs, activate_when_done=ModelVersion.Activation.NEVER
        )
        training.training_run_execute(version_id=version.id)
        active = training.model_version_activate(version_id=version.id)
        train_seconds = round(time.perf_counter() - started, 1)
    return {
        "ingest_seconds": round(ingest_seconds, 1),
        "train_seconds": train_seconds,
        "model_version": active.id,
        "epochs": active.epochs,
    }


def catalogue_samples() -> tuple[list[int], list[str]]:
    """Every song id, and search words from the titles and artists of the most played songs."""
    from playlists.models import Song
    from tests.serving.fuzzing import search_words

    ids = list(Song.objects.order_by("id").values_list("id", flat=True))
    top = Song.objects.order_by("-play_count", "id").values_list("title", "artist")
    texts = [text for pair in top[:SEARCH_SONGS] for text in pair]
    return ids, search_words(texts)


def fuzz_run(*, examples: int, seed: int) -> dict[str, Any]:
    """One engine run over every operation; cases, statuses and failures per operation."""
    from django.core.handlers.wsgi import WSGIHandler
    from schemathesis.engine import events as ev
    from schemathesis.engine import from_schema

    from tests.serving.fuzzing import fuzz_schema

    song_ids, queries = catalogue_samples()
    schema = fuzz_schema(
        song_ids=song_ids,
        queries=queries,
        app=WSGIHandler(),
        seed=seed,
        workers=1,
        **{"continue-on-failure": True},
        generation={"max-examples": examples},
        phases={"stateful": {"enabled": False}},
    )
    cases: Counter[str] = Counter()
    by_phase: dict[str, Counter[str]] = defaultdict(Counter)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    failures: list[dict[str, Any]] = []
    errors: list[str] = []
    started = time.perf_counter()
    for event in from_schema(schema).execute():
        if isinstance(event, ev.ScenarioFinished) and event.label:
            recorder = event.recorder
            cases[event.label] += len(recorder.cases)
            by_phase[event.label][event.phase.value] += len(recorder.cases)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    statuses[event.label][str(interaction.response.status_code)] += 1
            for checks in recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failures.append(
                            {
                                "operation": event.label,
                                "check": check.name,
                                "title": check.failure_info.failure.title,
                                "curl": check.failure_info.code_sample,
                            }
                        )
        elif isinstance(event, ev.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, ev.FatalError):
            errors.append(f"fatal: {event.exception!r}")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "cases_total": sum(cases.values()),
        "cases_per_operation": dict(sorted(cases.items())),
        "cases_per_operation_and_phase": {k: dict(v) for k, v in sorted(by_phase.items())},
        "statuses_per_operation": {k: dict(sorted(v.items())) for k, v in sorted(statuses.items())},
        "song_ids_known": len(song_ids),
        "search_words": len(queries),
        "failures": failures,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(REPO.parent / "shared/data/yes_complete"))
    parser.add_argument("--examples", type=int, default=500, help="random cases per operation")
    parser.add_argument("--epochs", type=int, default=1, help="for the model trained if none")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    var_dir = _environment()
    import django

    django.setup()
    import hypothesis
    import schemathesis

    from tests.serving.fuzzing import CHECKS

    setup = sandbox_prepare(source=args.source, epochs=args.epochs)
    print(f"sandbox {var_dir}: {setup}", flush=True)
    load_before = os.getloadavg()
    run = fuzz_run(examples=args.examples, seed=args.seed)
    load_after = os.getloadavg()

    result = {
        "benchmark": "schemathesis against the app's own OpenAPI document, in process (WSGI), "
        "on yes_complete with an active model",
        "command": f"RECOMMENDER_VAR_DIR={var_dir} .venv/bin/python bench/api_fuzz.py "
        f"--source {args.source} --examples {args.examples} --seed {args.seed}",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "versions": {
            "schemathesis": schemathesis.__version__,
            "hypothesis": hypothesis.__version__,
            "python": platform.python_version(),
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "database": "sqlite" if "DATABASE_URL" not in os.environ else "DATABASE_URL",
            "load_average_1_5_15_before": [round(x, 2) for x in load_before],
            "load_average_1_5_15_after": [round(x, 2) for x in load_after],
        },
        "examples_per_operation": args.examples,
        "phases": ["examples", "coverage", "fuzzing"],
        "checks": list(CHECKS),
        "sandbox": setup,
        **run,
        "failure_count": len(run["failures"]),
        "ok": not run["failures"] and not run["errors"],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(
        json.dumps(
            {k: result[k] for k in ("seconds", "cases_total", "cases_per_operation", "ok")},
            indent=2,
        )
    )
    for failure in run["failures"][:20]:
        print(f"FAILED {failure['operation']} {failure['check']}: {failure['curl']}")
    for error in run["errors"][:20]:
        print(f"ERROR {error}")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
