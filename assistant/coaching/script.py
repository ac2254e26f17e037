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

FILLERS = re.compile(
    r"\b(?:ugh+|lol|lmao|idk|tbh|ngl|omg|haha+|hmm+|um+|uh+|like,|ok so|okay so|so yeah|"
    r"i guess|honestly|basically|literally|rn|kinda|sorta)\b[,.!]*",
    re.IGNORECASE,
)
LEADS = re.compile(
    r"^(?:(?:ok(?:ay)?|yes|yeah|so|well|and|but|maybe|alright|fine|right)\b[\s,.:!-]*)+",
    re.IGNORECASE,
)
STORY_MARKERS = re.compile(
    r"(?:the )?story i(?:'m| am)? tell(?:ing)? myself is(?: that)?|in my head it means(?: that)?|"
    r"i tell myself(?: that)?|i(?:'m| am) telling myself(?: that)?|"
    r"it feels like it means(?: that)?|"
    r"part of me (?:is convinced|thinks|believes|worries)(?: that)?|i keep thinking(?: that)?|"
    r"my brain says|i think it means(?: that)?|which means",
    re.IGNORECASE,
)
FEELING_FIRST = re.compile(r"^\W*(?:i feel|i'm feeling|im feeling|i am feeling)\b", re.IGNORECASE)
TO_CLOSER = re.compile(
    r"\b(?:what (?:do|should|can) i|should i|do you think|can you|could you help|"
    r"is (?:this|that|it) normal|am i)\b",
    re.IGNORECASE,
)
_PARTNER_TITLE = r"(?:my )?(?:husband|hubby|wife|boyfriend|bf|girlfriend|gf|partner|fianc\w*)"
# Third person to second, longest first so "he's" is not read as "he" + "'s".
_TO_YOU = (
    (rf"\b{_PARTNER_TITLE}'s\b", "your"),
    (rf"\b{_PARTNER_TITLE}\b", "you"),
    (r"\b(?:he|she|they)(?:'s| is)\b|\b(?:hes|shes)\b", "you're"),
    (r"\b(?:he|she|they)(?:'d| would)\b", "you'd"),
    (r"\b(?:he|she|they)(?:'ll| will)\b", "you'll"),
    (r"\b(?:he|she|they) (?:was|were)\b", "you were"),
    (r"\b(?:he|she|they) (?:has|have)\b", "you have"),
    (r"\b(?:he|she|they) (?:doesn't|dont|don't|doesnt)\b", "you don't"),
    (r"\b(?:he|she|they)\b", "you"),
    (r"\b(?:him|them)\b", "you"),
    (r"\b(?:his|their)\b", "your"),
    (r"\bhimself|herself|themselves\b", "yourself"),
)
_VERB_S = re.compile(
    r"\byou ((?:never|always|just|really|still|barely|hardly|rarely|often|only|even) )?"
    r"(\w{3,}?)(es|s)\b"
)
KEEP_S = frozenset({"is", "was", "has", "does", "always", "miss", "pass", "kiss", "guess", "less"})


def to_you(text: str) -> str:
    """The partner spoken to, not about: "he thinks im a burden" -> "you think im a burden".
    "her" is left alone (it is "you" or "your" and only the sentence knows which) unless it
    stands before a word that ends the phrase."""
    for pattern, replacement in _TO_YOU:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = re.sub(r"\bher\b(?=[\s,.!?]*$|\s+(?:to|and|that|when|if|so|more|less)\b)", "you", text)
    return _VERB_S.sub(_agree, text)


def _agree(match: re.Match[str]) -> str:
    adverb, stem, ending = match.group(1) or "", match.group(2), match.group(3)
    word = stem + ending
    if word in KEEP_S or stem.endswith("s") and ending == "s":
        return match.group(0)
    if ending == "es" and not stem.endswith(("sh", "ch", "ss", "x", "o")):
        return f"you {adverb}{stem}e"  # "cares" -> "care"
    return f"you {adverb}{stem}"


def tidy(text: str) -> str:
    """Chat noise out, im -> I'm, one sentence's spacing and punctuation."""
    text = FILLERS.sub(" ", " ".join(text.split()))
    text = re.sub(r"\bim\b", "I'm", text, flags=re.IGNORECASE)
    text = re.sub(r"\bi\b", "I", text)
    text = re.sub(r"\b(dont|cant|wont|didnt|doesnt|isnt)\b", _apostrophe, text)
    text = LEADS.sub("", " ".join(text.split()).strip(" ,.;:-"))
    text = re.sub(r"\s+([,.!?])", r"\1", text).replace("..", ".").strip(" ,;:-")
    return text


def _apostrophe(match: re.Match[str]) -> str:
    word = match.group(1)
    return word[:-1] + "'" + word[-1]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _for_partner(text: str) -> list[str]:
    """The sentences meant for the partner: a question to us is cut off where it starts."""
    kept = []
    for sentence in _sentences(text):
        found = TO_CLOSER.search(sentence)
        sentence = sentence[: found.start()] if found else sentence
        if sentence.strip(" ,.;:-?!"):
            kept.append(sentence.strip(" ,;:-"))
    return kept


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _end(text: str, mark: str = ".") -> str:
    text = text.rstrip(" ,;:-…")
    return text if text.endswith((".", "!", "?")) else text + mark


def story_clause(story: str) -> str:
    """The meaning they made, to the partner: what follows "in my head it means" and the
    like, else the story's own words; no question to us, no fillers."""
    kept = _for_partner(story)
    found = list(STORY_MARKERS.finditer(" ".join(kept)))
    if found and found[-1].end() < len(" ".join(kept)) - 3:
        kept = [" ".join(kept)[found[-1].end() :]]
    elif len(kept) > 1:  # "I feel small. He never asks how I am": the feeling is said apart
        kept = [s for s in kept if not FEELING_FIRST.match(s)] or kept
    text = tidy(" ".join(kept) or story)
    text = re.sub(r"^like\b\s*", "", text, flags=re.IGNORECASE)
    return to_you(tidy(text)).rstrip(".!?")


def say_line(feeling: str, story: str, fallback: str) -> str:
    """"I feel small, and the story I tell myself is that you think I'm a burden." """
    feeling = tidy(feeling).strip(" .,!?\"'")
    clause = story_clause(story) if story else ""
    if feeling and clause:
        return _end(f"I feel {feeling}, and the story I tell myself is that {clause}")
    if clause:
        return _end(f"The story I tell myself is that {clause}")
    if feeling:
        return _end(f"I feel {feeling}, and I want us to feel close")
    return fallback


def ask_line(request: str, fallback: str) -> str:
    """The request as an ask to the partner: fillers and questions to us out, "you"."""
    kept = _for_partner(request)
    text = tidy(" ".join(kept))
    text = re.sub(r"^(?:maybe )?(?:this|something like)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^i(?:'d| would)? (?:want|like) to ask (?:him|her|them) (?:to|if)\s+",
                  "could you ", text, flags=re.IGNORECASE)
    if not text:
        return fallback
    text = to_you(text)
    asks = text.casefold().startswith(("could", "can", "would", "will", "do you", "shall"))
    return _capital(_end(text, "?" if asks else "."))
