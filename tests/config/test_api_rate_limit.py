"""A client that exceeds the API rate gets 429 with Retry-After; other clients and pages don't."""

import pytest
from django.test import Client, override_settings

from config.ratelimit import TokenBuckets


def test_bucket_allows_the_burst_then_asks_to_wait() -> None:
    buckets = TokenBuckets(rate=2.0, burst=3)
    assert [buckets.take("a", now=10.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", now=10.0) == pytest.approx(0.5)
    # Half a second later one token has come back.
    assert buckets.take("a", now=10.5) == 0.0


def test_buckets_are_per_client() -> None:
    buckets = TokenBuckets(rate=1.0, burst=1)
    assert buckets.take("a", now=0.0) == 0.0
    assert buckets.take("a", now=0.0) > 0
    assert buckets.take("b", now=0.0) == 0.0


@pytest.mark.django_db
@override_settings(RECOMMENDER_API_RATE_LIMIT=1, RECOMMENDER_API_RATE_BURST=2)
def test_api_answers_429_with_retry_after_past_the_limit() -> None:
    client = Client(REMOTE_ADDR="10.0.0.7")
    statuses = [client.get("/api/does-not-matter").status_code for _ in range(3)]
    assert 429 not in statuses[:2]
    assert statuses[2] == 429
    response = client.get("/api/does-not-matter")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "retry after" in response.json()["error"]["message"].lower()
    # Another client is not affected, and pages outside the API are never limited.
    assert Client(REMOTE_ADDR="10.0.0.8").get("/api/does-not-matter").status_code != 429
    assert client.get("/admin/login/").status_code == 200
