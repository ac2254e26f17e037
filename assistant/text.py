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


_WORDS = re.compile(r"[\w']+")
# A sentence ends at . ! ? or a line break, then space.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?\n])\s+")
# The screen cuts at ; and : too ("new rule: he hits me" is a sentence of its own).
_CLAUSE = re.compile(r"[^.!?;:\n]+[.!?;:\n]*")


def words(text: str) -> list[str]:
    """Words with their apostrophes ("don't", "i'm"), as the readers count them."""
    return _WORDS.findall(text)


def sentences(text: str, *, clauses: bool = False) -> list[str]:
    """``text`` cut after each . ! ? or line break (``clauses``: and at ; and :, stripped)."""
    if clauses:
        return [s.strip() for s in _CLAUSE.findall(text) if s.strip()]
    return [part for part in _SENTENCE_BREAK.split(text) if part.strip()]


_LEET = str.maketrans("013457@$!|", "oieastasii")
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|']*[a-z][a-z0-9@$!|']*")
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z][.\-_*]){2,}[a-z]\b")
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b")


def _unleet(token: re.Match[str]) -> str:
    # Digits and symbols inside a word are letters in disguise ("k1ll", "d1e", "t0");
    # a trailing "!" or "|" is punctuation ("me!").
    word = token.group(0)
    tail = len(word) - len(word.rstrip("!|"))
    head, rest = (word[:-tail], word[-tail:]) if tail else (word, "")
    return head.translate(_LEET) + rest


def screen_form(text: str) -> str:
    """The screen's form: ``normalise`` with obfuscation undone first.

    "K1LL mys3lf", "s u i c i d e", full-width letters and zero-width joiners all come out
    as plain lower-case words, so the rules only have to be written once.  Only the screen
    un-disguises letters: elsewhere "20min" must stay a duration.
    """
    text = _LEET_TOKEN.sub(_unleet, fold(text))
    text = _DOTTED_LETTERS.sub(lambda m: re.sub(r"[.\-_*]", "", m.group(0)), text)
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    return tidy(text)
