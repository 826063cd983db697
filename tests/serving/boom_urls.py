"""The site's routes plus one API view and one page that fail, to see what a 500 looks like."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as site_patterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, not bad input")


urlpatterns = [path("api/boom", boom), path("boom", boom), *site_patterns]
