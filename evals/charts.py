"""Charts for the evals reports, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # headless: never needs a display
    import matplotlib.pyplot as plt

    return plt


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def bar_chart(
    values: Mapping[str, float], label: str, *, limit: float = 1.0, horizontal: bool = True
) -> bytes:
    """One bar per name, value labels on the bars; horizontal for long lists of names."""
    plt = _pyplot()
    names, numbers = list(values), [float(v) for v in values.values()]
    if horizontal:
        figure, axes = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
        bars = axes.barh(names, numbers, color="#4c78a8")
        axes.set_xlim(0, limit * 1.12)
        axes.set_xlabel(label)
        axes.invert_yaxis()
    else:
        figure, axes = plt.subplots(figsize=(max(3, 1.1 * len(names) + 1), 3.2))
        bars = axes.bar(names, numbers, color="#4c78a8")
        axes.set_ylim(0, limit * 1.12)
        axes.set_ylabel(label)
    axes.bar_label(bars, labels=[f"{n:.2f}" for n in numbers], padding=2, fontsize=8)
    axes.tick_params(labelsize=8)
    return _png(figure)


def confusion_chart(summary: Mapping[str, Any]) -> bytes:
    """The safety screen's 2x2 confusion matrix (rows: expected, columns: what it did)."""
    plt = _pyplot()
    tp, fn = summary["true_positives"], summary["false_negatives"]
    fp = summary["false_positives"]
    tn = summary["negatives"] - fp
    matrix = [[tp, fn], [fp, tn]]
    figure, axes = plt.subplots(figsize=(4, 3.4))
    axes.imshow(matrix, cmap="Blues")
    darkest = max(max(row) for row in matrix) or 1
    for row in range(2):
        for column in range(2):
            value = matrix[row][column]
            colour = "white" if value > darkest / 2 else "black"
            axes.text(column, row, str(value), ha="center", va="center", fontsize=14, color=colour)
    axes.set_xticks([0, 1], ["escalated", "continued"])
    axes.set_yticks([0, 1], ["expect escalate", "expect continue"])
    axes.set_xlabel("screen")
    return _png(figure)


def compare_chart(
    rows: list[tuple[str, float | None, float | None]], names: tuple[str, str]
) -> bytes:
    """Side-by-side bars for each metric of two result files."""
    plt = _pyplot()
    labels = [row[0] for row in rows]
    first = [row[1] or 0.0 for row in rows]
    second = [row[2] or 0.0 for row in rows]
    figure, axes = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.5))
    positions = list(range(len(rows)))
    axes.barh([p - 0.2 for p in positions], first, height=0.4, label=names[0], color="#9ecae9")
    axes.barh([p + 0.2 for p in positions], second, height=0.4, label=names[1], color="#4c78a8")
    axes.set_yticks(positions, labels, fontsize=8)
    axes.invert_yaxis()
    axes.legend(fontsize=8)
    return _png(figure)
