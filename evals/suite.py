"""The evals suite: run the parts (scenarios, safety, retrieval, optional judge) and gather
their numbers into one results document with a flat ``metrics`` map for baselines and
comparisons.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from assistant.config import Settings
from evals.data_sets import SAFETY_DEV

log = logging.getLogger("closer.evals")
# The baseline gates on the dev set: in-sample figures that must not get worse, not a measure.
SAFETY_SET = SAFETY_DEV
PARTS = ("scenarios", "safety", "retrieval")
# Metrics where a smaller number is the better one (everything else: bigger is better).
LOWER_IS_BETTER = (
    "safety.false_positive_rate",
    "scenarios.mean_turns_to_request",
    "scenarios.fallback_rate",
)


def open_eval_services(settings: Settings, model_path: str | None) -> Any:
    """Services as the app opens them: the real screen and index; guided unless a model."""
    from assistant.coaching.guided import GuidedComposer
    from graphs.models import load_model
    from graphs.services import open_services

    if model_path:
        if not Path(model_path).is_file():
            raise FileNotFoundError(f"model file not found: {model_path}")
        model = load_model(settings.with_overrides(model=str(model_path)))
    else:
        model = GuidedComposer()
    return open_services(settings, model=model)


def run_scenarios_part(
    services: Any, scenarios: list[dict[str, Any]], progress: bool
) -> dict[str, Any]:
    from evals.runner import run_scenarios

    return run_scenarios(services, scenarios, progress=progress)


def run_safety_part(settings: Settings, path: Path | None, progress: bool) -> dict[str, Any]:
    """The safety helper's eval over the labelled set, with its confusion matrix."""
    from tqdm import tqdm

    from evals.safety import load_rows, run_safety_eval

    path = Path(path or SAFETY_SET)
    embedder = None
    try:
        from assistant.retrieval.embeddings import get_embedder

        embedder = get_embedder(settings)
    except Exception as error:  # patterns alone still screen; the summary says so
        log.warning("safety eval without the semantic layer: %s", error)
    rows, summary = [], {}
    total = len(load_rows(path))
    with tqdm(total=total, desc="safety", unit="row", disable=not progress) as bar:
        for item in run_safety_eval(path, embedder=embedder):
            if item.get("summary"):
                summary = item
            else:
                rows.append(item)
                bar.update()
    return {"file": str(path), "summary": summary, "rows": rows}


def run_retrieval_part(settings: Settings, services: Any, progress: bool) -> dict[str, Any]:
    from evals.retrieval import RETRIEVAL_SET, load_rows, score_retrieval

    knowledge = getattr(services, "retriever", None) if services else None
    if knowledge is None:
        from assistant.retrieval.index import KnowledgeBase

        knowledge = KnowledgeBase(settings)
        knowledge.ensure_index(progress=progress)
    rows = load_rows(RETRIEVAL_SET)
    return {"file": str(RETRIEVAL_SET), **score_retrieval(knowledge, rows, k=3)}


def run_suite(
    settings: Settings,
    parts: tuple[str, ...] = PARTS,
    *,
    model_path: str | None = None,
    judge_path: str | None = None,
    scenario_dir: Path | None = None,
    safety_file: Path | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the requested parts and return the results document."""
    results: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": str(model_path) if model_path else "guided",
        "parts": list(parts),
    }
    if judge_path and not Path(judge_path).is_file():
        raise FileNotFoundError(f"judge model file not found: {judge_path}")
    services = None
    scenarios: list[dict[str, Any]] = []
    if "scenarios" in parts:  # a malformed scenario file fails before anything loads
        from evals.runner import SCENARIO_DIR, load_scenarios

        scenarios = load_scenarios(scenario_dir or SCENARIO_DIR)
    if "scenarios" in parts or "retrieval" in parts:
        services = open_eval_services(settings, model_path)
    try:
        if "scenarios" in parts:
            results["scenarios"] = run_scenarios_part(services, scenarios, progress)
            if judge_path:
                from evals.judge import judge_scenarios

                results["judge"] = judge_scenarios(judge_path, results["scenarios"], progress)
        if "safety" in parts:
            results["safety"] = run_safety_part(settings, safety_file, progress)
        if "retrieval" in parts:
            results["retrieval"] = run_retrieval_part(settings, services, progress)
    finally:
        if services is not None:
            services.store.close()
    results["metrics"] = flat_metrics(results)
    return results


def flat_metrics(results: dict[str, Any]) -> dict[str, float]:
    """One flat ``name -> number`` map: what baselines and ``compare`` read."""
    metrics: dict[str, float] = {}
    scenarios = results.get("scenarios")
    if scenarios:
        metrics["scenarios.pass_rate"] = scenarios["pass_rate"]
        for name, tally in scenarios["per_check"].items():
            metrics[f"scenarios.check.{name}"] = tally["rate"]
        if scenarios.get("mean_turns_to_request") is not None:
            metrics["scenarios.mean_turns_to_request"] = scenarios["mean_turns_to_request"]
        if scenarios["fallback"].get("rate") is not None:
            metrics["scenarios.fallback_rate"] = scenarios["fallback"]["rate"]
    summary = (results.get("safety") or {}).get("summary")
    if summary:
        for key in ("precision", "recall", "false_positive_rate"):
            metrics[f"safety.{key}"] = summary[key]
        for category, value in summary.get("per_category_recall", {}).items():
            metrics[f"safety.recall.{category}"] = value
    retrieval = results.get("retrieval")
    if retrieval:
        for key in ("hit@1", f"hit@{retrieval.get('k', 3)}"):
            metrics[f"retrieval.{key}"] = retrieval[key]
    judge = results.get("judge")
    if judge:
        for key, value in judge.get("means", {}).items():
            metrics[f"judge.{key}"] = value
    return metrics


def below_baseline(
    metrics: dict[str, float], baseline: dict[str, float], tolerance: float = 1e-6
) -> list[str]:
    """Lines naming each metric that got worse than its baseline (metrics not run: skipped)."""
    worse = []
    for name, base in sorted(baseline.items()):
        if name not in metrics:
            continue
        now = metrics[name]
        lower = name in LOWER_IS_BETTER
        if (now > base + tolerance) if lower else (now < base - tolerance):
            direction = "rose above" if lower else "dropped below"
            worse.append(f"{name} {direction} its baseline: {now:.4f} vs {base:.4f}")
    return worse
