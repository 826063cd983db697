"""`manage.py check --deploy` finds nothing to warn about in the production settings, and does
warn when a production setting is missing (so the check is really looking)."""

from __future__ import annotations

import secrets
from pathlib import Path

from tests.config.settings_env import environment, manage

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "1",
    "DJANGO_HSTS_PRELOAD": "1",
    "DJANGO_ALLOWED_HOSTS": "songs.example.org",
}


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path: Path) -> None:
    env = environment(tmp_path, **PRODUCTION, DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_without_https_or_with_a_weak_key_the_deploy_check_fails(tmp_path: Path) -> None:
    plain_http = environment(
        tmp_path, **{**PRODUCTION, "DJANGO_HTTPS": "0"}, DJANGO_SECRET_KEY=secrets.token_urlsafe(64)
    )
    weak_key = environment(tmp_path, **PRODUCTION, DJANGO_SECRET_KEY="changeme")

    http_result = manage("check", "--deploy", "--fail-level", "WARNING", env=plain_http)
    weak_result = manage("check", "--deploy", "--fail-level", "WARNING", env=weak_key)

    assert http_result.returncode != 0
    assert "security.W004" in http_result.stderr  # no HSTS
    assert "security.W012" in http_result.stderr  # session cookie not secure
    assert weak_result.returncode != 0
    assert "security.W009" in weak_result.stderr  # SECRET_KEY too weak
