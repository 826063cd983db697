"""Settings for the benchmark's reference server: the app's settings, one bare route.

bench/serve_benchmark.py runs gunicorn with these next to the real app, so that the API can be
compared with "a Django view that only does the FAISS search" measured at the same moment on
the same machine (the issue's yardstick: about 2,000 requests per second here).
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.serve_bare_urls"
