"""Reading an answer to a safety question: safe, unsafe, or not an answer.  The reader reads
it as part of the message's one reading, while a question is waiting for its answer.

Explicit words win ("I'm safe", "I have a plan"); then a bare yes or no, read by what the
question asked (``yes_means``).  Uncertain words ("maybe", "sometimes") count as unsafe:
the question was whether the person is at risk, and a half-yes is a yes.  Anything else is
no answer, so the question stands; nothing the person types switches the check off.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from assistant.core.reading import Answer
from assistant.knowledge import find_phrases, load_yaml
from assistant.text import normalise
from assistant.text import words as text_words


@cache
def _words() -> dict[str, Any]:
    return load_yaml("safety/answers.yaml")


def read_answer(message: str, yes_means: str) -> Answer:
    text = normalise(message)
    words = _words()
    if find_phrases(text, words["unsafe"]):
        return "unsafe"
    short = len(text_words(text)) <= 6
    if short and find_phrases(text, words["hedge"]):
        return "unsafe"
    if find_phrases(text, words["safe"]):
        return "safe"
    if short and find_phrases(text, words["no"]):
        return "unsafe" if yes_means == "safe" else "safe"
    if short and find_phrases(text, words["yes"]):
        return "safe" if yes_means == "safe" else "unsafe"
    return "unclear"
