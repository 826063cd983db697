"""Without DJANGO_SECRET_KEY the settings use a long random key kept in var/secret-key.txt,
readable by its owner only, the same for every process; never a built-in default."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.config.settings_env import environment, manage, settings_load


def test_without_a_key_in_the_environment_a_private_random_key_is_made_once(
    tmp_path: Path,
) -> None:
    env = environment(tmp_path, DJANGO_DEBUG="0")

    first, second = settings_load(env), settings_load(env)
    other_install = settings_load(environment(tmp_path / "elsewhere", DJANGO_DEBUG="0"))

    key_file = tmp_path / "secret-key.txt"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.SECRET_KEY == second.SECRET_KEY == key_file.read_text()
    assert len(first.SECRET_KEY) >= 50 and len(set(first.SECRET_KEY)) >= 20
    assert not first.SECRET_KEY.startswith("django-insecure")
    assert other_install.SECRET_KEY != first.SECRET_KEY
    assert not list(tmp_path.glob(".secret-key-*"))  # no temporary file left behind


def test_the_environment_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    module = settings_load(environment(tmp_path, DJANGO_SECRET_KEY="k" * 10 + "from-env" * 8))
    assert module.SECRET_KEY.endswith("from-env")
    assert not (tmp_path / "secret-key.txt").exists()


def test_an_emptied_key_file_stops_the_site_instead_of_running_keyless(tmp_path: Path) -> None:
    (tmp_path / "secret-key.txt").write_text("")
    result = manage("check", env=environment(tmp_path, DJANGO_DEBUG="0"))
    assert result.returncode != 0
    assert "secret-key.txt holds no usable secret key" in result.stderr
