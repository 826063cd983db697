"""DATABASE_URL of the test database pytest-django created, for subprocesses (manage.py,
workers) that must read and write what the tests see.
"""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def database_url_for_subprocess() -> str:
    """A DATABASE_URL for the test database (not the configured one)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    if connection.vendor == "postgresql":
        user = quote(params.get("USER") or "", safe="")
        password = quote(params.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = params.get("HOST") or "127.0.0.1"
        port = f":{params['PORT']}" if params.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{params['NAME']}"
    raise RuntimeError(f"no subprocess support for the {connection.vendor} database")
