"""Validate the monitoring benchmark data: monitoring_posts.jsonl and monitoring_series.py.

Usage: .venv/bin/python bench/data/check_monitoring_data.py   (standard library only)
Prints counts per label and split, a summary of the series, and exits non-zero with a list of
problems when the data is not valid.
"""

import datetime
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTS = HERE / "monitoring_posts.jsonl"
sys.path.insert(0, str(HERE))
import monitoring_series  # noqa: E402  (a sibling module, not a package)

TOPICS = (
    "litter waste_collection lighting greenery roads street_furniture nuisance gas_electricity parking "
    "travel_documents civil_affairs taxes income_support housing permits"
).split()
DISTRICTS = ["Centrum", "Noord", "Oost", "West", "Zuid", "Nieuw-West", "Zuidoost", "Weesp"]
CHANNELS = ["x", "facebook", "instagram"]
LANGUAGES = ["nl", "en"]
SENTIMENTS = ["positive", "neutral", "negative"]
SPLITS = ["dev", "test"]
FIELDS = [
    "id",
    "channel",
    "text",
    "language",
    "sentiment",
    "topic",
    "needs_answer",
    "relevant",
    "district",
    "split",
]

# Posts that are sarcastic (labelled by what is meant: negative) and posts that are news or
# announcements (neutral, relevant, no answer needed). The JSONL has no field for these on purpose:
# they are properties of the text a model must cope with, not labels it predicts. A benchmark may
# import these sets to report accuracy on the hard cases separately.
SARCASM_IDS = frozenset(
    "p014 p024 p031 p032 p040 p041 p042 p054 p055 p058 p063 p069 p078 p094 p108 p111 p112 p129 p131 p143 "
    "p150 p151 p157 p162 p168 p178 p181 p187 p206 p233 p236 p252 p266 p285 p299 p351 p357 p369".split()
)
NEWS_IDS = frozenset(
    "p023 p049 p081 p102 p103 p114 p118 p130 p134 p135 p139 p141 p142 p145 p148 p153 p177 p190 p193 p196 "
    "p199 p201 p202 p223 p225 p238 p246 p247 p249 p253 p262 p264 p286 p317 p324 p329 p334 p335".split()
)

MIN_POSTS = 320
MIN_SARCASM = 30
MIN_NEWS = 25
MIN_IRRELEVANT = 50
MIN_NEEDS_ANSWER = 70
MIN_PER_TOPIC = 8  # relevant posts per topic
ENGLISH_SHARE = (0.20, 0.32)  # "roughly 25%"
TEST_SHARE = (0.25, 0.40)
NEAR_COPY = 0.8  # word-set Jaccard similarity at or above this counts as a near-copy

POST_ID = re.compile(r"^p\d{3,}$")
WORD = re.compile(r"[\w@#']+")

# Series
MIN_SERIES, MIN_WITH_BURSTS, MIN_WITHOUT_BURSTS = 40, 20, 20
WEEK = 7 * 24
BURST_LENGTH = {"burst": (2, 6), "night_burst": (2, 4)}
BURST_JUMP = 4.0  # mean count in a burst >= this x max(same hour of week before, mean hourly count)
NO_BURST_JUMP = 5.0  # in series without bursts, no hour of the last week reaches this
NIGHT_BASELINE = 1.0  # night_burst: mean count at 03:00 over the first three weeks stays below this


def words(text):
    return set(WORD.findall(text.lower()))


def normalise(text):
    return " ".join(WORD.findall(text.lower()))


def one_third(n):
    """Test posts per stratum: one third, rounded half up (7 -> 2, 8 or 9 -> 3)."""
    return int(n / 3 + 0.5)


