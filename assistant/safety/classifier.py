"""The learned layer of the safety screen: a logistic regression per category on the message
embedding (``assistant.learned``), fit on ``knowledge/safety/train.jsonl``.

Each category has two thresholds chosen on the held-back fifth of that data: a strict one
(precision first) that escalates, and a lenient one (recall first) that only asks — the
``check`` level.  After a check in the conversation the lenient one is lowered further
(``wary``).  This layer can raise the screen's verdict, never lower it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import KNOWLEDGE_DIR
from assistant.core.screening import ESCALATING, Screening
from assistant.learned import Example, FitSpec, SignalModel, cached_fit
from assistant.text import screen_form, sentences

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder

TRAIN_PATH = KNOWLEDGE_DIR / "safety" / "train.jsonl"
SHIPPED_DIR = KNOWLEDGE_DIR / "safety"
SIGNALS = (*ESCALATING, *(f"{c}~" for c in ESCALATING))  # strict, then lenient thresholds
# Thresholds bound false alarms on the held-back fifth of the dev data: escalating on at most
# 0.5 % of risk-free messages per category, asking (check) on at most 2 %.
CHOOSE = {
    **{c: ("rate", 0.005) for c in ESCALATING},
    **{f"{c}~": ("rate", 0.02) for c in ESCALATING},
}
WARY_SCALE = 0.75  # after a check, a later sign is asked about sooner
MAX_PARTS = 12


@cache
def training_examples(path: Path = TRAIN_PATH) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [Example(r["text"], frozenset([r["category"]]) - {"none"}) for r in rows]


def message_parts(normalized: str) -> list[str]:
    parts = [s for s in sentences(normalized, clauses=True) if len(s) > 3][:MAX_PARTS]
    return [normalized, *parts] if len(parts) > 1 else [normalized]


def safety_model(embedder: Embedder, cache_dir: Path | None = None) -> SignalModel:
    return cached_fit(FIT_SPEC, embedder, cache_dir)


FIT_SPEC = FitSpec(
    name="safety",
    load_examples=training_examples,
    signals=SIGNALS,
    prepare=screen_form,
    split=message_parts,
    choose=CHOOSE,
    shipped=SHIPPED_DIR,
)


def learned_screen(
    normalized: str, embedder: Embedder, *, wary: bool = False, cache_dir: Path | None = None
) -> Screening | None:
    """Escalate on strong evidence, check on possible evidence, else None."""
    model = safety_model(embedder, cache_dir)
    parts = message_parts(normalized)
    vectors = np.asarray(embedder.embed(parts), dtype=np.float32)
    scores = model.scores(parts, vectors)
    # Contempt is escalated by its patterns alone (with words of habit); learned evidence of
    # contempt only asks.
    strong = [c for c in ESCALATING if c != "contempt" and model.fires(scores, c)]
    if strong:
        top = max(strong, key=lambda c: scores[c])
        why = f"learned {top} {scores[top]:.2f} ≥ {model.threshold(top):.2f}"
        return Screening("escalate", top, (f"learned:{top}:{scores[top]:.2f}",), why)
    scale = WARY_SCALE if wary else 1.0
    possible = [c for c in ESCALATING if model.fires(scores, f"{c}~", scale=scale)]
    if possible:
        top = max(possible, key=lambda c: scores[f"{c}~"])
        score, bar = scores[f"{top}~"], model.threshold(f"{top}~") * scale
        why = f"learned possible {top} {score:.2f} ≥ {bar:.2f}"
        return Screening("check", top, (f"learned:{top}~:{score:.2f}",), why)
    return None
