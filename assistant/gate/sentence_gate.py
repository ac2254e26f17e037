"""The gate between a streaming model and the person: only checked sentences get through.

Text is buffered until a sentence ends.  Nothing is released until the draft so far
reflects the person and does its step's work (``draft_checks``); from then on each finished
sentence is checked on its own and released at once, so the first words still come quickly.
A sentence that fails ends the reply where it stands (it is never shown); a draft that ends
before it ever qualified is rejected, and the caller shows the guided reply instead.
Nothing released is ever taken back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.gate import draft_checks as checks
from assistant.gate.listening import listening_problems, shared_run

# A sentence ends at . ! ? or an ellipsis (and any closing quotes or brackets), then space.
_SENTENCE_END = re.compile("[.!?\u2026]+[\"'\u201d\u2019)\\]]*(?=\\s)")


# Not the gate's own verdicts, but what the reply node records around it: the draft had no
# checked sentence within its time budget; the person pressed Stop.
OUT_OF_TIME = "no checked sentence in time"
STOPPED = "stopped by the person"
# Every reason the gate gives, for reports and tests.
REASONS = (
    "empty",
    "cut off",
    "too long",
    "more than one question",
    "repeats itself",
    "quotes the person at length",
    "repeats an earlier reply",
    "ignores the step",
    "does not reflect the person",
    "leaked guide text",
    "diagnosis",
    "blocking language",
    "invented quote",
    "short echo",
    "cut echo",
    OUT_OF_TIME,
    STOPPED,
)
# The listening check's problems (assistant.gate.listening) as gate reasons.
_LISTENING = {
    "short_echo": "short echo",
    "cut_echo": "cut echo",
    "repeated_sentence": "repeats an earlier reply",
}


@dataclass
class GateVerdict:
    shown: str  # everything released, in order
    rejected: str | None  # why the draft was replaced (nothing of it was shown), or None
    repairs: list[str] = field(default_factory=list)  # why sentences were held back


class SentenceGate:
    """Feed the model's chunks in; get back the text that may be shown now."""

    def __init__(
        self,
        *,
        stage: str,
        person: str,
        echo: str,
        allowed: Sequence[str],
        previous_replies: Sequence[str] = (),
    ) -> None:
        self.stage = stage
        self.previous_replies = list(previous_replies)[-3:]
        self.person = person
        self.echo = echo
        self.allowed = [person, echo, *allowed]
        self.limits = checks.limits()
        self._buffer = ""
        self._held: list[str] = []  # checked sentences waiting for the draft to qualify
        self._shown: list[str] = []
        self.repairs: list[str] = []
        self.stopped = False  # the reply is over: the caller may stop the model

    def feed(self, chunk: str) -> str:
        """The text to show for ``chunk`` (often ""); sets ``stopped`` when the reply ends."""
        if self.stopped:
            return ""
        self._buffer += chunk
        released = []
        while not self.stopped and (match := _SENTENCE_END.search(self._buffer)):
            sentence, self._buffer = self._buffer[: match.end()], self._buffer[match.end() :]
            released.append(self._take(sentence))
        return "".join(released)

    def shown_so_far(self) -> str:
        """Everything released until now (a reply stopped mid-way is saved as this)."""
        return "".join(self._shown).strip()

    def finish(self, *, finished: bool) -> tuple[str, GateVerdict]:
        """The last text to show, and the verdict.  ``finished`` is False when the model hit
        its token limit: the unfinished last sentence is then dropped."""
        tail = ""
        if not self.stopped and finished and checks.word_count(self._buffer):
            tail = self._take(self._buffer)
        elif not self.stopped and checks.word_count(self._buffer):
            self.repairs.append("cut off")
        self._buffer = ""
        if not self._shown:
            reason = self._why_rejected()
            return "", GateVerdict(shown="", rejected=reason, repairs=self.repairs)
        return tail, GateVerdict(shown="".join(self._shown).strip(), rejected=None,
                                 repairs=self.repairs)

    def _take(self, sentence: str) -> str:
        """Check one sentence; return what may be shown now."""
        if not checks.word_count(sentence):
            return ""
        if problem := self._problem(sentence):
            self.repairs.append(problem)
            self.stopped = True
            return ""
        self._held.append(sentence)
        draft = "".join(self._shown + self._held)
        if not self._shown and not self._qualifies(draft):
            return ""
        released = "".join(self._held)
        if not self._shown:
            released = released.lstrip()
        self._shown.extend(self._held)
        self._held = []
        return released

    def _problem(self, sentence: str) -> str | None:
        so_far = "".join(self._shown + self._held)
        if checks.word_count(so_far + sentence) > self.limits["max_words"]:
            return "too long"
        if checks.questions_outside_quotes(so_far + sentence) > self.limits["max_questions"]:
            return "more than one question"
        if checks.repeats(sentence, self._shown + self._held):
            return "repeats itself"
        # Their words pasted back read as parroting; the plan is their own script, said back.
        quote_limit = self.limits.get("max_quote_words", 4)
        if self.stage != "plan" and shared_run(sentence, self.person) > quote_limit:
            return "quotes the person at length"
        for problem in listening_problems(so_far + sentence, self.person, self.previous_replies):
            if problem in _LISTENING:  # length and questions are counted above
                return _LISTENING[problem]
        if not self._shown and checks.word_count(so_far) > self.limits["max_unqualified_words"]:
            return "ignores the step"  # a long way in without doing the step's work
        return checks.sentence_problem(sentence, self.allowed)

    def _qualifies(self, draft: str) -> bool:
        return checks.reflects(draft, self.person, self.echo) and checks.does_step(
            draft, self.stage
        )

    def _why_rejected(self) -> str:
        if self.repairs and not self._held:
            return self.repairs[0]
        draft = "".join(self._held)
        if not checks.word_count(draft):
            return self.repairs[0] if self.repairs else "empty"
        if not checks.reflects(draft, self.person, self.echo):
            return "does not reflect the person"
        if not checks.does_step(draft, self.stage):
            return "ignores the step"
        return self.repairs[0] if self.repairs else "cut off"
