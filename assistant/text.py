"""Cleaning what the person typed before anything reads it, and the one normal form that
every rule (flow, blocking, guard, safety) is matched against.

Control characters and terminal escape sequences go, lone surrogates become U+FFFD,
Unicode is NFC-normalised, and over-long messages are cut with a notice the person sees.
Right-to-left text, other scripts and emoji pass through untouched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# C0 and C1 controls except tab and newline; DEL too.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates: echoed back, they flip how the rest of a reply is
# drawn.  Marks (U+200E/F) and joiners stay: scripts and emoji sequences need them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class CleanMessage:
    text: str
    notices: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def clean_message(raw: str | bytes, max_chars: int = 8000) -> CleanMessage:
    """The message as the rest of the app sees it, plus notices about what changed."""
    notices: list[str] = []
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    text = _SURROGATE.sub("\ufffd", raw).replace("\r\n", "\n").replace("\r", "\n")
    stripped = _BIDI.sub("", _CONTROL.sub("", _ANSI.sub("", text)))
    if stripped != text:
        notices.append("Some control characters in your message were removed.")
    text = unicodedata.normalize("NFC", stripped).strip()
    if len(text) > max_chars:
        notices.append(
            f"Your message was {len(text):,} characters long; I kept the first "
            f"{max_chars:,} so the rest of the conversation stays quick."
        )
        text = text[:max_chars].rstrip()
    return CleanMessage(text=text, notices=tuple(notices))


_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\ufeff\u00ad\u180e")
)
# Letters that look like Latin ones (Cyrillic, Greek) and curly quotes.
_LOOKALIKES = str.maketrans("аеорсухіјԁνοτ‘’`´“”", "aeopcyxijdvot''''\"\"")
# An ellipsis is a pause, not the end of a sentence ("he kind of just... didn't stop").
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|\u2026)\s*(?=\w)")
# Contractions typed without the apostrophe ("im a burden", "he doesnt stop").
_BARE_CONTRACTIONS = {
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "hes": "he's",
    "shes": "she's",
    "theyre": "they're",
    "youre": "you're",
    "thats": "that's",
}
# Quotation marks around a phrase ("she'd make sure I 'never felt safe'"), not apostrophes.
_QUOTE_MARK = re.compile(r"(?<![a-z])'|'(?![a-z])")
_BARE_CONTRACTION = re.compile(r"\b(?:" + "|".join(_BARE_CONTRACTIONS) + r")\b")


def fold(text: str) -> str:
    """NFKC, zero-width characters and combining marks gone, case-folded, look-alike letters
    and curly quotes made plain."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).casefold().translate(_LOOKALIKES)


def tidy(folded: str) -> str:
    """Ellipses as pauses, quote marks dropped, bare contractions given their apostrophe,
    single spaces."""
    text = _ELLIPSIS.sub(" ", folded)
    text = _QUOTE_MARK.sub("", text)
    text = _BARE_CONTRACTION.sub(lambda m: _BARE_CONTRACTIONS[m.group(0)], text)
    return re.sub(r"\s+", " ", text).strip()


def normalise(text: str) -> str:
    """The form every rule is matched against: ``tidy(fold(text))``."""
    return tidy(fold(text))
