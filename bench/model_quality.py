"""The model's quality on the real data: the evaluation a training run stores, reproduced.

Ingests the data set into its own database (idempotent), then runs the training pipeline's
service in this process (training_run_execute: the code the Celery task wraps) with the given
hyperparameters, and writes what the version stored:

- every question's metrics for the served model and the five counting baselines, on the
  same hold-out cases, and the ablation (statistics only, Word2Vec only, both);
- the fitted weights of each question and the popularity shift chosen on validation;
- the memory the version's statistics take, and the phase timings;
- the top 5 for similar and for next of three well-known seeds, with titles.

    RECOMMENDER_VAR_DIR=/tmp/songrec-quality .venv/bin/python bench/model_quality.py \
        --source ../shared/data/yes_complete
    # a variant (e.g. the literature's negative ns_exponent), stored under its name:
    ... bench/model_quality.py --name ns-0.5 --params '{"ns_exponent": -0.5, "window": 3}'

The default run writes bench/results/model_quality.json; a named variant is added to
bench/results/model_quality_variants.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
# California Love (2Pac), Billie Jean (Michael Jackson), Fade To Black (Metallica).
EXAMPLE_SEEDS = (842, 3822, 2172)


def _examples(folder: Path) -> dict[str, Any]:
    from playlists.models import Song
    from recommender.ml.recommender import Recommender

    recommender = Recommender.load(folder)
    songs = {s.id: f"{s.title} — {s.artist}" for s in Song.objects.all().only("title", "artist")}
    out: dict[str, Any] = {}
    for seed in EXAMPLE_SEEDS:
        if seed not in songs:
            continue
        similar = recommender.similar(seed, 5)
        following = recommender.next([seed], 5)
        out[str(seed)] = {
            "seed": songs[seed],
            "similar": [songs.get(s, str(s)) for s in similar.song_ids.tolist()],
            "similar_reasons": [r.kind.value for r in similar.reasons()],
            "next": [songs.get(s, str(s)) for s in following.song_ids.tolist()],
            "next_reasons": [r.kind.value for r in following.reasons()],
        }
    return out


def markdown(result: dict[str, Any]) -> str:
    """The tables of docs/model_quality.md from one result."""
    from recommender.metrics_display import ablation_rows, metrics_tables

    lines: list[str] = []
    for table in metrics_tables(result["metrics"]):
        lines += [f"**{table.title}** ({table.cases} cases)", ""]
        lines.append("| | " + " | ".join(table.columns) + " |")
        lines.append("|---" * (len(table.columns) + 1) + "|")
        for label, cells in table.rows:
            texts = [f"**{c.text}**" if c.best else c.text for c in cells]
            lines.append(f"| {label} | " + " | ".join(texts) + " |")
        lines.append("")
    ablation = ablation_rows(result["metrics"])
    lines += ["| ablation | both | statistics only | Word2Vec only |", "|---|---|---|---|"]
    for row in ablation:
        lines.append(f"| {row.title} | {row.both} | {row.statistics} | {row.embeddings} |")
    lines.append("")
    if any(row.tests for row in ablation):
        lines += [
            "| question | metric | both | statistics only | difference "
            "| 95% interval | p | cases | reading |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in ablation:
            for t in row.tests:
                lines.append(
                    f"| {row.title} | {t.metric} | {t.both} | {t.statistics} | {t.difference} "
                    f"| {t.interval} | {t.p_value} | {t.cases} | {t.verdict} |"
                )
        lines.append("")
    for example in result.get("examples", {}).values():
        lines.append(f"- **{example['seed']}**")
        lines.append(f"  - similar: {' · '.join(example['similar'])}")
        lines.append(f"  - next: {' · '.join(example['next'])}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=str(ROOT.parent / "shared/data/yes_complete"))
    parser.add_argument("--params", default="{}", help="Word2VecParams fields as JSON")
    parser.add_argument("--name", default="", help="store as a named variant")
    parser.add_argument(
        "--report", action="store_true", help="print the stored result's tables as markdown"
    )
    args = parser.parse_args()
    if args.report:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        print(markdown(json.loads((RESULTS / "model_quality.json").read_text())))
        return
    os.environ.setdefault("RECOMMENDER_VAR_DIR", "/tmp/songrec-quality")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("ingest_playlists", source=args.source, verbosity=0)

    from recommender.metrics_display import headline
    from recommender.ml.embeddings import Word2VecParams
    from recommender.ml.scorer import Scorers
    from recommender.ml.statistics import PlaylistStatistics
    from recommender.models import ModelVersion
    from recommender.training import model_version_delete, training_run_execute
    from recommender.training.services import PARAM_FIELDS

    params = replace(Word2VecParams(), **json.loads(args.params))
    params.validate()
    version = ModelVersion.objects.create(
        **{name: getattr(params, name) for name in PARAM_FIELDS},
        activate_when_done=ModelVersion.Activation.NEVER,
    )
    load_before = os.getloadavg()
    started = time.perf_counter()
    training_run_execute(version_id=version.pk)
    seconds = time.perf_counter() - started
    version.refresh_from_db()
    if version.status != ModelVersion.Status.SUCCEEDED:
        raise SystemExit(f"v{version.pk} ended {version.status}: {version.error}")
    folder = Path(version.artifacts_path)
    scorers = Scorers.load(folder)
    result = {
        "benchmark": "model quality on yes_complete's hold-out (the metrics a version stores)",
        "command": "RECOMMENDER_VAR_DIR=/tmp/songrec-quality .venv/bin/python "
        f"bench/model_quality.py --source {args.source}"
        + (f" --name {args.name} --params '{args.params}'" if args.name else ""),
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1_5_15_before": [round(x, 2) for x in load_before],
            "load_average_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        },
        "hyperparameters": params.as_dict(),
        "corpus": version.corpus_stats,
        "run_seconds": round(seconds, 1),
        "timings": version.timings,
        "statistics_bytes_in_memory": PlaylistStatistics.load(folder).nbytes,
        "metrics": version.metrics,
        "scorers": {q.value: s.as_dict() for q, s in scorers.by_question.items()},
        "examples": _examples(folder),
    }
    model_version_delete(version_id=version.pk)
    if args.name:
        path = RESULTS / "model_quality_variants.json"
        variants = json.loads(path.read_text()) if path.exists() else {}
        variants[args.name] = result
        path.write_text(json.dumps(variants, indent=1, sort_keys=True) + "\n")
    else:
        path = RESULTS / "model_quality.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
    summary = {
        question: {name: headline(version.metrics, question, name) for name in results}
        for question, results in version.metrics.items()
        if question in ("next", "next_one_song", "continuation", "similar")
    }
    print(json.dumps({"written": str(path), "headline": summary}, indent=1))


if __name__ == "__main__":
    main()
