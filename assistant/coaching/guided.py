"""Guided mode: replies composed from our own templates and the retrieved card, no model.

A reply is built from parts, in this order: an opener for a resumed, restarted or cleared
turn; a greeting back and a short answer to a direct question; the person's own words
reflected (``assistant.coaching.replies``); one clause for the topic; then the step's body
with a card tip and, in regulation, a tool.  Every choice among variants is made from the
conversation's previous replies (``assistant.coaching.variety``), so the same conversation
always gets the same words and no long sentence repeats within three replies.

The composer is a peer of the language models (it implements ``ChatModel``) and is also the
fallback the output guard uses when a model's reply is rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from assistant.coaching import replies
from assistant.coaching.echo import blocking_words
from assistant.coaching.listen import asked_last_time, listening_reply, moves
from assistant.coaching.listen_scene import reflection as scene_reflection
from assistant.coaching.listen_scene import scene_of
from assistant.coaching.perspective import supporter_data, supporter_defaults, supporter_variants
from assistant.coaching.script import ask_line, say_line
from assistant.coaching.tips import tip_fits, tip_fits_by_card
from assistant.coaching.variety import least_recent, pick, said_before
from assistant.core.messages import GenerationOptions, ModelRequest, TurnBrief
from assistant.core.reading import Reading
from assistant.gate.listening import listening_problems
from assistant.knowledge import load_yaml

# Kinds whose reply starts by reflecting what the person said.
REFLECTING = frozenset(
    {
        "regulation.activated",
        "regulation.body_check",
        "regulation.still",
        "regulation.stuck_offer",
        "naming.start",
        "naming.need_feeling",
        "naming.more",
        "naming.stuck_offer",
        "request.vague",
        "request.no_ask",
        "request.stuck_offer",
        "plan.followup",
        "pause.ack",
        "ended.intro",
        "ended.offer",
    }
)
# Kinds where any question gets an answer; elsewhere a question may be the request itself.
ANSWERING = ("check_in.", "regulation.", "naming.", "pause.", "plan.followup", "ended.")
# Kinds a person whose relationship has ended is spared: they coach a request to the ex.
ENDED_SPARED = ("request.", "plan.")
KEEP_AS_IS = ("check_in.empty", "back.confirm", "restart.confirm")


@cache
def _templates() -> dict[str, Any]:
    return load_yaml("prompts/guided.yaml")


def _clean(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Turn:
    brief: TurnBrief
    reading: Reading
    previous: tuple[str, ...]
    kind: str  # the reply kind the body is drawn from (may differ from the brief's)


def compose(
    brief: TurnBrief, reading: Reading | None = None, previous_replies: Sequence[str] = ()
) -> str:
    """The guided reply for a turn.  ``reading`` is this message's reading and
    ``previous_replies`` the conversation's replies so far, oldest first; without them the
    reply is still whole, only less fitted to what was said."""
    reading = reading or Reading(text=" ".join(brief.user_text.casefold().split()))
    previous = tuple(previous_replies)
    base, _, _ = brief.kind.partition("+")
    turn = _Turn(brief, reading, previous, _body_kind(base, brief, reading, previous))
    prefix = " ".join(
        _templates()["kinds"][f"{name}.prefix"]
        for name in ("resume", "back", "restart", "cleared", "unanswered")
        if f"+{name}" in brief.kind
    )
    if not turn.kind.startswith("ended."):
        listened = listening_reply(replace(brief, kind=base), reading, previous)
        if listened is None and turn.kind == "plan.summary":
            listened = _plan_summary(turn)
        if listened:
            return _clean(f"{prefix} {listened}")
    body = _body(turn)
    opener = _opener(turn)
    reflection = _reflection(turn)
    # The reflection names the situation already; a topic line after it said it twice.
    topic = "" if reflection else replies.topic_clause(reading.topic, previous)
    topic = topic if _reflects(turn) else ""
    # The fullest reply that passes the listening check; drop the extras when it does not.
    # A card's tip only in a supporter's or a blocked request's reply: elsewhere it was advice
    # nobody asked for (and about children or sex when neither was mentioned).
    tips = turn.kind == "request.blocking" or _supporter(turn.brief)
    candidates = [
        (prefix, opener, reflection, topic, body(tip=tips)),
        (prefix, opener, reflection, body(tip=tips)),
        (prefix, opener, reflection, topic, body(tip=False)),
        (prefix, opener, reflection, body(tip=False)),
        (prefix, reflection, body(tip=False)),
        (prefix, body(tip=False, short=True)),
    ]
    texts = [_clean(" ".join(part for part in parts if part)) for parts in candidates]
    return next(
        (text for text in texts if not listening_problems(text, brief.user_text, previous)),
        texts[-1],
    )


def _body_kind(base: str, brief: TurnBrief, reading: Reading, previous: Sequence[str]) -> str:
    """The brief's kind, except when the relationship has ended: what Closer is for, once,
    then what still helps instead of a request or a plan for an ex."""
    ended = reading.ended or bool(brief.facts.get("ended"))
    if not ended or base.startswith(KEEP_AS_IS):
        return base
    intro = replies.parts()["ended"]["intro"]
    if not any(_said(line, previous) for line in intro):
        return "ended.intro"
    return "ended.offer" if base.startswith(ENDED_SPARED) else base


def _said(line: str, previous: Sequence[str]) -> bool:
    """The line's longest sentence was said earlier in this conversation."""
    longest = max(line.split(". "), key=len)
    return said_before(longest, previous) is not None


