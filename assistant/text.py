"""Cleaning what the person typed before anything reads it.

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
    stripped = _CONTROL.sub("", _ANSI.sub("", text))
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
