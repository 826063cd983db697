"""`manage.py ingest_playlists [--source DIR_OR_URL]`: fill the catalogue from a yes_* data set."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from playlists.download import SourceUnreachable
from playlists.ingest import IngestError, IngestReport, playlists_ingest

logger = logging.getLogger("playlists.ingest")


class Command(BaseCommand):
    help = (
        "Read a yes_* data set (a folder, or an http(s) URL to download it from) into the "
        "catalogue. Running it again on the same data changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            help="a yes_* folder or an http(s) base URL "
            f"(default: RECOMMENDER_DATA_SOURCE, now {settings.RECOMMENDER_DATA_SOURCE})",
        )

    def handle(self, *args: Any, source: str | None = None, **options: Any) -> None:
        started = time.perf_counter()

        def stage(message: str) -> None:
            # Plain, not in the red that Django gives stderr on a terminal: this is progress.
            self.stderr.write(
                f"[{time.perf_counter() - started:6.2f}s] {message}", style_func=_plain
            )

        try:
            report = playlists_ingest(source=source, progress=stage)
        except SourceUnreachable as error:
            # The newcomer's first run offline: say the way out in the one line they read.
            raise CommandError(
                f"cannot download the data set ({error}); without internet, point at a local "
                "copy: --source DIR (bin/up --source DIR) or RECOMMENDER_DATA_SOURCE=DIR"
            ) from None
        except IngestError as error:
            raise CommandError(f"ingest failed: {error}") from None
        lines = summary_lines(report)
        for line in lines:
            self.stdout.write(line)
        # The same summary as one log record, for whoever reads the logs rather than the
        # terminal (a log collector reads the counts from its fields).
        logger.info(
            "ingest: %s",
            "; ".join(lines),
            extra={
                "dataset": report.dataset,
                "songs": report.songs,
                "playlists": report.playlists,
                "rows_created": report.created,
                "rows_updated": report.updated,
                "rows_deleted": report.deleted,
                "seconds": round(report.seconds, 2),
            },
        )


def _plain(text: str) -> str:
    return text


def summary_lines(report: IngestReport) -> list[str]:
    """The closing summary: what the data set holds, then what this run changed."""
    lines = [
        f"data set: {report.dataset} (from {report.source})",
        f"songs: {report.songs:,}",
        f"tags: {report.tags:,} ({report.song_tags:,} song tags)",
    ]
    for split, count in report.playlists.items():
        lines.append(
            f"{split} playlists: {count:,} ({report.trainable_playlists[split]:,} with 2 or "
            f"more songs, {report.one_song_playlists[split]:,} with one song), "
            f"{report.entries[split]:,} entries, "
            f"{report.skipped_empty_lines[split]:,} empty lines skipped"
        )
    if report.changed:
        parts = [
            f"{table}: +{change.created:,} ~{change.updated:,} -{change.deleted:,}"
            for table, change in report.changes.items()
            if change.total
        ]
        lines.append(
            f"changed: {report.created:,} rows created, {report.updated:,} updated, "
            f"{report.deleted:,} deleted ({'; '.join(parts)})"
        )
    else:
        lines.append("unchanged: the catalogue already matches this data set, nothing written")
    lines.append(f"seconds: {report.seconds:.2f}")
    return lines
