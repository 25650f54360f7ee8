"""Monitoring quality and speed, on the labelled set in bench/data/ (MONITORING.md).

Usage: python bench/monitoring.py [--errors FIELD]
Uses BENCH_DATABASE_URL (default: a SQLite file under var/) for the inbox's topics.

Prints language, sentiment and topic accuracy, needs-answer precision/recall/F1, relevance
precision/recall and district accuracy where a district is named:
- on the examples the enrichment learns from (settings.MONITORING_EXAMPLES_FILE, which holds the
  dev split), by 5-fold cross-validation: each fifth read by classifiers trained on the rest;
- on the held-out test split, by classifiers trained on all examples, and by the word lists alone.
Then the spike detector's alert precision/recall on the synthetic hourly series (and whether any
ordinary week raised an alert), and enrichment throughput in posts per second on one core.
`--errors FIELD` lists the examples the cross-validated enrichment gets wrong for one field: tune on
the examples only, the test split is held out.
"""

import argparse
import json
import random
import sys
import time
from dataclasses import asdict

from benchkit import setup_django

ROOT = setup_django("bench_monitoring.sqlite3")
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(DATA))

import monitoring_series  # noqa: E402
from django.core.management import call_command  # noqa: E402

from monitoring import enrichment, lexicon, spikes  # noqa: E402


def load_posts() -> list[dict]:
    lines = (DATA / "monitoring_posts.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def f1(true_positive: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / actual if actual else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def evaluate(results: list[tuple[dict, enrichment.Analysis]]) -> dict:
    n = len(results)
    answer_tp = sum(p["needs_answer"] and r.needs_answer for p, r in results)
    relevant_tp = sum(p["relevant"] and r.relevant for p, r in results)
    named = [(p, r) for p, r in results if p["district"]]
    return {
        "n": n,
        "language": sum(p["language"] == r.language for p, r in results) / n,
        "sentiment": sum(p["sentiment"] == r.sentiment for p, r in results) / n,
        "topic": sum(p["topic"] == r.topic for p, r in results) / n,
        "needs_answer": f1(
            answer_tp, sum(r.needs_answer for _, r in results), sum(p["needs_answer"] for p, _ in results)
        ),
        "relevance": f1(
            relevant_tp, sum(r.relevant for _, r in results), sum(p["relevant"] for p, _ in results)
        ),
        "district": sum(p["district"] == r.district for p, r in named) / max(1, len(named)),
    }


def fmt(result: dict) -> str:
    answer_p, answer_r, answer_f = result["needs_answer"]
    relevant_p, relevant_r, _ = result["relevance"]
    return (
        f"sentiment {result['sentiment']:.1%}  topic {result['topic']:.1%}  "
        f"needs-answer F1 {answer_f:.2f} (P {answer_p:.2f} R {answer_r:.2f})  "
        f"relevance precision {relevant_p:.1%} (recall {relevant_r:.1%})  "
        f"language {result['language']:.1%}  district {result['district']:.1%}  ({result['n']} posts)"
    )


def cross_validated(examples: list[dict], topics, folds: int = 5) -> list[tuple[dict, enrichment.Analysis]]:
    """Each example read by classifiers that never saw it."""
    shuffled = random.Random(7).sample(examples, len(examples))
    results = []
    for fold in range(folds):
        held = shuffled[fold::folds]
        rest = [post for position, post in enumerate(shuffled) if position % folds != fold]
        readers = enrichment.Readers(topics=topics, learned=enrichment.train(rest, topics))
        results += [(post, enrichment.analyze(post["text"], readers)) for post in held]
    return results


def lists_only(posts: list[dict], topics) -> list[tuple[dict, enrichment.Analysis]]:
    readings = [(post, lexicon.read(post["text"], topics)) for post in posts]
    fields = enrichment.Analysis.__dataclass_fields__
    return [
        (post, enrichment.Analysis(**{f: v for f, v in asdict(r).items() if f in fields}))
        for post, r in readings
    ]


def alerts() -> dict:
    """Alert precision/recall on the synthetic series: an alert is right when it falls in a burst."""
    right = wrong = caught = bursts = 0
    quiet_weeks_with_alerts = 0
    for series in monitoring_series.all_series():
        raised = spikes.detect(series["counts"], start=series["start"])
        in_burst = [any(start <= hour < end for start, end in series["bursts"]) for hour in raised]
        right += sum(in_burst)
        wrong += len(raised) - sum(in_burst)
        bursts += len(series["bursts"])
        caught += sum(any(start <= hour < end for hour in raised) for start, end in series["bursts"])
        quiet_weeks_with_alerts += not series["bursts"] and bool(raised)
    return {
        "precision": right / (right + wrong) if right + wrong else 1.0,
        "recall": caught / bursts if bursts else 1.0,
        "quiet_with_alerts": quiet_weeks_with_alerts,
        "series": len(list(monitoring_series.all_series())),
    }


def throughput(posts: list[dict], readers, seconds: float = 3.0) -> float:
    texts = [post["text"] for post in posts]
    done, begin = 0, time.perf_counter()
    while time.perf_counter() - begin < seconds:
        for text in texts:
            enrichment.analyze(text, readers)
        done += len(texts)
    return done / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--errors", help="list the examples the cross-validated enrichment gets wrong on this field"
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    topics = lexicon.topics()
    examples = enrichment.examples()
    test = [post for post in load_posts() if post["split"] == "test"]
    if {post["text"] for post in test} & {post["text"] for post in examples}:
        sys.exit("a held-out test post is among the examples: remove it from the examples file")
    if args.errors:
        for post, result in cross_validated(examples, topics):
            if post[args.errors] != getattr(result, args.errors):
                want, got = post[args.errors], getattr(result, args.errors)
                print(f"  want {want!s:12} got {got!s:12} {post['text'][:100]}")
        return
    started = time.perf_counter()
    readers = enrichment.current()
    trained_in = time.perf_counter() - started
    print(f"monitoring: {len(examples)} examples (trained in {trained_in:.1f} s), {len(test)} held out")
    print(f"  examples, 5-fold cross-validated: {fmt(evaluate(cross_validated(examples, topics)))}")
    learned = [(post, enrichment.analyze(post["text"], readers)) for post in test]
    print(f"  held-out test:                    {fmt(evaluate(learned))}")
    print(f"  held-out test, word lists alone:  {fmt(evaluate(lists_only(test, topics)))}")
    found = alerts()
    print(
        f"  alerts on {found['series']} synthetic series: precision {found['precision']:.1%}  "
        f"recall {found['recall']:.1%}  ordinary weeks with an alert: {found['quiet_with_alerts']}"
    )
    print(f"  enrichment: {throughput(examples + test, readers):,.0f} posts/s on one core")


if __name__ == "__main__":
    main()
