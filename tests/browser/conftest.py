"""Headless Chromium (Debian's, never a downloaded one) against a live server, a real Redis and a real worker."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if Path(path).exists() else shutil.which("chromium")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, closed when they are done."""
    executable = chromium_path()
    if executable is None:
        reason = "Chromium is not installed (apt-get install chromium): browser tests skipped"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason.replace("skipped", "required by REQUIRE_BROWSER=1"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while it runs; the tests' own ORM calls
    # (and the database set-up) are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies), failing the test on any script error or CSP violation."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def shoot():
    """Save a full-page screenshot of a step under artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str, locator=None):
        target = SCREENSHOTS / f"{name}.png"
        if locator is not None:
            locator.screenshot(path=str(target))
        else:
            page.screenshot(path=str(target), full_page=True)
        return target

    return shoot
