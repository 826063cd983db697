"""The catalogue ingest: make Song, Tag, SongTag and Playlist match one yes_* data set.

The catalogue holds one data set at a time (song ids are that data set's own), so ingesting a
folder also removes the playlists of any other data set ingested before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction

from playlists.download import dataset_download, is_url
from playlists.models import Dataset, Playlist, Song, SongTag, Tag
from playlists.parsing import (
    IngestError,
    ParsedDataset,
    dataset_files,
    dataset_fingerprint,
    dataset_parse,
)

__all__ = ["IngestError", "IngestReport", "RowChanges", "playlists_ingest"]

Progress = Callable[[str], None]
# Rows per DELETE ... WHERE id IN (...): below SQLite's limit on query parameters.
DELETE_BATCH = 5000
# From this many rows on, a PostgreSQL insert checks foreign keys once for all rows.
BULK_ROWS = 50_000
SUMMARY_VERSION = 1


@dataclass(frozen=True, slots=True)
class RowChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass(frozen=True)
class IngestReport:
    """What the data set holds and what the ingest changed. Per-split counts are keyed by split."""

    dataset: str
    source: str
    songs: int
    tags: int
    song_tags: int
    playlists: dict[str, int]  # non-empty playlist lines
    trainable_playlists: dict[str, int]  # with two or more songs (what training reads)
    entries: dict[str, int]
    one_song_playlists: dict[str, int]
    skipped_empty_lines: dict[str, int]
    changes: dict[str, RowChanges] = field(default_factory=dict)  # per table
    changed: bool = False
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(change.created for change in self.changes.values())

    @property
    def updated(self) -> int:
        return sum(change.updated for change in self.changes.values())

    @property
    def deleted(self) -> int:
        return sum(change.deleted for change in self.changes.values())


def playlists_ingest(
    *, source: str | Path | None = None, progress: Progress | None = None
) -> IngestReport:
    """Make the catalogue match the data set at `source` (a yes_* folder or an http(s) base URL).

    1. A URL is downloaded first into settings.RECOMMENDER_DOWNLOAD_DIR/<name>/.
    2. Same file fingerprint and same row counts as the last ingest: report, write nothing.
    3. Otherwise every file is parsed and validated before the first write; a problem raises
       IngestError naming the file and line, and the database is left as it was.
    4. The differences (new, changed, removed songs, tags, song tags, playlists) are written in
       one transaction, so that a second run on the same folder changes no row.
    Default source: settings.RECOMMENDER_DATA_SOURCE.
    """
    started = time.perf_counter()
    say = progress or (lambda message: None)
    source = settings.RECOMMENDER_DATA_SOURCE if source is None else source
    if is_url(source):
        say(f"downloading {source}")
        folder = dataset_download(
            base_url=str(source),
            download_dir=Path(settings.RECOMMENDER_DOWNLOAD_DIR),
            show_progress=progress is not None,
        )
    else:
        folder = Path(source).expanduser().resolve()
    name = folder.name
    files = dataset_files(folder)
    if len(name) > Dataset._meta.get_field("name").max_length:  # type: ignore[operator]
        raise IngestError(f"{folder}: the folder name is too long to name a data set")
    say("fingerprinting files")
    fingerprint = dataset_fingerprint(files)

    existing = Dataset.objects.filter(name=name).first()
    if existing and existing.fingerprint == fingerprint and _is_intact(existing):
        say("unchanged: nothing written")
        return _report(existing.summary["counts"], name=name, source=str(source), started=started)

    parsed = dataset_parse(folder, stage=say)
    counts = _counts(parsed)
    say("comparing with the database")
    with transaction.atomic():
        changes = _sync(parsed, name=name, source=str(source), say=say)
        dataset = Dataset.objects.get(name=name)
        dataset.fingerprint = fingerprint
        dataset.source = str(source)
        dataset.summary = {
            "version": SUMMARY_VERSION,
            "counts": counts,
            "row_counts": _row_counts(dataset),
        }
        dataset.save()
    return _report(
        counts,
        name=name,
        source=str(source),
        started=started,
        changes=changes,
    )


def _report(
    counts: dict[str, Any],
    *,
    name: str,
    source: str,
    started: float,
    changes: dict[str, RowChanges] | None = None,
) -> IngestReport:
    changes = changes or {}
    return IngestReport(
        dataset=name,
        source=source,
        changes=changes,
        changed=any(change.total for change in changes.values()),
        seconds=time.perf_counter() - started,
        **counts,
    )


def _counts(parsed: ParsedDataset) -> dict[str, Any]:
    """The report's counts of a parsed data set, as JSON (kept on Dataset.summary)."""
    splits = parsed.splits
    return {
        "songs": len(parsed.songs),
        "tags": len(parsed.tags),
        "song_tags": len(parsed.song_tags),
        "playlists": {split.name: len(split.playlists) for split in splits},
        "trainable_playlists": {
            split.name: len(split.playlists) - split.one_song_playlists for split in splits
        },
        "entries": {split.name: split.entries for split in splits},
        "one_song_playlists": {split.name: split.one_song_playlists for split in splits},
        "skipped_empty_lines": {split.name: split.skipped_empty_lines for split in splits},
    }


