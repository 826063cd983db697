"""The radio station answer: ml.radio.station_build on the served version, ids → SongInfo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from playlists.selectors import SongInfo
from recommender.ml.radio import StationRules, station_build
from recommender.serving.answers import ids_in_catalogue, seeds_split
from recommender.serving.reasons import SongReason, reason_view
from recommender.serving.state import serving_model


@dataclass(frozen=True, slots=True)
class StationSong:
    song: SongInfo
    position: int  # 1-based, after the seeds
    source: str
    reason: SongReason


@dataclass(frozen=True, slots=True)
class RadioStation:
    model_version: int
    seeds: tuple[SongInfo, ...]
    songs: tuple[StationSong, ...]
    # False when the catalogue ran out under the rules before `length` songs.
    complete: bool
    # Seed ids this version does not know, left out: the station is the one for the others.
    unknown_seeds: tuple[int, ...] = ()


def radio_station(
    *, seeds: Sequence[int], rules: StationRules, exclude: Iterable[int] = ()
) -> RadioStation:
    """A station of `rules.length` songs after `seeds` (ml.radio.station_build).

    Unknown seed ids are left out and listed in `unknown_seeds`; UnknownSongs only when no
    seed is known. Unknown ids in `exclude` are ignored.
    """
    model = serving_model()
    split = seeds_split(model, seeds)
    station = station_build(
        model.recommender,
        [song.id for song in split.known],
        rules,
        exclude=ids_in_catalogue(model, exclude),
    )
    songs = tuple(
        StationSong(
            song=model.songs[song_id],
            position=n,
            source=source,
            reason=reason_view(reason, model=model, source=source),
        )
        for n, (song_id, source, reason) in enumerate(
            zip(station.song_ids, station.sources, station.reasons, strict=True), 1
        )
        if song_id in model.songs
    )
    complete = station.complete and len(songs) == len(station.song_ids)
    return RadioStation(
        model_version=model.version_id,
        seeds=split.known,
        songs=songs,
        complete=complete,
        unknown_seeds=split.unknown,
    )
