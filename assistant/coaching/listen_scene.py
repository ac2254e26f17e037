"""What the reading found, said back in our words: the feeling, the situation and who the
partner is. A reflection names these instead of quoting the person (people read a long
quote of themselves as being parroted, not heard); the only words of theirs it keeps are
the feeling word and the partner's title, which are theirs to choose."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.coaching.replies import fill
from assistant.coaching.variety import pick
from assistant.knowledge import load_yaml
from assistant.reading.reading import Reading

BRIEF_WORDS = 3
_PARTNER = re.compile(r"\b(?:my|our) ([a-zé]+)\b")
WITH_PARTNER = {"conflict": "the fight with {partner}", "distance": "the distance from {partner}"}


@cache
def _moves() -> dict[str, Any]:
    return load_yaml("prompts/moves.yaml")


@dataclass(frozen=True)
class Scene:
    feeling: str = ""
    situation: str = ""
    partner: str = ""  # "your husband"; empty when the message names no partner


def partner_of(text: str) -> str:
    words = _moves()["partner_words"]
    for match in _PARTNER.finditer(text.casefold()):
        if match.group(1) in words:
            return str(words[match.group(1)])
    return ""


def scene_of(text: str, reading: Reading, facts: dict[str, str] | None = None) -> Scene:
    """This message's scene (earlier notes are not reflected again: this turn is heard)."""
    feeling = next((f for f in reading.feelings if f[:1] != "("), "")
    partner = partner_of(text)
    situation = str(_moves()["situations"].get(reading.topic or "", ""))
    if partner and reading.topic in WITH_PARTNER:
        situation = WITH_PARTNER[str(reading.topic)].format(partner=partner)
    return Scene(feeling=feeling, situation=situation, partner=partner)


def reflection(scene: Scene, reading: Reading, previous: Sequence[str]) -> str:
    """One sentence naming what was heard; "" when nothing was, rather than a guess."""
    lines = _moves()["reflect"]
    values = {
        "feeling": scene.feeling,
        "feeling_adj": str(_moves()["feeling_adj"].get(scene.feeling, "")),
        "situation": scene.situation,
        "Situation": scene.situation[:1].upper() + scene.situation[1:],
    }
    if scene.feeling and scene.situation:
        options = lines["feeling_situation"]
    elif scene.feeling:
        options = lines["feeling"]
    elif reading.activated and scene.situation:
        options = lines["activated_situation"]
    elif reading.activated:
        options = lines["activated"]
    elif scene.situation:
        options = lines["situation"]
    elif reading.settled:
        options = lines["settled"]
    elif reading.story:
        options = lines["story"]
    elif len(reading.text.split()) <= BRIEF_WORDS and not reading.question:
        options = lines["brief"]
    else:
        return ""
    usable = [o for o in options if "{feeling_adj}" not in o or values["feeling_adj"]]
    texts = [" ".join(fill(option, values).split()) for option in usable]
    return pick(texts, previous) or texts[len(previous) % len(texts)]
