"""The plan's script in the person's own voice: the feeling, the story and the request as
sentences they could say to their partner.

The notes hold what they typed to us ("ugh ok. i feel small, like in my head it means he
thinks im a burden"). Pasted as it is, that reads as chat, talks about the partner instead
of to them and keeps the fillers. So: chat noise out, the partner turned to "you", the
feeling said first ("I feel small"), the story as "the story I tell myself is ...", and
nothing that was a question to us.
"""

from __future__ import annotations

import re

from assistant.coaching.script_grammar import tidy, to_you, unquote

__all__ = ["ask_line", "say_line", "story_clause", "tidy", "to_you"]

STORY_MARKERS = re.compile(
    r"(?:the )?story i(?:'m| am)? tell(?:ing)? myself is(?: that)?|in my head it means(?: that)?|"
    r"i tell myself(?: that)?|i(?:'m| am) telling myself(?: that)?|"
    r"it feels like it means(?: that)?|(?:\bi )?\bkeep thinking(?: that)?|"
    r"part of me (?:is convinced|thinks|believes|worries)(?: that)?|"
    r"my brain says|i think it means(?: that)?|which means",
    re.IGNORECASE,
)
FEELING_FIRST = re.compile(r"^\W*(?:i feel|i'm feeling|im feeling|i am feeling)\b", re.IGNORECASE)
FEELING_LEAD = re.compile(
    r"^\W*(?:i feel|i'm feeling|im feeling|i am feeling|feeling|i'm|im|i am)\s+", re.IGNORECASE
)
# Words that make a lead more than a feeling ("lonely when she goes quiet"): left in the story.
NOT_A_FEELING = re.compile(
    r"\b(?:when|because|that|he|she|they|you|him|her|them|like|about|if|since)\b", re.IGNORECASE
)
# The story's own hedge before the meaning: "I think she's decided" -> "she's decided".
STORY_HEDGE = re.compile(
    r"^(?:(?:like|I think|I feel like|I reckon|I guess|I believe)(?: that)?\b[\s,]*)+",
    re.IGNORECASE,
)
TO_CLOSER = re.compile(
    r"\b(?:what (?:do|should|can) i|should i|do you think|can you|could you help|"
    r"is (?:this|that|it) normal|am i)\b",
    re.IGNORECASE,
)
# Talk about the chat itself ("can we skip ahead to the asking bit"), never for the partner.
META = re.compile(
    r"(?:\b(?:can|could) we |\blet'?s )?\b(?:skip (?:ahead|this|to)|"
    r"(?:move on|go back|jump) to the (?:\w+ )?(?:bit|step|part)|"
    r"next (?:bit|step|part|question)|(?:asking|request|next|last) (?:bit|part|step)|"
    r"(?:can|could) we move on\W*$)",
    re.IGNORECASE,
)
# "I want to ask her if we can X", "can i ask him to X": the ask, not the wish to ask.
ASK_VIA = re.compile(
    r"^(?:(?:I(?:'d| would)? (?:want|like)(?: to)?|I(?:'ll| will)|I'm going to|I'm gonna|"
    r"(?:can|could|may) I) )?ask(?: (?:him|her|them|you))? (to|if|whether) ",
    re.IGNORECASE,
)
ASK_MODAL = re.compile(r"^(we|you|he|she|they)(?: (can|could|would|will|might)|'(d)) ", re.I)
ASKS = ("could", "can", "would", "will", "do you", "shall", "may we", "how about", "what about")
# A request with none of these words is a proposal ("Cinema on friday, your pick?").
STATEMENT_WORDS = frozenset(
    {"i", "i'm", "i'd", "i'll", "we", "we're", "you", "let's", "lets", "please", "is", "are",
     "am", "want", "need", "should", "would", "it", "this", "that", "there"}
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _for_partner(text: str) -> list[str]:
    """The sentences meant for the partner: a question or chat meta to us is cut off where
    it starts."""
    kept = []
    for sentence in _sentences(text):
        starts = [found.start() for found in (TO_CLOSER.search(sentence), META.search(sentence))
                  if found]
        sentence = sentence[: min(starts)] if starts else sentence
        if sentence.strip(" ,.;:-?!"):
            kept.append(sentence.strip(" ,;:-"))
    return kept


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _end(text: str, mark: str = ".") -> str:
    text = text.rstrip(" ,;:-…")
    return text if text.endswith((".", "!", "?")) else text + mark


def feeling_words(feeling: str) -> str:
    """The feeling alone: "I feel pressured" -> "pressured"."""
    return FEELING_LEAD.sub("", tidy(feeling)).strip(" .,!?\"'")


def lead_feeling(feeling: str, story: str) -> tuple[str, str]:
    """A story that opens with the feeling ("furious and hurt, and i think ...") gives the
    whole feeling ("furious and hurt") and the story after it."""
    parts = re.split(r"(?<=[.!?,])\s+", story.strip(), maxsplit=1)
    if not feeling or len(parts) < 2:
        return feeling, story
    lead = feeling_words(parts[0])
    if (
        feeling.casefold() in lead.casefold()
        and len(lead.split()) <= 6
        and not NOT_A_FEELING.search(lead)
    ):
        return lead, parts[1]
    return feeling, story


def story_clause(story: str) -> str:
    """The meaning they made, to the partner: what follows "in my head it means" and the
    like, else the story's own words; no question to us, no fillers, no "I think"."""
    kept = _for_partner(story)
    joined = " ".join(kept)
    found = list(STORY_MARKERS.finditer(joined))
    if found and found[-1].end() < len(joined) - 3:
        kept = [joined[found[-1].end() :]]
    elif len(kept) > 1:  # "I feel small. He never asks how I am": the feeling is said apart
        kept = [s for s in kept if not FEELING_FIRST.match(s)] or kept
    text = STORY_HEDGE.sub("", tidy(" ".join(kept)))
    return to_you(tidy(text)).rstrip(".!?")


def say_line(feeling: str, story: str, fallback: str) -> str:
    """"I feel small, and the story I tell myself is that you think I'm a burden." """
    feeling, story = lead_feeling(feeling_words(feeling), story)
    clause = story_clause(story) if story else ""
    if feeling and feeling_words(clause).casefold() == feeling.casefold():
        clause = ""  # "i'm hurt" is the feeling again, not a story
    if feeling and clause:
        return _end(f"I feel {feeling}, and the story I tell myself is that {clause}")
    if clause:
        return _end(f"The story I tell myself is that {clause}")
    if feeling:
        return _end(f"I feel {feeling}, and I want us to feel close")
    return fallback


def _direct(text: str) -> str:
    """"I want to ask if we can call" -> "can we call"; "ask her to X" -> "could you X"."""
    found = ASK_VIA.match(text)
    if not found:
        return text
    rest = text[found.end() :]
    if found.group(1).casefold() == "to":
        return f"could you {rest}"
    modal = ASK_MODAL.match(rest)
    if not modal:
        return text
    subject = "we" if modal.group(1).casefold() == "we" else "you"
    verb = (modal.group(2) or "would").casefold()
    return f"{verb} {subject} {rest[modal.end() :]}"


def _asks(text: str) -> bool:
    if text.casefold().startswith(ASKS):
        return True
    words = set(re.findall(r"[a-z']+", text.casefold()))
    return len(words) <= 12 and not words & STATEMENT_WORDS


def ask_line(request: str, fallback: str) -> str:
    """The request as an ask to the partner: fillers, quote marks and questions to us out,
    "you", and a wish to ask said as the ask."""
    kept = _for_partner(unquote(request))
    text = unquote(tidy(" ".join(kept)))
    text = re.sub(r"^(?:maybe )?(?:this|something like)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = _direct(text)
    if not text:
        return fallback
    text = to_you(text)
    return _capital(_end(text, "?" if _asks(text) else "."))
