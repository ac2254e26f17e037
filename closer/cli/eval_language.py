"""`closer eval dialogues FILE` and `closer eval reading`: how Closer understands real
language — whole conversations through the graph, and the message reading per signal."""

from __future__ import annotations

import argparse
import json
from typing import Any

from closer.cli import UserError, settings_from


def register(suites: argparse._SubParsersAction) -> None:
    dialogues = suites.add_parser(
        "dialogues",
        help="run whole conversations (JSONL rows {id, turns}) through the graph",
        description="Each row's turns go through one new conversation (guided mode unless "
        "--model); one JSON object per turn with --json, then a summary.",
    )
    dialogues.add_argument("file", metavar="FILE", help="JSONL rows {id, turns: [...]}")
    dialogues.add_argument("--json", action="store_true", help="one JSON object per line")
    dialogues.add_argument("--model", metavar="PATH", help="a chat GGUF (default: guided)")
    dialogues.set_defaults(handler=run_dialogues_command)
    reading = suites.add_parser(
        "reading",
        help="per-signal precision and recall of the message reading, dev and held-out",
    )
    reading.add_argument("--json", action="store_true", help="print one JSON object")
    reading.add_argument("--rules-only", action="store_true", help="skip the learned layer")
    reading.set_defaults(handler=run_reading_command)


def run_dialogues_command(args: argparse.Namespace) -> int:
    from evals.dialogues import DialogueDataError, load_dialogues, run_dialogues
    from graphs.services import open_services

    try:
        rows = load_dialogues(args.file)
    except DialogueDataError as error:
        raise UserError(str(error)) from error
    settings = settings_from(args)
    if not args.model:
        from dataclasses import replace

        settings = replace(settings, model="guided", model_url=None)
    services = open_services(settings)
    try:
        for item in run_dialogues(rows, services):
            if args.json:
                print(json.dumps(item, ensure_ascii=False), flush=True)
            elif item.get("summary"):
                _print_summary(item)
    finally:
        services.store.close()
    return 0


def _print_summary(summary: dict[str, Any]) -> None:
    print(f"{summary['conversations']} conversations, {summary['turns']} turns")
    print(
        f"right step: {summary['right_step_rate']}  false intents: {summary['false_intent_rate']}"
    )
    print(
        f"escalated: {summary['conversations_escalated']}  "
        f"flagged: {summary['conversations_flagged']}"
    )
    print(f"levels: {summary['levels']}  furthest step: {summary['furthest_step']}")
    for kind, figures in summary["by_kind"].items():
        print(f"  {kind}: {figures}")
    for perspective, figures in summary["by_perspective"].items():
        print(f"  perspective {perspective}: {figures}")
    print(
        f"listening check: {summary['listening_pass_rate']} of {summary['coached_turns']} "
        f"coached replies pass; problems: {summary['listening_problems']}"
    )
    for failure in summary["listening_failures"]:
        print(
            f"\n- {failure['id']} turn {failure['turn']} ({failure['stage']}): "
            f"{', '.join(failure['listening'])}\n  person: {failure['user']}\n"
            f"  reply: {failure['reply']}"
        )


def run_reading_command(args: argparse.Namespace) -> int:
    from assistant.reading.reader import TRAIN_PATH
    from evals.data_sets import READING_HELDOUT, describe
    from evals.reading import load_reading_rows, score_reading

    # dev: the set the learned layer is fit on; held-out: written blind, never tuned on.
    sets = {"dev": TRAIN_PATH, "held-out": READING_HELDOUT}

    settings = settings_from(args)
    embedder = None
    if not args.rules_only:
        from graphs.services import default_embedder

        embedder = default_embedder(settings)
    report = {}
    for name, path in sets.items():
        scored = score_reading(load_reading_rows(path), embedder, settings.embeddings_dir)
        scored.pop("errors")
        report[name] = scored
    report["learned"] = embedder is not None
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{'signal':<10} {'dev P':>7} {'dev R':>7} {'held P':>7} {'held R':>7}")
    for signal in report["dev"]["signals"]:
        dev, held = report["dev"]["signals"][signal], report["held-out"]["signals"][signal]
        cells = [dev["precision"], dev["recall"], held["precision"], held["recall"]]
        print(f"{signal:<10} " + " ".join(f"{'-' if c is None else c:>7}" for c in cells))
    print(
        f"false intents: dev {report['dev']['false_intent_rate']}, "
        f"held-out {report['held-out']['false_intent_rate']}"
    )
    for name, path in sets.items():
        print(f"{name}: {describe(path)}")
    print("(dev is the set the learned layer is fit on: a regression guard, not a measure)")
    return 0
