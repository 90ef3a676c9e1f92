"""`make run`: every command of the recipe gets the same SITE_URL (links in the e-mails the
demo's loading prints point at the address served, as the server's and beat's do)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def _make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST"}}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=BASE_DIR,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_run_gives_the_load_command_the_served_address():
    result = _make("-n", "run", "PORT=8011")
    assert result.returncode == 0, result.stderr
    commands = [
        line for line in result.stdout.splitlines() if "manage.py" in line or "celery" in line
    ]
    load = [line for line in commands if "load_round_2024 --demo" in line]
    assert len(load) == 1
    assert 'SITE_URL="${SITE_URL:-http://127.0.0.1:8011}"' in load[0]
    # migrate, load, beat and the server: each with the same SITE_URL.
    assert len(commands) == 4
    assert all(line.count("SITE_URL=") == 1 for line in commands)
    assert all("http://127.0.0.1:8011" in line for line in commands)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8011"),
        ({"SITE_URL": "https://demo.example.se"}, "https://demo.example.se"),
    ],
    ids=["from PORT", "SITE_URL set"],
)
def test_every_command_of_make_run_sees_the_same_site_url(tmp_path, env, expected):
    """The recipe run for real, with stand-ins for python and celery that say what they got."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "seen"
    # The server's stand-in waits (up to 20 s) for beat's, which runs in the background and
    # is killed when the recipe ends.
    wait_for_beat = (
        f'for _ in $(seq 200); do grep -q "^celery" "{log}" 2>/dev/null && break; sleep 0.1; done\n'
    )
    for name in ("python", "celery"):
        stand_in = bin_dir / name
        script = f'#!/bin/sh\necho "{name} $* -> $SITE_URL" >> "{log}"\n'
        if name == "python":
            script += f'case "$*" in *runserver*) {wait_for_beat};; esac\n'
        stand_in.write_text(script)
        stand_in.chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: nothing to install
    result = _make("run", "PORT=8011", f"BIN={bin_dir}", f"STAMP={stamp}", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    seen = sorted(log.read_text().splitlines())
    assert seen == sorted(
        [
            f"python manage.py migrate --no-input -> {expected}",
            f"python manage.py load_round_2024 --demo -> {expected}",
            f"celery -A atgrant beat --loglevel=WARNING -> {expected}",
            f"python manage.py runserver 127.0.0.1:8011 -> {expected}",
        ]
    )
