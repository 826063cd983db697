"""Per-client rate limiting for the JSON API: a token bucket per client address.

Serving must not depend on Redis, so the buckets live in the web process: with N gunicorn
workers a client gets at most N times the configured rate, which is fine as a guard against
runaway clients (a shared limit belongs in the reverse proxy, see docs/operations.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.errors import API_PREFIX, error_response


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """Buckets of `burst` tokens refilled at `rate` tokens per second, one per key."""

    def __init__(self, *, rate: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    # Forgetting every client at once is crude but bounded; an attacker with
                    # 100k addresses is the reverse proxy's job.
                    self._buckets.clear()
                bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate


def client_key(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # it, and gunicorn's --forwarded-allow-ips is where that trust is configured.
    return request.META.get("REMOTE_ADDR", "unknown")


class ApiRateLimitMiddleware:
    """Answers 429 with Retry-After when one client exceeds RECOMMENDER_API_RATE_LIMIT."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        rate = float(getattr(settings, "RECOMMENDER_API_RATE_LIMIT", 0))
        burst = int(getattr(settings, "RECOMMENDER_API_RATE_BURST", max(1, int(rate * 2))))
        self.buckets = TokenBuckets(rate=rate, burst=burst) if rate > 0 else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.buckets is not None and request.path.startswith(API_PREFIX):
            wait = self.buckets.take(client_key(request))
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                return error_response(
                    429,
                    "rate_limited",
                    f"Too many requests; retry after {retry_after} s.",
                    headers={"Retry-After": str(retry_after)},
                )
        return self.get_response(request)
