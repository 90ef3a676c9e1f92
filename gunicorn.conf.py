"""gunicorn's settings file, read from the working directory (the repository, the image's
/app). The command lines (Makefile, Dockerfile, bench/pages.py) give the bind address,
workers and timeout; this adds what a command line cannot."""

import gc


def post_worker_init(worker):  # noqa: ANN001, ANN201, ARG001
    """Once the worker has loaded Django: move everything loaded so far (modules, URL
    patterns, templates...) out of the garbage collector's reach. Those objects live as long
    as the worker, and each full collection would walk them again (a pause of milliseconds
    under load)."""
    gc.freeze()
