"""Blind pairwise judging (protocol: /work/shared/judging.md, ``docs`` of the project).

``build_pairs`` turns a ``closer eval dialogues --json`` run and a file of reference replies
(one per turn, written by someone who never saw Closer) into a pair file a judge can read
without learning which side is ours, plus a key file that says so. ``score_verdicts`` reads
the key and any number of judges' verdict files back: Closer's wins, ties and losses, mean
scores per side, agreement between judges, split by step and by safety level.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CONTEXT_MESSAGES = 3
SKIP_FIRST = 2  # the first two turns are mostly greetings: too little to judge a reply by
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
_MARKS = re.compile(r"(\*\*|__|`|^#+\s*)", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


class PairsDataError(ValueError):
    """A run, reference or verdict file that cannot be paired; the message says why."""


def plain(text: str) -> str:
    """The reply as plain sentences: markdown marks and bullets gone, list lines joined as
    sentences. Both sides get exactly this, so the layout does not show the author."""
    text = _LINK.sub(r"\1", _MARKS.sub("", text))
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    sentences = [line if line[-1] in ".!?:…\"'" else line + "." for line in lines if line]
    return " ".join(sentences)


def context_of(turns: Sequence[str], index: int) -> str:
    """The person's last three messages up to and including turn ``index``."""
    start = max(0, index - CONTEXT_MESSAGES + 1)
    return "\n".join(f"Person: {' '.join(t.split())}" for t in turns[start : index + 1])


