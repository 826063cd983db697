"""The build backend of pyproject.toml: setuptools', except that it builds no regular wheel.

The site runs from its checkout: `manage.py`, `templates/`, `static/`, `bin/` and the run-time
folder `var/` live beside the code, and a wheel installed into site-packages would have none of
them (every page would fail with TemplateDoesNotExist, and `var/` would land in
site-packages). So `pip install .` stops here with the way to install; the editable install
that bin/install makes (`pip install -e .`, the project importable from its checkout) works.

It is imported by pip as a top-level module (pyproject's backend-path), never by the site.
"""

from __future__ import annotations

from typing import Any

from setuptools.build_meta import (  # noqa: F401  (the hooks pip calls, as setuptools has them)
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

NOT_A_WHEEL = (
    "songrec runs from its checkout, not from site-packages: install it with bin/install "
    "(pip install -e . into .venv), then run bin/up. See README.md, 'Installing: the lock'."
)


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    del wheel_directory, config_settings, metadata_directory
    raise SystemExit(NOT_A_WHEEL)
