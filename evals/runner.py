"""Run the scenario files through the real conversation graph and score every reply.

Each scenario is a fresh conversation (its own thread) on one shared set of services, so the
evals drive exactly what the CLI and the UI drive.  With a language model, the share of
replies the output guard replaced with the guided one is reported as the fallback rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from evals import rubric

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
STAGES = ("check_in", "regulation", "naming", "request", "plan", "pause", "escalation")


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file and the problem."""


def load_scenario(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScenarioError(f"{path}: cannot read scenario ({error})") from error
    if not isinstance(data, dict) or not data.get("turns"):
        raise ScenarioError(f"{path}: a scenario needs 'id', 'persona' and a list of 'turns'")
    data.setdefault("id", path.stem)
    for number, turn in enumerate(data["turns"], start=1):
        if not isinstance(turn, dict) or "user" not in turn:
            raise ScenarioError(f"{path}: turn {number} needs a 'user' message")
        if turn.get("stage") not in (None, *STAGES):
            raise ScenarioError(f"{path}: turn {number}: unknown stage {turn.get('stage')!r}")
    return data


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[dict[str, Any]]:
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise ScenarioError(f"no scenario files (*.yaml) in {directory}")
    return [load_scenario(path) for path in files]


def card_stages() -> dict[str, tuple[str, ...]]:
    """Card id -> the stages it is tagged with (to judge whether a reply is grounded)."""
    from assistant.retrieval.cards import load_cards

    return {card.id: tuple(card.stages) for card in load_cards()}


def run_scenario(
    services: Any,
    scenario: dict[str, Any],
    stages_of: dict[str, tuple[str, ...]],
    on_turn: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """One conversation: every turn's reply, stage, sources and rubric checks."""
    from graphs.runner import Conversation

    conversation = Conversation(services)
    turns: list[dict[str, Any]] = []
    for spec in scenario["turns"]:
        result = conversation.turn(spec["user"]).as_json()
        previous = [str(turn["reply"]) for turn in turns]
        checks = rubric.check_turn(spec, result, stages_of, previous)
        kept = {**_keep(result), "expected_stage": spec.get("stage"), "checks": checks}
        if checks.get("listening") is not None:
            kept["listening"] = rubric.listening(result["user"], result["reply"], previous)
        turns.append(kept)
        if on_turn:
            on_turn()
    conversation_checks = rubric.check_conversation(scenario, turns)
    rows = [turn["checks"] for turn in turns] + [conversation_checks]
    passed, total = _passed(rows)
    return {
        "id": scenario["id"],
        "title": scenario.get("title", scenario["id"]),
        "tags": scenario.get("tags", []),
        "turns": turns,
        "conversation_checks": conversation_checks,
        "turns_to_request": rubric.turns_to("request", turns),
        "turns_to_plan": rubric.turns_to("plan", turns),
        "passed": passed,
        "total": total,
        "rate": round(passed / total, 4) if total else 1.0,
    }


def _keep(result: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "turn",
        "user",
        "reply",
        "stage",
        "blocking",
        "escalation",
        "sources",
        "model",
        "fallback",
    )
    return {key: result.get(key) for key in keys}


def _passed(rows: Iterable[dict[str, bool | None]]) -> tuple[int, int]:
    values = [v for row in rows for v in row.values() if v is not None]
    return sum(bool(v) for v in values), len(values)


def run_scenarios(
    services: Any,
    scenarios: list[dict[str, Any]],
    *,
    progress: bool = True,
) -> dict[str, Any]:
    """All scenarios, with a progress bar (one tick per turn) on stderr."""
    from tqdm import tqdm

    stages_of = card_stages()
    total_turns = sum(len(s["turns"]) for s in scenarios)
    results = []
    with tqdm(total=total_turns, desc="scenarios", unit="turn", disable=not progress) as bar:
        for scenario in scenarios:
            results.append(run_scenario(services, scenario, stages_of, on_turn=bar.update))
    return summarise(results)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Pass rate per check and overall, conversation metrics and the model fallback rate."""
    turn_rows = [turn["checks"] for r in results for turn in r["turns"]]
    conversation_rows = [r["conversation_checks"] for r in results]
    per_check = rubric.tally([*turn_rows, *conversation_rows])
    passed, total = _passed([*turn_rows, *conversation_rows])
    reached = [r["turns_to_request"] for r in results if r.get("turns_to_request") is not None]
    return {
        "scenarios": len(results),
        "turns": len(turn_rows),
        "checks_passed": passed,
        "checks_total": total,
        "pass_rate": round(passed / total, 4) if total else 1.0,
        "per_check": per_check,
        "per_scenario": {r["id"]: r["rate"] for r in results},
        "mean_turns_to_request": round(sum(reached) / len(reached), 2) if reached else None,
        "fallback": fallback_summary(results),
        "results": results,
    }


def fallback_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """How often a model reply was replaced by the guided one (escalation turns never ask
    the model, so they are not counted)."""
    asked = [
        turn
        for r in results
        for turn in r["turns"]
        if turn.get("stage") != "escalation" and turn.get("model") not in (None, "guided")
    ]
    reasons = Counter(_reason(turn["fallback"]) for turn in asked if turn.get("fallback"))
    replaced = sum(reasons.values())
    models = sorted({str(turn.get("model")) for r in results for turn in r["turns"]})
    return {
        "models": models,
        "model_turns": len(asked),
        "replaced": replaced,
        "rate": round(replaced / len(asked), 4) if asked else None,
        "reasons": dict(reasons.most_common()),
    }


def _reason(text: str) -> str:
    return text.split(":", 1)[0].strip()
