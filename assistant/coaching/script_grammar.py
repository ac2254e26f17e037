"""The word-level grammar of the plan's script (``assistant.coaching.script``): chat noise
out, and the partner spoken to ("she's decided" -> "you've decided", "he goes" -> "you go",
"her head" -> "your head")."""

from __future__ import annotations

import re

FILLERS = re.compile(
    r"\b(?:ugh+|lol|lmao|idk|tbh|ngl|omg|haha+|hmm+|um+|uh+|like,|ok so|okay so|so yeah|"
    r"i guess|honestly|basically|literally|rn|kinda|sorta)\b[,.!]*|\blike\b(?=\s+\d)",
    re.IGNORECASE,
)
LEADS = re.compile(
    r"^(?:(?:ok(?:ay)?|yes|yeah|so|well|and|but|maybe|alright|fine|right)\b[\s,.:!-]*)+",
    re.IGNORECASE,
)
_PARTNER_TITLE = r"(?:my )?(?:husband|hubby|wife|boyfriend|bf|girlfriend|gf|partner|fianc\w*)"
_ADVERB = r"(?:never|always|just|really|still|already|barely|hardly|rarely|often|only|even|clearly)"
# "she's decided" is "she has decided": 's before a past participle is "has".
_PARTICIPLE = (
    r"(?:given|decided|gone|got|gotten|been|stopped|done(?!\s+with)|had|made|left|fallen|lost|moved|"
    r"found|become|forgotten|taken|chosen|changed|started|finished|checked|met|told|said|"
    r"heard|seen|known|grown|switched|shut|quit|missed|cheated|lied|agreed|promised|tried)"
)
_HAS = re.compile(
    rf"\b(?:he|she|they)(?:'s| has| have)\b(\s+{_ADVERB})?(?=\s+{_PARTICIPLE}\b)"
    rf"|\b(?:hes|shes)\b(\s+{_ADVERB})?(?=\s+{_PARTICIPLE}\b)",
    re.IGNORECASE,
)
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
# "her" before what is hers is "your": "in her head", "her pick of film".
_HER_NOUNS = (
    r"(?:head|mind|heart|friends?|mates?|mum|mom|mam|dad|parents|family|sister|brother|phone|"
    r"job|work|pick|choice|own|ex|feelings|life|time|side|way|turn|space|plans?|room|car|"
    r"laptop|boss|hobby|hobbies|attention|needs|career)"
)
_VERB_S = re.compile(rf"\byou ({_ADVERB} )?(\w{{3,}}?)(es|s)\b")
KEEP_S = frozenset(
    {"is", "was", "always", "miss", "pass", "kiss", "guess", "less", "lots", "guys", "yes"}
)
QUOTES = "'\"\u201c\u201d\u2018\u2019"
IRREGULAR = {"goes": "go", "does": "do", "has": "have"}
_CONTRACTIONS = re.compile(
    r"\b(dont|cant|wont|didnt|doesnt|isnt|wasnt|arent|havent|hasnt|wouldnt|couldnt|"
    r"shouldnt|thats|whats|theres)\b",
    re.IGNORECASE,
)


def to_you(text: str) -> str:
    """The partner spoken to, not about: "he thinks im a burden" -> "you think im a burden".
    "her" is left alone (it is "you" or "your" and only the sentence knows which) unless it
    stands before a word that ends the phrase, or before what is hers ("her head")."""
    text = _HAS.sub(lambda m: "you've" + (m.group(1) or m.group(2) or ""), text)
    for pattern, replacement in _TO_YOU:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    text = re.sub(r"\bher\b(?=[\s,.!?]*$|\s+(?:to|and|that|when|if|so|more|less)\b)", "you", text)
    text = re.sub(rf"\bher\b(?=\s+{_HER_NOUNS}\b)", "your", text, flags=re.IGNORECASE)
    return _VERB_S.sub(_agree, text)


def _agree(match: re.Match[str]) -> str:
    adverb, stem, ending = match.group(1) or "", match.group(2), match.group(3)
    word = stem + ending
    if word.casefold() in IRREGULAR:
        return f"you {adverb}{IRREGULAR[word.casefold()]}"
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
    text = re.sub(r"\btv\b", "TV", text, flags=re.IGNORECASE)
    text = _CONTRACTIONS.sub(_apostrophe, text)
    text = LEADS.sub("", " ".join(text.split()).strip(" ,.;:-"))
    text = re.sub(r"\s+([,.!?])", r"\1", text).replace("..", ".").strip(" ,;:-")
    return text


def _apostrophe(match: re.Match[str]) -> str:
    word = match.group(1)
    return word[:-1] + "'" + word[-1]


def unquote(text: str) -> str:
    """Quote marks wrapped round the whole text (they quoted what they will say) off."""
    text = text.strip()
    bare = text.rstrip(".!?")
    if len(bare) > 1 and bare[0] in QUOTES and bare[-1] in QUOTES:
        return bare[1:-1].strip() + text[len(bare) :]
    return text