def _reflects(turn: _Turn) -> bool:
    return turn.kind in REFLECTING and bool(turn.brief.user_text.strip())


def _opener(turn: _Turn) -> str:
    """A greeting back, then a short answer to a direct question."""
    reading, previous = turn.reading, turn.previous
    restarted = "+restart" in turn.brief.kind
    greets = reading.greeting or (turn.kind == "check_in.greeting" and not restarted)
    parts = [replies.greeting(previous)] if greets and turn.kind not in KEEP_AS_IS else []
    if turn.kind not in KEEP_AS_IS:
        parts.append(replies.answer(reading, previous, default=turn.kind.startswith(ANSWERING)))
    return " ".join(part for part in parts if part)


def _reflection(turn: _Turn) -> str:
    if not _reflects(turn):
        return ""
    # Said back in our words (``listen_scene``), never the person's message in quotes.
    scene = scene_of(turn.brief.user_text, turn.reading, turn.brief.facts)
    return scene_reflection(scene, turn.reading, turn.previous)


def _body(turn: _Turn) -> Callable[..., str]:
    """A function of ``tip`` (with or without the card tip) giving the step's body."""
    if turn.kind.startswith("ended."):
        variants = replies.parts()["ended"][turn.kind.partition(".")[2]]
    else:
        variants = _supporter(turn.brief) and supporter_variants(turn.kind)
        variants = variants or _templates()["kinds"][turn.kind]
    values = _values(turn)
    tip_text = _tip(turn)

    def body(*, tip: bool, short: bool = False) -> str:
        extra = {"tip": tip_text if tip else "", **(_short_plan() if short else {})}
        filled = [_clean(replies.fill(_clean(v), {**values, **extra})) for v in variants]
        return pick(filled, turn.previous) or filled[len(turn.previous) % len(filled)]

    return body


def _values(turn: _Turn) -> dict[str, str]:
    brief = turn.brief
    finding = brief.blocking[0] if brief.blocking else {}
    values = {
        # Only the blocking words and a word or two: their whole sentence read as parroting.
        "quote": blocking_words(brief.user_text, finding.get("quote", "")),
        "rewrite": finding.get("rewrite", ""),
        "label": finding.get("label", ""),
        **{key: _clean(value) for key, value in brief.facts.items()},
        **_plan_values(brief, turn.previous),
    }
    values["feeling"] = _clean(brief.facts.get("feeling") or brief.echo).strip(" .,!?\"'")
    if turn.kind.startswith("regulation.") and turn.kind != "regulation.stuck_offer":
        tool = least_recent(replies.parts()["tools"], turn.previous, text=lambda t: t["say"])
        values.update(tool=tool["say"], tool_ask=tool["ask"])
    return values


