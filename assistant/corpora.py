"""Training rows taken from real people's public writing (``knowledge/corpora/``).

Each corpus is a JSONL file of ``{"id", "text", "category", "source", …}`` rows built by
``scripts/build_real_sets.py`` from the sources listed in ``docs/data-card.md`` (training
side of each split only; the held-out side lives in ``evals/data/heldout/real/``).  The
learned layers add these rows to the data the team wrote; nothing here is a rule.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import KNOWLEDGE_DIR

CORPORA_DIR = KNOWLEDGE_DIR / "corpora"


def safety_rows(folder: Path = CORPORA_DIR) -> list[dict]:
    """Every row of ``safety_*.jsonl`` under ``folder``, files in name order."""
    rows: list[dict] = []
    for path in sorted(folder.glob("safety_*.jsonl")) if folder.is_dir() else ():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows
