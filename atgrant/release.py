"""What this deployment renders with: a digest of its templates, translations and static
files' manifest.

Cached pages and fragments live in Redis, which outlives a deployment: their keys include
``release()`` so that a new deployment never serves what the previous one rendered (a page
naming static files by hashes that no longer exist, an old layout, old wording).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings


def _files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    files = [*base.glob("templates/**/*.html"), *base.glob("*/templates/**/*.html")]
    files += [*base.glob("locale/**/*.mo")]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"  # hashed names (not DEBUG)
    if manifest.is_file():
        files.append(manifest)
    return sorted(f for f in files if ".venv" not in f.parts)


@cache
def release() -> str:
    """A short digest, computed once per process."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
