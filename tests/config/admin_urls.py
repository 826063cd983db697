"""Every route of the admin site, read from Django's resolver, and concrete URLs for each.

Enumerating the routes (instead of listing them by hand) means a view added to any
ModelAdmin.get_urls() is covered by the access and CSRF tests the day it is added; a route
with a placeholder the tests do not know how to fill makes them fail and say so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern

_ROUTE_PLACEHOLDER = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class AdminRoute:
    name: str  # the pattern's name, or its route for the admin's unnamed redirects
    route: str  # below /admin/, as written in get_urls()
    model: type[Model] | None  # the model whose ModelAdmin serves it (None: the site's own)
    placeholders: tuple[str, ...]
    mount: str
    prefix: str
    pattern: URLPattern

    def url(self, **values: Any) -> str:
        """The path with each placeholder replaced; checked to resolve to this very route."""
        own = str(self.pattern.pattern)
        if isinstance(self.pattern.pattern, RegexPattern):
            path = self.prefix + _REGEX_GROUP.sub(lambda m: str(values[m["name"]]), own)
            path = path.replace("^", "").replace("$", "")
        else:
            path = self.prefix + _ROUTE_PLACEHOLDER.sub(lambda m: str(values[m["name"]]), own)
        url = "/" + self.mount + path
        assert resolve(url).func is self.pattern.callback, f"{url} is not the route {self.route}"
        return url

    def __str__(self) -> str:
        return self.name


def _leaves(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _leaves(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix, pattern


def _model_of(route: str) -> type[Model] | None:
    for model in admin.site._registry:
        opts = model._meta
        if route.startswith(f"{opts.app_label}/{opts.model_name}/"):
            return model
    return None


def admin_routes() -> list[AdminRoute]:
    """Every route below the admin site's mount point in ROOT_URLCONF, in resolver order."""
    for mounted in get_resolver().url_patterns:
        if isinstance(mounted, URLResolver) and mounted.namespace == admin.site.name:
            break
    else:
        raise AssertionError("the admin site is not mounted in ROOT_URLCONF")
    routes = []
    for prefix, pattern in _leaves(mounted.url_patterns):
        own = str(pattern.pattern)
        found = _REGEX_GROUP if isinstance(pattern.pattern, RegexPattern) else _ROUTE_PLACEHOLDER
        route = prefix + own
        routes.append(
            AdminRoute(
                name=pattern.name or route,
                route=route,
                model=_model_of(route),
                placeholders=tuple(m["name"] for m in found.finditer(route)),
                mount=str(mounted.pattern),
                prefix=prefix,
                pattern=pattern,
            )
        )
    return routes