def _row_counts(dataset: Dataset) -> dict[str, int]:
    return {
        "songs": Song.objects.count(),
        "tags": Tag.objects.count(),
        "song_tags": SongTag.objects.count(),
        "playlists": Playlist.objects.count(),
        "dataset_playlists": Playlist.objects.filter(dataset=dataset).count(),
        "datasets": Dataset.objects.count(),
    }


def _is_intact(dataset: Dataset) -> bool:
    """Rows were not added or removed behind the ingest's back since it last ran."""
    summary = dataset.summary or {}
    return summary.get("version") == SUMMARY_VERSION and summary.get("row_counts") == _row_counts(
        dataset
    )


def _sync(parsed: ParsedDataset, *, name: str, source: str, say: Progress) -> dict[str, RowChanges]:
    """Write the differences between the database and `parsed`; the caller holds a transaction."""
    changes: dict[str, RowChanges] = {}
    if connection.vendor == "postgresql":
        # Check foreign keys statement by statement: our writes go parents-last on delete and
        # parents-first on insert, and ALTER TABLE (see _insert_rows) refuses to run while
        # deferred checks are still pending on a table.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Two ingests at once would both insert the same new rows; the second waits here
            # and then finds the first one's rows. (SQLite's BEGIN IMMEDIATE does the same.)
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('playlists_ingest'))")

    others = Dataset.objects.exclude(name=name)
    other_playlists = Playlist.objects.filter(dataset__in=others).count()
    other_datasets = others.count()
    if other_datasets:
        say(f"removing {other_datasets} other data set(s) and their playlists")
        others.delete()
    dataset, created = Dataset.objects.get_or_create(name=name, defaults={"source": source})
    # Reaching here means the fingerprint or the row counts differ: the row is saved either way.
    changes["dataset"] = RowChanges(
        created=int(created), updated=int(not created), deleted=other_datasets
    )

    # A (song, tag) pair that goes away is deleted before its song or tag, so that removing
    # songs and tags needs no cascade; new pairs are inserted after their songs and tags.
    say("syncing songs and tags")
    insert_song_tags, changes["song_tag"] = _sync_song_tags(parsed.song_tags)
    changes["tag"] = _sync_rows(
        Tag, columns=("name",), wanted={tag_id: (tag_name,) for tag_id, tag_name in parsed.tags}
    )
    changes["song"] = _sync_rows(
        Song,
        columns=("title", "artist", "search_text", "play_count", "is_placeholder"),
        wanted={
            song.id: (
                song.title,
                song.artist,
                song.search_text,
                song.play_count,
                song.is_placeholder,
            )
            for song in parsed.songs
        },
    )
    insert_song_tags()
    say("syncing playlists")
    changes["playlist"] = _sync_playlists(parsed, dataset=dataset, other_playlists=other_playlists)
    if connection.vendor == "postgresql":
        # Back to how Django declares its foreign keys (INITIALLY DEFERRED), in case the
        # caller's transaction goes on after ours.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return changes


def _sync_rows(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    wanted: dict[int, tuple[Any, ...]],
) -> RowChanges:
    """Make `model`'s rows (keyed by their data set id) equal `wanted`."""
    current = {
        row[0]: row[1:]
        for row in model._default_manager.order_by().values_list("pk", *columns).iterator()
    }
    removed = [key for key in current if key not in wanted]
    _delete_ids(model, removed)
    changed = [
        (*values, key)
        for key, values in wanted.items()
        if key in current and current[key] != values
    ]
    _update_rows(model, columns=columns, rows=changed)
    new = [(key, *values) for key, values in wanted.items() if key not in current]
    _insert_rows(model, columns=("id", *columns), rows=new)
    return RowChanges(created=len(new), updated=len(changed), deleted=len(removed))


def _sync_song_tags(
    wanted_rows: Sequence[tuple[int, int, int]],
) -> tuple[Callable[[], None], RowChanges]:
    """Delete and re-rank song tags now; return the insert of new ones, to run later."""
    wanted = {(song_id, tag_id): rank for song_id, tag_id, rank in wanted_rows}
    current = {
        (song_id, tag_id): (row_id, rank)
        for row_id, song_id, tag_id, rank in SongTag.objects.order_by()
        .values_list("id", "song_id", "tag_id", "rank")
        .iterator(chunk_size=20_000)
    }
    removed = [row_id for key, (row_id, _) in current.items() if key not in wanted]
    _delete_ids(SongTag, removed)
    changed = [
        (wanted[key], row_id)
        for key, (row_id, rank) in current.items()
        if key in wanted and wanted[key] != rank
    ]
    _update_rows(SongTag, columns=("rank",), rows=changed)
    new = [
        (song_id, tag_id, rank)
        for song_id, tag_id, rank in wanted_rows
        if (song_id, tag_id) not in current
    ]

    def insert() -> None:
        _insert_rows(SongTag, columns=("song_id", "tag_id", "rank"), rows=new)

    return insert, RowChanges(created=len(new), updated=len(changed), deleted=len(removed))


