"""Validate the suggestion benchmark data: protocols.yaml and suggest_messages.jsonl.

Usage: .venv/bin/python bench/data/check_data.py
Prints counts and exits non-zero with a list of problems when the data is not valid.
"""

import datetime
import json
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROTOCOLS = HERE / "protocols.yaml"
MESSAGES = HERE / "suggest_messages.jsonl"

TOPICS = set(
    # The desk's topics (inbox/migrations/0002_defaults.py); "" for general questions.
    "litter waste_collection lighting greenery roads street_furniture nuisance gas_electricity parking "
    "travel_documents civil_affairs taxes income_support housing permits".split()
    + [""]
)
DEPARTMENTS = set(
    "waste public-space parking civil-affairs taxes income-support enforcement permits housing".split()
)
CHANNELS = {"whatsapp", "facebook", "instagram", "x"}
SPLITS = {"dev", "test"}
PROTOCOL_FIELDS = {
    "key",
    "title",
    "topic",
    "department",
    "public_space",
    "questions",
    "answers",
    "links",
    "review_by",
}
MESSAGE_FIELDS = {"id", "text", "channel", "expected", "split"}

PROTOCOL_COUNT = (45, 50)
QUESTION_COUNT = (3, 6)
ANSWER_LENGTH = (200, 600)
MIN_MESSAGES = 360
MIN_PER_PROTOCOL = 5
NULL_SHARE = (0.10, 0.20)
TEST_SHARE = (0.25, 0.40)
NEAR_COPY = 0.8  # word-set Jaccard similarity at or above this counts as a near-copy

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MESSAGE_ID = re.compile(r"^m\d{3,}$")
URL = re.compile(r"https?://[^\s,;)]+")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
WORD = re.compile(r"[\w@#']+")

# Rough language guess for the report only: the data has no language field.
EN_WORDS = set("the is my i to a and of in it can do how what where you your we our with for this".split())
NL_WORDS = set("de het een ik mijn mn is van en in op te dat niet wat hoe je we wij er kan voor met".split())


def normalise(text):
    return " ".join(WORD.findall(text.lower()))


def words(text):
    return set(WORD.findall(text.lower()))


def similar(a, b):
    return bool(a and b) and len(a & b) / len(a | b) >= NEAR_COPY


def looks_english(text):
    tokens = WORD.findall(text.lower())
    return sum(t in EN_WORDS for t in tokens) > sum(t in NL_WORDS for t in tokens)


