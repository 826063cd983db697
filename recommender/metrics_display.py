"""A version's stored numbers as people read them, defined once for the admin, /model and
train_model: metric tables (one per question, the model beside the baselines scored on the same
cases), the settings of the evaluation, the corpus counts and the hyperparameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

QUESTIONS: tuple[tuple[str, str], ...] = (
    ("next", "Next song, history of up to 5 songs"),
    ("next_one_song", "Next song, after one song"),
    ("continuation", "Continuation: 5 seeds, the rest of the playlist"),
    ("similar", "Similar songs: one seed"),
)
RANKERS: dict[str, str] = {
    "model": "model (served)",
    "popularity": "popularity",
    "successors": "successor counts",
    "multi_step": "multi-step successors",
    "second_order": "second-order, back-off",
    "cooccurrence": "co-occurrence counts",
}
# (key, label, format, higher is better)
METRICS: tuple[tuple[str, str, str, bool | None], ...] = (
    ("hit_rate_at_10", "HR@10", "{:.4f}", True),
    ("ndcg_at_10", "NDCG@10", "{:.4f}", True),
    ("precision_at_10", "precision@10", "{:.4f}", True),
    ("r_precision", "R-precision", "{:.4f}", True),
    ("tag_agreement", "tag agreement", "{:.1%}", True),
    ("reach", "reach", "{:.1%}", True),
    ("popularity_ratio", "popularity ratio", "{:.2f}", None),
    ("artist_crowded_share", ">2 by one artist", "{:.1%}", False),
)
EMPTY = "—"
_METRIC_FORMATS = {key: pattern for key, _, pattern, _ in METRICS}


def metric_text(name: str, value: float | None) -> str:
    """One metric as every table prints it (HR@10 "0.1234", reach "21.9%")."""
    return EMPTY if value is None else _METRIC_FORMATS.get(name, "{:.4f}").format(value)


def count_text(value: object) -> str:
    """A count with thousands separators ("1,700,143"); anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


# Scalars stored beside the results (at the top of `metrics` or inside a question): settings of
# the evaluation, never metric rows. Keys not listed here read as their words ("pairs" -> "Pairs").
SETTINGS: dict[str, str] = {
    "k": "Songs per list scored (k)",
    "catalogue_size": "Catalogue size (for reach)",
    "pairs": "Pairs",
}
# Stored beside the settings but shown elsewhere (cases head each table) or not at all.
_NOT_SETTINGS = frozenset({"cases", "ablation_cases"})


def _setting_label(key: str) -> str:
    text = SETTINGS.get(key) or key.replace("_", " ")
    return text[:1].upper() + text[1:]


def _settings(values: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_setting_label(key), count_text(value))
        for key, value in values.items()
        if key not in _NOT_SETTINGS and isinstance(value, int | float | str)
    )


def evaluation_settings(metrics: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) for the evaluation's own settings: k, the catalogue size, ..."""
    return list(_settings(metrics or {}))


@dataclass(frozen=True)
class Cell:
    text: str
    best: bool = False


@dataclass(frozen=True)
class MetricsTable:
    key: str
    title: str
    cases: int | None
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    # Scalars stored with this question's results (e.g. pairs): (label, value), formatted.
    settings: tuple[tuple[str, str], ...] = ()
    # Every ranker was scored on 0 cases: its figures are zeros that mean nothing.
    no_cases: bool = False

    @property
    def cases_text(self) -> str:
        return count_text(self.cases)


