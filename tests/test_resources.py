"""Help resources: one data file, validated, with a verified-on date and locale fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.safety.resources import ResourceError, load_resources, resources_for, verified_on


def _text(entries) -> str:  # noqa: ANN001
    return "\n".join(entry.line() for entry in entries)


def test_verified_on_is_a_date() -> None:
    assert verified_on() == dt.date(2026, 11, 21)


def test_us_numbers_are_all_there() -> None:
    text = _text(resources_for("US"))
    for fact in (
        "call 988",
        "text 988",
        "text HOME to 741741",
        "1-800-799-7233",
        "START to 88788",
        "thehotline.org",
        "1-800-656-4673",
        "call 911",
        "TherapistLocator",
        "ICEEFT",
        "Psychology Today",
    ):
        assert fact in text, fact


def test_category_filter() -> None:
    crisis = {r.id for r in resources_for("US", "crisis")}
    assert {"us-988", "us-911", "us-crisis-text-line"} <= crisis
    abuse = {r.id for r in resources_for("us", "abuse")}
    assert "us-ndvh" in abuse
    assert not {"iceeft-directory", "aamft-therapist-locator"} & abuse  # no couples therapy
    support = {r.id for r in resources_for("US", "support")}
    assert "iceeft-directory" in support and "us-911" not in support


@pytest.mark.parametrize("locale", ["FR", "en_GB", "", None, "zz"])
def test_unknown_locales_fall_back_to_international(locale: str | None) -> None:
    entries = resources_for(locale, "crisis")
    ids = {r.id for r in entries}
    assert "intl-findahelpline" in ids
    assert not any(r.id.startswith("us-") for r in entries)


def test_locale_is_case_insensitive() -> None:
    assert [r.id for r in resources_for("us")] == [r.id for r in resources_for("US")]


def test_every_category_has_resources_everywhere() -> None:
    for locale in ("US", "international"):
        for category in ("crisis", "abuse", "coercion", "contempt", "support"):
            assert resources_for(locale, category), (locale, category)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("resources: []\n", "verified_on"),
        ("verified_on: 2026-11-21\nresources:\n  - {id: x}\n", "missing"),
        (
            "verified_on: 2026-11-21\nresources:\n  - {id: x, name: X, locales: [international],"
            " how: {fax: '1'}, for: y, categories: [crisis]}\n",
            "how",
        ),
        (
            "verified_on: 2026-11-21\nresources:\n  - {id: x, name: X, locales: [international],"
            " how: {web: a.org}, for: y, categories: [weather]}\n",
            "categories",
        ),
        ("verified_on: 2026-11-21\nresources: [\n", "cannot read"),
    ],
)
def test_a_malformed_file_is_rejected_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ResourceError, match=message):
        load_resources(path)


def test_missing_file_is_a_resource_error(tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="cannot read"):
        load_resources(tmp_path / "nope.yaml")
