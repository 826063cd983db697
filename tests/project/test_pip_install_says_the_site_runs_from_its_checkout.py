"""`pip install .` stops with the way to install the site; it never puts a wheel without
templates, static files and var/ into site-packages (config/build_backend.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from config.build_backend import NOT_A_WHEEL

REPO = Path(__file__).resolve().parents[2]


def test_building_a_wheel_fails_and_says_to_use_bin_install(tmp_path: Path) -> None:
    # pip's own build of a wheel, as `pip install .` starts it (the locked setuptools, offline).
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    built = subprocess.run(
        [*command, "--no-index", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode != 0
    assert NOT_A_WHEEL in built.stdout + built.stderr
    assert "bin/install" in NOT_A_WHEEL
    assert not list(tmp_path.glob("*.whl"))


def test_the_message_names_a_section_the_readme_has() -> None:
    (section,) = re.findall(r"See README\.md, '([^']+)'", NOT_A_WHEEL)
    assert f"## {section}\n" in (REPO / "README.md").read_text()
