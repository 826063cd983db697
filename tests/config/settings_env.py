"""Running the real settings module (or manage.py) under a chosen environment."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = REPO_ROOT / "config" / "settings.py"


def environment(var_dir: Path, **variables: str) -> dict[str, str]:
    """os.environ without any DJANGO_* or DATABASE_URL, plus `variables`; var/ in `var_dir`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name != "DATABASE_URL"
    }
    return {**env, "RECOMMENDER_VAR_DIR": str(var_dir), **variables}


def settings_load(env: dict[str, str]) -> ModuleType:
    """A fresh copy of config/settings.py evaluated under `env` (the running one is untouched)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
