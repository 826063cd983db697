"""Admin for the catalogue, read-only: the ingest owns these rows.

75k songs and 590k song tags: list pages avoid COUNT(*) over the full table
(show_full_result_count) and load tags for one page at a time (prefetch_related).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from playlists.models import Dataset, Playlist, Song, SongTag, Tag
from playlists.text import search_query_key, search_words


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ingest owns catalogue rows: an edit here would be undone by the next ingest."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Song)
class SongAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "artist", "play_count", "tag_names")
    list_display_links = ("id", "title")
    fields = ("id", "title", "artist", "play_count", "tag_names", "search_text")
    readonly_fields = fields
    search_fields = ("title", "artist")
    search_help_text = "Words of the title or the artist (accents and case do not matter)"
    list_per_page = 50
    show_full_result_count = False
    ordering = ("id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Song]:
        song_tags = SongTag.objects.select_related("tag").order_by("rank")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("songtag_set", queryset=song_tags, to_attr="ranked_tags"))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Song], search_term: str
    ) -> tuple[QuerySet[Song], bool]:
        # search_text holds the cleaned "title artist" folded the way search_key folds the
        # query, so "beyonce" finds "Beyoncé" on SQLite and PostgreSQL alike.
        key = search_query_key(search_term)
        if key is None:
            return queryset.none(), False
        for word in search_words(key):
            queryset = queryset.filter(search_text__contains=word)
        return queryset, False

    @admin.display(description="tags")
    def tag_names(self, song: Song) -> str:
        ranked = getattr(song, "ranked_tags", None)
        if ranked is None:
            ranked = song.songtag_set.select_related("tag").order_by("rank")
        return ", ".join(song_tag.tag.name for song_tag in ranked)


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "song_count")
    fields = ("id", "name", "song_count")
    readonly_fields = fields
    search_fields = ("name",)
    ordering = ("id",)
    list_per_page = 250

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(number_of_songs=Count("songtag"))

    @admin.display(description="songs", ordering="number_of_songs")
    def song_count(self, tag: Tag) -> int:
        return tag.number_of_songs  # type: ignore[attr-defined]


@admin.register(Playlist)
class PlaylistAdmin(ReadOnlyAdmin):
    list_display = ("id", "dataset", "split", "line_number", "length")
    list_filter = ("split", "dataset")
    list_per_page = 100
    show_full_result_count = False
    ordering = ("dataset", "split", "line_number")
    search_fields = ("=line_number",)
    search_help_text = "A line number of the split's file"
    fields = ("dataset", "split", "line_number", "length", "songs_in_order")
    # The blob itself is bytes; what a person wants to see is the songs it encodes.
    readonly_fields = fields

    @admin.display(description="songs, in play order")
    def songs_in_order(self, playlist: Playlist) -> str:
        song_ids = [int(song_id) for song_id in playlist.song_ids]
        songs = Song.objects.in_bulk(set(song_ids))
        return format_html_join(
            "",
            "<div>{}. {} — {} — {}</div>",
            (
                (
                    position,
                    song_id,
                    songs[song_id].title if song_id in songs else "(not in the catalogue)",
                    songs[song_id].artist if song_id in songs else "",
                )
                for position, song_id in enumerate(song_ids, start=1)
            ),
        )


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ("name", "source", "fingerprint", "ingested_at")
    fields = ("name", "source", "fingerprint", "ingested_at", "summary")
    readonly_fields = fields
