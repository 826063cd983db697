"""on_epoch_end reports every epoch, and raising TrainingCancelled stops training there."""

from __future__ import annotations

import pytest

from recommender.ml.embeddings import TrainingCancelled, Word2VecParams, embeddings_train
from tests.recommender.playlist_groups import grouped_playlists


def test_on_epoch_end_is_called_once_per_epoch_with_the_total() -> None:
    calls: list[tuple[int, int]] = []
    embeddings_train(
        playlists=grouped_playlists(),
        params=Word2VecParams(vector_size=8, epochs=4, workers=1),
        on_epoch_end=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_cancelling_in_the_callback_stops_training_and_propagates() -> None:
    calls: list[int] = []

    def cancel_after_two(done: int, total: int) -> None:
        calls.append(done)
        if done == 2:
            raise TrainingCancelled("stop")

    with pytest.raises(TrainingCancelled):
        embeddings_train(
            playlists=grouped_playlists(),
            params=Word2VecParams(vector_size=8, epochs=50, workers=1),
            on_epoch_end=cancel_after_two,
        )
    assert calls == [1, 2]
