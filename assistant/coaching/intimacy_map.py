"""The intimacy map: seven kinds of closeness rated 1-5, the thinnest named, one small step.

Kinds, wording, the small steps and the tie order are data (``knowledge/intimacy_map.yaml``).
A map is just the ratings (``{"emotional": 3, ...}``); everything else is worked out from
them, so a saved map never goes stale when the wording changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, get_args

from assistant.knowledge import load_yaml

Kind = Literal[
    "emotional", "physical", "sexual", "intellectual", "spiritual", "recreational", "temporal"
]
KINDS: tuple[Kind, ...] = get_args(Kind)
LOW, HIGH = 1, 5


class MapInputError(ValueError):
    """Ratings that cannot be saved: an unknown kind, a rating outside 1-5, a malformed pair.
    The message names every problem, so one correction fixes them all."""


class MapPaused(Exception):
    """The conversation has a standing safety escalation: no coaching, so no map."""


@dataclass(frozen=True)
class KindInfo:
    key: Kind
    label: str
    description: str
    step: str  # one small thing for this week
    request: str  # the step as an example request the person could make
    card: str  # the card the step agrees with
    source: str


@dataclass(frozen=True)
class MapResult:
    """What a set of ratings says: the thinnest kind(s), the one to start with, and why."""

    ratings: dict[str, int]
    neglected: tuple[str, ...]  # every kind at the lowest rating (empty when all are 5)
    focus: str | None  # the one the suggestion is for
    summary: str  # names the thinnest kind, and explains a tie
    suggestion: str
    request: str
    unrated: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "ratings": {kind: self.ratings[kind] for kind in KINDS if kind in self.ratings},
            "neglected": list(self.neglected),
            "focus": self.focus,
            "summary": self.summary,
            "suggestion": self.suggestion,
            "request": self.request,
            "unrated": list(self.unrated),
            "card": kind_info(self.focus).card if self.focus else None,
        }


@cache
def _data() -> dict[str, Any]:
    return load_yaml("intimacy_map.yaml")


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def text(key: str, **values: object) -> str:
    """A sentence from the map's ``text`` data, filled in."""
    return _flat(_data()["text"][key]).format(**values)


def panel_text(key: str, **values: object) -> str:
    """A label or sentence for the page's panel, from the map's ``panel`` data."""
    return _flat(_data()["panel"][key]).format(**values)


@cache
def kind_info(kind: str) -> KindInfo:
    entry = _data()["kinds"][kind]
    return KindInfo(
        key=kind,  # type: ignore[arg-type]  # checked: a key of the data
        **{name: _flat(entry[name]) for name in ("label", "description", "step", "request")},
        card=entry["card"],
        source=_flat(entry["source"]),
    )


def kinds() -> tuple[KindInfo, ...]:
    return tuple(kind_info(kind) for kind in KINDS)


def scale_label(rating: int) -> str:
    return str(_data()["scale"]["labels"][rating])


def question() -> str:
    return _flat(_data()["question"])


# -- input ----------------------------------------------------------------------------------


def _rating(kind: str, value: object) -> tuple[int | None, str | None]:
    """The rating as an int, or why it isn't one."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None, f"{kind}={value}: the rating must be a whole number from {LOW} to {HIGH}"
    if not number.is_integer() or not LOW <= number <= HIGH:
        return None, f"{kind}={value}: the rating must be a whole number from {LOW} to {HIGH}"
    return int(number), None


def validate(ratings: Mapping[str, object]) -> dict[str, int]:
    """Checked ratings (kinds in the fixed order), or MapInputError naming every problem."""
    problems: list[str] = []
    checked: dict[str, int] = {}
    for kind, value in ratings.items():
        key = str(kind).strip().lower()
        if key not in KINDS:
            problems.append(f"{kind!r} is not one of the kinds ({', '.join(KINDS)})")
            continue
        number, problem = _rating(key, value)
        if problem:
            problems.append(problem)
        elif number is not None:
            checked[key] = number
    if problems:
        raise MapInputError("; ".join(problems))
    return {kind: checked[kind] for kind in KINDS if kind in checked}


def parse_pairs(pairs: Iterable[str]) -> dict[str, int]:
    """``["emotional=3", "physical=4"]`` as checked ratings; a kind given twice is refused."""
    raw: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        kind, sep, value = pair.partition("=")
        key = kind.strip().lower()
        if not sep or not key:
            problems.append(f"{pair!r} is not kind=N (e.g. emotional=3)")
        elif key in raw:
            problems.append(f"{key} is given twice")
        else:
            raw[key] = value
    try:
        checked = validate(raw)
    except MapInputError as error:
        problems.append(str(error))
    if problems:
        raise MapInputError("; ".join(problems))
    return checked


# -- reading a map --------------------------------------------------------------------------


def tie_order() -> tuple[str, ...]:
    order = tuple(_data()["tie_order"])
    assert sorted(order) == sorted(KINDS), "tie_order must list each kind once"
    return order


def _labels(keys: Iterable[str]) -> str:
    names = [kind_info(key).label for key in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def read_map(ratings: Mapping[str, object]) -> MapResult:
    """The thinnest kind(s) among those rated and one small step for the one to start with.

    Ties: every kind at the lowest rating is neglected; the step is for the first of them
    in the data's ``tie_order`` (the one that asks least), and the summary says so.
    """
    checked = validate(ratings)
    unrated = tuple(kind for kind in KINDS if kind not in checked)
    if not checked:
        return MapResult({}, (), None, text("none_rated"), "", "", unrated)
    low = min(checked.values())
    if low == HIGH:
        return MapResult(checked, (), None, text("all_strong"), text("keep_step"), "", unrated)
    neglected = tuple(kind for kind in KINDS if checked.get(kind) == low)
    focus = next(kind for kind in tie_order() if kind in neglected)
    info = kind_info(focus)
    if len(neglected) == 1:
        summary = text("one", label=info.label, rating=low)
    else:
        summary = text("tie", labels=_labels(neglected), rating=low, label=info.label)
    return MapResult(checked, neglected, focus, summary, info.step, info.request, unrated)


# -- where the map is offered and shown -----------------------------------------------------


def offer_line(stage: str, *, mapped: bool = False) -> str | None:
    """The one optional line offering the map at check-in and after the plan (None at other
    steps, or once a map is saved): an offer, never a step the person must take."""
    if mapped or stage not in ("check_in", "plan"):
        return None
    return _flat(_data()["offer"][stage])


def command_example(session: str) -> str:
    return _data()["offer"]["command"].format(session=session)


def plan_section(ratings: Mapping[str, object] | None, *, session: str) -> list[str]:
    """Markdown lines for the exported plan: all seven kinds with their ratings and the
    small step, or one line offering the map when there is none yet."""
    plan = _data()["plan"]
    lines = [plan["heading"], ""]
    if not ratings:
        return [*lines, _flat(plan["not_mapped"]).format(session=session), ""]
    result = read_map(ratings)
    lines += [_flat(plan["intro"]), ""]
    for info in kinds():
        rating = result.ratings.get(info.key)
        shown = f"{rating}/5 ({scale_label(rating)})" if rating else "not rated"
        lines.append(f"- **{info.label}**: {shown}")
    lines += ["", result.summary]
    if result.suggestion:
        lines += ["", f"{plan['step_heading']} {result.suggestion}"]
    if result.request:
        lines += [f'> "{result.request}"']
    return [*lines, ""]