def check_protocols(errors):
    try:
        data = yaml.safe_load(PROTOCOLS.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        errors.append(f"{PROTOCOLS.name}: does not parse: {exc}")
        return []
    if not isinstance(data, dict) or not isinstance(data.get("protocols"), list):
        errors.append(f"{PROTOCOLS.name}: expected a mapping with a 'protocols' list")
        return []
    protocols = data["protocols"]
    if not PROTOCOL_COUNT[0] <= len(protocols) <= PROTOCOL_COUNT[1]:
        errors.append(f"{len(protocols)} protocols, expected {PROTOCOL_COUNT[0]}-{PROTOCOL_COUNT[1]}")
    seen = set()
    for n, item in enumerate(protocols, 1):
        where = f"protocol #{n}"
        if not isinstance(item, dict):
            errors.append(f"{where}: not a mapping")
            continue
        key = item.get("key")
        where = f"protocol {key!r}"
        missing, extra = PROTOCOL_FIELDS - item.keys(), item.keys() - PROTOCOL_FIELDS
        if missing:
            errors.append(f"{where}: missing {sorted(missing)}")
        if extra:
            errors.append(f"{where}: unknown fields {sorted(extra)}")
        if not isinstance(key, str) or not SLUG.match(key):
            errors.append(f"{where}: key must be a slug")
        elif key in seen:
            errors.append(f"{where}: duplicate key")
        seen.add(key)
        if not isinstance(item.get("title"), str) or not item.get("title", "").strip():
            errors.append(f"{where}: title must be a non-empty string")
        if item.get("topic") not in TOPICS:
            errors.append(f"{where}: unknown topic {item.get('topic')!r}")
        if item.get("department") not in DEPARTMENTS:
            errors.append(f"{where}: unknown department {item.get('department')!r}")
        if not isinstance(item.get("public_space"), bool):
            errors.append(f"{where}: public_space must be true or false")
        questions = item.get("questions")
        if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            errors.append(f"{where}: questions must be a list of strings")
        elif not QUESTION_COUNT[0] <= len(questions) <= QUESTION_COUNT[1]:
            errors.append(
                f"{where}: {len(questions)} questions, expected {QUESTION_COUNT[0]}-{QUESTION_COUNT[1]}"
            )
        links = item.get("links")
        if not isinstance(links, list) or not links or not all(isinstance(u, str) for u in links):
            errors.append(f"{where}: links must be a non-empty list of strings")
            links = []
        for url in links:
            if not url.startswith("https://"):
                errors.append(f"{where}: link {url!r} is not https")
        if not isinstance(item.get("review_by"), datetime.date):
            errors.append(f"{where}: review_by must be a date (YYYY-MM-DD)")
        check_answers(item.get("answers"), set(links), where, errors)
    return protocols


def check_answers(answers, links, where, errors):
    if not isinstance(answers, dict) or set(answers) != {"nl", "en"}:
        errors.append(f"{where}: answers must have exactly 'nl' and 'en'")
        return
    urls = {}
    for lang, text in answers.items():
        if not isinstance(text, str):
            errors.append(f"{where}: answer {lang} must be a string")
            continue
        if not ANSWER_LENGTH[0] <= len(text) <= ANSWER_LENGTH[1]:
            errors.append(f"{where}: answer {lang} has {len(text)} characters, expected {ANSWER_LENGTH}")
        placeholders = PLACEHOLDER.findall(text)
        if any(p != "{first_name}" for p in placeholders) or len(placeholders) > 1:
            errors.append(f"{where}: answer {lang} may only use {{first_name}}, once")
        if placeholders and text.find("{first_name}") > 10:
            errors.append(f"{where}: answer {lang} uses {{first_name}} but not at the start")
        urls[lang] = {u.rstrip(".") for u in URL.findall(text)}
        for url in urls[lang] - links:
            errors.append(f"{where}: answer {lang} links {url} which is not in links")
    if len(urls) == 2 and urls["nl"] != urls["en"]:
        errors.append(f"{where}: nl and en answers point to different pages")


def check_messages(keys, questions, errors):
    messages, ids = [], set()
    for n, line in enumerate(MESSAGES.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{MESSAGES.name}:{n}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            msg = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON: {exc}")
            continue
        if not isinstance(msg, dict) or set(msg) != MESSAGE_FIELDS:
            errors.append(f"{where}: fields must be exactly {sorted(MESSAGE_FIELDS)}")
            continue
        if not isinstance(msg["id"], str) or not MESSAGE_ID.match(msg["id"]):
            errors.append(f"{where}: bad id {msg['id']!r}")
        elif msg["id"] in ids:
            errors.append(f"{where}: duplicate id {msg['id']}")
        ids.add(msg["id"])
        if not isinstance(msg["text"], str) or not msg["text"].strip():
            errors.append(f"{where}: text must be a non-empty string")
            continue
        if msg["channel"] not in CHANNELS:
            errors.append(f"{where}: unknown channel {msg['channel']!r}")
        if msg["expected"] is not None and msg["expected"] not in keys:
            errors.append(f"{where}: expected {msg['expected']!r} is not a protocol key")
        if msg["split"] not in SPLITS:
            errors.append(f"{where}: split must be dev or test")
        messages.append(msg)

    seen = {}
    for msg in messages:
        norm = normalise(msg["text"])
        if norm in seen:
            errors.append(f"{msg['id']}: duplicate of {seen[norm]}")
        seen.setdefault(norm, msg["id"])
    # Near-copies between messages, and between a message and a protocol's example question
    # (which would leak the answer into the benchmark).
    bags = [(msg["id"], words(msg["text"])) for msg in messages]
    for i, (id_a, a) in enumerate(bags):
        for id_b, b in bags[i + 1 :]:
            if similar(a, b):
                errors.append(f"{id_a} and {id_b} are near-copies")
        for question, key in questions:
            if similar(a, words(question)):
                errors.append(f"{id_a} is a near-copy of an example question of {key!r}: {question!r}")
    return messages


def report(protocols, messages, errors):
    total = len(messages)
    per_key = Counter((m["expected"], m["split"]) for m in messages)
    for p in protocols:
        key = p.get("key")
        dev, test = per_key[(key, "dev")], per_key[(key, "test")]
        if dev + test < MIN_PER_PROTOCOL:
            errors.append(f"protocol {key!r}: {dev + test} messages, expected at least {MIN_PER_PROTOCOL}")
        if not dev or not test:
            errors.append(f"protocol {key!r}: needs messages in both dev and test")
    if total < MIN_MESSAGES:
        errors.append(f"{total} messages, expected at least {MIN_MESSAGES}")
    if not total:
        return
    nulls = sum(m["expected"] is None for m in messages)
    tests = sum(m["split"] == "test" for m in messages)
    if not NULL_SHARE[0] <= nulls / total <= NULL_SHARE[1]:
        errors.append(f"null share {nulls / total:.1%}, expected {NULL_SHARE[0]:.0%}-{NULL_SHARE[1]:.0%}")
    if not TEST_SHARE[0] <= tests / total <= TEST_SHARE[1]:
        errors.append(f"test share {tests / total:.1%}, expected {TEST_SHARE[0]:.0%}-{TEST_SHARE[1]:.0%}")
    null_tests = per_key[(None, "test")]
    if nulls and not 0 < null_tests < nulls:
        errors.append("null messages need to be in both dev and test")

    english = sum(looks_english(m["text"]) for m in messages)
    print(f"protocols: {len(protocols)}")
    print(f"messages:  {total}  (dev {total - tests}, test {tests} = {tests / total:.1%})")
    print(f"null:      {nulls} = {nulls / total:.1%}  (dev {nulls - null_tests}, test {null_tests})")
    print(f"english:   {english} = {english / total:.1%}  (word-list guess)")
    channels = Counter(m["channel"] for m in messages)
    print("channels:  " + ", ".join(f"{c} {channels[c]}" for c in sorted(channels)))
    print(f"\n{'protocol':36} {'dev':>4} {'test':>4}")
    for p in protocols:
        key = p.get("key")
        print(f"{key!s:36} {per_key[(key, 'dev')]:>4} {per_key[(key, 'test')]:>4}")
    print(f"{'(null)':36} {per_key[(None, 'dev')]:>4} {per_key[(None, 'test')]:>4}")


def main():
    errors = []
    protocols = check_protocols(errors)
    keys = {p.get("key") for p in protocols if isinstance(p, dict)}
    questions = [
        (q, p.get("key"))
        for p in protocols
        if isinstance(p, dict) and isinstance(p.get("questions"), list)
        for q in p["questions"]
        if isinstance(q, str)
    ]
    messages = check_messages(keys, questions, errors)
    report(protocols, messages, errors)
    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for error in errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
