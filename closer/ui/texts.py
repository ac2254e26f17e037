"""The page's own words (not replies), kept as data in ``knowledge/ui.yaml``."""

from __future__ import annotations

from assistant.knowledge import load_yaml


def ui_text(*keys: str) -> str:
    """``ui_text("refused", "token")``: one string from ``knowledge/ui.yaml``."""
    value = load_yaml("ui.yaml")
    for key in keys:
        value = value[key]
    return str(value)
