"""Static files for production: whitenoise's compressed manifest (hashed names), minus source maps.

The vendored, minified libraries (static/vendor/) end with a `sourceMappingURL` comment naming
a .map file we do not ship; Django's manifest storage would fail collectstatic on it. Only
those comments are left alone: every `url(...)` and `@import` is still rewritten to its hash.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    kept = []
    for extension, extension_patterns in patterns:
        entries = tuple(
            p
            for p in extension_patterns
            if "sourceMappingURL" not in (p if isinstance(p, str) else p[0])
        )
        kept.append((extension, entries))
    return tuple(kept)


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
