"""recommender.ml.radio: a station built from a real trained Recommender, rule by rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.ml.familiarity import reciprocal_popularity_ranks
from recommender.ml.radio import CANDIDATE_POOL, HISTORY_WINDOW, StationRules, station_build
from recommender.ml.recommender import Recommender
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(active_version: ModelVersion) -> Recommender:
    return Recommender.load(Path(active_version.artifacts_path))


def seeds_of(catalogue: Catalogue) -> list[int]:
    return [catalogue.id("Jolene"), catalogue.id("Ring of Fire")]


def test_station_has_no_song_twice_and_none_of_the_seeds_or_exclude(
    model: Recommender, catalogue: Catalogue
) -> None:
    seeds = seeds_of(catalogue)
    excluded = catalogue.id("9 to 5")
    station = station_build(model, seeds, StationRules(length=30, artist_gap=0), exclude=[excluded])
    assert len(station.song_ids) == 30 and station.complete
    assert len(set(station.song_ids)) == 30
    assert not set(station.song_ids) & {*seeds, excluded}


def test_station_holds_each_artist_back_for_artist_gap_songs(
    model: Recommender, catalogue: Catalogue
) -> None:
    seeds = seeds_of(catalogue)
    station = station_build(model, seeds, StationRules(length=25, artist_gap=3))
    artists = model.catalogue.artist_ids
    played = [*seeds, *station.song_ids]
    for i in range(len(seeds), len(played)):
        recent = {int(artists[s]) for s in played[max(0, i - 3) : i]}
        assert int(artists[played[i]]) not in recent, (i, played)


def test_same_input_gives_the_same_station_and_another_seed_can_differ(
    model: Recommender, catalogue: Catalogue
) -> None:
    seeds = seeds_of(catalogue)
    first = station_build(model, seeds, StationRules(length=20, seed=1))
    assert station_build(model, seeds, StationRules(length=20, seed=1)) == first
    assert station_build(model, seeds, StationRules(length=20)) == station_build(
        model, seeds, StationRules(length=20)
    )
    others = {
        station_build(model, seeds, StationRules(length=20, seed=s)).song_ids for s in range(2, 8)
    }
    assert others - {first.song_ids}


def test_familiarity_one_plays_more_popular_songs_than_zero(
    model: Recommender, catalogue: Catalogue
) -> None:
    seeds = seeds_of(catalogue)
    plays = model.statistics.plays

    def mean_plays(familiarity: float) -> float:
        station = station_build(
            model, seeds, StationRules(length=15, familiarity=familiarity, artist_gap=0)
        )
        return float(np.mean(plays[list(station.song_ids)]))

    assert mean_plays(1.0) > mean_plays(0.0)


def test_familiarity_half_keeps_the_models_order(model: Recommender, catalogue: Catalogue) -> None:
    seeds = seeds_of(catalogue)
    station = station_build(model, seeds, StationRules(length=1, artist_gap=0))
    assert station.song_ids[0] == int(model.next(seeds, 1).song_ids[0])


@pytest.mark.parametrize("familiarity", [0.0, 0.5, 1.0])
def test_each_song_is_the_first_allowed_of_next_over_the_station_so_far_with_its_reason(
    model: Recommender, catalogue: Catalogue, familiarity: float
) -> None:
    seeds = seeds_of(catalogue)
    excluded = [catalogue.id("9 to 5")]
    station = station_build(
        model, seeds, StationRules(length=25, familiarity=familiarity), exclude=excluded
    )
    artists = model.catalogue.artist_ids
    played = [*seeds, *station.song_ids]
    for step, song in enumerate(station.song_ids):
        history = played[: len(seeds) + step]
        held = {int(artists[s]) for s in history[-3:]} - {-1}
        ranked = model.next(
            history[-HISTORY_WINDOW:],
            CANDIDATE_POOL,
            exclude=[*history, *excluded],
            familiarity=familiarity,
        )
        ids = ranked.song_ids.tolist()
        first = next(at for at, s in enumerate(ids) if int(artists[s]) not in held)
        assert song == ids[first], step
        assert station.reasons[step] == ranked.reasons([first])[0], step


def test_when_the_catalogue_runs_out_the_station_says_so(
    model: Recommender, catalogue: Catalogue
) -> None:
    station = station_build(
        model, seeds_of(catalogue), StationRules(length=model.catalogue_size + 5)
    )
    assert not station.complete
    assert len(station.song_ids) < model.catalogue_size + 5
    assert len(set(station.song_ids)) == len(station.song_ids)


def test_popularity_ranks_put_played_songs_above_unplayed_and_ties_together() -> None:
    p = reciprocal_popularity_ranks(np.array([0.0, 5.0, 1.0, 9.0, 5.0, 0.0], dtype=np.float32))
    assert p.tolist() == [1 / 5, 1 / 2, 1 / 4, 1.0, 1 / 2, 1 / 5]
