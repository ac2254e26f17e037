"""Where the labelled sets live and what each may be used for (``evals/data/manifest.yaml``).

Data files sit in one folder per role: ``dev/`` (tuned on), ``regression/`` (once held out,
since read and tuned against: a guard, not a measure) and ``heldout/`` (never tuned on: the
measure).  The suites name their default files here, so a renamed set changes one line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

EVALS_DIR = Path(__file__).resolve().parent
DATA_DIR = EVALS_DIR / "data"
ROOT = EVALS_DIR.parent  # manifest paths start here (the repository, or site-packages)
MANIFEST = DATA_DIR / "manifest.yaml"
ROLES = ("dev", "regression", "heldout")

# The default of each command: a measure where one exists, else the set tuned on.
SAFETY_HELDOUT = DATA_DIR / "heldout" / "safety_realistic.jsonl"  # `closer eval safety`
SAFETY_DEV = DATA_DIR / "dev" / "safety_short_hard_negatives.jsonl"  # the baseline's figures
READING_HELDOUT = DATA_DIR / "heldout" / "reading_messages.jsonl"
RETRIEVAL_QUERIES = DATA_DIR / "dev" / "retrieval_queries.jsonl"


@cache
def manifest() -> dict[str, dict[str, Any]]:
    """Manifest entries by path relative to ``ROOT`` (``evals/data/dev/...``)."""
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["files"]


def entry(path: str | Path) -> tuple[str, dict[str, Any] | None]:
    """(the path as the manifest names it, its entry or None)."""
    resolved = Path(path).resolve()
    try:
        name = resolved.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path), None
    return name, manifest().get(name)


def describe(path: str | Path) -> str:
    """One line naming a file and its role, for the top of an eval's output."""
    name, found = entry(path)
    if found is None:
        return f"{name} (not in evals/data/manifest.yaml: role unknown)"
    meaning = {
        "dev": "tuned on: tuning figures",
        "regression": "read and tuned against: a regression guard, not a measure",
        "heldout": "never tuned on: the measure",
    }[found["role"]]
    return f"{name} (role: {found['role']}, {meaning})"
