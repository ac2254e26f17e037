"""Whole conversations through the real graph: ``closer eval dialogues FILE.jsonl``.

Input rows: ``{"id", "turns": ["…", …]}``; other keys are ignored, except that labelled sets
(``expected_stages``, ``expected_intents``, ``kind``) are scored too: the share of turns on
the expected step, flow intents that fired where none was meant, and conversations that
ended in escalation.  ``perspective`` ("self", the default, or "supporter") starts the
conversation for that person, and the summary shows the figures per perspective too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.core.perspective import PerspectiveError, checked
from evals.jsonl import json_lines
from evals.rubric import coached, listening

STEP_ORDER = ("check_in", "regulation", "naming", "request", "plan")


class DialogueDataError(ValueError):
    """The file is missing or a row is malformed; the message names the line."""


def load_dialogues(path: str | Path) -> list[dict[str, Any]]:
    rows = []
    for number, row in json_lines(path, DialogueDataError):
        turns = row.get("turns") if isinstance(row, dict) else None
        if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
            raise DialogueDataError(f"{path}:{number}: 'turns' must be a list of strings")
        try:
            perspective = checked(row.get("perspective"))
        except (PerspectiveError, AttributeError) as error:
            raise DialogueDataError(f"{path}:{number}: {error}") from error
        rows.append({**row, "id": str(row.get("id", number)), "perspective": perspective})
    return rows


def run_dialogues(rows: list[dict[str, Any]], services: Any) -> Iterator[dict[str, Any]]:
    """One object per turn, then the summary object (``"summary": true``)."""
    from graphs.runner import Conversation

    tally = _Tally()
    for row in rows:
        perspective = checked(row.get("perspective"))
        conversation = Conversation(services, perspective=perspective)
        expected = row.get("expected_stages") or []
        intents = row.get("expected_intents") or []
        turns = []
        for index, text in enumerate(row["turns"]):
            result = conversation.turn(text)
            state = conversation.state()
            reading = state.get("reading") or {}
            turn = {
                "id": row["id"],
                "perspective": perspective,
                "turn": index,
                "user": result.user,
                "reply": result.reply,
                "stage": result.stage,
                "safety": result.safety,
                "blocking": result.blocking,
                "fallback": result.fallback,
                "intent": reading.get("intent"),
            }
            turn["listening"] = (
                listening(result.user, result.reply, [t["reply"] for t in turns])
                if coached({"stage": result.stage, "escalation": result.escalation})
                else None
            )
            if index < len(expected):
                turn["expected_stage"] = expected[index]
            if index < len(intents):
                turn["expected_intent"] = intents[index]
            turns.append(turn)
            yield turn
        tally.add(row, turns)
        services.store.delete(conversation.thread_id)  # an eval leaves no conversations behind
    yield tally.summary()


class _Tally:
    def __init__(self) -> None:
        self.conversations = self.turns = self.escalated = self.flagged = 0
        self.levels: Counter[str] = Counter()
        self.furthest: Counter[str] = Counter()
        self.labelled = self.on_step = 0
        self.intent_turns = self.false_intents = 0
        self.by_kind: dict[str, Counter[str]] = {}
        self.coached = 0
        self.problems: Counter[str] = Counter()
        self.listening_failures: list[dict[str, Any]] = []
        self.by_perspective: dict[str, Counter[str]] = {}

    def add(self, row: dict[str, Any], turns: list[dict[str, Any]]) -> None:
        self.conversations += 1
        self.turns += len(turns)
        levels = [t["safety"]["level"] for t in turns]
        self.levels.update(levels)
        escalated = any(t["stage"] == "escalation" for t in turns)
        self.escalated += escalated
        self.flagged += any(level in ("escalate", "check") for level in levels)
        reached = [t["stage"] for t in turns if t["stage"] in STEP_ORDER]
        self.furthest[max(reached, key=STEP_ORDER.index) if reached else "none"] += 1
        kind = self.by_kind.setdefault(str(row.get("kind", "unlabelled")), Counter())
        kind["conversations"] += 1
        kind["escalated"] += escalated
        side = self.by_perspective.setdefault(checked(row.get("perspective")), Counter())
        side["conversations"] += 1
        for turn in turns:
            self._listen(turn, side)
            if "expected_stage" in turn:
                self.labelled += 1
                hit = turn["stage"] == turn["expected_stage"]
                self.on_step += hit
                for counter in (kind, side):
                    counter["turns"] += 1
                    counter["on_step"] += hit
            if "expected_intent" in turn:
                self.intent_turns += 1
                fired = turn["intent"] or "none"
                self.false_intents += fired != "none" and fired != turn["expected_intent"]

    def _listen(self, turn: dict[str, Any], side: Counter[str]) -> None:
        problems = turn.get("listening")
        if problems is None:
            return
        self.coached += 1
        side["coached"] += 1
        side["listening_passed"] += not problems
        self.problems.update(problems)
        if problems:
            keys = ("id", "turn", "stage", "listening", "user", "reply")
            self.listening_failures.append({key: turn[key] for key in keys})

    def summary(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return {
            "summary": True,
            "conversations": self.conversations,
            "turns": self.turns,
            "conversations_escalated": self.escalated,
            "conversations_flagged": self.flagged,
            "furthest_step": dict(self.furthest),
            "levels": dict(self.levels),
            "labelled_turns": self.labelled,
            "right_step_rate": share(self.on_step, self.labelled),
            "false_intent_rate": share(self.false_intents, self.intent_turns),
            "escalated_rate": share(self.escalated, self.conversations),
            "coached_turns": self.coached,
            "listening_pass_rate": share(self.coached - len(self.listening_failures), self.coached),
            "listening_problems": dict(self.problems.most_common()),
            "listening_failures": self.listening_failures,
            "by_kind": {
                name: {
                    "conversations": c["conversations"],
                    "escalated_rate": share(c["escalated"], c["conversations"]),
                    "right_step_rate": share(c["on_step"], c["turns"]),
                }
                for name, c in sorted(self.by_kind.items())
            },
            "by_perspective": {
                name: {
                    "conversations": c["conversations"],
                    "right_step_rate": share(c["on_step"], c["turns"]),
                    "listening_pass_rate": share(c["listening_passed"], c["coached"]),
                }
                for name, c in sorted(self.by_perspective.items())
            },
        }
