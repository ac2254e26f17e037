"""The reading eval: per-signal precision and recall of ``assistant.reading`` on labelled rows.

Rows: ``{"id", "text", "labels": {"greeting": bool, …, "intent": "pause"|…|"none"}}``
(the format of ``knowledge/reading/train.jsonl``, the dev set the learned layer is fit on,
and of ``evals/data/heldout/reading_messages.jsonl``, written blind and never fit or tuned on).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core.reading import Reading
from assistant.reading.reader import read

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder

SIGNALS = tuple(Reading(text="").signals())  # the names the labelled data uses
INTENTS = ("pause", "back", "restart", "move_on")


def load_reading_rows(path: str | Path) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def _counts() -> dict[str, int]:
    return {"tp": 0, "fp": 0, "fn": 0, "tn": 0}


def _score(counts: dict[str, int]) -> dict[str, float | int | None]:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    return {
        **counts,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
    }


def _add(counts: dict[str, int], truth: bool, got: bool) -> None:
    counts[("t" if truth == got else "f") + ("p" if got else "n")] += 1


def score_reading(
    rows: Iterable[dict[str, Any]], embedder: Embedder | None = None, cache_dir: Path | None = None
) -> dict[str, Any]:
    """Precision and recall per signal and per intent, plus the misses, over ``rows``."""
    per: dict[str, dict[str, int]] = {name: _counts() for name in (*SIGNALS, *INTENTS)}
    false_intents = 0
    errors: list[dict[str, Any]] = []
    total = 0
    for row in rows:
        total += 1
        reading = read(row["text"], embedder=embedder, cache_dir=cache_dir)
        got = reading.signals()
        labels = row["labels"]
        wrong = []
        for name in SIGNALS:
            truth = bool(labels.get(name))
            _add(per[name], truth, got[name])
            if truth != got[name]:
                wrong.append(f"{name}={'missed' if truth else 'false'}")
        expected_intent = labels.get("intent") or "none"
        for name in INTENTS:
            _add(per[name], expected_intent == name, reading.intent == name)
        if reading.intent and reading.intent != expected_intent:
            false_intents += 1
            wrong.append(f"intent={reading.intent}")
        if wrong:
            errors.append({"id": row.get("id"), "text": row["text"][:160], "wrong": wrong})
    return {
        "rows": total,
        "signals": {name: _score(counts) for name, counts in per.items()},
        "false_intent_rate": round(false_intents / total, 4) if total else None,
        "errors": errors,
    }
