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
from assistant.core.reading import Reading
from assistant.knowledge import load_yaml

BRIEF_WORDS = 3
HEARD_WORDS = 10  # a message this long told us something, even when nothing was read in it
_PARTNER = re.compile(r"\b(?:my|our) ([a-zé]+)\b")
_WANT = re.compile(
    r"\b(?:more|some) (time together|quality time|time|closeness|attention|affection|touch|"
    r"connection|space|help|support|date nights?|sex|fun)\b"
)
_CONFLICT_WORD = re.compile(r"\b(argument|fight|row|arguing|fighting)\b")
WITH_PARTNER = {"conflict": "{what} with {partner}", "distance": "the distance from {partner}"}


@cache
def _moves() -> dict[str, Any]:
    return load_yaml("prompts/moves.yaml")


@dataclass(frozen=True)
class Scene:
    feeling: str = ""
    situation: str = ""
    partner: str = ""  # "your husband"; empty when the message names no partner
    want: str = ""  # what they want more of: "time together"
    signal: str = ""  # the body's alarm in a few words: "with that tight chest"
    calm: str = ""  # their word for settling: "calmer", "grounded"


_BODY_STATE = re.compile(r"^(?:my )?(\w+) (?:is|feels|are|was) (?:so |really |very )?(\w+)$")
_NOT_CALM_WORDS = frozenset({"breathed", "breathing", "feel", "i'm", "im", "now", "feel calmer"})


def signal_of(activation: Sequence[str]) -> str:
    """The alarm they described, as a trailing phrase: "with that tight chest", "with all
    that rehearsing", "feeling so furious" ("" when there is none)."""
    for phrase in activation:
        found = _BODY_STATE.match(phrase)
        if found:
            part = found.group(1)
            that = "those" if part.endswith("s") and not part.endswith(("ss", "us")) else "that"
            return f"with {that} {found.group(2)} {part}"
    for phrase in activation:
        words = phrase.split()
        if phrase.startswith("(") or not words:
            continue  # a learned signal's label, not their words
        if len(words) == 1 and words[0].endswith("ing"):
            return f"with all that {words[0]}"
        if _reads_as_adjective(phrase) and not phrase.startswith(("my ", "keep ", "can't", "cant")):
            return f"feeling so {phrase}"
    return ""


_ADJECTIVE_ENDINGS = ("ed", "ed up", "y", "ous", "ful", "ic", "ish", "ive", "ible", "able", "ant")
_PLAIN_ADJECTIVES = frozenset({"tense", "tight", "sick", "numb", "raw", "wired", "stiff", "frozen"})


def _reads_as_adjective(phrase: str) -> bool:
    """"feeling so {phrase}" must read as English: "shaky", "wound up", "clenched" do, "froze"
    (a verb) does not."""
    if phrase in _PLAIN_ADJECTIVES:
        return True
    return (len(phrase.split()) == 1 or phrase.endswith("ed up")) and phrase.endswith(
        _ADJECTIVE_ENDINGS
    )


def calm_of(calm: Sequence[str]) -> str:
    """Their one word for settling ("calmer", "settled"), else ""."""
    for phrase in sorted(calm, key=len):
        word = phrase.removeprefix("i'm ").removeprefix("feel ").removesuffix(" now")
        if " " not in word and word not in _NOT_CALM_WORDS:
            return word
    return ""


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
    for pattern, phrase in _moves()["situation_phrases"].items():
        if re.search(pattern, text.casefold()):
            situation = str(phrase)
            break
    if reading.topic == "conflict" and (word := _CONFLICT_WORD.search(text.casefold())):
        situation = f"the {word.group(1)}"  # their word for it: an argument is not a fight
    if partner and reading.topic in WITH_PARTNER:
        situation = WITH_PARTNER[str(reading.topic)].format(partner=partner, what=situation)
    return Scene(
        feeling=feeling,
        situation=situation,
        partner=partner,
        signal=signal_of(reading.activation),
        calm=calm_of(reading.calm),
        want=found.group(1) if (found := _WANT.search(text.casefold())) else "",
    )


def reflection(scene: Scene, reading: Reading, previous: Sequence[str]) -> str:
    """One sentence naming what was heard; "" when nothing was, rather than a guess."""
    lines = _moves()["reflect"]
    values = {
        "feeling": scene.feeling,
        "feeling_adj": str(_moves()["feeling_adj"].get(scene.feeling, "")),
        "situation": scene.situation,
        "Situation": scene.situation[:1].upper() + scene.situation[1:],
        "signal": scene.signal,
        "calm": scene.calm,
        "partner": scene.partner,
        "want": scene.want,
    }
    if scene.feeling.startswith("miss"):
        options = lines["missing"]
    elif scene.feeling in _SELF_CRITICAL:
        options = lines["self_critical"]
    else:
        options = _options(scene, reading, lines)
    if not options:
        return ""
    usable = [o for o in options if "{feeling_adj}" not in o or values["feeling_adj"]]
    texts = [" ".join(fill(option, values).split()) for option in usable]
    return pick(texts, previous) or texts[len(previous) % len(texts)]


_SELF_CRITICAL = frozenset(
    {"pathetic", "useless", "worthless", "stupid", "like crap", "like shit", "dumb", "a failure"}
)


def _options(scene: Scene, reading: Reading, lines: dict[str, list[str]]) -> list[str]:
    """The reflection's variants for what was heard; [] when nothing was, rather than a guess."""
    # "feeling jealous about the jealousy": the situation says the feeling again.
    repeats = scene.feeling and scene.feeling[:5] in scene.situation
    if scene.feeling and scene.situation and not repeats:
        options = lines["feeling_situation"]
    elif scene.feeling:
        options = lines["feeling"]
    elif reading.activated and scene.situation:
        options = lines["activated_situation"]
    elif reading.activated and scene.signal:
        options = lines["activated_signal"]
    elif reading.activated:
        options = lines["activated"]
    elif scene.situation:
        options = lines["situation"]
    elif reading.settled and scene.calm:
        options = lines["settled_word"]
    elif reading.settled:
        options = lines["settled"]
    elif scene.want:
        options = lines["want"]
    elif scene.partner:
        options = lines["partner"]
    elif reading.story:
        options = lines["story"]
    elif len(reading.text.split()) <= BRIEF_WORDS and not reading.question:
        options = lines["brief"]
    elif len(reading.text.split()) >= HEARD_WORDS and not reading.question:
        options = lines["heard"]
    else:
        return []
    return list(options)
