"""Build the real-text held-out sets and training corpora from local copies of public,
licensed corpora (see ``docs/data-card.md`` for each source, its licence and the mapping).

    python -m scripts.build_real_sets SOURCES_DIR

SOURCES_DIR holds the files as they were taken from their sources (nothing here downloads):

- ``rmhd.csv``: the Reddit Mental Health Dataset sample (Low et al. 2020, CC BY 4.0) that
  ships in the ``construct-tracker`` wheel (1.0.16) as
  ``data/datasets/reddit_27_subreddits/rmhd_27subreddits_260posts_test.csv``;
- ``lh/{domestic_violence,divorce,family}.tsv``: LearnedHands posts as LegalBench stores them
  (``tasks/learned_hands_*/data.tsv`` at HazyResearch/legalbench commit 1d7e2c3, CC BY-NC-SA 4.0);
- ``ge/{train,test}.tsv``: GoEmotions (CC BY 4.0) as monologg/GoEmotions-pytorch stores it
  (``data/original/*.tsv``).

Splits are by author (RMHD: a hash of the user name, which is never written out), by the
source's own split (GoEmotions), or whole (LearnedHands: held out only).  Held-out files go
to ``evals/data/heldout/real/``, never fit or tuned on; training rows to ``knowledge/corpora/``.
Rows removed or relabelled on reading are listed in ``REVIEW`` below, by id, with the reason.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "evals" / "data" / "heldout" / "real"
CORPORA = ROOT / "knowledge" / "corpora"

# Words that make a "none" row unsafe to call risk-free without reading it: such rows are kept
# out of every risk-free set and out of the risk-free training rows.
RISK_WORDS = re.compile(
    r"suicid|kill (my|him|her|them)sel|end (it|my life|things)|want(ed)? to die|wanna die|"
    r"self.?harm|cut(ting)? myself|overdos|not (want|wanting) to (live|be alive|exist)|"
    r"don'?t want to (live|be alive|exist|wake)|better off dead|take my (own )?life|"
    r"\bhurt (my|him|her)self|rope|noose|pills",
    re.I,
)
ABUSE_WORDS = re.compile(
    r"\babus|violen|\bhit(s|ting)? me|\bbeat(s|ing)? me|restraining|protective order|"
    r"order of protection|assault|\brap(e|ed)\b|threat|chok|strangl|stalk|\bpolice\b|\bcops?\b",
    re.I,
)
PARTNER_WORDS = re.compile(
    r"\b(husband|wife|boyfriend|girlfriend|bf|gf|partner|spouse|fianc[ée]e?|ex|stbx\w*|"
    r"ex-?husband|ex-?wife|marriage|married|divorc\w*)\b",
    re.I,
)
OTHER_AT_RISK = re.compile(
    r"\bmy (best )?(friend|girlfriend|boyfriend|wife|husband|partner|sister|brother|son|"
    r"daughter|mom|mum|mother|dad|father|cousin|roommate)\b[^.?!]{0,80}"
    r"(suicid|kill (him|her|them)sel|end (his|her|their) life|want(s|ed)? to die|self.?harm|"
    r"cut(s|ting)? (him|her)sel)",
    re.I,
)
PARTNER_AT_RISK = re.compile(r"\bmy (girlfriend|boyfriend|wife|husband|partner|gf|bf)\b", re.I)

# Read by hand (ids are stable: source and a content hash).  Reasons are short.
REVIEW: dict[str, tuple[str, str]] = {
    "rmhd-suicidewatch-e157a2626a": ("drop", "grief for friends lost, the writer's risk is past"),
    "rmhd-suicidewatch-ec5cb917e5": ("abuse/check", "a poem about a partner who hurts the writer"),
    "lh-dv-4690c570e6": ("drop", "a wife's job on bed rest; no abuse in the text"),
    "lh-dv-a595b7fdc5": ("drop", "the writer is the one charged; not our category"),
    "lh-dv-6580128ac7": ("drop", "the writer is the one accused; not our category"),
    "lh-dv-6e18e5f12a": ("abuse/check", "abuse by a partner, now past; the question is a DUI"),
    "lh-dv-b5c598d8da": ("abuse/check", "abuse by an ex, now past; the writer is also accused"),
}

# Posts that mention someone else's risk (found with OTHER_AT_RISK), each read by hand: the
# set it belongs to, category, level and why.  Only these are kept from that pool.
PEOPLE_AT_RISK: dict[str, tuple[str, str, str, str]] = {
    "rmhd-suicidewatch-29e044457d": ("support_other", "none", "none", "a mother's past risk, for advice"),
    "rmhd-suicidewatch-bd153455f1": ("support_other", "none", "none", "a friend trying to kill herself, asking how to help"),
    "rmhd-suicidewatch-e25ead9857": ("support_other", "crisis", "escalate", "a girlfriend who was going to kill herself today"),
    "lh-health-2b5f79a00d": ("support_other", "crisis", "check", "a husband suicidal last week, told beside an eviction"),
    "lh-family-43451bf1b6": ("support_other", "none", "none", "posting for a friend after her suicide attempt"),
    "rmhd-mentalhealth-a6092501ca": ("support_other", "crisis", "check", "a partner's self-harm, asking how to help"),
    "rmhd-mentalhealth-e6afe9b223": ("support_other", "none", "none", "a father who wants to die, a child's worry"),
    "rmhd-ptsd-08383c5ef5": ("support_other", "none", "none", "a husband's attempt last year, the writer's anxiety now"),
    "rmhd-ptsd-a86d04a5b0": ("support_other", "none", "none", "a sister's past thoughts of self-harm"),
    "rmhd-suicidewatch-3b5f3eff3b": ("crisis_self", "crisis", "escalate", "the writer plans suicide tonight"),
    "rmhd-suicidewatch-e75235133e": ("crisis_self", "crisis", "escalate", "the writer sees no exit but suicide"),
    "rmhd-suicidewatch-58fba46c43": ("crisis_self", "crisis", "escalate", "next birthday will be the last"),
    "rmhd-suicidewatch-4f048baf70": ("crisis_self", "crisis", "escalate", "held a knife thinking of killing himself, yesterday"),
    "lh-family-dfdef40e61": ("crisis_self", "crisis", "check", "the writer's suicidal thoughts are increasing"),
    "rmhd-depression-e1b2ceb539": ("crisis_self", "crisis", "escalate", "the writer feels like dying, serious thoughts"),
    "rmhd-mentalhealth-13e42c74c5": ("crisis_self", "crisis", "escalate", "the writer wants to die"),
    "rmhd-schizophrenia-25d06438ee": ("crisis_self", "crisis", "check", "suicidal thoughts told to a mother, help arranged"),
}  # fmt: skip



def goemotions_row(text: str, emotions: set[str], split: str) -> dict[str, str]:
    """A GoEmotions comment as a risk-free row (labels kept as the reason)."""
    return {
        "id": row_id("goemo", text),
        "text": text,
        "category": "none",
        "level": "none",
        "length": "short",
        "why": "GoEmotions comment labelled " + ", ".join(sorted(emotions)),
        "source": f"goemotions:{split}",
    }

def bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % 100


def row_id(prefix: str, text: str) -> str:
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"


def length_of(text: str) -> str:
    return "short" if len(text.split()) < 60 else "forum"


def clean(text: str) -> str:
    text = text.replace("&amp;", "&").replace("&gt;", ">").replace("&lt;", "<")
    text = re.sub(r"https?://\S+", "[link]", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    csv.field_size_limit(10**9)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows")


def reviewed(row: dict) -> dict | None:
    """Apply the hand review: drop a row, or give it another category/level."""
    verdict = REVIEW.get(row["id"])
    if verdict is None:
        return row
    action, why = verdict
    if action == "drop":
        return None
    category, level = action.split("/")
    return {**row, "category": category, "level": level, "why": f"relabelled on reading: {why}"}


def main(sources: Path) -> None:
    rnd = random.Random(23)
    held: dict[str, list[dict]] = {
        "crisis_self": [],
        "abuse_dv": [],
        "distress_relationship": [],
        "support_other": [],
        "everyday_short": [],
        "means_words_hobby": [],
        "loneliness": [],
    }
    train: list[dict] = []
    pool: dict[str, dict] = {}  # posts naming someone else's risk, kept only when read

    # --- RMHD (Low et al. 2020): one post per row, split by author.
    rmhd = read_csv(sources / "rmhd.csv")
    none_train_subs = {
        "divorce", "lonely", "ForeverAlone", "guns", "legaladvice", "personalfinance",
        "UKPersonalFinance", "teaching", "mindfulness", "conspiracy", "ukpolitics",
        "unitedkingdom",
    }  # fmt: skip
    for post in rmhd:
        sub, text = post["subreddit"], clean(post["post"])
        if len(text.split()) < 4:
            continue
        b = bucket(f"rmhd:{post['author']}")
        heldout = b < 77  # about three quarters of the authors are held out
        base = {"id": row_id(f"rmhd-{sub.lower()}", text), "text": text, "length": length_of(text)}
        risky_words = bool(RISK_WORDS.search(text))
        if sub == "suicidewatch":
            if OTHER_AT_RISK.search(text):
                pool[base["id"]] = base
                continue
            row = {
                **base,
                "category": "crisis",
                "level": "escalate",
                "why": "r/SuicideWatch post (source label: the subreddit)",
                "source": "rmhd:suicidewatch",
            }
            (held["crisis_self"] if heldout else train).append(row)
        elif OTHER_AT_RISK.search(text):
            pool[base["id"]] = base
        elif sub in none_train_subs:
            if risky_words:
                continue  # not called risk-free without reading it
            target = {
                "divorce": "distress_relationship",
                "lonely": "loneliness",
                "ForeverAlone": "loneliness",
                "guns": "means_words_hobby",
            }.get(sub)
            row = {
                **base,
                "category": "none",
                "level": "none",
                "why": f"r/{sub} post (source label: the subreddit)",
                "source": f"rmhd:{sub.lower()}",
            }
            if heldout and target:
                held[target].append(row)
            elif not heldout:
                train.append(row)

    # --- LearnedHands (via LegalBench): legal questions people posted; held out only.
    lh_dv = read_csv(sources / "lh" / "domestic_violence.tsv", "\t")
    dv_texts = set()
    for post in lh_dv:
        text = clean(post["text"] or "")
        if post["label"] != "Yes" or len(text.split()) < 4:
            continue
        dv_texts.add(text)
        held["abuse_dv"].append(
            {
                "id": row_id("lh-dv", text),
                "text": text,
                "category": "abuse",
                "level": "escalate",
                "length": length_of(text),
                "why": "LearnedHands: the post deals with domestic violence or abuse"
                + (" (a partner or ex named)" if PARTNER_WORDS.search(text) else ""),
                "source": "learnedhands:domestic_violence",
            }
        )
    for task in ("health", "crime", "courts", "family", "divorce"):
        for post in read_csv(sources / "lh" / f"{task}.tsv", "\t"):
            text = clean(post["text"] or "")
            if OTHER_AT_RISK.search(text) and text not in dv_texts:
                rid = row_id(f"lh-{task}", text)
                pool[rid] = {"id": rid, "text": text, "length": length_of(text)}
    for task in ("divorce", "family"):
        for post in read_csv(sources / "lh" / f"{task}.tsv", "\t"):
            text = clean(post["text"] or "")
            if post["label"] != "Yes" or text in dv_texts or len(text.split()) < 4:
                continue
            if not PARTNER_WORDS.search(text) or ABUSE_WORDS.search(text):
                continue  # relationship posts only; any sign of abuse keeps it out of "none"
            if RISK_WORDS.search(text):
                continue
            held["distress_relationship"].append(
                {
                    "id": row_id(f"lh-{task}", text),
                    "text": text,
                    "category": "none",
                    "level": "none",
                    "length": length_of(text),
                    "why": f"LearnedHands {task} question about a partner or ex, no abuse named",
                    "source": f"learnedhands:{task}",
                }
            )

    # --- GoEmotions: short Reddit comments; the source's train split trains, test is held out.
    names = ["admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral"]
    everyday = {"gratitude", "relief", "optimism", "joy", "caring", "approval", "curiosity"}
    for split in ("train", "test"):
        rows = []
        with (sources / "ge" / f"{split}.tsv").open(encoding="utf-8") as f:
            for line in f:
                text, labels, _ = line.rstrip("\n").split("\t")
                emotions = {names[int(i)] for i in labels.split(",")}
                text = clean(text.replace("[NAME]", "Sam").replace("[RELIGION]", "church"))
                if len(text.split()) < 3 or RISK_WORDS.search(text):
                    continue
                rows.append((text, emotions))
        rnd.shuffle(rows)
        if split == "test":
            picked = [r for r in rows if r[1] & everyday][:400]
            held["everyday_short"] += [goemotions_row(*row, "test") for row in picked]
        else:
            train += [goemotions_row(*row, "train") for row in rows[:1200]]

    for rid, (name, category, level, why) in PEOPLE_AT_RISK.items():
        base = pool[rid]
        source = rid.rsplit("-", 1)[0].replace("-", ":", 1).replace("lh:", "learnedhands:")
        held[name].append(
            {**base, "category": category, "level": level, "why": why, "source": source}
        )

    for name, rows in held.items():
        rows = [r for r in (reviewed(r) for r in rows) if r is not None]
        rows.sort(key=lambda r: r["id"])
        write(HELDOUT / f"{name}.jsonl", rows)
    train = [r for r in (reviewed(r) for r in train) if r is not None]
    train.sort(key=lambda r: r["id"])
    write(CORPORA / "safety_real.jsonl", train)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/rd"))
