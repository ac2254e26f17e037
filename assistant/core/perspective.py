"""Whose side a conversation is written for: the person who pulls away ("self", the default)
or the partner who wants to support them ("supporter").  Chosen when a conversation starts
and saved in its graph state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast, get_args

Perspective = Literal["self", "supporter"]
PERSPECTIVES: tuple[Perspective, ...] = get_args(Perspective)
DEFAULT: Perspective = "self"


class PerspectiveError(ValueError):
    """An unknown perspective, or one that differs from the conversation's saved one."""


def checked(value: str | None) -> Perspective:
    """``value`` as a perspective (None: the default); PerspectiveError names the choices."""
    if value is None:
        return DEFAULT
    key = value.strip().lower()
    if key not in PERSPECTIVES:
        raise PerspectiveError(
            f"unknown perspective {value!r}; choose one of: {', '.join(PERSPECTIVES)}"
        )
    return cast(Perspective, key)  # checked just above


def perspective_of(state: Mapping[str, Any]) -> Perspective:
    """A conversation's perspective; conversations saved before it existed are "self"."""
    value = state.get("perspective")
    return value if value in PERSPECTIVES else DEFAULT
