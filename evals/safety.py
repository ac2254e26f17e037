"""The safety eval: run the screen over a labelled JSONL set and score it.

Rows are either ``{"text", "expect": "escalate"|"continue", "category"}`` (the older sets)
or ``{"text", "category", "level": "escalate"|"check"|"none"}`` (the realistic sets).  A row is
risky when it expects escalate or has a risk category.  The screen's verdict counts as
flagged at ``escalate`` or ``check`` (both stop coaching until the person answers);
``support`` counts as ``continue``.  ``run_safety_eval`` yields one dict per row, then one
summary dict (``"summary": True``): precision, recall, false-positive rate, the false
escalate and false check rates on risk-free rows, and recall per category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.screening import public_level
from assistant.safety.screen import screen
from evals.jsonl import json_lines

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder

EXPECTS = ("escalate", "continue")


class EvalDataError(ValueError):
    """The eval file is missing or a row is malformed; the message names the line."""


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read and check a JSONL eval file (blank lines and ``#`` comments skipped)."""
    rows = []
    for number, row in json_lines(path, EvalDataError):
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise EvalDataError(f"{path}:{number}: a row needs a string 'text'")
        if "expect" not in row and "level" in row:  # the realistic format
            risky = row.get("category") not in (None, "none")
            row = {**row, "expect": "escalate" if risky else "continue"}
        if row.get("expect") not in EXPECTS:
            raise EvalDataError(f"{path}:{number}: 'expect' must be one of {EXPECTS}")
        rows.append(row)
    return rows


def summarize(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and false-positive rate for "escalate", and recall per category."""
    tp = fp = fn = tn = 0
    false_escalate = false_check = 0
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [hits, positives]
    for row in results:
        positive, flagged = row["expect"] == "escalate", row["got"] == "escalate"
        if not positive:
            false_escalate += row.get("level") == "escalate"
            false_check += row.get("level") == "check"
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
        "false_escalate_rate": round(false_escalate / (fp + tn), 4) if fp + tn else 0.0,
        "false_check_rate": round(false_check / (fp + tn), 4) if fp + tn else 0.0,
        "per_category_recall": {
            name: round(hits / total, 4) for name, (hits, total) in sorted(per_category.items())
        },
    }


def run_safety_eval(
    path: str | Path, embedder: Embedder | None = None, cache_dir: Path | None = None
) -> Iterator[dict[str, Any]]:
    """Screen every row; yield per-row results, then the summary."""
    results = []
    for row in load_rows(path):
        screening = screen(row["text"], embedder=embedder, cache_dir=cache_dir)
        flagged = screening.level in ("escalate", "check")
        result = {
            "text": row["text"],
            "expect": row["expect"],
            "got": "escalate" if flagged else "continue",
            "category": row.get("category"),
            "level": public_level(screening.level),
            "safety": {"level": public_level(screening.level), "category": screening.category},
            "screen_category": screening.category,
            "matched": list(screening.matched),
        }
        results.append(result)
        yield result
    summary = summarize(results)
    summary["semantic"] = embedder is not None
    yield summary
