"""A version's stored metrics as tables people read: one per question, the model beside the
baselines scored on the same cases. Used by the admin's version page, /model and train_model."""

from __future__ import annotations

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


def metrics_tables(metrics: dict[str, Any] | None) -> list[MetricsTable]:
    """One table per evaluated question; rankers as rows, metrics as columns."""
    tables = []
    for key, title in QUESTIONS:
        results = (metrics or {}).get(key)
        if not isinstance(results, dict) or not results:
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
            for name, _, pattern, _ in present:
                value = results[ranker].get(name)
                text = EMPTY if value is None else pattern.format(value)
                cells.append(Cell(text, best=value is not None and best.get(name) == value))
            rows.append((label, tuple(cells)))
        cases = next((r.get("cases") for r in results.values() if r.get("cases")), None)
        tables.append(
            MetricsTable(
                key=key,
                title=title,
                cases=cases,
                columns=tuple(label for _, label, _, _ in present),
                rows=tuple(rows),
            )
        )
    return tables


def ablation_rows(metrics: dict[str, Any] | None) -> list[tuple[str, str, str, str]]:
    """(question, both, statistics only, embeddings only) headline figures, formatted."""
    ablation = (metrics or {}).get("ablation") or {}
    rows = []
    for key, title in QUESTIONS:
        values = ablation.get(key)
        if not isinstance(values, dict):
            continue
        rows.append(
            (
                title,
                *(
                    EMPTY if values.get(v) is None else f"{values[v]:.4f}"
                    for v in ("both", "statistics", "embeddings")
                ),
            )
        )
    return rows  # type: ignore[return-value]


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