def _tip(turn: _Turn) -> str:
    """A card tip that fits the person and the step and was not said in the last replies;
    else one of the step's own lines."""
    stage = turn.brief.stage
    if turn.kind.startswith("ended."):
        fits = tip_fits_by_card()
        tips = [fits[card].tip for card in replies.parts()["ended"]["tips"] if card in fits]
    elif turn.kind == "check_in.greeting":
        tips = []  # a "hi" retrieves nothing in particular: the step's own lines fit best
    else:
        perspective = turn.brief.perspective
        tips = [card.tip for card in turn.brief.cards if tip_fits(card, stage, perspective)]
    tips = [_sentence(tip) for tip in tips if tip]
    own = supporter_defaults(stage) if _supporter(turn.brief) else []
    defaults = [_sentence(line) for line in own or _templates()["defaults"].get(stage, [])]
    return pick(tips, turn.previous, rotate=False) or pick(defaults, turn.previous) or ""


def _supporter(brief: TurnBrief) -> bool:
    return brief.perspective == "supporter"


def _sentence(tip: str) -> str:
    tip = _clean(tip)
    return tip if tip.endswith((".", "!")) else tip + "."


def _plan_values(brief: TurnBrief, previous: Sequence[str]) -> dict[str, str]:
    plan = _templates()["plan"]
    if _supporter(brief):  # the supporter's plan invites rather than asks
        plan = {**plan, **supporter_data()["plan"]}
    facts = brief.facts
    returns = [_clean(text) for text in _templates()["return_plan_variants"]]
    return {
        "cue": facts.get("cue")
        or pick(_templates()["default_cues"], previous, rotate=False)
        or plan["default_cue"],
        "naming": _as_sentence(facts.get("naming") or plan["default_naming"]),
        "request": _as_sentence(facts.get("request") or plan["default_request"]),
        "say": say_line(
            facts.get("feeling", ""), facts.get("story", ""), _clean(plan["default_naming"])
        ),
        "ask": ask_line(facts.get("request", ""), _clean(plan["default_request"])),
        "return_plan": pick(returns, previous, rotate=False) or _clean(plan["return_plan"]),
    }


def _plan_summary(turn: _Turn) -> str:
    """The plan with the script in the person's own voice (``assistant.coaching.script``),
    a question about it only when the last reply asked none."""
    values = _plan_values(turn.brief, turn.previous)
    plans = moves()["supporter_plan" if _supporter(turn.brief) else "plan"]["summary"]
    summary = replies.fill(_clean(pick(plans, turn.previous) or ""), values)
    ask = "" if asked_last_time(turn.previous) else pick(moves()["plan"]["ask"], turn.previous)
    return _clean(f"{summary} {ask or ''}")


def _short_plan() -> dict[str, str]:
    """The plan's own lines in their shortest form, for when the person's words are long."""
    short = _templates()["plan_short"]
    return {"cue": _clean(short["cue"]), "return_plan": _clean(short["return_plan"])}


def _as_sentence(text: str) -> str:
    """End quoted words with punctuation, so the sentence after the quote starts cleanly."""
    text = _clean(text)
    return text if text.endswith((".", "!", "?", "…")) else text + "."


class GuidedComposer:
    """A ``ChatModel`` that needs no model file: it streams the composed reply word by word."""

    name = "guided"

    def __init__(self, note: str = "") -> None:
        self.note = note  # why no model is loaded, when one was asked for and failed

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        words = compose(request.brief).split(" ")
        for index, word in enumerate(words):
            yield word if index == 0 else " " + word

    def describe(self) -> dict[str, object]:
        detail = "guided mode — no model loaded"
        return {"name": self.name, "backend": "guided", "detail": detail, "note": self.note}
