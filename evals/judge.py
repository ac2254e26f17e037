"""Optional empathy judge: a local GGUF model scores replies on the three EPITOME dimensions.

EPITOME (Sharma et al., 2020) rates empathic communication on emotional reactions,
interpretations and explorations, each 0 (none), 1 (weak) or 2 (strong).  The prompt below is
fixed, and the output is constrained by a JSON-schema grammar (llama.cpp), so every answer
parses as the schema.  It is off by default (``--judge PATH``) and reported apart from the
deterministic rubric: a model's opinion is a signal, not a gate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DIMENSIONS = ("emotional_reactions", "interpretations", "explorations")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {name: {"type": "integer", "enum": [0, 1, 2]} for name in DIMENSIONS},
    "required": list(DIMENSIONS),
    "additionalProperties": False,
}
RUBRIC = """You rate how empathic a coach's reply is, using the EPITOME framework.
Score each dimension 0 (absent), 1 (weak) or 2 (strong):
- emotional_reactions: the reply expresses warmth, compassion or concern for the person
  ("I'm sorry that hurt", "that sounds hard"). 1 = generic ("I understand"), 2 = specific.
- interpretations: the reply shows it understood the person's feelings or situation
  ("it sounds like you felt left out"). 1 = generic, 2 = reflects their specific experience.
- explorations: the reply gently asks about what the person has not yet said
  ("what was that like for you?"). 1 = generic question, 2 = specific, open question.
Answer with JSON only: {"emotional_reactions": n, "interpretations": n, "explorations": n}."""


def valid_scores(data: object) -> bool:
    """True when ``data`` matches the schema exactly (three integers 0-2, nothing else)."""
    return (
        isinstance(data, dict)
        and set(data) == set(DIMENSIONS)
        and all(type(data[name]) is int and data[name] in (0, 1, 2) for name in DIMENSIONS)
    )


class EmpathyJudge:
    """A llama.cpp model with the fixed rubric prompt and schema-constrained output."""

    def __init__(self, path: str | Path, n_ctx: int = 2048, seed: int = 0) -> None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"judge model not found: {path}")
        from llama_cpp import Llama  # lazy: heavy import

        self.path = path
        self.llm = Llama(model_path=str(path), n_ctx=n_ctx, seed=seed, verbose=False)

    def score(self, user: str, reply: str) -> dict[str, Any]:
        """``{"scores": {...}|None, "raw": text}``; scores None only if the output broke."""
        messages = [
            {"role": "system", "content": RUBRIC},
            {
                "role": "user",
                "content": f"Person said:\n{user[:1500]}\n\nCoach replied:\n"
                f"{reply[:2000]}\n\nScores as JSON:",
            },
        ]
        out = self.llm.create_chat_completion(
            messages=messages,
            response_format={"type": "json_object", "schema": SCHEMA},
            temperature=0.0,
            max_tokens=64,
        )
        raw = out["choices"][0]["message"]["content"] or ""
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            data = None
        return {"scores": data if valid_scores(data) else None, "raw": raw}


def judge_scenarios(
    path: str | Path, scenarios: dict[str, Any], progress: bool = True
) -> dict[str, Any]:
    """Score every coaching reply (escalation replies are fixed text and are skipped)."""
    from tqdm import tqdm

    judge = EmpathyJudge(path)
    turns = [
        (scenario["id"], turn)
        for scenario in scenarios.get("results", [])
        for turn in scenario["turns"]
        if turn["stage"] != "escalation" and turn["user"].strip()
    ]
    rows = []
    for scenario_id, turn in tqdm(turns, desc="judge", unit="reply", disable=not progress):
        verdict = judge.score(turn["user"], turn["reply"])
        rows.append({"scenario": scenario_id, "turn": turn["turn"], **verdict})
    scored = [row["scores"] for row in rows if row["scores"]]
    means = {
        name: round(sum(s[name] for s in scored) / len(scored), 3) if scored else 0.0
        for name in DIMENSIONS
    }
    return {
        "model": str(path),
        "replies": len(rows),
        "parsed": len(scored),
        "means": means,
        "rows": rows,
    }
