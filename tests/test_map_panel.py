"""The map panel's chart and summary as HTML: drawn here, escaped, nothing fetched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from assistant.coaching.intimacy_map import KINDS, kind_info, read_map
from closer.ui.map_panel import chart_svg, outputs_for, summary_html

RATINGS = {
    "emotional": 4,
    "physical": 3,
    "sexual": 2,
    "intellectual": 4,
    "spiritual": 5,
    "recreational": 4,
    "temporal": 3,
}


def test_the_chart_has_seven_bars_and_marks_the_weakest() -> None:
    svg = ET.fromstring(chart_svg(read_map(RATINGS)))
    assert svg.get("data-weakest") == "sexual"
    groups = svg.findall("{http://www.w3.org/2000/svg}g")
    assert [g.get("data-kind") for g in groups] == list(KINDS)
    assert [int(g.get("data-rating")) for g in groups] == [RATINGS[k] for k in KINDS]
    assert [g.get("data-kind") for g in groups if g.get("data-neglected")] == ["sexual"]
    # Bar length follows the rating: the filled bar of a 5 is longer than that of a 2.
    widths = {g.get("data-kind"): float(g.findall("{*}rect")[1].get("width")) for g in groups}
    assert widths["spiritual"] > widths["emotional"] > widths["sexual"] > 0
    assert "Sexual" in svg.get("aria-label")


def test_nothing_in_the_chart_points_off_the_page() -> None:
    html = "".join(outputs_for(RATINGS))
    urls = re.findall(r"(?:href|src)\s*=|url\(|https?://(?!www\.w3\.org/2000/svg)", html)
    assert urls == []


def test_the_summary_names_the_kind_the_step_and_the_request() -> None:
    result = read_map(RATINGS)
    html = summary_html(result, "Saved <now>")
    assert "Sexual" in html and kind_info("sexual").step in html
    assert "As a request" in html
    assert "&lt;now&gt;" in html and "<now>" not in html  # the status is escaped
