"""The learned layer of the safety screen: a logistic regression per category on the message
embedding (``assistant.learned``), fit on the rows that ``knowledge/safety/train.yaml`` names:
dev and regression sets in ``evals/data/`` and the labelled examples, read from those files at
fit time (and to name the fit by content), so no row is stored twice.

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
from assistant.safety.patterns import load_rules
from assistant.text import screen_form, sentences

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder

TRAIN_RECIPE = KNOWLEDGE_DIR / "safety" / "train.yaml"
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
SHORT_WORDS = 12  # learned evidence alone in fewer words than this asks rather than escalates


@cache
def training_examples(recipe: Path = TRAIN_RECIPE) -> list[Example]:
    """Every source the recipe names, in its order (the order is part of the fit's hash)."""
    import yaml

    root = recipe.parent.parent.parent  # paths in the recipe start above knowledge/
    sources = yaml.safe_load(recipe.read_text(encoding="utf-8"))["sources"]
    rows = [row for source in sources for row in labelled_rows(root / source)]
    return [Example(text, frozenset([category]) - {"none"}) for text, category in rows]


def labelled_rows(path: Path) -> list[tuple[str, str]]:
    """(text, category) of one source; a row that is not a risk is "none".  JSONL rows are
    risky when they expect escalation (older sets) or name a risk category (realistic sets);
    examples.yaml gives its risk positives, then its negatives (support examples only point to
    resources, so they are not trained on)."""
    if path.suffix == ".yaml":
        from assistant.safety.semantic import load_examples

        kept = (*ESCALATING, "none")
        return [(e.text, e.category) for e in load_examples(path) if e.category in kept]
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return [(r["text"], r["category"] if _risky(r) else "none") for r in rows]


def _risky(row: dict) -> bool:
    return row.get("category") in ESCALATING and row.get("expect", "escalate") == "escalate"


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
    # contempt only asks.  Coercion and contempt count only beside words of their kind.
    rules = load_rules()
    kinds = [c for c in ESCALATING if rules.learned_has_words(c, normalized)]
    strong = [c for c in kinds if c != "contempt" and model.fires(scores, c)]
    if strong:
        top = max(strong, key=lambda c: scores[c])
        why = f"learned {top} {scores[top]:.2f} ≥ {model.threshold(top):.2f}"
        if len(normalized.split()) < SHORT_WORDS and not rules.plain_danger(normalized):
            # A few words are too little to stop coaching on ("i end up swallowing stuff"
            # after talk of a quiet partner): ask directly instead; a yes still escalates.
            why = f"{why}, a short message: asks"
            return Screening("check", top, (f"learned:{top}:{scores[top]:.2f}", "short"), why)
        return Screening("escalate", top, (f"learned:{top}:{scores[top]:.2f}",), why)
    scale = WARY_SCALE if wary else 1.0
    possible = [c for c in kinds if model.fires(scores, f"{c}~", scale=scale)]
    if possible:
        top = max(possible, key=lambda c: scores[f"{c}~"])
        score, bar = scores[f"{top}~"], model.threshold(f"{top}~") * scale
        why = f"learned possible {top} {score:.2f} ≥ {bar:.2f}"
        return Screening("check", top, (f"learned:{top}~:{score:.2f}",), why)
    return None
