"""The catalogue: songs, their tags and the playlists they were played in."""

from __future__ import annotations

import numpy as np
from django.db import models

# Playlist entries are stored as one little-endian int32 array per playlist: 1.9 million
# entries then cost ~11k rows instead of 1.9 million, write in a second and read back in
# order without a sort. Song ids are the data set's own (0..75261), well inside int32.
PLAYLIST_DTYPE = np.dtype("<i4")


class Dataset(models.Model):
    """One ingested yes_* folder: where it came from and a fingerprint of its files."""

    name = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 over the data files")
    ingested_at = models.DateTimeField(auto_now=True)
    # What the last ingest counted (songs, playlists per split, ...) and the row counts it left,
    # so that an unchanged folder is recognised and reported without parsing it again.
    summary = models.JSONField(default=dict, blank=True, editable=False)

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    id = models.PositiveIntegerField(primary_key=True, help_text="The data set's tag id")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# The largest id a Song can have: PositiveIntegerField is a 32-bit column on every database.
# Readers drop larger ids as unknown: the database would raise an overflow, not "not found".
SONG_ID_MAX = 2**31 - 1


class Song(models.Model):
    id = models.PositiveIntegerField(primary_key=True, help_text="The data set's song id")
    title = models.CharField(max_length=500)
    artist = models.CharField(max_length=500)
    # Lower-cased, accent-free "title artist" so that search is one indexed LIKE on any database.
    search_text = models.CharField(max_length=1001, db_index=True, editable=False)
    # How often the song appears in the data set's train.txt (its line 2).
    play_count = models.PositiveIntegerField(default=0)
    # Set by ingest (playlists.text.is_placeholder): never found by search nor recommended.
    is_placeholder = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag, through="SongTag", related_name="songs")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.title} — {self.artist}"


class SongTag(models.Model):
    song = models.ForeignKey(Song, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    # Position in tags.txt, which lists a song's tags in tag-id order (the catalogue's most
    # common first), not by relevance to the song; serving orders them for display.
    rank = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["song", "tag"], name="unique_song_tag")]
        ordering = ["song", "rank"]

    def __str__(self) -> str:
        return f"song {self.song_id} tag {self.tag_id} (rank {self.rank})"


class Playlist(models.Model):
    class Split(models.TextChoices):
        TRAIN = "train", "train"
        TEST = "test", "test"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="playlists")
    split = models.CharField(max_length=5, choices=Split.choices)
    # 1-based line number in the split's file, so that a message can point at the source line.
    line_number = models.PositiveIntegerField()
    length = models.PositiveIntegerField(db_index=True)
    song_ids_blob = models.BinaryField(help_text="little-endian int32 song ids, in play order")

    class Meta:
        ordering = ["dataset", "split", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "split", "line_number"], name="unique_playlist_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.split} playlist at line {self.line_number} ({self.length} songs)"

    @property
    def song_ids(self) -> np.ndarray:
        return np.frombuffer(bytes(self.song_ids_blob), dtype=PLAYLIST_DTYPE)

    @staticmethod
    def encode_song_ids(song_ids: list[int] | np.ndarray) -> bytes:
        return np.asarray(song_ids, dtype=PLAYLIST_DTYPE).tobytes()