def check_posts(errors):
    posts, ids = [], set()
    for n, line in enumerate(POSTS.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{POSTS.name}:{n}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            post = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: not JSON: {exc}")
            continue
        if not isinstance(post, dict) or set(post) != set(FIELDS):
            errors.append(f"{where}: fields must be exactly {FIELDS}")
            continue
        where = f"{where} ({post['id']})"
        if not isinstance(post["id"], str) or not POST_ID.match(post["id"]):
            errors.append(f"{where}: bad id {post['id']!r}")
        elif post["id"] in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(post["id"])
        if not isinstance(post["text"], str) or not post["text"].strip():
            errors.append(f"{where}: text must be a non-empty string")
            continue
        for field, allowed in (
            ("channel", CHANNELS),
            ("language", LANGUAGES),
            ("sentiment", SENTIMENTS),
            ("split", SPLITS),
            ("topic", TOPICS + [None]),
            ("district", DISTRICTS + [None]),
        ):
            if post[field] not in allowed:
                errors.append(f"{where}: {field} {post[field]!r} not in {allowed}")
        for field in ("needs_answer", "relevant"):
            if not isinstance(post[field], bool):
                errors.append(f"{where}: {field} must be true or false")
        if post["relevant"] is False and (post["topic"] is not None or post["needs_answer"]):
            errors.append(f"{where}: an irrelevant post must have topic null and needs_answer false")
        posts.append(post)

    expected_ids = [f"p{n:03d}" for n in range(1, len(posts) + 1)]
    if [p["id"] for p in posts] != expected_ids:
        errors.append("ids must run p001, p002, ... in file order")

    by_id = {p["id"]: p for p in posts}
    for name, marked, rule in (
        ("sarcasm", SARCASM_IDS, lambda p: p["sentiment"] == "negative"),
        ("news", NEWS_IDS, lambda p: p["sentiment"] == "neutral" and p["relevant"] and not p["needs_answer"]),
    ):
        for pid in sorted(marked):
            if pid not in by_id:
                errors.append(f"{name}: {pid} is not in {POSTS.name}")
            elif not rule(by_id[pid]):
                errors.append(f"{name}: {pid} breaks the labelling rule for {name} posts")
    if SARCASM_IDS & NEWS_IDS:
        errors.append(f"posts both sarcasm and news: {sorted(SARCASM_IDS & NEWS_IDS)}")

    seen = {}
    for post in posts:
        norm = normalise(post["text"])
        if norm in seen:
            errors.append(f"{post['id']}: duplicate of {seen[norm]}")
        seen.setdefault(norm, post["id"])
    bags = [(p["id"], words(p["text"])) for p in posts]
    for i, (id_a, a) in enumerate(bags):
        for id_b, b in bags[i + 1 :]:
            if a and b and len(a & b) / len(a | b) >= NEAR_COPY:
                errors.append(f"{id_a} and {id_b} are near-copies")
    return posts


def check_counts(posts, errors):
    total = len(posts)
    if total < MIN_POSTS:
        errors.append(f"{total} posts, expected at least {MIN_POSTS}")
    if not total:
        return
    minimums = (
        ("sarcastic posts", len(SARCASM_IDS), MIN_SARCASM),
        ("news posts", len(NEWS_IDS), MIN_NEWS),
        ("irrelevant posts", sum(p["relevant"] is False for p in posts), MIN_IRRELEVANT),
        ("posts needing an answer", sum(p["needs_answer"] is True for p in posts), MIN_NEEDS_ANSWER),
    )
    for what, count, minimum in minimums:
        if count < minimum:
            errors.append(f"{count} {what}, expected at least {minimum}")
    per_topic = Counter(p["topic"] for p in posts if p["relevant"] is True)
    for topic in TOPICS:
        if per_topic[topic] < MIN_PER_TOPIC:
            errors.append(
                f"topic {topic}: {per_topic[topic]} relevant posts, expected at least {MIN_PER_TOPIC}"
            )
    for field, values in (("channel", CHANNELS), ("sentiment", SENTIMENTS), ("district", DISTRICTS)):
        present = {p[field] for p in posts}
        for value in values:
            if value not in present:
                errors.append(f"no post with {field} {value!r}")
    english = sum(p["language"] == "en" for p in posts) / total
    if not ENGLISH_SHARE[0] <= english <= ENGLISH_SHARE[1]:
        errors.append(f"English share {english:.1%}, expected {ENGLISH_SHARE[0]:.0%}-{ENGLISH_SHARE[1]:.0%}")
    tests = sum(p["split"] == "test" for p in posts)
    if not TEST_SHARE[0] <= tests / total <= TEST_SHARE[1]:
        errors.append(f"test share {tests / total:.1%}, expected {TEST_SHARE[0]:.0%}-{TEST_SHARE[1]:.0%}")
    # Stratified split: per topic (null is its own group) one third, rounded, in test.
    strata = defaultdict(Counter)
    for p in posts:
        strata[p["topic"]][p["split"]] += 1
    for topic, split in strata.items():
        n = split["dev"] + split["test"]
        if split["test"] != one_third(n):
            errors.append(
                f"topic {topic}: {split['test']} of {n} in test, expected {one_third(n)} (stratified)"
            )


def print_posts(posts):
    total = len(posts)
    tests = sum(p["split"] == "test" for p in posts)
    print(f"posts:     {total}  (dev {total - tests}, test {tests} = {tests / total:.1%})")
    in_split = Counter(p["split"] for p in posts if p["id"] in SARCASM_IDS)
    print(f"sarcasm:   {len(SARCASM_IDS)}  (dev {in_split['dev']}, test {in_split['test']})")
    in_split = Counter(p["split"] for p in posts if p["id"] in NEWS_IDS)
    print(f"news:      {len(NEWS_IDS)}  (dev {in_split['dev']}, test {in_split['test']})")
    print(f"\n{'label':34} {'dev':>4} {'test':>4} {'all':>4}")
    for field, values in (
        ("language", LANGUAGES),
        ("channel", CHANNELS),
        ("sentiment", SENTIMENTS),
        ("relevant", [True, False]),
        ("needs_answer", [True, False]),
        ("topic", TOPICS + [None]),
        ("district", DISTRICTS + [None]),
    ):
        counts = Counter((p[field], p["split"]) for p in posts)
        for value in values:
            dev, test = counts[(value, "dev")], counts[(value, "test")]
            label = f"{field}={json.dumps(value)}"
            print(f"{label:34} {dev:>4} {test:>4} {dev + test:>4}")
        print()
    relevant = Counter(p["topic"] for p in posts if p["relevant"] is True)
    print("relevant posts per topic: " + ", ".join(f"{t} {relevant[t]}" for t in TOPICS), end="")
    print(f", (none) {relevant[None]}")


def amsterdam_offset(moment):
    """UTC offset in Europe/Amsterdam, or None when the time zone database is not installed."""
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo("Europe/Amsterdam")).utcoffset()
    except Exception:  # zoneinfo missing or no tzdata: the +01:00 check below still applies
        return None


