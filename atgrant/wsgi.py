from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atgrant.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: a setting that cannot take effect must still stop the web.
from atgrant.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()
