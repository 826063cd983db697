"""Give songs of a test catalogue other Last.fm tags, in the data set's order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from playlists.models import SongTag, Tag


def tags_set(song_tags: Mapping[int, Sequence[str]]) -> None:
    """Replace the tags of each listed song by `song_tags[song]`, ranked in the given order."""
    names = {name for tags in song_tags.values() for name in tags}
    known = dict(Tag.objects.values_list("name", "id"))
    next_id = max(known.values(), default=-1) + 1
    for name in sorted(names - set(known)):
        known[name] = Tag.objects.create(id=next_id, name=name).id
        next_id += 1
    SongTag.objects.filter(song_id__in=list(song_tags)).delete()
    SongTag.objects.bulk_create(
        SongTag(song_id=song, tag_id=known[name], rank=rank)
        for song, tags in song_tags.items()
        for rank, name in enumerate(tags)
    )


def tags_after(common: Sequence[str]) -> dict[int, list[str]]:
    """Every tagged song's tags with `common` before them, as the data set puts common tags."""
    own: dict[int, list[str]] = {}
    for song, name in SongTag.objects.order_by("rank").values_list("song_id", "tag__name"):
        own.setdefault(song, []).append(name)
    return {song: list(dict.fromkeys([*common, *names])) for song, names in own.items()}
