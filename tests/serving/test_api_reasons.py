"""Every list answer says why each song is there, and the reason is read off the score."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.test import Client

from recommender.ml.features import EMBEDDING_FEATURES, FEATURES, Question
from recommender.ml.reasons import ReasonKind
from recommender.ml.recommender import Recommender
from recommender.ml.scorer import LinearScorer, Scorers
from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.schema_check import assert_documented

pytestmark = pytest.mark.django_db

SUCCESSOR_FEATURES = ("successor_share", "successor_log")


def post(api: Client, route: str, payload: object) -> dict:
    response = api.post(route, json.dumps(payload), content_type="application/json")
    return assert_documented(response, route, "post")


def only(recommender: Recommender, keep: tuple[str, ...] | frozenset[str]) -> Recommender:
    scorers = recommender.scorers.by_question
    return recommender.with_scorers(
        Scorers(by_question={q: s.restricted(keep) for q, s in scorers.items()})
    )


@pytest.fixture
def model(active_version: ModelVersion) -> Recommender:
    return Recommender.load(Path(active_version.artifacts_path))


def test_every_list_endpoint_gives_each_song_a_reason_naming_one_of_its_songs(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    seeds = [catalogue.id("Jolene"), catalogue.id("Ring of Fire")]
    answers = {
        "similar": assert_documented(
            api.get(f"/api/songs/{seeds[0]}/similar"), "/api/songs/{song_id}/similar"
        )["results"],
        "recommendations": post(api, "/api/recommendations", {"seeds": seeds})["results"],
        "next": post(api, "/api/next", {"history": seeds})["results"],
        "radio": post(api, "/api/radio", {"seeds": seeds, "length": 10})["songs"],
    }
    for name, items in answers.items():
        assert items, name
        for item in items:
            reason = item["reason"]
            assert reason["text"].strip(), (name, reason)
            allowed = {seeds[0]} if name == "similar" else set(seeds)
            if name == "radio" and reason["because_of"] is not None:
                # A station's next song follows the station so far, not only the seeds.
                allowed |= {song["id"] for song in answers["radio"]}
            assert reason["because_of"] in allowed | {None}, (name, reason)
            # Shares are empty when no signal lifted the song above the average candidate.
            if reason["kind"] != "popular-fallback" and reason["shares"]:
                assert sum(reason["shares"].values()) == pytest.approx(1.0, abs=0.01)
                assert reason["kind"] == max(reason["shares"], key=reason["shares"].get)


def test_with_only_successor_weights_every_reason_is_played_after_the_seed(
    model: Recommender, catalogue: Catalogue
) -> None:
    seed = catalogue.id("Jolene")
    ranked = only(model, SUCCESSOR_FEATURES).similar(seed, 5)
    successors, _ = model.statistics.successors[0].row(seed)
    followed = [s for s in ranked.song_ids.tolist() if s in set(successors.tolist())]
    assert followed, "the seed has successors in the test playlists"
    for song, reason in zip(ranked.song_ids.tolist(), ranked.reasons(), strict=True):
        if song in followed:
            assert reason.kind is ReasonKind.PLAYED_AFTER and reason.because_of == seed


def test_a_played_after_reason_names_the_history_song_with_the_largest_share(
    model: Recommender, catalogue: Catalogue
) -> None:
    """The song behind "played after" is the history song whose successors, at any gap up to
    the tables' own (a share at gap g counted 1/g), hold the largest share of it."""
    statistics = model.statistics
    # Two songs of each of two groups: the songs that follow either group compete.
    history = catalogue.group("Jolene")[:2] + catalogue.group("Fade To Black")[:2]

    def share(song: int, target: int) -> float:
        best = 0.0
        for gap, table in enumerate(statistics.successors, 1):
            targets, counts = table.row(song)
            hits = counts[targets == target]
            if len(hits) and table.total(song) > 0:
                best = max(best, float(hits[0]) / table.total(song) / gap)
        return best

    # Weights of our own (not fitted on so small a catalogue): the successor shares, raw.
    names = ("successor_share", "multi_step_share", "successor_any_share")
    weights = np.array([float(f in names) for f in FEATURES], dtype=np.float32)
    plain = LinearScorer(
        features=FEATURES,
        mean=np.zeros(len(FEATURES), np.float32),
        scale=np.ones(len(FEATURES), np.float32),
        weights=weights,
    )
    ranked = model.with_scorers(Scorers(by_question={q: plain for q in Question})).next(history, 10)
    checked = 0
    for song, reason in zip(ranked.song_ids.tolist(), ranked.reasons(), strict=True):
        if reason.kind is not ReasonKind.PLAYED_AFTER:
            continue
        shares = [share(h, song) for h in history]
        if max(shares) == 0:
            # Lifted by the standardised features alone: no history song to name.
            assert reason.because_of is None, (song, reason)
            continue
        # The first history song of the largest share (ties go to the older song).
        assert reason.because_of == history[shares.index(max(shares))], (song, shares)
        checked += 1
    assert checked >= 3, [(r.kind, r.because_of) for r in ranked.reasons()]


def test_with_only_embedding_weights_the_reasons_are_sounds_like(
    model: Recommender, catalogue: Catalogue
) -> None:
    seed = catalogue.id("Fade To Black")
    ranked = only(model, EMBEDDING_FEATURES).similar(seed, 5)
    kinds = {reason.kind for reason in ranked.reasons()}
    assert kinds == {ReasonKind.SOUNDS_LIKE}
    assert {reason.because_of for reason in ranked.reasons()} == {seed}


def test_the_reasons_of_some_positions_are_those_of_the_whole_list(
    model: Recommender, catalogue: Catalogue
) -> None:
    ranked = model.next([catalogue.id("Jolene"), catalogue.id("Ring of Fire")], 8)
    everything = ranked.reasons()
    assert ranked.reasons([5, 1]) == (everything[5], everything[1])


def test_a_never_played_song_gets_popular_fallback_reasons_that_say_so(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    body = assert_documented(
        api.get(f"/api/songs/{catalogue.unplayed_id}/similar", {"k": 12}),
        "/api/songs/{song_id}/similar",
    )
    reasons = [item["reason"] for item in body["results"]]
    assert {r["kind"] for r in reasons} == {"popular-fallback"}
    # The first eight share the unplayed song's "metal" tag and say so.
    assert all(
        "metal" in r["text"] and r["because_of"] == catalogue.unplayed_id for r in reasons[:8]
    )
    assert all(r["because_of"] is None for r in reasons[8:])
    assert all("no data" in r["text"] for r in reasons)


def test_a_title_with_html_stays_plain_text_in_the_reason(
    api: Client, catalogue: Catalogue, active_version: ModelVersion
) -> None:
    # JSON carries the title as it is; the pages escape it (test_pages_escape_titles).
    body = post(api, "/api/next", {"history": [catalogue.id("Jolene")], "k": 10})
    titles = {item["song"]["title"] for item in body["results"]}
    for item in body["results"]:
        reason = item["reason"]
        if reason["because_of"] is not None and reason["kind"] not in ("same-artist", "popular"):
            assert "Jolene" in reason["text"], reason
    assert titles


def test_reasons_do_not_change_the_ranking(model: Recommender, catalogue: Catalogue) -> None:
    seeds = [catalogue.id("Jolene"), catalogue.id("Ring of Fire")]
    first = model.continuation(seeds, 10)
    first.reasons()
    again = model.continuation(seeds, 10)
    assert np.array_equal(first.song_ids, again.song_ids)
