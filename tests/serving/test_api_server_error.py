"""An unexpected error answers JSON under /api/ and a plain apology page elsewhere."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(ROOT_URLCONF="tests.serving.boom_urls")
def test_a_bug_in_the_api_answers_json_500() -> None:
    response = Client(raise_request_exception=False).get("/api/boom")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Something broke on our side."}
    }


@override_settings(ROOT_URLCONF="tests.serving.boom_urls")
def test_a_bug_in_a_page_answers_the_500_page() -> None:
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    assert "Something broke on our side" in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