def _sync_playlists(parsed: ParsedDataset, *, dataset: Dataset, other_playlists: int) -> RowChanges:
    wanted: dict[tuple[str, int], tuple[int, bytes]] = {}
    for split in parsed.splits:
        for line_number, song_ids in zip(split.line_numbers, split.playlists, strict=True):
            wanted[(split.name, line_number)] = (len(song_ids), song_ids.tobytes())
    current = {
        (split, line_number): (row_id, bytes(blob))
        for row_id, split, line_number, blob in Playlist.objects.filter(dataset=dataset)
        .order_by()
        .values_list("id", "split", "line_number", "song_ids_blob")
        .iterator(chunk_size=2000)
    }
    removed = [row_id for key, (row_id, _) in current.items() if key not in wanted]
    _delete_ids(Playlist, removed)
    changed = [
        (*wanted[key], row_id)
        for key, (row_id, blob) in current.items()
        if key in wanted and wanted[key][1] != blob
    ]
    _update_rows(Playlist, columns=("length", "song_ids_blob"), rows=changed)
    new = [
        (dataset.pk, split, line_number, length, blob)
        for (split, line_number), (length, blob) in wanted.items()
        if (split, line_number) not in current
    ]
    _insert_rows(
        Playlist,
        columns=("dataset_id", "split", "line_number", "length", "song_ids_blob"),
        rows=new,
    )
    return RowChanges(
        created=len(new), updated=len(changed), deleted=len(removed) + other_playlists
    )


def _delete_ids(model: type[models.Model], ids: list[int]) -> None:
    """Delete rows by primary key.

    A model that nothing points at (SongTag) is deleted with plain SQL: for half a million
    rows that is several times faster than the ORM. Anything else goes through the ORM, so
    that rows of other apps pointing here cascade as they declare.
    """
    if not ids:
        return
    if model._meta.related_objects:
        for start in range(0, len(ids), DELETE_BATCH):
            model._default_manager.filter(pk__in=ids[start : start + DELETE_BATCH]).delete()
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    primary_key = quote(_pk_column(model))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {table} WHERE {primary_key} = ANY(%s)", [ids])
            return
        for start in range(0, len(ids), DELETE_BATCH):
            chunk = ids[start : start + DELETE_BATCH]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {primary_key} IN ({placeholders})", chunk)


def _pk_column(model: type[models.Model]) -> str:
    primary_key = model._meta.pk
    assert primary_key is not None and primary_key.column is not None
    return primary_key.column


def _insert_rows(
    model: type[models.Model], *, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Bulk insert without building model instances (587k song tags would cost seconds).

    PostgreSQL gets COPY, the fastest way in; SQLite one prepared INSERT run by executemany.
    """
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
            return
        foreign_keys = _postgres_foreign_keys(cursor, model) if len(rows) >= BULK_ROWS else []
        # Checking a foreign key row by row (a trigger per row at commit) costs PostgreSQL
        # more than the COPY itself; dropping the constraint and adding it back checks all
        # rows in one join. Both happen inside the caller's transaction, so no other session
        # ever sees the table without its constraints (it waits on the lock instead).
        try:
            with transaction.atomic():
                for name, _ in foreign_keys:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        except DatabaseError:
            # Only the table's owner may alter it; without that right, check row by row.
            foreign_keys = []
        with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _postgres_foreign_keys(cursor: Any, model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, definition) of the table's foreign keys, as PostgreSQL would recreate them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [model._meta.db_table],
    )
    return list(cursor.fetchall())


def _update_rows(
    model: type[models.Model], *, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Set columns by primary key; rows are (*new values, primary key).

    PostgreSQL gets one UPDATE joined to the new values passed as arrays (one round trip for
    any number of rows); SQLite, in process, runs one prepared UPDATE per row.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    primary_key = quote(_pk_column(model))
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {primary_key} = %s", rows)
            return
        names = [*columns, _pk_column(model)]
        types = [model._meta.get_field(name).db_type(connection) for name in columns]
        types.append(model._meta.pk.db_type(connection))  # type: ignore[union-attr]
        arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
        aliases = ", ".join(quote(f"new_{name}") for name in names)
        assignments = ", ".join(f"{quote(column)} = {quote(f'new_{column}')}" for column in columns)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS new ({aliases}) "
            f"WHERE {table}.{primary_key} = new.{quote(f'new_{names[-1]}')}",
            [list(values) for values in zip(*rows, strict=True)],
        )