def metrics_tables(metrics: dict[str, Any] | None) -> list[MetricsTable]:
    """One table per evaluated question; rankers as rows, metrics as columns."""
    tables = []
    for key, title in QUESTIONS:
        stored = (metrics or {}).get(key)
        if not isinstance(stored, dict):
            continue
        results = {name: r for name, r in stored.items() if isinstance(r, dict)}
        if not results:
            continue
        present = [m for m in METRICS if any(m[0] in r for r in results.values())]
        best: dict[str, float] = {}
        for name, _, _, higher in present:
            values = [float(r[name]) for r in results.values() if r.get(name) is not None]
            if higher is not None and values:
                best[name] = max(values) if higher else min(values)
        rows = []
        for ranker, label in RANKERS.items():
            if ranker not in results:
                continue
            cells = []
            for name, _, _, _ in present:
                value = results[ranker].get(name)
                best_here = value is not None and best.get(name) == value
                cells.append(Cell(metric_text(name, value), best=best_here))
            rows.append((label, tuple(cells)))
        cases = next((r.get("cases") for r in results.values() if r.get("cases")), None)
        tables.append(
            MetricsTable(
                key=key,
                title=title,
                cases=cases,
                columns=tuple(label for _, label, _, _ in present),
                rows=tuple(rows),
                settings=_settings(stored),
                no_cases=all(r.get("cases", 1) == 0 for r in results.values()),
            )
        )
    return tables


@dataclass(frozen=True)
class SignificanceRow:
    """One metric of the paired test "both against statistics only", as read."""

    metric: str  # "HR@10", "reach", ...
    both: str
    statistics: str
    difference: str  # both - statistics only, signed
    interval: str  # the 95% interval of the difference, or "—"
    p_value: str
    cases: str
    verdict: str  # "Word2Vec adds", "higher with Word2Vec", "no measurable difference", ...


@dataclass(frozen=True)
class AblationRow:
    """One question of the ablation: the headline figure per variant, and the paired tests."""

    title: str
    both: str
    statistics: str
    embeddings: str
    tests: tuple[SignificanceRow, ...] = ()


# The paired tests' metrics in the order shown; True when higher is better.
SIGNIFICANCE_METRICS: dict[str, bool | None] = {
    "hit_rate_at_10": True,
    "precision_at_10": True,
    "tag_agreement": True,
    "reach": True,
    "popularity_ratio": None,
}
_LABELS = {key: label for key, label, _, _ in METRICS}
SIGNIFICANCE_LEVEL = 0.05


def _signed(name: str, value: float) -> str:
    text = metric_text(name, abs(value))
    return ("-" if value < 0 else "+") + text if value else text


def p_value_text(p: float | None) -> str:
    """A p-value as read: "0.126", "0.0004", "< 0.001" below a thousandth."""
    if p is None:
        return EMPTY
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def _verdict(name: str, entry: Mapping[str, Any]) -> str:
    p = entry.get("p_value")
    difference = entry.get("both_minus_statistics") or 0.0
    if p is None or p >= SIGNIFICANCE_LEVEL or not difference:
        return "no measurable difference"
    higher = SIGNIFICANCE_METRICS.get(name)
    if higher is None:
        return "higher with Word2Vec" if difference > 0 else "lower with Word2Vec"
    return "Word2Vec adds" if (difference > 0) == higher else "Word2Vec costs"


def significance_rows(stored: Mapping[str, Any] | None) -> tuple[SignificanceRow, ...]:
    """The paired tests of one question (metrics["ablation_significance"][question])."""
    rows = []
    for name in SIGNIFICANCE_METRICS:
        entry = (stored or {}).get(name)
        if not isinstance(entry, dict):
            continue
        interval = entry.get("ci95")
        rows.append(
            SignificanceRow(
                metric=_LABELS.get(name, name),
                both=metric_text(name, entry.get("both")),
                statistics=metric_text(name, entry.get("statistics")),
                difference=_signed(name, float(entry.get("both_minus_statistics") or 0.0)),
                interval=(
                    f"{_signed(name, interval[0])} to {_signed(name, interval[1])}"
                    if interval
                    else EMPTY
                ),
                p_value=p_value_text(entry.get("p_value")),
                cases=count_text(entry.get("cases")),
                verdict=_verdict(name, entry),
            )
        )
    return tuple(rows)


