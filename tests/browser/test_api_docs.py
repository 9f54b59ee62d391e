"""The API docs render under the site's own Content-Security-Policy (Swagger UI from our static files)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_show_the_operations(page):
    page.goto("/api/docs")
    page.wait_for_selector("#swagger-ui .opblock")
    text = page.inner_text("#swagger-ui")
    assert "/api/submissions" in text and "Courseware API" in text
