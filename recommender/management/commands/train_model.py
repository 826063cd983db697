"""Enqueue a training run for the Celery worker; with --wait, follow it to the end.

    python manage.py train_model [--wait] [--vector-size N --window N ...] [--activate better]

Every Word2Vec hyperparameter has an option (defaults: Word2VecParams). With --wait the
command shows a progress bar and the final metrics against the baselines, and exits non-zero
when the run fails or is cancelled.
"""

from __future__ import annotations

import time
from dataclasses import fields, replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from recommender.metrics_display import ablation_rows, metrics_tables
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, QueueUnavailable, model_version_create

Status = ModelVersion.Status
# After this long in "queued" the command says that no worker seems to be listening.
NO_WORKER_HINT_SECONDS = 15.0


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "sg", "skip-gram"}:
        return True
    if lowered in {"0", "false", "no", "cbow"}:
        return False
    raise ValueError(f"expected 1/0, true/false, skip-gram/cbow (got {text!r})")


class Command(BaseCommand):
    help = "Train a new model version in the Celery worker (every hyperparameter is an option)."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Word2VecParams()
        types = {f.name: f.type for f in fields(Word2VecParams)}
        for name in PARAM_FIELDS:
            kind: Any = {"int": int, "float": float, "bool": _bool}[str(types[name])]
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                type=kind,
                default=getattr(defaults, name),
                help=f"Word2Vec {name} (default: {getattr(defaults, name)})",
            )
        parser.add_argument(
            "--activate",
            choices=ModelVersion.Activation.values,
            default=ModelVersion.Activation.BETTER,
            help="activate the new version when done: always, better (if its HitRate@10 is at "
            "least the active version's; the default) or never",
        )
        parser.add_argument(
            "--wait", action="store_true", help="follow the run: progress, then metrics"
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="with --wait, give up waiting after this many seconds (the run goes on)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        params = replace(Word2VecParams(), **{name: options[name] for name in PARAM_FIELDS})
        try:
            params.validate()
        except ValueError as exc:
            raise CommandError(f"invalid hyperparameters: {exc}") from exc
        try:
            version = model_version_create(params=params, activate_when_done=options["activate"])
        except QueueUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Model version v{version.pk} is queued (task {version.task_id}).")
        if not options["wait"]:
            self.stdout.write("Follow it in the admin, or run this command with --wait.")
            return
        final = self._follow(version, timeout=options["timeout"])
        self._report(final)

    def _follow(self, version: ModelVersion, *, timeout: float | None) -> ModelVersion:
        started = time.monotonic()
        hinted = False
        # tqdm redraws its bar in place with "\r". Django's OutputWrapper would end every
        # redraw with a newline (and colour it red on a terminal): one line per poll, hundreds
        # in a long run. The bar gets the stream underneath instead.
        stream = getattr(self.stderr, "_out", self.stderr)
        bar = tqdm(total=version.epochs, unit="epoch", desc=f"v{version.pk}", file=stream)
        try:
            while True:
                row = ModelVersion.objects.get(pk=version.pk)
                bar.n = row.progress_epoch
                bar.set_postfix_str(f"{row.status}: {row.progress_message}"[:60], refresh=True)
                if row.is_finished:
                    return row
                waited = time.monotonic() - started
                if row.status == Status.QUEUED and waited > NO_WORKER_HINT_SECONDS and not hinted:
                    hinted = True
                    bar.write(
                        "Still queued: is a worker running? "
                        "(celery -A config worker --concurrency 1 -l INFO)"
                    )
                if timeout is not None and waited > timeout:
                    raise CommandError(
                        f"gave up waiting after {timeout:.0f} s; v{row.pk} is {row.status}"
                    )
                time.sleep(0.5)
        finally:
            bar.close()

    def _report(self, row: ModelVersion) -> None:
        if row.status != Status.SUCCEEDED:
            detail = row.error or row.progress_message
            raise CommandError(f"model version v{row.pk} {row.status}: {detail}")
        metrics = row.metrics or {}
        self.stdout.write(self.style.SUCCESS(f"Model version v{row.pk} succeeded."))
        self.stdout.write(
            f"Evaluated on {(row.corpus_stats or {}).get('evaluated_on', 'held-out playlists')}; "
            "every ranker on the same cases:"
        )
        for table in metrics_tables(metrics):
            self.stdout.write(f"\n{table.title} ({table.cases} cases)")
            widths = [max(len(c), 9) for c in table.columns]
            header = "".join(f"{c:>{w + 2}}" for c, w in zip(table.columns, widths, strict=True))
            self.stdout.write(f"{'':<24}{header}")
            for label, cells in table.rows:
                line = "".join(f"{c.text:>{w + 2}}" for c, w in zip(cells, widths, strict=True))
                self.stdout.write(f"{label:<24}{line}")
        ablation = ablation_rows(metrics)
        if ablation:
            self.stdout.write(f"\nAblation{'both':>44}{'statistics':>12}{'Word2Vec':>10}")
            for entry in ablation:
                self.stdout.write(
                    f"{entry.title[:44]:<44}{entry.both:>8}{entry.statistics:>12}"
                    f"{entry.embeddings:>10}"
                )
        tests = [(entry.title, test) for entry in ablation for test in entry.tests]
        if tests:
            self.stdout.write(
                "\nDoes Word2Vec add? Both minus statistics only, on the same cases "
                "(95% interval, p):"
            )
            for title, test in tests:
                self.stdout.write(
                    f"{title[:44]:<44} {test.metric:<17}{test.difference:>9}  "
                    f"[{test.interval}]  p {test.p_value}  {test.cases} cases: {test.verdict}"
                )
        took = (
            (row.finished_at - row.started_at).total_seconds()
            if row.started_at and row.finished_at
            else 0.0
        )
        self.stdout.write(
            f"Trained in {row.train_seconds or 0:.1f} s "
            f"({row.words_per_second or 0:,.0f} words/s); the whole run took {took:.1f} s."
        )
        if row.is_active:
            self.stdout.write(self.style.SUCCESS(f"v{row.pk} is now the active version."))
        else:
            self.stdout.write(
                f"v{row.pk} was not activated (policy: {row.activate_when_done}); activate it "
                "in the admin if you want it served."
            )
