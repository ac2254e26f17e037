"""evals/data/manifest.yaml and the files agree, and held-out data never reaches a fit.

A newcomer reads a set's role from the folder it is in and the manifest; these checks keep
both true: every data file is listed and every entry exists, row counts match, only dev and
regression files feed the learned layers, and no held-out message is a training example.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assistant.reading.reader import TRAIN_PATH as READING_TRAIN
from assistant.reading.reader import training_examples as reading_examples
from assistant.safety.classifier import TRAIN_RECIPE
from assistant.safety.classifier import training_examples as safety_examples
from evals.data_sets import DATA_DIR, ROLES, ROOT, manifest

FIELDS = {"role", "rows", "format", "written_by", "added", "first_read", "use"}
# Held-out messages that are also training examples, word for word: everyday phrases that
# were in both sets since they were added (7667837), each with its own id.  Kept so the
# held-out figures stay comparable; any other overlap fails.
KNOWN_OVERLAP = {"hello? is anyone there", "brb, kid woke up", "can we get to the plan already"}
# A common question that the third blind set's brief named as an example of what people ask
# (2026-12-07); the reading's training rows have it too.  Kept as the writer wrote it.
KNOWN_OVERLAP |= {"are you a real person?"}
MIN_WORDS = 4  # shorter messages ("hi", "ok", "next step pls") are said alike by anyone


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _rows(path: Path) -> list:
    if path.suffix == ".yaml":  # the safety examples: positives by category, then negatives
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return [*(e for items in data["positive"].values() for e in items), *data["negative"]]
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def _messages(row: dict) -> list[str]:
    """A row's messages: a labelled message, or every turn of a conversation."""
    return [row["text"]] if "text" in row else list(row.get("turns", [row.get("query", "")]))


def test_every_data_file_is_in_the_manifest_and_every_entry_exists() -> None:
    on_disk = {p.relative_to(ROOT).as_posix() for p in DATA_DIR.rglob("*") if p.is_file()}
    on_disk.discard("evals/data/manifest.yaml")
    listed = set(manifest())
    assert on_disk - listed == set(), "add these to evals/data/manifest.yaml"
    assert {name for name in listed if not (ROOT / name).is_file()} == set()
    assert {p.name for p in DATA_DIR.iterdir() if p.is_dir()} == set(ROLES)


@pytest.mark.parametrize("name", sorted(manifest()))
def test_each_entry_is_complete_and_its_row_count_matches(name: str) -> None:
    entry = manifest()[name]
    assert set(entry) >= FIELDS, FIELDS - set(entry)
    assert entry["role"] in ROLES
    if name.startswith("evals/data/"):
        assert name.split("/")[2] == entry["role"], "a file lives in its role's folder"
    assert len(_rows(ROOT / name)) == entry["rows"]


def test_only_dev_and_regression_files_are_fit_on() -> None:
    recipe = yaml.safe_load(TRAIN_RECIPE.read_text(encoding="utf-8"))["sources"]
    fit_on = {"safety": set(recipe), "reading": {READING_TRAIN.relative_to(ROOT).as_posix()}}
    for fit, sources in fit_on.items():
        listed = {name for name, entry in manifest().items() if entry.get("fit") == fit}
        assert sources == listed, f"the manifest's `fit: {fit}` entries are what it is fit on"
        assert all(manifest()[name]["role"] in ("dev", "regression") for name in sources)


def test_the_safety_fit_reads_each_source_row_once() -> None:
    """Assembled from its sources, not from a second copy: as many examples as rows kept."""
    recipe = yaml.safe_load(TRAIN_RECIPE.read_text(encoding="utf-8"))["sources"]
    support = len(yaml.safe_load((ROOT / recipe[-1]).read_text())["positive"]["support"])
    total = sum(manifest()[name]["rows"] for name in recipe) - support
    assert len(safety_examples()) == total
    assert not list(TRAIN_RECIPE.parent.glob("*.jsonl")), "no stored copy of the training rows"


def test_no_heldout_message_is_a_training_example() -> None:
    training = {_norm(e.text) for e in [*safety_examples(), *reading_examples()]}
    leaked = {}
    for name, entry in manifest().items():
        if entry["role"] != "heldout":
            continue
        messages = {_norm(m) for row in _rows(ROOT / name) for m in _messages(row)}
        shared = {m for m in messages & training if len(m.split()) >= MIN_WORDS}
        if shared - KNOWN_OVERLAP:
            leaked[name] = sorted(shared - KNOWN_OVERLAP)[:5]
    assert leaked == {}
