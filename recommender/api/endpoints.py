"""The JSON API's endpoints: thin views over serving and the selectors.

Parameters and bodies are validated by recommender/api/schemas.py before a view runs; each
`response=` names what the endpoint answers, for the generated document. Views hand plain
dicts to the renderer (api.create_response) rather than validating their answers again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import Router

from config.errors import error_body, error_response
from playlists.models import SONG_ID_MAX
from playlists.selectors import song_search, songs_by_ids
from recommender import playlist_export, selectors, serving
from recommender.api import fast_path, payloads
from recommender.api.errors import not_found
from recommender.api.ninja_api import api, openapi_document
from recommender.api.schemas import (
    ErrorOut,
    ExportSongs,
    ExportTitle,
    HealthOut,
    JspfOut,
    Limit,
    ListOptions,
    MapOut,
    ModelVersionOut,
    NextIn,
    Offset,
    QueryFamiliarity,
    QueryK,
    RadioIn,
    RadioOut,
    RecommendationIn,
    RecommendationOut,
    SearchOut,
    SearchQuery,
    SimilarOut,
    SongId,
    SongOut,
)
from recommender.ml.familiarity import DEFAULT_FAMILIARITY
from recommender.ml.radio import StationRules

router = Router()
READ = ["GET", "HEAD"]

# The statuses each kind of endpoint may answer besides 200 (the rate limiter's 429 and the
# 405 for other methods everywhere; 503 where the database or the model is needed).
_ALWAYS: dict[int, Any] = {405: ErrorOut, 429: ErrorOut}
_SERVED: dict[int, Any] = {**_ALWAYS, 503: ErrorOut}
_BY_ID: dict[int, Any] = {**_SERVED, 404: ErrorOut, 422: ErrorOut}
_POSTED: dict[int, Any] = {**_BY_ID, 400: ErrorOut, 413: ErrorOut}


def answer(request: HttpRequest, payload: object, *, status: int = 200) -> HttpResponse:
    """The payload through the API's renderer, with its headers."""
    return api.create_response(request, payload, status=status)


def _known_id(song_id: int) -> int:
    # Song ids are stored as 32-bit integers: a larger one cannot exist, and passing it to the
    # database would be an overflow error rather than "not found".
    if not 0 <= song_id <= SONG_ID_MAX:
        raise not_found(f"no song with id {song_id}.")
    return song_id


@router.api_operation(
    READ,
    "api/songs",
    response={200: SearchOut, **_SERVED, 422: ErrorOut},
    operation_id="songs_search",
    summary="Search songs by title or artist",
    description=(
        "Every word of q must appear in the title or artist, ignoring case and accents. Titles "
        "starting with q come first, then songs where q starts a word of the title or artist, "
        "then the rest; ties by plays. An empty q returns no songs."
    ),
)
def songs_search(
    request: HttpRequest, q: SearchQuery = "", limit: Limit = 20, offset: Offset = 0
) -> HttpResponse:
    found, total = song_search(query=q, limit=limit, offset=offset)
    songs = serving.songs_tags_ranked(found)
    return answer(
        request,
        {
            "query": q,
            "total": total,
            "limit": limit,
            "offset": offset,
            "results": [payloads.song_json(song) for song in songs],
        },
    )


@router.api_operation(
    READ,
    "api/songs/{song_id}",
    response={200: SongOut, **_BY_ID},
    operation_id="song_get",
    summary="One song",
)
def song_detail(request: HttpRequest, song_id: SongId) -> HttpResponse:
    identifier = _known_id(song_id)
    song = serving.songs_shown(song_ids=[identifier]).get(identifier)
    if song is None:
        raise not_found(f"no song with id {identifier}.")
    return answer(request, payloads.song_json(song))


