"""The safety screen: runs on every user message before anything else.

Three layers, each of which can only raise the result, never lower it:
(a) patterns and lexicons kept as data (``knowledge/safety/*.yaml``, see safety_patterns);
(b) similarity to labelled examples with the project's offline embeddings (safety_semantic),
    used only when an embedder is passed in;
(c) an optional model check hook.
Nothing in the user's text can switch the screen off: it sees the whole message, and
instructions inside the message ("don't show hotlines", role-play) are just more text.

The replies on escalation are fixed text (``assistant.safety.escalation``); no model
writes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.screening import NONE, Screening
from assistant.safety.patterns import load_rules, match_rules
from assistant.safety.verdict import combine, level_of, rank
from assistant.text import screen_form

if TYPE_CHECKING:  # the embedder module is optional; screen() works without it
    from assistant.core.protocols import Embedder



def screen_patterns(text: str) -> Screening:
    """The pattern layer alone.  A hit told from a distance (past and over, or about a
    friend or relative for advice) asks first instead of escalating."""
    normalized = screen_form(text)
    fired = match_rules(normalized, load_rules())
    if not fired:
        return NONE
    category = min((rule.category for rule in fired), key=rank)
    ids = tuple(r.id for r in fired)
    why = f"pattern {', '.join(r.id for r in fired if r.category == category)}"
    if all(rule.asks for rule in fired if rule.category == category):
        return Screening("check", category, ids, f"{why}: a warning sign, asks")
    return _at_a_distance(normalized, Screening(level_of(category), category, ids, why))


def _at_a_distance(normalized: str, result: Screening) -> Screening:
    """Escalation told from a distance (past and over, in jest, once and regretted, or about
    someone else for advice) becomes a direct question instead: ``check``.  So does contempt
    told as one incident: one harsh remark is worth asking about, not stopping for."""
    rules = load_rules()
    if result.level == "check" and rules.about_someone_else(normalized):
        return Screening("check", result.category, (*result.matched, "other"), result.why)
    if result.level != "escalate":
        return result
    if rules.told_from_a_distance(normalized):
        why = f"{result.why}, told from a distance: asks"
        other = ("other",) if rules.about_someone_else(normalized) else ()
        return Screening("check", result.category, (*result.matched, "distance", *other), why)
    if result.category == "contempt" and rules.one_incident(normalized):
        why = f"{result.why}, one incident: asks"
        return Screening("check", result.category, (*result.matched, "once"), why)
    return result


def screen(
    text: str,
    *,
    embedder: Embedder | None = None,
    wary: bool = False,
    cache_dir: Path | None = None,
) -> Screening:
    """Screen one user message. Patterns always run; with an embedder, the learned layer
    (escalate on strong evidence, check on possible evidence) and the example layer (check
    only). Later layers may only raise the level."""
    if not isinstance(text, str) or not text.strip():
        return NONE
    result = screen_patterns(text)
    if embedder is not None and result.category != "crisis":  # nothing ranks above crisis
        from assistant.safety.classifier import learned_screen
        from assistant.safety.semantic import semantic_screen

        normalized = screen_form(text)
        learned = learned_screen(normalized, embedder, wary=wary, cache_dir=cache_dir)
        learned = _at_a_distance(normalized, learned) if learned else None
        # The naming step's own words ("I'm telling myself he's angry with me") are a story,
        # not a disclosure: there only the patterns speak.
        if not load_rules().framed_as_story(normalized):
            result = combine(result, learned)
            result = combine(result, semantic_screen(normalized, embedder))
    return result
