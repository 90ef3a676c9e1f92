# atgrant: one image for the web, worker, beat and migrate services (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/uploads \
    ATGRANT_VAR_DIR=/data/var \
    PORT=8000

# WeasyPrint (PDF letters and receipts) needs Pango and HarfBuzz; DejaVu for the fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 atgrant \
 && mkdir -p /data/uploads /data/var \
 && chown -R atgrant:atgrant /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY atgrant ./atgrant
COPY audit ./audit
COPY regions ./regions
COPY submissions ./submissions
COPY allocation ./allocation
COPY registry ./registry
RUN pip install ".[sentry]"

COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Static files with hashed names (whitenoise's compressed manifest storage, used when DEBUG is
# off). Settings need a key to load; this one exists only during the build.
RUN DEBUG=false SECRET_KEY=collectstatic-build-only-not-a-secret \
    python manage.py collectstatic --no-input --verbosity 0

# The release the image was built from (docker build --build-arg RELEASE=$(git rev-parse
# --short HEAD)): the cache's key prefix (settings.RELEASE).
ARG RELEASE=dev
ENV RELEASE=${RELEASE}

USER atgrant
EXPOSE 8000
VOLUME ["/data/uploads"]

# The web service by default; worker, beat and migrate override the command.
CMD ["sh", "-c", "exec gunicorn atgrant.wsgi --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --timeout 60 --forwarded-allow-ips='*'"]
