"""Every turn says why: the rule or layer that moved the step, and the one that set the
safety level, on `closer chat --json` rows, in the saved conversation and in
`closer sessions show --why`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant.reading import reader
from assistant.safety import classifier
from tests.conftest import json_rows, run_closer

WALK = [
    "hi",
    "my chest is tight, I keep rehearsing what I'll say",
    "ok I breathed, I feel calmer now",
    "I feel lonely, the story I'm telling myself is that I don't matter to him",
    "you never make time for me",
    "could we sit together ten minutes after dinner tonight, phones away?",
    "he hit me last night",
]


def test_chat_json_rows_name_the_rule_or_layer(closer_home: Path) -> None:
    result = run_closer("chat", "--script", "-", "--json", home=closer_home, stdin="\n".join(WALK))
    assert result.returncode == 0, result.stderr
    rows = json_rows(result.stdout)
    steps = [row["why"]["step"] for row in rows]
    safety = [row["why"]["safety"] for row in rows]
    assert steps[0] == "greeting (rule)"
    assert steps[1] == "activation: rule 'chest is tight'"
    assert steps[2] == "settled: rule 'calmer'"
    assert steps[3] == "feeling: rule 'lonely'; story: rule 'story i'm telling myself'"
    assert steps[4] == "blocking language: absolutes"
    assert steps[5].startswith("a specific ask: ask: rule 'could we' with 'tonight'")
    assert steps[6].startswith("escalation abuse stands")
    assert safety[:6] == ["continue: no layer fired"] * 6
    assert safety[6] == "escalate abuse: pattern abuse.partner-hits"

    shown = run_closer("sessions", "show", rows[0]["session"], "--why", home=closer_home)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("why step:") == len(WALK)
    assert "why safety: escalate abuse: pattern abuse.partner-hits" in shown.stdout
    plain = run_closer("sessions", "show", rows[0]["session"], home=closer_home)
    assert "why step:" not in plain.stdout


class _FakeModel:
    """A fitted model's interface with chosen scores and thresholds."""

    def __init__(self, scores: dict[str, float], thresholds: dict[str, float]) -> None:
        self._scores, self._thresholds = scores, thresholds

    def scores(self, parts: list[str], vectors: np.ndarray) -> dict[str, float]:
        return dict(self._scores)

    def threshold(self, signal: str) -> float:
        return self._thresholds.get(signal, 1.0)

    def fires(self, scores: dict[str, float], signal: str, *, scale: float = 1.0) -> bool:
        return scores.get(signal, 0.0) >= self.threshold(signal) * scale


class _Embedder:
    name = "fake"

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] * 4 for _ in texts]


def test_a_learned_safety_level_says_its_score_and_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _FakeModel({"crisis": 0.5, "crisis~": 0.81}, {"crisis": 0.95, "crisis~": 0.74})
    monkeypatch.setattr(classifier, "safety_model", lambda embedder, cache_dir=None: fake)
    result = classifier.learned_screen("some words", _Embedder())
    assert result is not None and result.level == "check"
    assert result.why == "learned possible crisis 0.81 ≥ 0.74"
    wary = classifier.learned_screen("some words", _Embedder(), wary=True)
    assert wary is not None and re.fullmatch(r"learned possible crisis 0\.81 ≥ 0\.\d\d", wary.why)


def test_a_learned_reading_signal_says_its_score_and_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = _FakeModel({"settled": 0.9}, {"settled": 0.62})
    monkeypatch.setattr(reader, "learned_scores", lambda text, embedder, cache_dir=None: (
        fake.scores([], np.zeros(0)), fake
    ))
    reading = reader.read("things feel different after the walk we took")
    assert reading.settled
    assert reading.why("settled") == "settled: learned 0.90 ≥ 0.62"
    assert "feeling" not in reading.reasons
