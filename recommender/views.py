"""The site's pages: thin views over serving and the selectors; templates do the rest."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from config.errors import error_response, is_api_path
from playlists.selectors import song_search
from recommender import api, selectors, serving
from recommender.api_limits import MAX_EXCLUDE, MAX_QUERY_CHARS, MAX_SEEDS
from recommender.metrics_display import (
    ablation_rows,
    corpus_facts,
    count_text,
    evaluation_settings,
    familiarity_rows,
    hyperparameter_rows,
    index_facts,
    metrics_tables,
)
from recommender.ml.radio import HISTORY_WINDOW
from recommender.page_query import familiarity_read, page_query_read, seeds_read

NEIGHBOURS_ON_SONG_PAGE = 12


def bar_widths(scores: list[float]) -> list[float]:
    """Strength bars within one list: best match 1.0, weakest 0.15 (as home.js draws them).

    The model's cosines are small (0.1 is a strong match), so an absolute scale would draw
    every bar nearly empty; the page prints the real score next to each bar.
    """
    if not scores:
        return []
    top, low = max(scores), min(scores)
    if top == low:
        return [1.0] * len(scores)
    return [0.15 + 0.85 * (score - low) / (top - low) for score in scores]


def _serving_or_none() -> tuple[serving.ServingModel | None, str]:
    try:
        return serving.serving_model(), ""
    except serving.NoActiveModel as exc:
        return None, str(exc)


def home(request: HttpRequest) -> HttpResponse:
    model, why = _serving_or_none()
    # A shared link's seeds and options, given to home.js so that it shows the same list.
    link = page_query_read(query=request.GET)
    state = {
        "seeds": [api.song_json(song) for song in link.seeds],
        "familiarity": link.familiarity,
        "max_per_artist": link.max_per_artist,
        "notes": link.notes,
    }
    return render(
        request,
        "recommender/home.html",
        {
            "model": model,
            "why": why,
            "max_seeds": MAX_SEEDS,
            "max_title": MAX_QUERY_CHARS,
            "link": link,
            "state": state,
        },
    )


def song_page(request: HttpRequest, song_id: int) -> HttpResponse:
    song = serving.songs_shown(song_ids=[song_id]).get(song_id)
    if song is None:
        raise Http404("no such song")
    model, why = _serving_or_none()
    notes: list[str] = []
    familiarity = familiarity_read(request.GET.get("familiarity"), notes)
    context: dict[str, Any] = {
        "song": song,
        "model": model,
        "why": why,
        "familiarity": familiarity,
        "notes": notes,
    }
    if model is not None:
        try:
            answer = serving.songs_similar(
                song_id=song_id, k=NEIGHBOURS_ON_SONG_PAGE, familiarity=familiarity
            )
            context["answer"] = answer
            widths = bar_widths([item.score for item in answer.results])
            context["neighbours"] = list(zip(answer.results, widths, strict=True))
            context["before"], context["after"] = serving.song_context(song_id=song_id)
            # The songs of each list, in order, for its "Download as" and "Copy as text".
            context["similar_songs"] = [item.song for item in answer.results]
            context["before_songs"] = [item.song for item in context["before"]]
            context["after_songs"] = [item.song for item in context["after"]]
        except serving.UnknownSongs:
            # Ingested after this model was loaded: the catalogue page still shows the song.
            context["answer"] = None
        except serving.NoActiveModel as exc:
            context["model"], context["why"] = None, str(exc)
    return render(request, "recommender/song.html", context)


# The radio page: the first build, each "More", and the rule the page keeps across them.
RADIO_FIRST = 50
RADIO_MORE = 25
RADIO_ARTIST_GAP = 3
RADIO_SEARCH_RESULTS = 10


def radio_page(request: HttpRequest) -> HttpResponse:
    """The seeds and the controls; radio.js builds the station through POST /api/radio."""
    model, why = _serving_or_none()
    context: dict[str, Any] = {"model": model, "why": why}
    if model is not None:
        # One policy with the home page: unknown or malformed seeds are left out, with a note.
        notes: list[str] = []
        seeds = seeds_read(request.GET.get("seeds", ""), notes)
        familiarity = familiarity_read(request.GET.get("familiarity"), notes)
        query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        matches = song_search(query=query, limit=RADIO_SEARCH_RESULTS)[0] if query else []
        context.update(
            seeds=seeds,
            notes=notes,
            familiarity=familiarity,
            seed_ids=",".join(str(song.id) for song in seeds),
            query=query,
            matches=matches,
            first=RADIO_FIRST,
            more=RADIO_MORE,
            artist_gap=RADIO_ARTIST_GAP,
            # "More" sends this many of the latest songs as seeds and the rest as exclude: the
            # model then sees the same history and the artist gap the same songs, so the
            # longer station is the one a single request would have built.
            tail=max(HISTORY_WINDOW, RADIO_ARTIST_GAP),
            max_exclude=MAX_EXCLUDE,
        )
    return render(request, "recommender/radio.html", context)


def model_page(request: HttpRequest) -> HttpResponse:
    model, why = _serving_or_none()
    version = selectors.model_version_get(version_id=model.version_id) if model else None
    context: dict[str, Any] = {"model": model, "why": why, "version": version}
    if version is not None:
        context["metric_tables"] = metrics_tables(version.metrics)
        context["ablation_rows"] = ablation_rows(version.metrics)
        context["evaluation_settings"] = evaluation_settings(version.metrics)
        context["corpus_facts"] = corpus_facts(version.corpus_stats)
        context["index_facts"] = index_facts(version.metrics)
        context["familiarity_rows"] = familiarity_rows(version.metrics)
        ablation_cases = (version.metrics or {}).get("ablation_cases") or {}
        context["familiarity_cases"] = count_text(sum(ablation_cases.values()))
        context["hyperparameters"] = hyperparameter_rows(version.hyperparameters)
        context["songs_placed"] = count_text(model.size) if model else ""
    return render(request, "recommender/model.html", context)


def map_page(request: HttpRequest) -> HttpResponse:
    model, why = _serving_or_none()
    return render(request, "recommender/map.html", {"model": model, "why": why})


def _schema_name(schema: dict[str, Any] | None) -> str:
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else ""


_EXAMPLE_QUERIES = {"/api/songs": "?q=billie&limit=5", "/api/songs/{song_id}/similar": "?k=10"}
_EXAMPLE_BODY = '{"seeds": [3822, 842], "k": 10, "max_per_artist": 2}'


def _curl_example(base: str, route: str, method: str) -> str:
    url = base + route.replace("{song_id}", "3822") + _EXAMPLE_QUERIES.get(route, "")
    if method == "post":
        return (
            f"curl -X POST '{url}' \\\n  -H 'Content-Type: application/json' \\\n"
            f"  -d '{_EXAMPLE_BODY}'"
        )
    return f"curl '{url}'"


def api_docs(request: HttpRequest) -> HttpResponse:
    """The OpenAPI document rendered as one readable page (no JavaScript, no CDN)."""
    document = api.openapi_document(base_url=request.build_absolute_uri("/")[:-1])
    shared = document["components"].get("responses", {})
    operations = []
    for route, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = []
            for status, response in sorted(operation["responses"].items()):
                if "$ref" in response:
                    response = shared[response["$ref"].rsplit("/", 1)[-1]]
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append(
                    {
                        "status": status,
                        "description": response["description"],
                        "schema": _schema_name(schema),
                    }
                )
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            operations.append(
                {
                    "route": route,
                    "method": method.upper(),
                    "anchor": operation["operationId"],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            **parameter,
                            "schema_json": json.dumps(parameter.get("schema", {})),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body_schema": _schema_name(body["schema"]) if body else "",
                    "example": _curl_example(document["servers"][0]["url"], route, method),
                    "responses": responses,
                }
            )
    schemas = [
        (name, json.dumps(schema, indent=2, ensure_ascii=False))
        for name, schema in document["components"]["schemas"].items()
    ]
    return render(
        request,
        "recommender/api_docs.html",
        {
            "info": document["info"],
            "openapi_version": document["openapi"],
            "operations": operations,
            "schemas": schemas,
        },
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(400, "bad_request", "The request could not be understood.")
    return HttpResponse("Bad request", status=400, content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(404, "not_found", f"There is nothing at {request.path}.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return error_response(500, "internal_error", "Something broke on our side.")
    # No context processors or database: this must render even when those are what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
