"""Compare two results files metric by metric: side by side, with the delta and a chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.suite import LOWER_IS_BETTER

Row = tuple[str, float | None, float | None]


class CompareError(ValueError):
    """A results file can't be read; the message names it."""


def load_metrics(path: Path) -> tuple[str, dict[str, float]]:
    """(label, metrics) from a ``results.json`` (or any JSON object with a ``metrics`` map)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CompareError(f"cannot read results file {path}: {error}") from error
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict):
        raise CompareError(f"{path} has no 'metrics' map: is it a results.json from closer eval?")
    label = str(data.get("model") or Path(path).stem)
    return label, {k: float(v) for k, v in metrics.items() if isinstance(v, int | float)}


def compare_rows(first: dict[str, float], second: dict[str, float]) -> list[Row]:
    return [(name, first.get(name), second.get(name)) for name in sorted({*first, *second})]


def verdict(name: str, delta: float) -> str:
    if abs(delta) < 1e-9:
        return ""
    better = delta < 0 if name in LOWER_IS_BETTER else delta > 0
    return "better" if better else "worse"


def format_table(rows: list[Row], labels: tuple[str, str]) -> str:
    width = max([len("metric"), *(len(row[0]) for row in rows)])
    col = max(10, len(labels[0]), len(labels[1]))
    head = f"{'metric':<{width}}  {labels[0]:>{col}}  {labels[1]:>{col}}  {'delta':>9}"
    lines = [head, "-" * len(head)]
    for name, a, b in rows:
        delta = None if a is None or b is None else b - a
        lines.append(
            f"{name:<{width}}  {_cell(a):>{col}}  {_cell(b):>{col}}  "
            f"{'' if delta is None else f'{delta:+.4f}':>9}  "
            f"{'' if delta is None else verdict(name, delta)}"
        )
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def compare_files(first: Path, second: Path, chart: Path | None) -> dict[str, Any]:
    """Read both files; return the table text, the rows and where the chart was written."""
    from evals.charts import compare_chart

    label_a, metrics_a = load_metrics(first)
    label_b, metrics_b = load_metrics(second)
    labels = (f"A: {Path(label_a).name}", f"B: {Path(label_b).name}")
    rows = compare_rows(metrics_a, metrics_b)
    written = None
    if chart is not None and rows:
        chart.parent.mkdir(parents=True, exist_ok=True)
        chart.write_bytes(compare_chart(rows, labels))
        written = chart
    return {"labels": labels, "rows": rows, "table": format_table(rows, labels), "chart": written}
