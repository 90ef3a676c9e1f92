"""gunicorn.conf.py: read by gunicorn from the working directory (repository, image)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_freezes_what_it_loaded_out_of_the_collectors_reach():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    try:
        config["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_gunicorn_reads_the_file_and_the_image_has_it():
    from gunicorn.config import Config

    config = Config()
    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config.set("post_worker_init", namespace["post_worker_init"])  # gunicorn's own validation
    assert config.post_worker_init is namespace["post_worker_init"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn.conf.py" in next(
        line for line in dockerfile.splitlines() if line.startswith("COPY manage.py")
    )