def check_series(errors):
    catalogue = list(monitoring_series.CATALOGUE)
    items = list(monitoring_series.all_series())
    if len(items) != len(catalogue):
        errors.append("all_series() does not yield one series per CATALOGUE entry")
    if len(set(catalogue)) != len(catalogue):
        errors.append("CATALOGUE has duplicate (kind, seed) entries")
    with_bursts = sum(bool(item["bursts"]) for item in items)
    if len(items) < MIN_SERIES:
        errors.append(f"{len(items)} series, expected at least {MIN_SERIES}")
    if with_bursts < MIN_WITH_BURSTS or len(items) - with_bursts < MIN_WITHOUT_BURSTS:
        errors.append(
            f"{with_bursts} series with bursts and {len(items) - with_bursts} without, "
            f"expected at least {MIN_WITH_BURSTS} and {MIN_WITHOUT_BURSTS}"
        )
    if {kind for kind, _ in catalogue} != set(monitoring_series.KINDS):
        errors.append("CATALOGUE must cover every kind")
    try:
        monitoring_series.series("no-such-kind", 1)
        errors.append("series() accepts an unknown kind")
    except ValueError:
        pass

    stats = defaultdict(list)
    seen_counts = {}
    for (kind, seed), item in zip(catalogue, items, strict=False):
        where = f"series {kind}/{seed}"
        again = monitoring_series.series(kind, seed)
        if again != item or monitoring_series.series(kind, seed) != again:
            errors.append(f"{where}: not deterministic")
        if set(item) != {"kind", "start", "counts", "bursts"} or item["kind"] != kind:
            errors.append(f"{where}: keys must be kind, start, counts, bursts, with kind {kind!r}")
            continue
        counts = item["counts"]
        key = tuple(counts)
        if key in seen_counts:
            errors.append(f"{where}: same counts as {seen_counts[key]}")
        seen_counts[key] = where
        if len(counts) != monitoring_series.HOURS or not all(
            isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counts
        ):
            errors.append(f"{where}: counts must be {monitoring_series.HOURS} non-negative integers")
            continue
        check_start(item["start"], where, errors)
        check_bursts(kind, item["bursts"], counts, where, errors, stats)
        check_rhythm(kind, counts, item["bursts"], where, errors, stats)
    return items, stats