def ablation_rows(metrics: dict[str, Any] | None) -> list[AblationRow]:
    """Per question: the headline figure of both, statistics only and embeddings only, and the
    paired tests of both against statistics only on the same cases, formatted."""
    ablation = (metrics or {}).get("ablation") or {}
    significance = (metrics or {}).get("ablation_significance") or {}
    rows = []
    for key, title in QUESTIONS:
        values = ablation.get(key)
        if not isinstance(values, dict):
            continue
        both, statistics, embeddings = (
            EMPTY if values.get(v) is None else f"{values[v]:.4f}"
            for v in ("both", "statistics", "embeddings")
        )
        rows.append(
            AblationRow(
                title=title,
                both=both,
                statistics=statistics,
                embeddings=embeddings,
                tests=significance_rows(significance.get(key)),
            )
        )
    return rows


INDEX_NAMES = {"next": "What comes next", "sounds_like": "Sounds like"}


def index_facts(metrics: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(index, "exact" or "inverted file, L lists, P searched; recall@10 R") per FAISS index."""
    stored = (metrics or {}).get("index") or {}
    facts = []
    for key, title in INDEX_NAMES.items():
        entry = stored.get(key)
        if not isinstance(entry, dict):
            continue
        if entry.get("kind") == "flat":
            text = "exact (flat) search"
        else:
            text = (
                f"inverted file, {entry.get('lists')} lists, {entry.get('nprobe')} searched; "
                f"recall@10 against exact {entry.get('recall_at_10', 0):.3f}"
            )
        facts.append((f"Index: {title.lower()}", text))
    return facts


def headline(metrics: dict[str, Any] | None, question: str, ranker: str = "model") -> float | None:
    """The question's headline figure for one ranker (HR@10, precision@10 or reach)."""
    metric = {"continuation": "precision_at_10", "similar": "reach"}.get(question, "hit_rate_at_10")
    value = ((metrics or {}).get(question) or {}).get(ranker, {}).get(metric)
    return float(value) if value is not None else None


# What the worker counted in the corpus it trained and evaluated on (ModelVersion.corpus_stats).
CORPUS_LABELS: dict[str, str] = {
    "train_playlists": "Training playlists",
    "train_songs": "Plays in the training playlists",
    "eval_playlists": "Evaluation playlists",
    "eval_songs": "Plays in the evaluation playlists",
    "catalogue_size": "Songs in the catalogue",
    "catalogue_ids": "Song ids in the catalogue",
    "evaluated_on": "Evaluated on",
}


def _labelled(
    stored: Mapping[str, Any], labels: Mapping[str, str], text: Callable[[Any], str]
) -> list[tuple[str, str]]:
    """(label, text(value)) in `labels`' order, then any key it lacks, sorted, as its words."""
    keys = [key for key in labels if key in stored]
    keys += sorted(key for key in stored if key not in labels)
    return [(labels.get(key) or _setting_label(key), text(stored[key])) for key in keys]


def corpus_facts(corpus_stats: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) per corpus count, in CORPUS_LABELS' order, counts with separators."""
    return _labelled(corpus_stats or {}, CORPUS_LABELS, count_text)


@dataclass(frozen=True)
class Hyperparameter:
    label: str
    help: str
    # After a whole-number value: (one, many), e.g. ("dimension", "dimensions").
    unit: tuple[str, str] | None = None


# Word2Vec's hyperparameters as the pages and the train form name them (gensim's names are the
# keys); one place, so the admin, /model and the form read alike.
HYPERPARAMETERS: dict[str, Hyperparameter] = {
    "sg": Hyperparameter(
        "Architecture",
        "Skip-gram learns each song from the songs around it; CBOW the other way round.",
    ),
    "vector_size": Hyperparameter(
        "Vector size", "Dimensions of each song vector.", ("dimension", "dimensions")
    ),
    "window": Hyperparameter(
        "Window",
        "How many songs on each side of a song count as its context.",
        ("song each side", "songs each side"),
    ),
    "negative": Hyperparameter(
        "Negative samples",
        "Negative samples per positive pair (also the candidate vectors' training).",
    ),
    "ns_exponent": Hyperparameter(
        "Negative-sampling exponent",
        "Shape of the negative-sampling distribution: 1 = by frequency, 0 = uniform, "
        "below 0 favours rare songs.",
    ),
    "sample": Hyperparameter(
        "Down-sampling threshold", "Down-sampling threshold for very frequent songs (0 = off)."
    ),
    "epochs": Hyperparameter("Epochs", "Passes over the training playlists."),
    "min_count": Hyperparameter(
        "Minimum plays", "Songs played fewer times get no vector.", ("play", "plays")
    ),
    "alpha": Hyperparameter("Learning rate", "Initial learning rate (alpha)."),
    "seed": Hyperparameter("Seed", "Random seed (runs are repeatable up to thread scheduling)."),
}


def hyperparameter_text(name: str, value: object) -> str:
    """One hyperparameter's value as read: "Skip-gram", "64 dimensions", "off", "0.025"."""
    if name == "sg":
        return "Skip-gram" if value else "CBOW"
    if name == "sample" and value == 0:
        return "off"
    if isinstance(value, float):
        return f"{value:g}"
    unit = HYPERPARAMETERS[name].unit if name in HYPERPARAMETERS else None
    if unit is None or not isinstance(value, int):
        return count_text(value)
    return f"{count_text(value)} {unit[0] if value == 1 else unit[1]}"


def hyperparameter_rows(values: Mapping[str, object]) -> list[tuple[str, str, str]]:
    """(label, value, help) per Word2Vec hyperparameter present in `values`, in a fixed order."""
    return [
        (spec.label, hyperparameter_text(name, values[name]), spec.help)
        for name, spec in HYPERPARAMETERS.items()
        if name in values
    ]


# The worker's phases, as ModelVersion.timings names them.
PHASES: dict[str, str] = {
    "read_corpus": "Reading the playlists",
    "train": "Training Word2Vec",
    "statistics": "Counting playlist statistics",
    "fit": "Fitting the scorer",
    "evaluate": "Evaluating",
    "similar_table": "Storing every song's similar list",
    "write": "Writing the artifacts",
    "total": "Total",
}


def timing_facts(timings: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(phase, "12.3 s") in the order the worker runs them, the total last."""
    return _labelled(timings or {}, PHASES, lambda seconds: f"{float(seconds):,.1f} s")


FAMILIARITY_LABELS = {
    "0": "0 · discoveries",
    "0.5": "0.5 · the model's order",
    "1": "1 · well-known",
}


@dataclass(frozen=True)
class FamiliarityRow:
    question: str
    familiarity: str
    headline: str  # precision@10 for continuation, HR@10 otherwise
    reach: str
    popularity_ratio: str


def familiarity_rows(metrics: dict[str, Any] | None) -> list[FamiliarityRow]:
    """How accuracy, reach and popularity move along the familiarity slider, per question."""
    sweep = (metrics or {}).get("familiarity") or {}
    rows = []
    for key, title in QUESTIONS:
        by_value = sweep.get(key)
        if not isinstance(by_value, dict):
            continue
        headline_key = "precision_at_10" if key == "continuation" else "hit_rate_at_10"
        name = "precision@10" if key == "continuation" else "HR@10"
        for value, label in FAMILIARITY_LABELS.items():
            stored = by_value.get(value)
            if not isinstance(stored, dict):
                continue
            rows.append(
                FamiliarityRow(
                    question=title,
                    familiarity=label,
                    headline=f"{metric_text(headline_key, stored.get(headline_key))} {name}",
                    reach=metric_text("reach", stored.get("reach")),
                    popularity_ratio=metric_text(
                        "popularity_ratio", stored.get("popularity_ratio")
                    ),
                )
            )
    return rows
