"""A new version's hyperparameters default to Word2VecParams: one place chooses them."""

from __future__ import annotations

import pytest

from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS, model_version_params

pytestmark = pytest.mark.django_db


def test_model_defaults_are_the_dataclass_defaults():
    version = ModelVersion.objects.create()
    defaults = Word2VecParams()
    for name in PARAM_FIELDS:
        assert getattr(version, name) == getattr(defaults, name), name
    assert model_version_params(version) == defaults


def test_every_word2vec_hyperparameter_is_stored_except_the_thread_count():
    stored = set(PARAM_FIELDS)
    assert stored == {f for f in Word2VecParams.__dataclass_fields__} - {"workers"}
    assert stored <= {field.name for field in ModelVersion._meta.get_fields()}
