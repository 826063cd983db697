"""A request gunicorn refuses before the app sees it (here a request line past its limit: a
very long search) answers with the app's JSON error body, not gunicorn's HTML page, whether
gunicorn was started plainly or with config/gunicorn.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

STARTS = {
    "plain": ("config.wsgi",),
    "config": ("-c", "python:config.gunicorn"),
}


@pytest.mark.parametrize("start", sorted(STARTS))
def test_a_request_line_past_gunicorns_limit_gets_the_json_error(
    start: str, catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    with plain_gunicorn(log=tmp_path / "gunicorn.log", options=STARTS[start]) as server:
        status, body = server.request("GET", "/api/songs?q=" + "billie+" * 1_000)
        assert status == 400
        error = json.loads(body)["error"]
        assert error["code"] == "request_line_too_long"
        assert "too large" in error["message"]
        # A search of ordinary length on the same server still answers.
        status, body = server.request("GET", "/api/songs?q=billie")
        assert status == 200
        assert json.loads(body)["total"] >= 1
