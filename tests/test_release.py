"""atgrant.release: cached pages and fragments are keyed by the deployment that rendered them."""

from __future__ import annotations

import pytest

from atgrant import pagecache, release


@pytest.fixture
def deployment(settings, tmp_path):
    (tmp_path / "templates" / "pages").mkdir(parents=True)
    (tmp_path / "templates" / "pages" / "home.html").write_text("<p>Hej</p>")
    (tmp_path / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.mo").write_bytes(b"mo")
    (tmp_path / "static").mkdir()
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    release.release.cache_clear()
    yield tmp_path
    release.release.cache_clear()


def _again() -> str:
    release.release.cache_clear()
    return release.release()


def test_a_template_a_translation_or_the_static_manifest_makes_another_release(deployment):
    first = release.release()
    assert len(first) == 16 and int(first, 16) >= 0
    assert release.release() == first == _again()  # the same files: the same release
    (deployment / "templates" / "pages" / "home.html").write_text("<p>Hej då</p>")
    second = _again()
    assert second != first
    (deployment / "locale" / "en" / "LC_MESSAGES" / "django.mo").write_bytes(b"mo2")
    third = _again()
    assert third not in (first, second)
    (deployment / "static" / "staticfiles.json").write_text('{"paths": {}}')
    assert _again() not in (first, second, third)


def test_a_page_key_belongs_to_its_release(monkeypatch):
    monkeypatch.setattr(pagecache, "release", lambda: "a")
    key_a = pagecache.page_key("public_list", "k")
    monkeypatch.setattr(pagecache, "release", lambda: "b")
    assert pagecache.page_key("public_list", "k") != key_a
    assert pagecache.page_key("public_list", "k").startswith("atgrant:page:public_list:")


def test_the_fragments_are_keyed_by_the_release():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    tags = [
        line.strip()
        for path in root.rglob("*.html")
        for line in path.read_text().splitlines()
        if "{% cache " in line
    ]
    assert tags and all(tag.endswith("RELEASE %}") for tag in tags)
