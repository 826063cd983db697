"""A JSON body sent with `Transfer-Encoding: chunked` (no Content-Length) is read like any
other, within the same size limit. Through real gunicorn: the test client never chunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.models import ModelVersion
from tests.serving.catalogue import Catalogue
from tests.serving.plain_gunicorn import plain_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_chunked_body_gets_the_same_answer(
    catalogue: Catalogue, active_version: ModelVersion, tmp_path: Path
) -> None:
    body = json.dumps({"seeds": [catalogue.id("Billie Jean")], "k": 3}).encode()
    with plain_gunicorn(log=tmp_path / "gunicorn.log") as server:
        whole = server.request("POST", "/api/recommendations", body=body)
        chunked = server.request("POST", "/api/recommendations", body=iter([body[:7], body[7:]]))
        too_big = server.request_all_at_once(
            "POST", "/api/recommendations", chunks=[b" " * 300_000]
        )
    assert whole[0] == 200
    assert chunked == whole
    assert too_big[0] == 413
    assert json.loads(too_big[1])["error"]["code"] == "body_too_large"
