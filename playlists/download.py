"""Fetching a yes_* data set from an http(s) base URL into a local folder.

Each file streams into `<name>.part`, is checked against the size the server announced and only
then renamed into place, so a folder never holds a half-written data file under its real name.
A `.part` left by an interrupted run is resumed with an HTTP Range request (If-Range: only if
the server's file is still the version the .part came from); a server that ignores Range, or
whose file changed, sends the whole file again, and a 206 naming another version than the
.part's (a server ignoring If-Range) starts the file over. A body whose end cannot be
checked (no Content-Length, not chunked) is refused. A file downloaded before is asked for with
If-None-Match / If-Modified-Since, so an unchanged data set is not downloaded twice.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tqdm import tqdm

from playlists.parsing import OPTIONAL_FILES, REQUIRED_FILES, IngestError

CHUNK_BYTES = 1 << 16


class SourceUnreachable(IngestError):
    """The data set's server could not be reached at all (offline, DNS, refused)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


TIMEOUT_SECONDS = 30
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def dataset_name_from_url(url: str) -> str:
    """The folder name a URL points at: `.../dataset/yes_complete/` -> `yes_complete`."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    return segments[-1] if segments else urlsplit(url).hostname or "dataset"


def dataset_download(*, base_url: str, download_dir: Path, show_progress: bool = False) -> Path:
    """Download the data set's files from `base_url` into `download_dir/<name>/`; return it.

    1. Required files must download completely; test.txt may be absent (HTTP 404), and then a
       test.txt left over from an earlier download is removed, so the folder mirrors the server.
    2. A file whose size differs from the server's Content-Length raises IngestError naming it.
    """
    folder = download_dir / dataset_name_from_url(base_url)
    folder.mkdir(parents=True, exist_ok=True)
    base = base_url if base_url.endswith("/") else base_url + "/"
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        found = _download_file(
            url=base + name,
            target=folder / name,
            required=name in REQUIRED_FILES,
            show_progress=show_progress,
        )
        if not found:
            (folder / name).unlink(missing_ok=True)
    return folder


def _download_file(*, url: str, target: Path, required: bool, show_progress: bool) -> bool:
    """Fetch one file to target via target.part; False when an optional file is not there."""
    part = target.with_name(target.name + ".part")
    # The version (ETag or Last-Modified) the .part was cut from: with If-Range the server
    # sends only the rest if the file is still that version, and the whole file otherwise.
    version = part.with_name(part.name + ".version")
    offset = part.stat().st_size if part.exists() and version.exists() else 0
    # The version of the complete file we already have: asked conditionally, the server
    # answers 304 Not Modified instead of sending the same bytes again.
    have = target.with_name(target.name + ".version")
    request = urllib.request.Request(url)
    if offset:
        request.add_header("Range", f"bytes={offset}-")
        request.add_header("If-Range", version.read_text())
    elif target.exists() and have.exists():
        validator = have.read_text()
        is_etag = validator.startswith(('"', 'W/"'))
        request.add_header("If-None-Match" if is_etag else "If-Modified-Since", validator)
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return True
        if error.code == 404 and not required:
            have.unlink(missing_ok=True)
            return False
        if error.code == 416 and offset:
            # The .part already holds at least the whole file: we cannot tell if it is
            # complete, so start over rather than trust it.
            part.unlink()
            version.unlink(missing_ok=True)
            return _download_file(
                url=url, target=target, required=required, show_progress=show_progress
            )
        raise IngestError(f"{target.name}: download from {url} failed: HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SourceUnreachable(
            f"{target.name}: download from {url} failed: {reason}", url=url
        ) from None
    with response:
        if response.status == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != offset:
                raise IngestError(f"{target.name}: {url} answered a range we did not ask for")
            sent = response.headers.get("ETag") or response.headers.get("Last-Modified")
            if sent is not None and sent != version.read_text():
                # A server that ignores If-Range sends the rest of whatever the file is now:
                # appended to the .part, that would splice two versions into one file.
                response.close()
                part.unlink()
                version.unlink()
                return _download_file(
                    url=url, target=target, required=required, show_progress=show_progress
                )
            expected: int | None = int(match.group(3))
            mode = "ab"
        else:
            length = response.headers.get("Content-Length")
            chunked = "chunked" in response.headers.get("Transfer-Encoding", "").lower()
            if length is None and not chunked:
                # The body ends when the connection closes: a cut one looks complete.
                raise IngestError(
                    f"{target.name}: {url} sent no Content-Length, so a cut download could "
                    "not be told from a complete one"
                )
            expected = int(length) if length is not None else None
            offset = 0
            mode = "wb"
            validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
            if validator:
                version.write_text(validator)
            else:
                version.unlink(missing_ok=True)
        written = offset
        interrupted: Exception | None = None
        with (
            part.open(mode) as handle,
            tqdm(
                total=expected,
                initial=offset,
                unit="B",
                unit_scale=True,
                desc=target.name,
                disable=not show_progress,
                leave=False,
            ) as bar,
        ):
            # A server hanging up mid-file shows as IncompleteRead, a socket error or simply
            # an early end (with fewer bytes than announced); all three are a truncation.
            try:
                while chunk := response.read(CHUNK_BYTES):
                    handle.write(chunk)
                    written += len(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as error:
                interrupted = error
    if interrupted is not None or (expected is not None and written != expected):
        of_expected = f" of {expected}" if expected is not None else ""
        why = f" ({interrupted!r})" if interrupted is not None else ""
        raise IngestError(
            f"{target.name}: download from {url} is truncated: received {written}"
            f"{of_expected} bytes{why} (run again to resume)"
        )
    part.replace(target)
    if version.exists():
        version.replace(have)
    else:
        have.unlink(missing_ok=True)
    return True
