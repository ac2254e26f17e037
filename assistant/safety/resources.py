"""Help resources (hotlines, directories) from ``knowledge/resources.yaml``.

The file is data checked by people, with a ``verified_on`` date; this module only loads,
validates and filters it.  A locale with no entries of its own falls back to the
international entries, so nobody is left with an empty list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import KNOWLEDGE_DIR

RESOURCES_PATH = KNOWLEDGE_DIR / "resources.yaml"
CATEGORIES = ("crisis", "abuse", "coercion", "contempt", "support")
HOW_KINDS = ("phone", "text", "web")


class ResourceError(Exception):
    """The resources file is missing or malformed; the message names the problem."""


@dataclass(frozen=True)
class Resource:
    """One place to get help, and how to reach it."""

    id: str
    name: str
    how: tuple[tuple[str, str], ...]  # (kind, value) pairs in phone/text/web order
    purpose: str
    categories: tuple[str, ...]
    locales: tuple[str, ...]

    def line(self) -> str:
        """One plain line for a reply: name, how to reach it, what it is for."""
        verbs = {"phone": "call {}", "text": "text {}", "web": "{}"}
        reach = ", ".join(verbs[kind].format(value) for kind, value in self.how)
        return f"{self.name}: {reach}. {self.purpose}"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "how": dict(self.how),
            "for": self.purpose,
            "categories": list(self.categories),
        }


@dataclass(frozen=True)
class ResourceBook:
    verified_on: dt.date
    fallback_locale: str
    resources: tuple[Resource, ...]


def _parse_entry(raw: object, index: int) -> Resource:
    where = f"resources[{index}]"
    if not isinstance(raw, dict):
        raise ResourceError(f"{where} must be a mapping")
    missing = [k for k in ("id", "name", "locales", "how", "for", "categories") if k not in raw]
    if missing:
        raise ResourceError(f"{where} is missing {', '.join(missing)}")
    how = raw["how"]
    if not isinstance(how, dict) or not how or set(how) - set(HOW_KINDS):
        raise ResourceError(f"{where}.how must map some of {HOW_KINDS} to strings")
    categories = tuple(str(c) for c in raw["categories"])
    unknown = set(categories) - set(CATEGORIES)
    if unknown or not categories:
        raise ResourceError(f"{where}.categories has unknown or no values: {sorted(unknown)}")
    return Resource(
        id=str(raw["id"]),
        name=str(raw["name"]),
        how=tuple((kind, str(how[kind])) for kind in HOW_KINDS if kind in how),
        purpose=str(raw["for"]),
        categories=categories,
        locales=tuple(str(loc).casefold() for loc in raw["locales"]),
    )


@lru_cache(maxsize=4)
def load_resources(path: Path = RESOURCES_PATH) -> ResourceBook:
    """Parse and validate the resources file once per process."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ResourceError(f"cannot read help resources from {path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        raise ResourceError(f"{path}: expected a mapping with a `resources` list")
    verified = data.get("verified_on")
    if not isinstance(verified, dt.date):
        raise ResourceError(f"{path}: `verified_on` must be a date like 2026-11-21")
    entries = tuple(_parse_entry(raw, i) for i, raw in enumerate(data["resources"]))
    fallback = str(data.get("fallback_locale", "international")).casefold()
    if not any(fallback in entry.locales for entry in entries):
        raise ResourceError(f"{path}: no entries for the fallback locale {fallback!r}")
    return ResourceBook(verified_on=verified, fallback_locale=fallback, resources=entries)


def verified_on(path: Path = RESOURCES_PATH) -> dt.date:
    """The date a person last checked every number and address in the file."""
    return load_resources(path).verified_on


def known_locales(path: Path = RESOURCES_PATH) -> set[str]:
    """Locales that have entries of their own (casefolded)."""
    return {loc for entry in load_resources(path).resources for loc in entry.locales}


def resources_for(
    locale: str | None, category: str | None = None, path: Path = RESOURCES_PATH
) -> list[Resource]:
    """Entries for ``locale`` serving ``category`` (all categories if None).

    Unknown or empty locales get the fallback (international) entries.
    """
    book = load_resources(path)
    wanted = (locale or "").strip().casefold()
    if wanted not in known_locales(path):
        wanted = book.fallback_locale
    return [
        entry
        for entry in book.resources
        if wanted in entry.locales and (category is None or category in entry.categories)
    ]
