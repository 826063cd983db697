"""The API's limits, defined once: serving, the API's validation and its schema import them."""

MAX_K = 100
MAX_SEEDS = 50
MAX_HISTORY = 50
# Characters of a search query: far above any title plus artist, and short enough that its
# URL (up to 9 bytes a character once percent-encoded) stays under gunicorn's request-line
# limit, so an over-long query gets the API's 422 rather than the server's HTML 400.
MAX_QUERY_CHARS = 200
# Songs of one radio answer; a listener's "More" asks for the next ones with exclude.
MAX_RADIO_LENGTH = 100
# Songs between two plays of one artist on a station; the radio page sends this many (at
# least 5) of the latest songs as seeds to continue, so the gap holds across "More".
MAX_ARTIST_GAP = 10
MAX_RADIO_SEED = 2**32 - 1
# Songs in one exported playlist: the longest list the site shows is 100 (MAX_K), and 200
# ids of up to 10 digits keep the query string well under gunicorn's request-line limit.
MAX_EXPORT_SONGS = 200