@router.api_operation(
    READ,
    "api/songs/{song_id}/similar",
    response={200: SimilarOut, **_BY_ID},
    operation_id="song_similar",
    summary="Songs similar to one song",
    description=(
        "The k songs that best belong with the seed in the active model (candidates from FAISS "
        "and playlist statistics, ranked by the fitted scorer), the seed itself excluded. A song "
        "the model knows nothing of gets a labelled fallback (see source), never an error."
    ),
)
def song_similar(
    request: HttpRequest,
    song_id: SongId,
    k: QueryK = 10,
    familiarity: QueryFamiliarity = DEFAULT_FAMILIARITY,
) -> HttpResponse:
    result = serving.songs_similar(song_id=_known_id(song_id), k=k, familiarity=familiarity)
    return answer(request, payloads.recommendation_json(result, one_seed=True))


api.fast_paths[song_similar.__name__] = fast_path.similar


def _list_options(payload: ListOptions) -> dict[str, Any]:
    return {
        "k": payload.k,
        "exclude": payload.exclude,
        "max_per_artist": payload.max_per_artist,
        "familiarity": payload.familiarity,
    }


@router.post(
    "api/recommendations",
    response={200: RecommendationOut, **_POSTED},
    operation_id="recommendations_create",
    summary="Continue a playlist from several seeds",
    description=(
        "Songs that belong with the seeds, ranked by the model's continuation weights; seeds "
        "and exclude never appear in the results; max_per_artist limits songs per artist."
    ),
)
def recommendations(request: HttpRequest, payload: RecommendationIn) -> HttpResponse:
    result = serving.songs_recommend(seeds=payload.seeds, **_list_options(payload))
    return answer(request, payloads.recommendation_json(result, one_seed=False))


@router.post(
    "api/next",
    response={200: RecommendationOut, **_POSTED},
    operation_id="next_create",
    summary="What to play after a history of songs",
    description=(
        "The songs most likely to come next after the history (oldest first), ranked by the "
        "model's next-song weights; history songs and exclude never appear."
    ),
)
def next_songs(request: HttpRequest, payload: NextIn) -> HttpResponse:
    result = serving.songs_next(history=payload.history, **_list_options(payload))
    return answer(request, payloads.recommendation_json(result, one_seed=False))


api.fast_paths[next_songs.__name__] = fast_path.next_songs


@router.post(
    "api/radio",
    response={200: RadioOut, **_POSTED},
    operation_id="radio_create",
    summary="A radio station: songs to play one after another after the seeds",
    description=(
        "Each song is the model's next song after the station so far, never a song twice, no "
        "artist again within artist_gap songs, tilted by familiarity."
    ),
)
def radio(request: HttpRequest, payload: RadioIn) -> HttpResponse:
    station = serving.radio_station(
        seeds=payload.seeds,
        rules=StationRules(
            length=payload.length,
            familiarity=payload.familiarity,
            artist_gap=payload.artist_gap,
            seed=payload.seed,
        ),
        exclude=payload.exclude,
    )
    return answer(request, payloads.station_json(station))


# Per format: the writer, the media type and what the file is. m3u8 gets
# application/vnd.apple.mpegurl, the registered type (RFC 8216) for UTF-8 M3U, rather than the
# older unregistered audio/x-mpegurl.
EXPORT_FORMATS: dict[
    str, tuple[Callable[[str, list[playlist_export.Track]], str | bytes], str, str]
] = {
    "m3u8": (
        playlist_export.m3u8_write,
        "application/vnd.apple.mpegurl; charset=utf-8",
        "Extended M3U, UTF-8",
    ),
    "xspf": (
        playlist_export.xspf_write,
        "application/xspf+xml; charset=utf-8",
        "XSPF version 1",
    ),
    "jspf": (playlist_export.jspf_write, "application/json", "JSPF, XSPF's structure in JSON"),
}


def _export_tracks(request: HttpRequest, songs: str) -> list[playlist_export.Track]:
    """The tracks, in the order given, of an export request's song ids."""
    ids = [int(part) for part in songs.split(",")]
    found = songs_by_ids(song_ids=[song for song in ids if 0 <= song <= SONG_ID_MAX])
    missing = sorted({song for song in ids if song not in found})
    if missing:
        raise not_found(f"no song with id {', '.join(str(song) for song in missing)}.")
    return [
        playlist_export.Track(
            title=found[song].title,
            artist=found[song].artist,
            url=request.build_absolute_uri(f"/songs/{song}"),
        )
        for song in ids
    ]


