"""Write the evals results as ``results.json``, ``report.md`` and ``report.html``.

The HTML report is one self-contained file: its charts (matplotlib, Agg backend) are embedded
as base64 PNG images, so it opens anywhere with no network and no side files.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from evals.charts import bar_chart, confusion_chart


def write_report(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write all three files into ``out_dir`` (created if needed); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / "results.json",
        "md": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["json"].write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    paths["md"].write_text(markdown(results), encoding="utf-8")
    paths["html"].write_text(html_report(results), encoding="utf-8")
    return paths


# -- what the reports say ----------------------------------------------------------------------
def failures(results: dict[str, Any], limit: int = 200) -> list[dict[str, str]]:
    """Each failed rubric check: scenario, turn, check, what was said and replied."""
    rows: list[dict[str, str]] = []
    for scenario in (results.get("scenarios") or {}).get("results", []):
        for turn in scenario["turns"]:
            for check, ok in turn["checks"].items():
                if ok is False:
                    rows.append(
                        {
                            "scenario": scenario["id"],
                            "turn": str(turn["turn"]),
                            "check": check,
                            "detail": _detail(check, turn),
                            "user": turn["user"],
                            "reply": turn["reply"],
                        }
                    )
        for check, ok in scenario["conversation_checks"].items():
            if ok is False:
                rows.append(
                    {
                        "scenario": scenario["id"],
                        "turn": "-",
                        "check": check,
                        "detail": "conversation level",
                        "user": "",
                        "reply": "",
                    }
                )
    return rows[:limit]


def _detail(check: str, turn: dict[str, Any]) -> str:
    """What the failed check saw, in a few words."""
    from evals import rubric

    prose = rubric.without_resources(str(turn.get("reply", "")))
    details = {
        "stage": f"expected {turn.get('expected_stage')}, got {turn.get('stage')}",
        "escalation": f"escalation: {turn.get('escalation')}",
        "length": f"{rubric.word_count(prose)} words",
        "one_question": f"{rubric.question_count(prose)} questions",
        "no_diagnosis": f"labels: {rubric.diagnostic_labels(prose)}",
        "listening": ", ".join(turn.get("listening") or []),
        "grounded": f"stage {turn.get('stage')}, sources "
        + ", ".join(str(s.get("id")) for s in turn.get("sources") or []),
    }
    return details.get(check, check)


def fallback_line(results: dict[str, Any]) -> str | None:
    fallback = (results.get("scenarios") or {}).get("fallback") or {}
    if not fallback.get("model_turns"):
        return None
    reasons = ", ".join(f"{k}: {v}" for k, v in fallback.get("reasons", {}).items()) or "none"
    return (
        f"Model replies replaced by the guided reply: {fallback['replaced']} of "
        f"{fallback['model_turns']} ({fallback['rate']:.1%}); reasons: {reasons}."
    )


def _metric_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    return [(name, _fmt(value)) for name, value in sorted(results.get("metrics", {}).items())]


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Closer evals — {results.get('model', 'guided')}",
        "",
        f"Run at {results.get('created', '?')}; parts: {', '.join(results.get('parts', []))}.",
        "",
    ]
    scenarios = results.get("scenarios")
    if scenarios:
        lines += [
            f"Scenarios: {scenarios['scenarios']}, turns: {scenarios['turns']}, rubric "
            f"checks passed: {scenarios['checks_passed']}/{scenarios['checks_total']} "
            f"({scenarios['pass_rate']:.1%}).",
            "",
        ]
    if line := fallback_line(results):
        lines += [line, ""]
    if judge := results.get("judge"):
        lines += [
            f"Empathy judge ({judge['model']}, EPITOME 0-2, reported separately): "
            + ", ".join(f"{k} {v:.2f}" for k, v in judge["means"].items()),
            "",
        ]
    lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in _metric_rows(results)]
    failed = failures(results)
    if failed:
        lines += [
            "",
            "## Failed checks",
            "",
            "| scenario | turn | check | detail |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {f['scenario']} | {f['turn']} | {f['check']} | {f['detail']} |" for f in failed
        ]
    return "\n".join(lines) + "\n"


# -- charts ------------------------------------------------------------------------------------
def charts(results: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(title, PNG bytes) for every chart the results can draw."""
    drawn: list[tuple[str, bytes]] = []
    scenarios = results.get("scenarios")
    if scenarios:
        per_check = {k: v["rate"] for k, v in scenarios["per_check"].items()}
        drawn.append(("Pass rate per check", bar_chart(per_check, "pass rate")))
        drawn.append(("Pass rate per scenario", bar_chart(scenarios["per_scenario"], "pass rate")))
    summary = (results.get("safety") or {}).get("summary")
    if summary:
        drawn.append(("Safety screen: confusion matrix", confusion_chart(summary)))
        if summary.get("per_category_recall"):
            drawn.append(
                ("Safety recall per category", bar_chart(summary["per_category_recall"], "recall"))
            )
    retrieval = results.get("retrieval")
    if retrieval:
        hits = {key: retrieval[key] for key in retrieval if key.startswith("hit@")}
        drawn.append(("Retrieval hit@k", bar_chart(hits, "hit rate", horizontal=False)))
    if judge := results.get("judge"):
        drawn.append(
            (
                "Empathy judge (EPITOME, 0-2)",
                bar_chart(judge["means"], "mean score", limit=2.0, horizontal=False),
            )
        )
    return drawn


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_report(results: dict[str, Any]) -> str:
    esc = html.escape
    body = [
        f"<h1>Closer evals — {esc(str(results.get('model', 'guided')))}</h1>",
        f"<p>Run at {esc(str(results.get('created', '?')))}.</p>",
    ]
    scenarios = results.get("scenarios")
    if scenarios:
        body.append(
            f"<p>{scenarios['scenarios']} scenarios, {scenarios['turns']} turns: "
            f"<b>{scenarios['pass_rate']:.1%}</b> of rubric checks passed "
            f"({scenarios['checks_passed']}/{scenarios['checks_total']}).</p>"
        )
    if line := fallback_line(results):
        body.append(f"<p><b>Fallback:</b> {esc(line)}</p>")
    for title, png in charts(results):
        body.append(
            f"<figure><figcaption>{esc(title)}</figcaption>"
            f'<img alt="{esc(title)}" src="{png_data_uri(png)}"></figure>'
        )
    body.append("<h2>Metrics</h2><table><tr><th>metric</th><th>value</th></tr>")
    body += [f"<tr><td>{esc(n)}</td><td>{esc(v)}</td></tr>" for n, v in _metric_rows(results)]
    body.append("</table>")
    failed = failures(results)
    if failed:
        body.append(
            "<h2>Failed checks</h2><table><tr><th>scenario</th><th>turn</th>"
            "<th>check</th><th>detail</th><th>user</th><th>reply</th></tr>"
        )
        body += [
            "<tr>"
            + "".join(
                f"<td>{esc(f[k])}</td>"
                for k in ("scenario", "turn", "check", "detail", "user", "reply")
            )
            + "</tr>"
            for f in failed
        ]
        body.append("</table>")
    style = (
        "body{font-family:sans-serif;max-width:1000px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top;font-size:13px}img{max-width:100%}"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Closer evals</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
