"""The safety screen: runs on every user message before anything else.

Three layers, each of which can only raise the result, never lower it:
(a) patterns and lexicons kept as data (``knowledge/safety/*.yaml``, see safety_patterns);
(b) similarity to labelled examples with the project's offline embeddings (safety_semantic),
    used only when an embedder is passed in;
(c) an optional model check hook.
Nothing in the user's text can switch the screen off: it sees the whole message, and
instructions inside the message ("don't show hotlines", role-play) are just more text.

The replies on escalation are fixed text from ``knowledge/escalation.yaml`` plus the
locale's help resources; no model writes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml

from assistant.config import KNOWLEDGE_DIR
from assistant.resources import resources_for
from assistant.safety_patterns import CATEGORIES, load_rules, match_rules, normalize

if TYPE_CHECKING:  # the embedder module is optional; screen() works without it
    from assistant.embeddings import Embedder

Level = Literal["none", "support", "escalate"]
LEVELS: tuple[Level, ...] = ("none", "support", "escalate")
ESCALATING = ("crisis", "abuse", "coercion", "contempt")
ESCALATION_PATH = KNOWLEDGE_DIR / "escalation.yaml"


@dataclass(frozen=True)
class Screening:
    """The result of screening one message."""

    level: Level
    category: str | None  # crisis | abuse | coercion | contempt | support
    matched: tuple[str, ...] = ()  # rule ids, "semantic:<example id>", "model:<note>"

    def as_json(self) -> dict:
        return {"level": self.level, "category": self.category, "matched": list(self.matched)}

    @property
    def escalates(self) -> bool:
        return self.level == "escalate"


NONE = Screening("none", None, ())

# A model check sees the raw text and the screen so far; it returns a Screening or None.
ModelCheck = Callable[[str, Screening], "Screening | None"]


def _level_of(category: str) -> Level:
    return "escalate" if category in ESCALATING else "support"


def _rank(category: str | None) -> int:
    """Lower is more serious; None (no hit) ranks last."""
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def combine(base: Screening, extra: Screening | None) -> Screening:
    """Merge a second opinion into ``base``; the level can go up, never down."""
    if extra is None or extra.level not in LEVELS:
        return base
    matched = base.matched + tuple(m for m in extra.matched if m not in base.matched)
    if LEVELS.index(extra.level) > LEVELS.index(base.level):
        return Screening(extra.level, extra.category, matched)
    if extra.level == base.level and _rank(extra.category) < _rank(base.category):
        return Screening(base.level, extra.category, matched)
    return Screening(base.level, base.category, matched)


def screen_patterns(text: str) -> Screening:
    """The pattern layer alone."""
    fired = match_rules(normalize(text), load_rules())
    if not fired:
        return NONE
    category = min((rule.category for rule in fired), key=_rank)
    return Screening(_level_of(category), category, tuple(rule.id for rule in fired))


def screen(
    text: str,
    *,
    embedder: Embedder | None = None,
    model_check: ModelCheck | None = None,
) -> Screening:
    """Screen one user message. Patterns always run; the semantic layer when an embedder is
    given; the model check last. Later layers may only raise the level."""
    if not isinstance(text, str) or not text.strip():
        return NONE
    result = screen_patterns(text)
    if embedder is not None and result.category != "crisis":  # nothing ranks above crisis
        from assistant.safety_semantic import semantic_screen

        result = combine(result, semantic_screen(normalize(text), embedder))
    if model_check is not None:
        # A failing optional check must not drop the screen we already have.
        with contextlib.suppress(Exception):
            result = combine(result, model_check(text, result))
    return result


# --- fixed replies ------------------------------------------------------------------------


@lru_cache(maxsize=2)
def load_escalation_text(path: Path = ESCALATION_PATH) -> dict:
    """The reviewed texts, checked for every category we can reply to."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    missing = [c for c in (*ESCALATING, "support") if c not in data.get("first", {})]
    if missing or "still_here" not in data or "refusal" not in data:
        raise ValueError(f"{path}: missing texts for {missing or 'still_here/refusal'}")
    return data


def _strip(text: str) -> str:
    return " ".join(str(text).split())


def resources_block(category: str, locale: str | None) -> str:
    """The heading and one bulleted line per help resource for this category and locale."""
    data = load_escalation_text()
    lines = [f"- {res.line()}" for res in resources_for(locale, category)]
    return "\n".join([data["resources_heading"], *lines])


def escalation_reply(category: str, locale: str | None, *, first: bool) -> str:
    """Our fixed reply for an escalation: full text on the first turn, "still here" after.

    Unknown categories get the abuse text, the most protective general reply.
    """
    data = load_escalation_text()
    category = category if category in ESCALATING else "abuse"
    body = data["first"][category] if first else data["still_here"]
    return f"{_strip(body)}\n\n{resources_block(category, locale)}"


def support_note(locale: str | None) -> str:
    """A short note (plus therapist directories) appended to a coaching reply."""
    data = load_escalation_text()
    return f"{_strip(data['first']['support'])}\n\n{resources_block('support', locale)}"


def refusal_while_escalated(locale: str | None, category: str = "abuse") -> str:
    """Said when the person asks for help with their partner while the risk stands."""
    data = load_escalation_text()
    return f"{_strip(data['refusal'])}\n\n{resources_block(category, locale)}"
