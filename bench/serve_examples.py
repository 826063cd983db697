"""Print the active model's top songs for a few seeds as a Markdown table (for the README).

    .venv/bin/python bench/serve_examples.py [--k 5] [SONG_ID ...]   (default: 3822 842 2172)

Reads the same database and artifacts as the app (RECOMMENDER_VAR_DIR / DATABASE_URL) and
answers through the serving layer, so the table is exactly what /api/songs/{id}/similar says.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from recommender import serving  # noqa: E402

DEFAULT_SEEDS = (3822, 842, 2172)  # Billie Jean, California Love, Fade To Black


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("songs", nargs="*", type=int, default=list(DEFAULT_SEEDS))
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    for song_id in args.songs:
        answer = serving.songs_similar(song_id=song_id, k=args.k)
        seed = answer.seeds[0]
        print(
            f"**{cell(seed.title)}** — {cell(seed.artist)} (song {seed.id}), "
            f"model v{answer.model_version}, source: {answer.source}\n"
        )
        print("| # | title | artist | cosine |")
        print("|---|---|---|---|")
        for rank, item in enumerate(answer.results, start=1):
            print(
                f"| {rank} | {cell(item.song.title)} | {cell(item.song.artist)} | "
                f"{item.score:.3f} |"
            )
        print()


if __name__ == "__main__":
    main()
