"""The listening-first guided reply: understand before coaching.

Blind readers preferred a skilled peer supporter's reply to ours in nearly every turn: ours
offered exercises nobody asked for, quoted people back at length, always asked something
and ran long. So a reply here is one or two of the moves supporters use, chosen from the
turn's reading (wording in ``knowledge/prompts/moves.yaml``):

- small talk (thanks, a joke, goodbye, hello) met in kind, and nothing else;
- a question to us answered briefly and honestly first;
- a reflection of the feeling and situation the reading found, in our words;
- the step's offer only when the reading shows it fits (a regulation tool needs activation
  or an alarm feeling; a request shape comes once naming is done);
- at most one question, and none when the previous reply already asked one.

The steps still decide where the conversation is; this decides how we speak there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from assistant.coaching.listen_scene import Scene, reflection, scene_of
from assistant.coaching.replies import answer as older_answer
from assistant.coaching.replies import fill, parts
from assistant.coaching.variety import least_recent, pick
from assistant.core.messages import TurnBrief
from assistant.core.reading import Reading
from assistant.knowledge import load_yaml

SOCIAL_MAX_WORDS = 12
GOOD_NEWS_MAX_WORDS = 30
# Kinds this module words; the rest (confirmations, stuck offers, blocking, pause, an ended
# relationship) keep their own fuller text, where the flow acts on the answer.
STEP_OF_KIND = {
    "check_in.greeting": "check_in.greeting",
    "regulation.activated": "regulation",
    "regulation.body_check": "regulation",
    "regulation.still": "regulation",
    "regulation.again": "regulation",
    "naming.start": "naming.start",
    "naming.again": "naming.start",
    "naming.need_story": "naming.need_story",
    "naming.need_feeling": "naming.need_feeling",
    "naming.more": "naming.listen",
    "request.start": "request.start",
    "request.vague": "request.vague",
    "request.no_ask": "request.no_ask",
    "request.again": "request.no_ask",
    "plan.followup": "plan.followup",
    "regulation.stuck_offer": "regulation.stuck_offer",
    "naming.stuck_offer": "naming.stuck_offer",
    "request.stuck_offer": "request.stuck_offer",
}
# Kinds where small talk is met in kind instead of the step (the others need their text).
SOCIAL_OK = frozenset(STEP_OF_KIND) | {"plan.summary"}
# The flow acts on the answer to a stuck offer, so it is always asked.
ALWAYS_ASK = frozenset(
    {"check_in.greeting", "regulation.stuck_offer", "naming.stuck_offer", "request.stuck_offer"}
)
_QUOTED = re.compile(r'"[^"\n]*"|\u201c[^\u201d\n]*\u201d')


@cache
def moves() -> dict[str, Any]:
    return load_yaml("prompts/moves.yaml")


def social_kind(reading: Reading) -> str | None:
    """"bye", "thanks", "laugh", "good_news" or "hello" for a message that is only small
    talk; None when it says anything a step should hear."""
    if reading.activated or reading.story or reading.ask or reading.blocking:
        return None
    words = len(reading.text.split())
    if words > GOOD_NEWS_MAX_WORDS:
        return None
    if words > SOCIAL_MAX_WORDS:  # longer good news is still good news, and met as such
        news = moves()["social"]["good_news"]["match"]
        glad = not reading.feeling and any(re.search(p, reading.text) for p in news)
        return "good_news" if glad else None
    for name, entry in moves()["social"].items():
        if name == "open_door":
            continue
        if any(re.search(pattern, reading.text) for pattern in entry["match"]):
            if reading.feeling and name not in ("bye", "thanks", "good_news"):
                return None  # "hi, I feel awful" is not small talk
            if name == "laugh" and reading.topic:
                return None  # "we argued and never unpaused it lol" tells us something
            return name
    return None


def answer_line(reading: Reading, previous: Sequence[str], *, default: bool) -> tuple[str, bool]:
    """A short answer to a question put to us, and whether the person asked for brevity."""
    for entry in moves()["answers"]:  # specific enough to need no question mark
        if any(re.search(pattern, reading.text) for pattern in entry["match"]):
            return pick(entry["say"], previous) or "", bool(entry.get("short"))
    return older_answer(reading, previous, default=default), False


def refuses_exercise(text: str) -> bool:
    """The person says no to an exercise: none is offered again in this conversation."""
    return any(re.search(pattern, text) for pattern in moves()["refuses_exercise"])


def draft_line(
    reading: Reading, scene: Scene, facts: dict[str, str], previous: Sequence[str]
) -> str:
    """Words they could send, in their own voice, when they ask for them ("" otherwise)."""
    entry = moves()["draft"]
    if not any(re.search(pattern, reading.text) for pattern in entry["match"]):
        return ""
    request = (facts.get("request") or "").strip()
    if request and request.endswith("?"):
        options = entry["with_request"]
    elif scene.feeling or facts.get("feeling"):
        options = entry["with_feeling"]
    else:
        options = entry["plain"]
    values = {"feeling": scene.feeling or facts.get("feeling", ""), "request": request}
    return _filled(options, values, previous)


def move_hint(brief: TurnBrief) -> str:
    """The move this turn needs, for a model's turn guide: the same choice the guided reply
    makes from the message alone ("" when the step's own instruction is enough)."""
    text = " ".join(brief.user_text.casefold().split())
    reading = Reading(text=text, question="?" in text)
    social = social_kind(reading)
    if social:
        return (
            f"This message is small talk ({social.replace('_', ' ')}): reply in kind in one "
            "or two short sentences, with no exercise and no question."
        )
    if any(any(re.search(p, text) for p in entry["match"]) for entry in moves()["answers"]):
        return "They asked you something: answer it briefly and honestly first, then listen."
    return ""


def asked_last_time(previous: Sequence[str]) -> bool:
    return bool(previous) and "?" in _QUOTED.sub(" ", previous[-1])


def listening_reply(brief: TurnBrief, reading: Reading, previous: Sequence[str]) -> str | None:
    """The reply for this turn, or None when the kind keeps its own text."""
    base = brief.kind.partition("+")[0]
    social = social_kind(reading) if base in SOCIAL_OK else None
    if social:
        return _social_reply(social, brief, reading, previous)
    if base not in STEP_OF_KIND:
        return None
    scene = scene_of(brief.user_text, reading, brief.facts)
    if draft := draft_line(reading, scene, brief.facts, previous):
        return draft  # they asked for words to send: give them words, nothing else
    # In the request step a question may be the request itself ("could we...?").
    said, short = answer_line(reading, previous, default=not base.startswith("request."))
    step = _step_name(base, reading, scene, brief.facts, previous)
    entry = _step_entry(step, brief.perspective)
    values = {"partner": scene.partner or "your partner", "tool": _tool(previous)}
    # An answer to their question is the reply's centre: no reflection, offer or question
    # beside it (asking what to do while on alert is asking for the tool, which stays).
    stands_alone = bool(said) and base not in ALWAYS_ASK and step != "regulation.tool"
    offer = "" if stands_alone else _filled(entry.get("offer") or [], values, previous)
    if base == "check_in.greeting" and previous:
        offer = ""  # what Closer is for is said once, on the first reply
    may_ask = not short and not stands_alone
    may_ask = may_ask and (base in ALWAYS_ASK or not asked_last_time(previous))
    closing = _filled(entry.get("ask") or [], values, previous) if may_ask else ""
    if not closing and not short and not stands_alone:
        closing = _filled(entry.get("statement") or [], values, previous)
    mirror = "" if said else reflection(scene, reading, previous)
    if refuses_exercise(reading.text):
        mirror = _join(pick(moves()["refused_exercise_ack"], previous) or "", mirror)
    if reading.specific and not base.startswith(("request.", "plan.")):
        # A clear ask said early is kept for the plan: say so, rather than ignore it.
        mirror = _join(mirror, pick(moves()["kept_request"], previous) or "")
    if not (offer or closing or said):
        closing = pick(moves()["validate"], previous) or ""
    return _join(said, mirror, offer, closing)


def _step_name(
    base: str, reading: Reading, scene: Scene, facts: dict[str, str], previous: Sequence[str]
) -> str:
    step = STEP_OF_KIND[base]
    told = reading.topic or reading.story or reading.feelings or scene.situation
    if step == "naming.start" and not told and _only_greeted(previous):
        return "naming.open"  # nothing told yet: ask what is going on, not for its story
    if step.startswith("request.") and "stuck" not in step and facts.get("cheated"):
        return "request.after_betrayal"
    if step != "regulation":
        return step
    alarm = set(moves()["alarm_feelings"])
    asked = any(re.search(pattern, reading.text) for pattern in moves()["asks_for_help"])
    # "still racing" after a tool: the alarm they told us about has not passed.
    still = base == "regulation.still" and "still" in reading.text.split()
    fits = reading.activated or asked or still or any(f in alarm for f in reading.feelings)
    if facts.get("no_exercises") or refuses_exercise(reading.text):
        return "regulation.listen"  # they said no to exercises: listen instead
    return "regulation.tool" if fits or base == "regulation.again" else "regulation.listen"


def _only_greeted(previous: Sequence[str]) -> bool:
    """Nothing has been talked about yet: at most our greeting has been said."""
    greetings = [
        *moves()["steps"]["check_in.greeting"]["ask"],
        *moves()["supporter_steps"]["check_in.greeting"]["ask"],
    ]
    return not previous or (len(previous) == 1 and any(g in previous[0] for g in greetings))


def _step_entry(step: str, perspective: str) -> dict[str, Any]:
    own = (moves().get("supporter_steps") or {}).get(step) if perspective == "supporter" else None
    return own or {**moves()["steps"], **moves()["steps_extra"], **moves()["stuck"]}[step]


def _tool(previous: Sequence[str]) -> str:
    """The regulation tool offered least recently in this conversation."""
    offers = moves()["tools"]
    tools = [tool for tool in parts()["tools"] if tool["id"] in offers]
    chosen = least_recent(tools, previous, text=lambda tool: offers[tool["id"]])
    return str(offers[chosen["id"]])


def _filled(options: Sequence[str], values: dict[str, str], previous: Sequence[str]) -> str:
    texts = [" ".join(fill(option, values).split()) for option in options]
    return (pick(texts, previous) or texts[len(previous) % len(texts)]) if texts else ""


def _social_reply(kind: str, brief: TurnBrief, reading: Reading, previous: Sequence[str]) -> str:
    entry = moves()["social"][kind]
    line = pick(entry["say"], previous) or entry["say"][0]
    said, _ = answer_line(reading, previous, default=False)
    if kind == "bye":
        has_plan = brief.facts.get("request") or brief.stage == "plan"
        extra = pick(entry["with_plan"], previous) if has_plan else ""
        return _join(line, extra or "")
    if brief.kind.startswith("check_in.greeting") and not previous:
        entry = _step_entry("check_in.greeting", brief.perspective)
        framing = _filled(entry.get("offer") or [], {}, previous)
        return _join(line, said, framing, _filled(entry["ask"], {}, previous))
    if said:
        return _join(line, said)
    return _join(line, pick(moves()["social"]["open_door"], previous) or "")


def _join(*parts_: str) -> str:
    return " ".join(" ".join(part.split()) for part in parts_ if part and part.strip())
