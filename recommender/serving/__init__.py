"""Serving: the loaded version (state), the answers built on ml.Recommender, the map."""

from recommender.api_limits import MAX_K, MAX_SEEDS
from recommender.ml.ranked import SOURCE_MODEL, SOURCE_POPULAR
from recommender.serving.answers import (
    Recommendation,
    ScoredSong,
    UnknownSongs,
    song_context,
    songs_next,
    songs_recommend,
    songs_similar,
)
from recommender.serving.map import MapPoints, main_genre, map_points
from recommender.serving.radio import RadioStation, StationSong, radio_station
from recommender.serving.song_tags import songs_shown, songs_tags_ranked
from recommender.serving.state import (
    NoActiveModel,
    ServingModel,
    serving_model,
    serving_reset,
    serving_status,
    serving_warm,
)

__all__ = [
    "MAX_K",
    "MAX_SEEDS",
    "SOURCE_MODEL",
    "SOURCE_POPULAR",
    "MapPoints",
    "NoActiveModel",
    "RadioStation",
    "Recommendation",
    "ScoredSong",
    "ServingModel",
    "StationSong",
    "UnknownSongs",
    "main_genre",
    "map_points",
    "radio_station",
    "serving_model",
    "serving_reset",
    "serving_status",
    "serving_warm",
    "song_context",
    "songs_next",
    "songs_recommend",
    "songs_shown",
    "songs_similar",
    "songs_tags_ranked",
]
