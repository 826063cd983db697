"""The API's limits and defaults, defined once: serving, the API's validation, its schema and
the pages import them."""

MAX_K = 100
DEFAULT_K = 10
MAX_SEEDS = 50
MAX_HISTORY = 50
# Song ids never to return, per request.
MAX_EXCLUDE = 1_000
# Search pages: songs per page and how deep one may page.
MAX_SEARCH_LIMIT = 100
DEFAULT_SEARCH_LIMIT = 20
MAX_OFFSET = 10_000
# Tags per song in an answer: popular songs carry up to ~80 Last.fm tags whose tail is opinion
# ("guilty pleasures"); the most relevant ten keep answers small.
SONG_TAGS = 10
# Characters of a search query: far above any title plus artist, and short enough that its
# URL (up to 9 bytes a character once percent-encoded) stays under gunicorn's request-line
# limit, so an over-long query gets the API's 422 rather than the server's HTML 400.
MAX_QUERY_CHARS = 200
# Songs of one radio answer; a listener's "More" asks for the next ones with exclude.
MAX_RADIO_LENGTH = 100
DEFAULT_RADIO_LENGTH = 50
# Songs between two plays of one artist on a station; the radio page sends this many (at
# least 5) of the latest songs as seeds to continue, so the gap holds across "More".
MAX_ARTIST_GAP = 10
DEFAULT_ARTIST_GAP = 3
MAX_RADIO_SEED = 2**32 - 1
# Songs in one exported playlist: the longest list the site shows is 100 (MAX_K), and 200
# ids of up to 10 digits keep the query string well under gunicorn's request-line limit.
MAX_EXPORT_SONGS = 200
