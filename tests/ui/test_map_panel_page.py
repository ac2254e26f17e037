"""The intimacy-map panel in headless Chromium: it renders its chart, names the weakest kind,
saves the map with the conversation, and fills the message box with the request."""

from __future__ import annotations

from typing import Any

from assistant.coaching.intimacy_map import kind_info
from tests.ui.browser import LOADED, save_screenshot


def open_panel(page: Any) -> None:
    """The panel is closed until asked for: the map is offered, never pressed."""
    page.click("#closer-map button:has-text('Intimacy map')")


def set_rating(page: Any, kind: str, value: int) -> None:
    """Type a rating into the slider's number box, as a keyboard user would."""
    box = page.locator(f"#closer-map-{kind} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_map_panel_draws_its_chart_and_names_the_weakest_kind(page: Any) -> None:
    open_panel(page)
    chart = page.wait_for_selector("#closer-map-chart svg", state="visible", timeout=30_000)
    assert len(chart.query_selector_all("g[data-kind]")) == 7
    assert chart.bounding_box()["height"] > 100  # drawn, not an empty box

    set_rating(page, "physical", 1)
    page.wait_for_selector("#closer-map-svg[data-weakest='physical']", timeout=30_000)
    summary = page.inner_text("#closer-map-summary")
    assert "Physical" in summary and "1/5" in summary
    assert kind_info("physical").step in " ".join(summary.split())
    save_screenshot(page, "ui-intimacy-map.png")

    page.click("#closer-map-use")  # the step becomes the request's text, not sent
    request = kind_info("physical").request
    page.wait_for_function(
        "text => document.querySelector('#closer-input textarea').value === text",
        arg=request,
        timeout=30_000,
    )

    page.click("#closer-map-save")
    page.wait_for_selector("#closer-map-summary [role=status]", timeout=30_000)
    assert "Saved" in page.inner_text("#closer-map-summary")
    page.reload()  # the saved map comes back with the conversation
    page.wait_for_selector(LOADED, timeout=60_000)
    open_panel(page)
    page.wait_for_selector("#closer-map-svg[data-weakest='physical']", timeout=30_000)
    assert page.input_value("#closer-map-physical input[type=number]") == "1"
