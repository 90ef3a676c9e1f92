"""Benchmarks: how atgrant's cost grows (issues 7 and 16). Not tests; run as modules, e.g.
``python -m bench.engine_scale``. Each prints a Markdown table for the README's "Benchmarks"
section, with the date and the machine.

``BENCH_CODE`` (a directory: another checkout of atgrant, e.g. the code before a change) makes
the application code come from there while the bench itself stays this one: it is put first
on ``sys.path`` once this package is imported, so ``atgrant``, ``submissions``... resolve to
it and ``bench.*`` to this directory (``bench.common.launch`` starts gunicorn and Celery so)."""

import os
import sys

_CODE = os.environ.get("BENCH_CODE")
if _CODE and (not sys.path or sys.path[0] != _CODE):
    sys.path.insert(0, _CODE)
