"""docker-compose.yml, the Dockerfile and .env.example: the shape operators rely on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load((BASE_DIR / "docker-compose.yml").read_text())


def _env_names_read_by_settings() -> set[str]:
    names = set()
    for path in [BASE_DIR / "atgrant" / "settings.py"]:
        names |= set(
            re.findall(r"env_(?:str|bool|int|list|url)\(\s*\"([A-Z0-9_]+)\"", path.read_text())
        )
    return names


def test_env_example_names_every_setting():
    example = (BASE_DIR / ".env.example").read_text()
    named = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.M))
    read = _env_names_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "EMAIL_HOST"} <= read
    assert read - named == set()


def test_services_health_checks_and_start_order(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    assert "/healthz" not in str(services["web"]["healthcheck"])  # via atgrant.probe web
    assert services["web"]["healthcheck"]["test"][-2:] == ["atgrant.probe", "web"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"] == {"condition": "service_healthy"}
        assert depends["redis"] == {"condition": "service_healthy"}
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["env_file"] == ".env"
        assert "uploads:/data/uploads" in services[name]["volumes"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "atgrant", "worker"]
    assert {"pgdata", "uploads"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]


def test_dockerfile_serves_gunicorn_and_collects_hashed_static_files():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert dockerfile.startswith("# atgrant") and "FROM python:3.11-slim" in dockerfile
    assert "libpango-1.0-0" in dockerfile
    assert 'pip install ".[sentry]"' in dockerfile
    assert "collectstatic" in dockerfile
    assert "gunicorn atgrant.wsgi" in dockerfile


@pytest.mark.skipif(
    not shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)),
    reason="check-jsonschema not installed",
)
def test_compose_file_passes_the_compose_schema_and_a_broken_one_does_not(tmp_path):
    checker = str(Path(sys.executable).with_name("check-jsonschema"))

    def check(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [checker, "--builtin-schema", "vendor.compose-spec", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert check(BASE_DIR / "docker-compose.yml").returncode == 0
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        (BASE_DIR / "docker-compose.yml")
        .read_text()
        .replace("condition: service_healthy", "condition: when_it_feels_like_it", 1)
    )
    assert check(broken).returncode != 0


def test_the_image_and_the_package_carry_every_app_of_the_project():
    """An app added to INSTALLED_APPS must be copied into the image and packaged."""
    from django.conf import settings

    local = [app for app in settings.INSTALLED_APPS if (BASE_DIR / app / "apps.py").exists()]
    assert "registry" in local
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    pyproject = (BASE_DIR / "pyproject.toml").read_text()
    for app in local:
        assert f"COPY {app} ./{app}" in dockerfile, app
        assert f'"{app}*"' in pyproject, app
