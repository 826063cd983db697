"""What the radio's reasons say: how often a station song is explained by a seed or the song
played right before it, and which kinds of reason a station holds, per familiarity.

    .venv/bin/python bench/radio_reasons.py [--stations 100] [--length 50]

Needs an ingested catalogue and an active model version in the database the settings point at
(RECOMMENDER_VAR_DIR / DATABASE_URL). Every station comes from `POST /api/radio`, the code that
serves, through Django's test client (rate limit off). Seeds are one song each, drawn with a
fixed seed among the 20,000 most played songs of the version's training statistics.
Not a timing: the machine's load does not change it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["RECOMMENDER_API_RATE_LIMIT"] = "0"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.test import Client  # noqa: E402

from recommender import serving  # noqa: E402

RESULTS = REPO / "bench" / "results" / "radio_reasons.json"
FAMILIARITIES = (0.0, 0.5, 1.0)
SEED_POOL = 20_000


def _station_facts(songs: list[dict[str, Any]], seed: int) -> tuple[int, int, Counter[str]]:
    """(songs explained by the seed or the previous song, songs with a reason, kinds)."""
    named, explained, kinds = 0, 0, Counter[str]()
    previous = seed
    for song in songs:
        reason = song.get("reason") or {}
        kinds[reason.get("kind", "none")] += 1
        if reason:
            explained += 1
        if reason.get("because_of") in (seed, previous):
            named += 1
        previous = song["id"]
    return named, explained, kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    model = serving.serving_model()
    rng = np.random.default_rng(0)
    pool = model.recommender.popular[:SEED_POOL]
    seeds = [int(s) for s in rng.choice(pool, min(args.stations, len(pool)), replace=False)]
    client = Client()
    by_familiarity: dict[str, Any] = {}
    for familiarity in FAMILIARITIES:
        named = explained = total = 0
        kinds: Counter[str] = Counter()
        for seed in seeds:
            response = client.post(
                "/api/radio",
                {"seeds": [seed], "length": args.length, "familiarity": familiarity},
                content_type="application/json",
            )
            if response.status_code != 200:
                sys.exit(f"POST /api/radio for seed {seed}: {response.status_code}")
            songs = response.json()["songs"]
            station_named, station_explained, station_kinds = _station_facts(songs, seed)
            named += station_named
            explained += station_explained
            total += len(songs)
            kinds += station_kinds
        by_familiarity[str(familiarity)] = {
            "songs": total,
            "share_reason_names_seed_or_previous_song": round(named / max(total, 1), 4),
            "share_with_a_reason": round(explained / max(total, 1), 4),
            "kinds": {kind: round(count / max(total, 1), 4) for kind, count in kinds.most_common()},
        }
        print(familiarity, json.dumps(by_familiarity[str(familiarity)]), flush=True)
    result = {
        "model_version": model.version_id,
        "stations": len(seeds),
        "length": args.length,
        "by_familiarity": by_familiarity,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