def check_start(start, where, errors):
    try:
        moment = datetime.datetime.fromisoformat(start)
    except (TypeError, ValueError):
        errors.append(f"{where}: start {start!r} is not an ISO datetime")
        return
    one_hour = datetime.timedelta(hours=1)
    if moment.weekday() != 0 or moment.time() != datetime.time(0, 0) or moment.utcoffset() != one_hour:
        errors.append(f"{where}: start {start} must be a Monday 00:00 at +01:00")
    end = moment + datetime.timedelta(hours=monitoring_series.HOURS - 1)
    for instant in (moment, end):
        offset = amsterdam_offset(instant)
        if offset is not None and offset != one_hour:
            errors.append(
                f"{where}: {instant} is not in Amsterdam winter time; hour i must be local hour i % 24"
            )


def baseline(counts, hour):
    """Mean count at the same hour of the week in the weeks before `hour` (at most three)."""
    earlier = [counts[h] for h in range(hour - WEEK, -1, -WEEK)][:3]
    return sum(earlier) / len(earlier) if earlier else 0.0


def check_bursts(kind, bursts, counts, where, errors, stats):
    if not isinstance(bursts, list) or not all(
        isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) for x in b) for b in bursts
    ):
        errors.append(f"{where}: bursts must be a list of [start_hour, end_hour]")
        return
    level = sum(counts[: 3 * WEEK]) / (3 * WEEK)
    if kind not in BURST_LENGTH:
        if bursts:
            errors.append(f"{where}: a {kind} series has no bursts")
        # No accidental burst: no hour of the last week far above its usual level.
        jump = max(counts[h] / max(baseline(counts, h), level, 1.0) for h in range(3 * WEEK, len(counts)))
        stats[kind].append(("max_jump", jump))
        if jump >= NO_BURST_JUMP:
            errors.append(
                f"{where}: an hour in the last week is {jump:.1f}x its baseline without a labelled burst"
            )
        return
    if len(bursts) != 1:
        errors.append(f"{where}: a {kind} series has exactly one burst")
        return
    first, end = bursts[0]
    low, high = BURST_LENGTH[kind]
    if not (3 * WEEK <= first < end <= len(counts) and low <= end - first <= high):
        errors.append(f"{where}: burst {bursts[0]} must lie in the last week and last {low}-{high} hours")
        return
    if kind == "night_burst":
        if first % 24 != 3:
            errors.append(f"{where}: a night burst starts at 03:00")
        night = statistics.mean(counts[day * 24 + 3] for day in range(21))
        stats[kind].append(("night_3am", night))
        if night >= NIGHT_BASELINE:
            errors.append(f"{where}: mean count at 03:00 is {night:.2f}; the night should be ~0")
    usual = sum(max(baseline(counts, h), level) for h in range(first, end))
    jump = sum(counts[first:end]) / usual
    stats[kind].append(("burst_jump", jump))
    if jump < BURST_JUMP:
        errors.append(f"{where}: burst is only {jump:.1f}x the usual volume, expected at least {BURST_JUMP}x")