def build_pairs(
    run: Iterable[Mapping[str, Any]],
    references: Iterable[Mapping[str, Any]],
    *,
    seed: int = 0,
    per_conversation: int = 4,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(pairs, key): a sample of turns after the first two in each conversation that has a
    reference for them; which side is Closer is a seeded coin per pair, and the pairs are
    shuffled so their order says nothing either."""
    refs = {str(row["id"]): row for row in references}
    by_id: dict[str, dict[int, Mapping[str, Any]]] = defaultdict(dict)
    for row in run:
        if not row.get("summary"):
            by_id[str(row["id"])][int(row["turn"])] = row
    rng = random.Random(seed)
    chosen: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for conversation, rows in by_id.items():
        ref = refs.get(conversation)
        if ref is None:
            continue
        turns, replies = list(ref.get("turns") or []), list(ref.get("references") or [])
        if len(turns) < len(rows):  # no turns in the reference file: the run's own messages
            turns = [str(rows[i].get("user", "")) for i in sorted(rows)]
        usable = [
            i for i in sorted(rows) if i >= SKIP_FIRST and i < len(replies) and replies[i]
        ]
        for index in sorted(rng.sample(usable, min(per_conversation, len(usable)))):
            chosen.append(_pair(rows[index], turns, str(replies[index]), rng))
    rng.shuffle(chosen)
    pairs, key = [], []
    for number, (pair, secret) in enumerate(chosen, start=1):
        pair_id = f"p{number:04d}"
        pairs.append({"pair_id": pair_id, **pair})
        key.append({"pair_id": pair_id, **secret})
    return pairs, key


def _pair(
    row: Mapping[str, Any], turns: Sequence[str], reference: str, rng: random.Random
) -> tuple[dict[str, Any], dict[str, Any]]:
    index = int(row["turn"])
    ours, theirs = plain(str(row.get("reply", ""))), plain(reference)
    closer = "A" if rng.random() < 0.5 else "B"
    replies = (ours, theirs) if closer == "A" else (theirs, ours)
    pair = {"context": context_of(turns, index), "reply_A": replies[0], "reply_B": replies[1]}
    secret = {
        "closer": closer,
        "id": str(row["id"]),
        "turn": index,
        "stage": row.get("stage"),
        "safety": (row.get("safety") or {}).get("level", "none"),
    }
    return pair, secret


# -- scoring -----------------------------------------------------------------------------------
WINNERS = ("A", "B", "tie")


def outcome(verdict: Mapping[str, Any], closer: str) -> str:
    """"win", "tie" or "loss" for Closer."""
    winner = str(verdict.get("winner", "")).strip()
    if winner not in WINNERS:
        raise PairsDataError(f"pair {verdict.get('pair_id')}: winner must be A, B or tie")
    if winner == "tie":
        return "tie"
    return "win" if winner == closer else "loss"


def _tally(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    counts = Counter(row["outcome"] for row in rows)
    total = len(rows)
    ours = [row["closer_score"] for row in rows if row["closer_score"] is not None]
    refs = [row["reference_score"] for row in rows if row["reference_score"] is not None]
    return {
        "verdicts": total,
        "wins": counts["win"],
        "ties": counts["tie"],
        "losses": counts["loss"],
        "win_or_tie_rate": round((counts["win"] + counts["tie"]) / total, 4) if total else None,
        "closer_mean": round(sum(ours) / len(ours), 3) if ours else None,
        "reference_mean": round(sum(refs) / len(refs), 3) if refs else None,
    }


def _score(verdict: Mapping[str, Any], side: str) -> float | None:
    value = verdict.get(f"score_{side}")
    return float(value) if isinstance(value, int | float) else None


def judged_rows(
    key: Sequence[Mapping[str, Any]], judges: Sequence[Sequence[Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """One row per verdict: judge number, pair, outcome for Closer, both sides' scores."""
    secrets = {str(row["pair_id"]): row for row in key}
    rows = []
    for judge, verdicts in enumerate(judges, start=1):
        for verdict in verdicts:
            secret = secrets.get(str(verdict.get("pair_id")))
            if secret is None:
                raise PairsDataError(f"judge {judge}: pair {verdict.get('pair_id')} not in key")
            closer = str(secret["closer"])
            other = "B" if closer == "A" else "A"
            rows.append(
                {
                    "judge": judge,
                    "pair_id": str(verdict["pair_id"]),
                    "winner": str(verdict["winner"]).strip(),
                    "outcome": outcome(verdict, closer),
                    "closer_score": _score(verdict, closer),
                    "reference_score": _score(verdict, other),
                    "stage": str(secret.get("stage")),
                    "safety": str(secret.get("safety", "none")),
                }
            )
    return rows


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa for two judges' labels on the same pairs (None: nothing to compare, or
    both judges always gave one and the same label)."""
    total = len(first)
    if total == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / total
    left, right = Counter(first), Counter(second)
    expected = sum(left[label] * right[label] for label in left) / (total * total)
    if expected == 1:
        return None
    return round((observed - expected) / (1 - expected), 4)


def agreement(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For each two judges: pairs both judged, percent agreeing on the winner, kappa."""
    by_judge: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows:
        by_judge[row["judge"]][row["pair_id"]] = row["winner"]
    found = []
    for one, two in itertools.combinations(sorted(by_judge), 2):
        common = sorted(set(by_judge[one]) & set(by_judge[two]))
        first = [by_judge[one][p] for p in common]
        second = [by_judge[two][p] for p in common]
        same = sum(a == b for a, b in zip(first, second, strict=True))
        found.append(
            {
                "judges": [one, two],
                "pairs": len(common),
                "percent": round(100 * same / len(common), 1) if common else None,
                "kappa": cohen_kappa(first, second),
            }
        )
    return found


def score_verdicts(
    key: Sequence[Mapping[str, Any]], judges: Sequence[Sequence[Mapping[str, Any]]]
) -> dict[str, Any]:
    """Every figure the protocol asks for, over all judges' verdicts together."""
    rows = judged_rows(key, judges)
    return {
        "pairs": len(key),
        "judges": len(judges),
        "overall": _tally(rows),
        "by_judge": {str(j): _tally([r for r in rows if r["judge"] == j]) for j in _ids(rows)},
        "agreement": agreement(rows),
        "by_stage": _split(rows, "stage"),
        "by_safety": _split(rows, "safety"),
    }


def _ids(rows: Sequence[Mapping[str, Any]]) -> list[int]:
    return sorted({row["judge"] for row in rows})


def _split(rows: Sequence[Mapping[str, Any]], field: str) -> dict[str, Any]:
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[field]].append(row)
    return {name: _tally(group) for name, group in sorted(groups.items())}
