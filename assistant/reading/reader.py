"""Read one message: the rule layer, plus the learned layer when an embedder is available.

The learned layer only adds: a signal holds when its rules find it, or when its classifier's
probability (the highest over the whole message and each of its sentences) reaches the
threshold chosen on the dev split.  Intents stay with the rules, which look for words about
this conversation; a classifier that saw "take a break" in a story would fire on it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import KNOWLEDGE_DIR
from assistant.core.reading import Reading
from assistant.core.screening import NONE, Screening
from assistant.learned import Example, FitSpec, SignalModel, cached_fit
from assistant.reading import rules
from assistant.reading.answers import read_answer
from assistant.reading.blocking import find_blocking
from assistant.text import normalise, sentences
from assistant.text import words as text_words

if TYPE_CHECKING:
    from assistant.core.protocols import Embedder

TRAIN_PATH = KNOWLEDGE_DIR / "reading" / "train.jsonl"
SHIPPED_DIR = KNOWLEDGE_DIR / "reading"  # the fit made at build time (scripts/fit_learned.py)
LEARNED_SIGNALS = (
    "greeting",
    "question",
    "activation",
    "settled",
    "feeling",
    "story",
    "ask",
    "ended",
)
# False progress costs more than a slower step: favour precision where a signal moves the flow.
CHOOSE = {
    name: (
        "beta",
        0.5
        if name in ("settled", "greeting")
        else 0.7
        if name in ("story", "feeling", "ask")
        else 1.0,
    )
    for name in LEARNED_SIGNALS
}
MAX_PARTS = 12
MIN_LEARNED_WORDS = 3
_STILL = re.compile(r"\bstill\b")


@cache
def training_examples(path: Path = TRAIN_PATH) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Example(row["text"], frozenset(k for k, v in row["labels"].items() if v is True))
        for row in rows
    ]


def signal_model(embedder: Embedder, cache_dir: Path | None = None) -> SignalModel:
    return cached_fit(FIT_SPEC, embedder, cache_dir)


def message_parts(text: str) -> list[str]:
    """The whole message and, when it has several, each sentence (one embedding batch)."""
    parts = [s for s in sentences(text) if len(s) > 3][:MAX_PARTS]
    return [text, *parts] if len(parts) > 1 else [text]


FIT_SPEC = FitSpec(
    name="reading",
    load_examples=training_examples,
    signals=LEARNED_SIGNALS,
    prepare=normalise,
    split=message_parts,
    choose=CHOOSE,
    shipped=SHIPPED_DIR,
)


def learned_scores(
    text: str, embedder: Embedder | None, cache_dir: Path | None = None
) -> tuple[dict[str, float], SignalModel | None]:
    if embedder is None or not text:
        return {}, None
    model = signal_model(embedder, cache_dir)
    parts = message_parts(text)
    vectors = np.asarray(embedder.embed(parts), dtype=np.float32)
    return model.scores(parts, vectors), model


def read(
    message: str,
    *,
    embedder: Embedder | None = None,
    safety: Screening = NONE,
    cache_dir: Path | None = None,
    yes_means: str | None = None,
) -> Reading:
    """The one reading of ``message`` for this turn, with why each signal holds.
    ``yes_means``: a safety question waits for its answer, and a plain yes means this."""
    text = normalise(message)
    scores, model = learned_scores(text, embedder, cache_dir)
    words = text_words(text)
    reasons: dict[str, str] = {}

    def found(signal: str, phrases: list[str] | tuple[str, ...] | bool) -> bool:
        """The rules' finding, else the learned layer's; either way the reason is kept."""
        if phrases:
            shown = f" '{phrases[0]}'" if isinstance(phrases, list | tuple) else ""
            reasons[signal] = f"rule{shown}"
            return True
        # "ok", "yes", "hmm": too little text for a classifier to say anything about.
        if model is None or len(words) < MIN_LEARNED_WORDS or not model.fires(scores, signal):
            return False
        reasons[signal] = f"learned {scores[signal]:.2f} ≥ {model.threshold(signal):.2f}"
        return True

    activation = tuple(rules.activation(text))
    calm = tuple(rules.settled(text))
    settled = found("settled", calm)
    if settled and activation and _STILL.search(text):
        settled = False  # "a bit calmer, but my heart is still racing": not settled yet
    if activation:
        found("activation", activation)
    elif not settled and found("activation", False):
        activation = ("(activation)",)
    feelings = tuple(rules.feelings(text))
    timing = tuple(rules.timing(text))
    ask = found("ask", rules.ask(text))
    together = rules.together(text)
    accepts = rules.short_answer(text, "accept_offer")
    declines = rules.short_answer(text, "decline_offer")
    return Reading(
        text=text,
        greeting=rules.greeting(text),
        question=rules.question(text),
        activation=activation,
        settled=settled,
        calm=calm,
        feelings=feelings,
        feeling=found("feeling", feelings),
        story=found("story", rules.story(text)),
        ask=ask,
        specific=ask and bool(timing),
        timing=timing,
        accepts=accepts and not declines,
        declines=declines,
        intent=rules.intent(text),
        ended=not together
        and not rules.ended_ruled_out(text)
        and found("ended", rules.ended(text)),
        together=together,
        topic=rules.topic(text),
        blocking=tuple(find_blocking(text)),
        safety=safety,
        scores=scores,
        reasons=reasons,
        answer=read_answer(message, yes_means) if yes_means else None,
    )
