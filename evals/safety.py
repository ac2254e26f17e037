"""The safety eval: run the screen over a labelled JSONL set and score it.

Each row is ``{"text", "expect": "escalate"|"continue", "category"}``; ``support`` level
counts as ``continue``.  ``run_safety_eval`` yields one dict per row, then one summary dict
(``"summary": True``) with precision, recall, false-positive rate and per-category recall.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.safety import screen

if TYPE_CHECKING:
    from assistant.embeddings import Embedder

EXPECTS = ("escalate", "continue")


class EvalDataError(ValueError):
    """The eval file is missing or a row is malformed; the message names the line."""


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read and check a JSONL eval file (blank lines and ``#`` comments skipped)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalDataError(f"cannot read {path}: {error}") from error
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvalDataError(f"{path}:{number}: not JSON ({error.msg})") from error
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise EvalDataError(f"{path}:{number}: a row needs a string 'text'")
        if row.get("expect") not in EXPECTS:
            raise EvalDataError(f"{path}:{number}: 'expect' must be one of {EXPECTS}")
        rows.append(row)
    return rows


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and false-positive rate for "escalate", and recall per category."""
    tp = fp = fn = tn = 0
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [hits, positives]
    for row in results:
        positive, flagged = row["expect"] == "escalate", row["got"] == "escalate"
        tp += positive and flagged
        fn += positive and not flagged
        fp += flagged and not positive
        tn += not flagged and not positive
        if positive:
            per_category[row.get("category") or "?"][0] += flagged
            per_category[row.get("category") or "?"][1] += 1
    return {
        "summary": True,
        "n": tp + fp + fn + tn,
        "positives": tp + fn,
        "negatives": fp + tn,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        "per_category_recall": {
            name: round(hits / total, 4) for name, (hits, total) in sorted(per_category.items())
        },
    }


def run_safety_eval(path: str | Path, embedder: Embedder | None = None) -> Iterator[dict[str, Any]]:
    """Screen every row; yield per-row results, then the summary."""
    results = []
    for row in load_rows(path):
        screening = screen(row["text"], embedder=embedder)
        result = {
            "text": row["text"],
            "expect": row["expect"],
            "got": "escalate" if screening.level == "escalate" else "continue",
            "category": row.get("category"),
            "level": screening.level,
            "screen_category": screening.category,
            "matched": list(screening.matched),
        }
        results.append(result)
        yield result
    summary = summarize(results)
    summary["semantic"] = embedder is not None
    yield summary
