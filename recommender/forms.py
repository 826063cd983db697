"""The admin's "Train a new model" form: every Word2Vec hyperparameter, bounded so that a run
fits the worker's time limit."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from django import forms
from django.conf import settings

from recommender.metrics_display import HYPERPARAMETERS, count_text, hyperparameter_text
from recommender.ml.embeddings import Word2VecParams
from recommender.models import ModelVersion
from recommender.training import PARAM_FIELDS

# How long training takes, measured (bench/results/train_pipeline.json): the shipped default
# (skip-gram, 64 dimensions, window 1, 10 negative samples) trains 5 epochs over the full data
# set's 1.7 M plays in about 26 s on 2 cores, so about 5.2 s an epoch; reading, statistics,
# fitting, evaluating and writing add about 75 s whatever the hyperparameters. On a loaded
# machine words/s drop 2-4x (docs/word2vec_search.md), hence the margin. Skip-gram's work per
# epoch grows with vector size x window x (negative + 1); CBOW's with less, so the estimate is an
# upper bound for it.
DEFAULT_SECONDS_PER_EPOCH = 5.2
OTHER_PHASES_SECONDS = 75.0
LOAD_MARGIN = 4.0

# Bounds per field: (min, max, why the max). With the others at their defaults, each maximum
# alone trains in under a quarter of the default 3-hour limit (RECOMMENDER_TRAIN_SOFT_LIMIT),
# load margin included (100 epochs: about 40 minutes); combinations are checked against the
# configured limit in clean().
INT_BOUNDS: dict[str, tuple[int, int, str]] = {
    # docs/word2vec_search.md: 128 dimensions scored no better than 64.
    "vector_size": (1, 512, "more dimensions train slower and scored no better"),
    "window": (1, 20, "a wider window trains slower; window 1 scored best"),
    "negative": (1, 50, "more samples train slower"),
    "epochs": (1, 100, "more passes train slower; 5 scored as well as 10"),
    "min_count": (1, 100, "a higher minimum leaves most of the catalogue without a vector"),
    # PositiveIntegerField's range on every database this app runs on.
    "seed": (0, 2**31 - 1, "the seed is stored as a 32-bit integer"),
}
FLOAT_BOUNDS: dict[str, tuple[float, float, str]] = {
    # The range Caselles-Dupré et al. (2018) searched for recommendations.
    "ns_exponent": (-1.0, 1.0, "the range studied for recommendations is -1 to 1"),
    "sample": (0.0, 0.01, "the useful range is 0 to 0.001"),
    "alpha": (0.0001, 1.0, "a larger learning rate diverges"),
}


def training_seconds_estimate(params: Word2VecParams) -> float:
    """Upper estimate of a run's seconds on the full data set, on a loaded 2-core machine."""
    default = Word2VecParams()
    work = (
        params.epochs
        * (params.vector_size / default.vector_size)
        * (params.window / default.window)
        * ((params.negative + 1) / (default.negative + 1))
    )
    return LOAD_MARGIN * (work * DEFAULT_SECONDS_PER_EPOCH + OTHER_PHASES_SECONDS)


def _messages(name: str, low: float, high: float, why: str) -> dict[str, str]:
    label = HYPERPARAMETERS[name].label.lower()
    return {
        "min_value": f"The {label} must be at least {count_text(low)}.",
        "max_value": f"The {label} must be at most {count_text(high)}: {why}.",
    }


def _int_field(name: str) -> forms.IntegerField:
    low, high, why = INT_BOUNDS[name]
    return forms.IntegerField(
        min_value=low, max_value=high, error_messages=_messages(name, low, high, why)
    )


def _float_field(name: str) -> forms.FloatField:
    low, high, why = FLOAT_BOUNDS[name]
    return forms.FloatField(
        min_value=low, max_value=high, error_messages=_messages(name, low, high, why)
    )


class TrainForm(forms.Form):
    """Every Word2Vec hyperparameter, prefilled with Word2VecParams' defaults."""

    vector_size = _int_field("vector_size")
    window = _int_field("window")
    negative = _int_field("negative")
    ns_exponent = _float_field("ns_exponent")
    sample = _float_field("sample")
    sg = forms.TypedChoiceField(
        choices=[("1", "Skip-gram"), ("0", "CBOW")], coerce=lambda value: value == "1"
    )
    epochs = _int_field("epochs")
    min_count = _int_field("min_count")
    alpha = _float_field("alpha")
    seed = _int_field("seed")
    activate_when_done = forms.ChoiceField(
        label="Activate when done", choices=ModelVersion.Activation.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        defaults = Word2VecParams()
        initial: dict[str, Any] = {name: getattr(defaults, name) for name in PARAM_FIELDS}
        initial["sg"] = "1" if defaults.sg else "0"
        initial["activate_when_done"] = ModelVersion.Activation.BETTER
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for name, spec in HYPERPARAMETERS.items():
            default = hyperparameter_text(name, getattr(defaults, name))
            self.fields[name].label = spec.label
            # gensim's own name too, as the command line and the docs spell it.
            bounds = INT_BOUNDS.get(name) or FLOAT_BOUNDS.get(name)
            allowed = f" From {count_text(bounds[0])} to {count_text(bounds[1])}." if bounds else ""
            self.fields[
                name
            ].help_text = f"{spec.help} Default: {default}.{allowed} (gensim: {name})"
        activation = self.fields["activate_when_done"]
        activation.help_text = "'if at least as good': HitRate@10 at least the active version's."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        params = self.params()
        try:
            params.validate()
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        limit = float(settings.CELERY_TASK_SOFT_TIME_LIMIT)
        estimate = training_seconds_estimate(params)
        if estimate > limit:
            raise forms.ValidationError(
                f"These settings could take up to {estimate / 60:,.0f} minutes on the full "
                f"data set, more than the worker's limit of {limit / 60:,.0f} minutes "
                "(RECOMMENDER_TRAIN_SOFT_LIMIT). Use fewer epochs, a smaller window, fewer "
                "negative samples or a smaller vector size."
            )
        return cleaned

    def params(self) -> Word2VecParams:
        defaults = Word2VecParams()
        values = {name: self.cleaned_data[name] for name in PARAM_FIELDS}
        names = {f.name for f in fields(Word2VecParams)}
        extra = {name: getattr(defaults, name) for name in names - set(PARAM_FIELDS)}
        return Word2VecParams(**values, **extra)
