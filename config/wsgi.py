import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

if "gunicorn" in sys.modules:
    # Requests gunicorn refuses before the app (e.g. a request line past its limit) answer
    # with the app's JSON error body instead of gunicorn's HTML page (config/server_errors.py).
    from config.server_errors import answer_server_errors_as_json

    answer_server_errors_as_json()
