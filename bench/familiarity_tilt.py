"""How far the familiarity slider moves a list, on one version's artifacts.

    .venv/bin/python bench/familiarity_tilt.py --version-dir var/models/v1 [--seeds 300]

Seeds are songs drawn from the 20,000 most played of the version's training playlists (its
statistics), never from the evaluation hold-out, since the tilt's strength was chosen here.
For each familiarity it asks `Recommender.next` (the code that serves) for ten songs after each
seed and records the median training plays of what it returns, how many distinct songs all
lists together hold, and the share of each list that the familiarity-0.5 list also holds.
The same figures for the previous rule (log popularity percentile, strength 4) stand beside
them for reference. Not a timing: the machine's load does not change it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.ml import recommender as recommender_module
from recommender.ml.familiarity import FAMILIARITY_STRENGTH
from recommender.ml.recommender import Recommender

RESULTS = Path(__file__).resolve().parent / "results" / "familiarity_tilt.json"
FAMILIARITIES = (0.0, 0.25, 0.5, 0.75, 1.0)
SEED_POOL = 20_000
LIST_LENGTH = 10


def _old_percentile_log(plays: np.ndarray) -> np.ndarray:
    # The rule before: rank among played songs from the bottom, scaled into (0, 1].
    n = len(plays)
    order = np.argsort(plays, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(1, n + 1, dtype=np.float64)
    played = int(np.count_nonzero(plays > 0))
    percentiles = (ranks - (n - played)) / max(played, 1)
    percentiles[plays <= 0] = 1.0 / (played + 1)
    return np.log(np.clip(percentiles, 1.0 / (played + 1), 1.0))


def _sweep(model: Recommender, seeds: np.ndarray) -> dict[str, Any]:
    plays = model.statistics.plays
    lists = {
        f: [model.next([int(s)], LIST_LENGTH, familiarity=f).song_ids for s in seeds]
        for f in FAMILIARITIES
    }
    middle = lists[0.5]
    out: dict[str, Any] = {}
    for f, answers in lists.items():
        every = np.concatenate(answers)
        kept = [len(set(a) & set(b)) / LIST_LENGTH for a, b in zip(answers, middle, strict=True)]
        out[str(f)] = {
            "median_plays": float(np.median(plays[every])),
            "distinct_songs": len(set(every.tolist())),
            "share_kept_from_0.5": round(float(np.mean(kept)), 3),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version-dir", type=Path, required=True)
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    model = Recommender.load(args.version_dir)
    rng = np.random.default_rng(0)
    pool = model.popular[:SEED_POOL]
    seeds = rng.choice(pool, min(args.seeds, len(pool)), replace=False)
    current = _sweep(model, seeds)
    model.log_popularity = _old_percentile_log(model.statistics.plays).astype(np.float32)
    weight = recommender_module.familiarity_weight
    recommender_module.familiarity_weight = lambda f: 4.0 * (f - 0.5)  # type: ignore[assignment]
    try:
        previous = _sweep(model, seeds)
    finally:
        recommender_module.familiarity_weight = weight
    result = {
        "version_dir": str(args.version_dir),
        "seeds": len(seeds),
        "list_length": LIST_LENGTH,
        "rule": f"log(1/popularity rank), strength {FAMILIARITY_STRENGTH}",
        "current": current,
        "previous_rule": {"rule": "log(popularity percentile), strength 4.0", **previous},
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
