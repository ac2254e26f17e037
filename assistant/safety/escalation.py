"""The fixed replies on escalation: our reviewed text from ``knowledge/escalation.yaml`` plus
the locale's help resources.  No model writes any of it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import KNOWLEDGE_DIR
from assistant.core.screening import ESCALATING
from assistant.safety.resources import resources_for

ESCALATION_PATH = KNOWLEDGE_DIR / "escalation.yaml"


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


def resources_block(category: str, locale: str | None, *, asking: bool = False) -> str:
    """The heading and one bulleted line per help resource for this category and locale.
    ``asking``: only the one or two that fit a direct question best (``check_resources``):
    people judging replies read a full list sent with a question as alarming when there was
    no risk, and as cold when there was; the page keeps every contact in view."""
    data = load_escalation_text()
    found = resources_for(locale, category)
    if asking:
        wanted = set((data.get("check_resources") or {}).get(category, ()))
        found = [res for res in found if res.id in wanted] or found[:1]
    lines = [f"- {res.line()}" for res in found]
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


def _check_entry(category: str, about: str = "self") -> dict:
    """The check's texts; ``about`` "other": asked about someone else at risk, when there is
    such a text for the category (``crisis_other``)."""
    data = load_escalation_text()["check"]
    if about == "other" and f"{category}_other" in data:
        return dict(data[f"{category}_other"])
    return dict(data.get(category) or data["abuse"])


def check_question(
    category: str, *, second: bool = False, about: str = "self"
) -> tuple[str, str]:
    """The direct question for a possible risk, and how a plain yes is read ("safe" or
    "unsafe").  Only a possible crisis about the writer has a second question."""
    entry = _check_entry(category, about)
    if second and "second" in entry:
        return _strip(entry["second"]), entry.get("second_yes_means", "safe")
    return _strip(entry["ask"]), entry.get("yes_means", "safe")


def has_second_question(category: str, about: str = "self") -> bool:
    return "second" in _check_entry(category, about)


def check_reply(
    category: str, locale: str | None, *, second: bool = False, about: str = "self"
) -> str:
    """The question and this category's help resources, shown with it."""
    question, _ = check_question(category, second=second, about=about)
    return f"{question}\n\n{resources_block(category, locale, asking=True)}"


def check_again(
    category: str, locale: str | None, *, second: bool = False, about: str = "self"
) -> str:
    """The question once more, bare: the thanks and the preface were said the first time."""
    data = load_escalation_text()
    entry = _check_entry(category, about)
    question = entry.get("second_short" if second else "short") or check_question(
        category, second=second, about=about
    )[0]
    block = resources_block(category, locale, asking=True)
    return f"{_strip(data['check_unclear'])} {question}\n\n{block}"
