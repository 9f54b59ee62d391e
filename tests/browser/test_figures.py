"""The lesson figures in headless Chromium: drawn from our own static files under the CSP, at phone and desktop
widths, with buttons that work from the keyboard, a legend in words and a text description."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAGES = {"differentiation-in-rn": ["contour", "curve", "surface"], "gradient-descent-variants": ["descent"]}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("slug", sorted(PAGES))
def test_the_figures_are_drawn_with_buttons_a_legend_and_a_description(
    page, live_server, lesson_content, shoot, slug, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/topics/{slug}/")
    figures = page.locator("section.block-figure")
    assert figures.count() == len(PAGES[slug])
    for i, kind in enumerate(PAGES[slug]):
        figure = figures.nth(i)
        holder = figure.locator(".figure-plot")
        holder.locator("svg").first.wait_for()
        assert holder.get_attribute("data-rendered") == "true" and holder.get_attribute("aria-hidden") == "true"
        assert len(figure.locator(".block-body > p").all_inner_texts()[-1]) > 200  # the description, in words
        box = holder.bounding_box()
        assert box["width"] <= width and box["height"] > 150
        before = holder.locator("svg").first.inner_html()
        first = figure.locator(".figure-button").first
        first.focus()
        page.keyboard.press("Enter")  # Zoom in, or Turn left for the surface
        page.wait_for_function(
            "([el, old]) => el.querySelector('svg').innerHTML !== old", arg=[holder.element_handle(), before]
        )
        if kind != "surface":
            assert figure.locator(".figure-legend li").count() >= 1
        shoot(page, f"figure-{slug}-{kind}-{width}", figure)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
