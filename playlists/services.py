"""The catalogue's services: what other code (commands, tasks, views) calls to change it.

The ingest itself lives in playlists/ingest.py (with parsing.py and download.py beside it);
it is re-exported here so that callers follow the project's services convention.
"""

from playlists.ingest import IngestError, IngestReport, RowChanges, playlists_ingest

__all__ = ["IngestError", "IngestReport", "RowChanges", "playlists_ingest"]