def check_rhythm(kind, counts, bursts, where, errors, stats):
    """The daily and weekly rhythm over the first three weeks (before any burst)."""
    history = counts[: 3 * WEEK]
    mean = statistics.mean(history) or 1.0
    evening = statistics.mean(c for h, c in enumerate(history) if h % 24 in range(19, 23)) / mean
    night = statistics.mean(c for h, c in enumerate(history) if h % 24 in range(2, 6)) / mean
    morning = statistics.mean(c for h, c in enumerate(history) if h % 24 in (8, 9) and h // 24 % 7 < 5) / mean
    midday = (
        statistics.mean(c for h, c in enumerate(history) if h % 24 in (11, 12) and h // 24 % 7 < 5) / mean
    )
    weekday = statistics.mean(sum(history[d * 24 : d * 24 + 24]) for d in range(21) if d % 7 < 5)
    weekend = statistics.mean(sum(history[d * 24 : d * 24 + 24]) for d in range(21) if d % 7 >= 5)
    stats[kind].append(("evening", evening))
    if kind == "evening_peak_heavy":
        if evening < 3.0:
            errors.append(
                f"{where}: evening peak only {evening:.1f}x the mean, expected a heavy peak (>= 3x)"
            )
    elif not 1.6 <= evening <= 2.6:
        errors.append(f"{where}: evening peak {evening:.1f}x the mean, expected 1.6-2.6x")
    if night > 0.25:
        errors.append(f"{where}: nights at {night:.2f}x the mean, expected quiet nights (<= 0.25x)")
    if kind != "evening_peak_heavy" and morning <= midday:
        errors.append(f"{where}: no morning bump on weekdays")
    if weekend >= 0.92 * weekday:
        errors.append(f"{where}: weekend days should be quieter than weekdays")
    # Week-on-week growth: slow_rise doubles over its last three weeks; the rest stays flat.
    hidden = {h for first, end in bursts for h in range(first, end)}
    last = [c for h, c in enumerate(counts) if h >= 3 * WEEK and h not in hidden]
    growth = statistics.mean(last) / statistics.mean(counts[: 3 * WEEK])
    stats[kind].append(("growth", growth))
    expected = (1.3, 1.7) if kind == "slow_rise" else (0.85, 1.15)
    if not expected[0] <= growth <= expected[1]:
        errors.append(
            f"{where}: last week is {growth:.2f}x the first three, expected {expected[0]}-{expected[1]}"
        )


def print_series(items, stats):
    kinds = Counter(item["kind"] for item in items)
    with_bursts = sum(bool(item["bursts"]) for item in items)
    print(
        f"\nseries:    {len(items)}  ({with_bursts} with a burst, {len(items) - with_bursts} without), "
        f"{monitoring_series.HOURS} hours each"
    )
    print(f"{'kind':20} {'n':>3}  measured over the catalogue (min-max)")
    for kind in monitoring_series.KINDS:
        parts = []
        for name in ("evening", "growth", "max_jump", "burst_jump", "night_3am"):
            values = [v for n, v in stats[kind] if n == name]
            if values:
                parts.append(f"{name} {min(values):.2f}-{max(values):.2f}")
        print(f"{kind:20} {kinds[kind]:>3}  " + ", ".join(parts))


def main():
    errors = []
    posts = check_posts(errors)
    check_counts(posts, errors)
    if posts:
        print_posts(posts)
    items, stats = check_series(errors)
    print_series(items, stats)
    if errors:
        print(f"\n{len(errors)} problem(s):", file=sys.stderr)
        for error in errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