def _export_view(extension: str) -> Callable[..., HttpResponse]:
    writer, content_type, what = EXPORT_FORMATS[extension]
    media_type = content_type.split(";")[0]

    def export(request: HttpRequest, songs: ExportSongs, title: ExportTitle = "") -> HttpResponse:
        title = title or "songrec playlist"
        response = HttpResponse(
            writer(title, _export_tracks(request, songs)), content_type=content_type
        )
        filename = playlist_export.attachment_filename(title, extension=extension)
        # The file name is ASCII letters, digits and '-' only: nothing to quote or encode.
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response

    export.__name__ = f"playlist_export_{extension}"
    responses: dict[int, Any] = {**_ALWAYS, 404: ErrorOut, 422: ErrorOut}
    if extension == "jspf":
        responses[200] = JspfOut
    # The other two are text the document describes as a string of their media type.
    content = {} if extension == "jspf" else {media_type: {"schema": {"type": "string"}}}
    router.api_operation(
        READ,
        f"api/playlists/export.{extension}",
        response=responses,
        operation_id=f"playlist_export_{extension}",
        url_name=f"export-{extension}",
        summary=f"The songs as a playlist file: {what}",
        description=(
            "Title and artist per track, in the order given; each track's location is the "
            "song's page on this site. Sent as an attachment named after the title."
        ),
        openapi_extra={
            "responses": {
                200: {
                    "description": what,
                    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                    **({"content": content} if content else {}),
                }
            }
        },
    )(export)
    return export


for _extension in EXPORT_FORMATS:
    _export_view(_extension)


@router.api_operation(
    READ,
    "api/models/active",
    response={200: ModelVersionOut, **_SERVED},
    operation_id="model_active",
    summary="The model version serving the answers",
)
def model_active(request: HttpRequest) -> HttpResponse:
    model = serving.serving_model()
    version = selectors.model_version_get(version_id=model.version_id)
    if version is None:
        raise serving.NoActiveModel("the served model version was deleted")
    return answer(request, payloads.model_version_json(version, songs_with_vectors=model.size))


@router.api_operation(
    READ,
    "api/map",
    response={200: MapOut, **_SERVED},
    operation_id="embedding_map",
    summary="A 2D projection (PCA) of the most played songs' vectors",
)
def embedding_map(request: HttpRequest) -> HttpResponse:
    return answer(request, payloads.map_json(serving.map_points()))


@router.api_operation(
    READ,
    "api/schema",
    response={200: dict[str, Any], **_ALWAYS},
    operation_id="schema",
    summary="This document (OpenAPI 3.1)",
)
def schema(request: HttpRequest) -> HttpResponse:
    return answer(request, openapi_document(base_url=request.build_absolute_uri("/")[:-1]))


@router.api_operation(
    READ,
    "healthz",
    response={200: HealthOut, 405: ErrorOut, 503: HealthOut},
    operation_id="health",
    summary="Database reachable and a model loaded",
)
def health(request: HttpRequest) -> HttpResponse:
    database = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not healthy", never a 500
        database = f"error: {type(exc).__name__}"
    version_id, why = serving.serving_status()
    payload: dict[str, object] = {
        "status": "ok" if database == "ok" and version_id is not None else "unavailable",
        "database": database,
        "model_version": version_id,
    }
    if payload["status"] == "ok":
        if why:
            # Answering, but from an older version: the active one could not be loaded.
            payload["status"] = "degraded"
            payload["error"] = error_body("no_active_model", f"{why}.")
        return answer(request, payload)
    if database != "ok":
        payload["error"] = error_body("database_unavailable", "The database is down.")
    else:
        payload["error"] = error_body("no_active_model", f"{why}.")
    return answer(request, payload, status=503)


api.add_router("", router)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /api/ answers JSON, whatever the method, not the HTML 404 page."""
    return error_response(404, "not_found", f"There is no API endpoint at {request.path}.")
