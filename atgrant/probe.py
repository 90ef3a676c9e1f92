"""Container health probes: `python -m atgrant.probe web|worker|beat`; exit 0 when healthy.

web    GET /healthz on this container (with a Host the site accepts); healthy on 200.
worker the Celery worker on this host answers a ping through the broker.
beat   the beat's heartbeat task ran less than 5 minutes ago (so beat and a worker work).
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request


def probe_web() -> bool:
    port = os.environ.get("PORT", "8000")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if "*" not in h and not h.startswith(".")), "localhost")
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - fixed URL
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atgrant.settings")
    import django

    django.setup()


def probe_worker() -> bool:
    _django()
    from atgrant.celery import app

    replies = app.control.ping(destination=[f"celery@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def probe_beat() -> bool:
    _django()
    from atgrant.health import check_beat

    return check_beat()["status"] in ("ok", "embedded")


PROBES = {"web": probe_web, "worker": probe_worker, "beat": probe_beat}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PROBES:
        print(f"usage: python -m atgrant.probe {'|'.join(PROBES)}", file=sys.stderr)
        return 2
    return 0 if PROBES[argv[0]]() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
