"""`.env.example` names every setting that docs/operations.md documents, and only real ones."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r"\b(?:DJANGO|RECOMMENDER|GUNICORN)_[A-Z_]+\b|\bDATABASE_URL\b|\bREDIS_URL\b")


def _documented() -> set[str]:
    # The settings table: rows that start with a backquoted name.
    rows = [
        line
        for line in (ROOT / "docs" / "operations.md").read_text().splitlines()
        if line.startswith("| `")
    ]
    return {name for row in rows for name in SETTING.findall(row.split("|")[1])}


def _listed() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^# ?([A-Z_]+)=", text, flags=re.MULTILINE))


def test_every_documented_setting_is_in_the_example() -> None:
    documented = _documented()
    assert len(documented) >= 20, documented  # the table was found and read
    assert documented - _listed() == set()


def test_every_listed_setting_is_read_by_the_code() -> None:
    code = "\n".join(
        path.read_text()
        for folder in ("config", "recommender", "playlists")
        for path in (ROOT / folder).rglob("*.py")
    )
    assert {name for name in _listed() if name not in code} == set()
