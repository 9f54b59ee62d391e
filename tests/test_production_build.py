"""The production build's own failure modes: assets collectstatic cannot process, a missing manifest, the API docs."""

import re
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"


def test_every_source_map_a_static_file_names_is_shipped():
    # ManifestStaticFilesStorage follows sourceMappingURL comments: a missing map fails collectstatic.
    missing = []
    for path in STATIC.rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not name.startswith("data:") and not (path.parent / name).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {name}")
    assert missing == []


@pytest.mark.django_db
def test_healthz_is_green_when_pages_render(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_healthz_fails_when_pages_cannot_render_without_the_static_manifest(client, tmp_path):
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": manifest}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):  # collectstatic never ran here
        from django.contrib.staticfiles.storage import staticfiles_storage

        staticfiles_storage._wrapped = None  # re-read the overridden storage (reset by the signal on exit)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"pages" in response.content


@pytest.mark.django_db
def test_the_api_docs_load_swagger_ui_from_our_static_files(client):
    response = client.get("/api/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui.css" in page
    assert not re.search(r"https?://", re.sub(r'href="https?://[^"]*"', "", page))  # no other host
    assert "<script>" not in page  # the CSP allows no inline script
