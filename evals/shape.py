"""Reply shape on a ``closer eval dialogues --json`` run: how long coached replies are, how
many ask a question, and how many quote the person back at length.

These are the figures a blind reader notices before anything else (humans answering the
same messages: median 19 words, a question in about a third of replies). The check is on
coached prose only: our fixed safety text and the support note are not the coach's words.

``quotes_5`` counts a reply that holds five or more consecutive words of the person's
message, in quotation marks or not: parroting reads the same either way.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.gate.listening import shared_run
from evals.rubric import coached, coached_prose, question_count

QUOTE_RUN = 5


def longest_shared_run(reply: str, person: str) -> int:
    """The longest run of consecutive words the reply shares with the person's message."""
    return shared_run(reply, person)


def turn_shape(turn: Mapping[str, Any]) -> dict[str, Any] | None:
    """One coached turn's figures (None for escalation, checks and summary rows)."""
    if turn.get("summary") or not coached(
        {"stage": turn.get("stage"), "escalation": _escalation(turn)}
    ):
        return None
    prose = coached_prose(str(turn.get("reply", "")))
    return {
        "words": len(prose.split()),
        "question": question_count(prose) > 0 or prose.rstrip().endswith("?"),
        "quote_run": longest_shared_run(prose, str(turn.get("user", ""))),
        "stage": turn.get("stage"),
    }


def _escalation(turn: Mapping[str, Any]) -> Any:
    level = (turn.get("safety") or {}).get("level")
    return {"level": level} if turn.get("stage") == "escalation" else None


def shape_summary(turns: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Median words, question share and long-quote share over coached turns, overall and
    without the plan summary (which repeats the person's own script on purpose)."""
    shapes = [s for s in (turn_shape(t) for t in turns) if s]
    return {
        "all": _figures(shapes),
        "without_plan": _figures([s for s in shapes if s["stage"] != "plan"]),
    }


def _figures(shapes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if not shapes:
        return {"replies": 0}
    count = len(shapes)
    return {
        "replies": count,
        "median_words": statistics.median(s["words"] for s in shapes),
        "question_rate": round(sum(s["question"] for s in shapes) / count, 4),
        "quote5_rate": round(sum(s["quote_run"] >= QUOTE_RUN for s in shapes) / count, 4),
    }


def load_run(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``closer eval dialogues --json`` output file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip().startswith("{")]
