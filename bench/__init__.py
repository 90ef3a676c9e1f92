"""Benchmarks: how atgrant's cost grows (issue 7). Not tests; run as modules, e.g.
``python -m bench.engine_scale``. Each prints a Markdown table for the README's "Benchmarks"
section, with the date and the machine."""
