"""With DJANGO_HTTPS=1 the answers carry HSTS, plain http is redirected to https, and the
session and CSRF cookies are Secure and the session cookie HttpOnly; without it (the
one-command install on loopback) none of that gets in the way of plain http."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from tests.config.settings_env import environment, settings_load

pytestmark = pytest.mark.django_db

SECURITY = re.compile(r"^(SECURE_|SESSION_COOKIE_|CSRF_COOKIE_|X_FRAME_OPTIONS$)")


def security_settings(module: ModuleType) -> dict[str, object]:
    """The settings module's answers on transport security, to apply to this process."""
    return {name: getattr(module, name) for name in dir(module) if SECURITY.match(name)}


def _log_in(client: Client, **extra: Any) -> None:
    User.objects.create_superuser("boss", password="boss-pw-1")
    client.get("/admin/login/", **extra)
    response = client.post("/admin/login/", {"username": "boss", "password": "boss-pw-1"}, **extra)
    assert response.status_code == 302, response.status_code


def test_behind_https_answers_carry_hsts_and_cookies_are_secure(tmp_path: Path) -> None:
    production = settings_load(
        environment(tmp_path, DJANGO_DEBUG="0", DJANGO_HTTPS="1", DJANGO_HSTS_PRELOAD="1")
    )
    # The reverse proxy terminates TLS and says so in X-Forwarded-Proto.
    https: dict[str, Any] = {"HTTP_X_FORWARDED_PROTO": "https"}
    with override_settings(**security_settings(production)):
        client = Client()
        plain = client.get("/model")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/model"

        page = client.get("/model", **https)
        assert page.status_code == 200
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["X-Frame-Options"] == "DENY"
        assert page["Referrer-Policy"] == "same-origin"

        _log_in(client, **https)
        session, csrf = client.cookies["sessionid"], client.cookies["csrftoken"]
        assert session["secure"] and session["httponly"]
        assert session["samesite"] == "Lax"
        assert csrf["secure"]


def test_the_loopback_install_serves_plain_http_with_ordinary_cookies(tmp_path: Path) -> None:
    local = settings_load(environment(tmp_path))
    with override_settings(**security_settings(local)):
        client = Client()
        page = client.get("/model")
        assert page.status_code == 200
        assert "Strict-Transport-Security" not in page
        _log_in(client)
        assert not client.cookies["sessionid"]["secure"]
        assert client.cookies["sessionid"]["httponly"]
