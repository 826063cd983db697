"""The API's limits, defined once: serving, the API's validation and its schema import them."""

MAX_K = 100
MAX_SEEDS = 50
MAX_HISTORY = 50
