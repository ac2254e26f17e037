"""Guidance cards: Markdown files with YAML front matter in ``knowledge/cards/``.

A card that breaks a rule is refused with a message naming its file, so a typo in the
knowledge base fails loudly at start-up instead of silently shrinking retrieval.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.config import KNOWLEDGE_DIR
from assistant.core.perspective import PERSPECTIVES, Perspective
from assistant.core.stages import STAGES
from assistant.text import sentences

BLOCKING_PHRASES = ("you always", "you never", "if you loved me")
REQUIRED_FIELDS = ("id", "title", "stages", "topics", "source", "tip")
SUPPORTER_SUBDIR = "supporter"  # cards for the supporting partner, under cards/
MIN_WORDS, MAX_WORDS = 60, 200
MAX_TIP_WORDS = 25
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)


class CardError(ValueError):
    """A card file is malformed; the message names the file and the rule it breaks."""


@dataclass(frozen=True)
class GuidanceCard:
    id: str
    title: str
    stages: tuple[str, ...]
    topics: tuple[str, ...]
    source: str
    tip: str
    body: str
    path: Path
    perspective: Perspective = "self"  # whom the card's tip is written for (optional)
    tip_stages: tuple[str, ...] = ()  # the steps the tip fits, when narrower than ``stages``
    supporters_only: bool = False  # from cards/supporter/: never shown to the one who pulls away

    def index_text(self) -> str:
        """The whole card as one passage: title, topics, tip and body."""
        return f"{self.title}. {', '.join(self.topics)}. {self.tip} {self.body}"

    def views(self) -> list[str]:
        """Passages embedded for this card: the whole card, its headline, each sentence.

        A person's short message usually matches one sentence of a card far better than
        the card's average meaning, so every sentence gets its own vector.
        """
        parts = [s for s in sentences(self.body) if len(s.split()) >= 4]
        return [self.index_text(), f"{self.title}. {self.tip}", *parts]


def cards_dir() -> Path:
    return KNOWLEDGE_DIR / "cards"


def parse_card(path: Path) -> GuidanceCard:
    import yaml  # lazy: only needed when cards are read

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CardError(f"{path}: cannot read the card ({error})") from error
    match = _FRONT_MATTER.match(raw)
    if not match:
        raise CardError(f"{path}: missing YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise CardError(f"{path}: front matter is not valid YAML ({error})") from error
    if not isinstance(meta, dict):
        raise CardError(f"{path}: front matter must be a mapping of fields")
    missing = [name for name in REQUIRED_FIELDS if not meta.get(name)]
    if missing:
        raise CardError(f"{path}: missing field(s) {', '.join(missing)}")
    card = GuidanceCard(
        id=str(meta["id"]),
        title=str(meta["title"]).strip(),
        stages=_string_list(path, "stages", meta["stages"]),
        topics=_string_list(path, "topics", meta["topics"]),
        source=str(meta["source"]).strip(),
        tip=" ".join(str(meta["tip"]).split()),
        body=" ".join(match.group(2).split()),
        path=path,
        perspective=str(meta.get("perspective") or "self"),  # type: ignore[arg-type]
        tip_stages=tuple(str(s) for s in meta.get("tip_stages") or ()),
    )
    _validate(card)
    return card


def _string_list(path: Path, name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CardError(f"{path}: '{name}' must be a list of strings")
    return tuple(value)


def _validate(card: GuidanceCard) -> None:
    where = card.path
    if not _ID.match(card.id):
        raise CardError(f"{where}: id {card.id!r} must be kebab-case (a-z, 0-9, '-')")
    if card.perspective not in PERSPECTIVES:
        raise CardError(f"{where}: perspective {card.perspective!r}; use {', '.join(PERSPECTIVES)}")
    unknown = [s for s in card.stages if s not in STAGES]
    if unknown:
        raise CardError(f"{where}: unknown stage(s) {unknown}; use {', '.join(STAGES)}")
    words = len(card.body.split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        raise CardError(f"{where}: body has {words} words; keep it {MIN_WORDS}-{MAX_WORDS}")
    if len(card.tip.split()) > MAX_TIP_WORDS or "?" in card.tip:
        raise CardError(f"{where}: tip must be one sentence of <= {MAX_TIP_WORDS} words, no '?'")
    lowered = card.tip.lower()
    blocked = [p for p in BLOCKING_PHRASES if p in lowered]
    if blocked:
        raise CardError(f"{where}: tip uses blocking language {blocked}")


def load_cards(directory: Path | None = None) -> list[GuidanceCard]:
    """All cards, sorted by id; raises CardError on the first bad card or a duplicate id."""
    directory = directory or cards_dir()
    paths = sorted(directory.glob("*.md"))
    if not paths:
        raise CardError(f"{directory}: no guidance cards (*.md) found")
    cards: dict[str, GuidanceCard] = {}
    for path in paths:
        card = parse_card(path)
        if card.id in cards:
            raise CardError(f"{path}: duplicate id {card.id!r} (also in {cards[card.id].path})")
        cards[card.id] = card
    return sorted(cards.values(), key=lambda c: c.id)


def load_all_cards() -> list[GuidanceCard]:
    """The shared cards (some with supporter tips, searched by everyone) and the supporter's
    own (``cards/supporter/``, which may be absent), tagged ``supporters_only``; those must
    say ``perspective: supporter``."""
    cards = load_cards()
    folder = cards_dir() / SUPPORTER_SUBDIR
    supporter = load_cards(folder) if any(folder.glob("*.md")) else []
    for card in supporter:
        if card.perspective != "supporter":
            raise CardError(f"{card.path}: cards in {folder} need 'perspective: supporter'")
    supporter = [replace(card, supporters_only=True) for card in supporter]
    taken = {card.id: card for card in cards}
    for card in supporter:
        if card.id in taken:
            also = taken[card.id].path
            raise CardError(f"{card.path}: duplicate id {card.id!r} (also in {also})")
    return sorted([*cards, *supporter], key=lambda c: c.id)


def cards_hash(cards: list[GuidanceCard]) -> str:
    """A content hash over every card (fields and body), independent of file paths."""
    digest = hashlib.sha256()
    for card in sorted(cards, key=lambda c: c.id):
        parts = (card.id, card.title, "|".join(card.stages), "|".join(card.topics))
        for part in (*parts, card.perspective, str(card.supporters_only)):
            digest.update(part.encode("utf-8") + b"\0")
        for part in (card.source, card.tip, card.body):
            digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()
