"""Monitoring quality and speed, on the labelled set in bench/data/ (MONITORING.md).

Usage: python bench/monitoring.py [--split dev|test|both] [--errors FIELD]
Uses BENCH_DATABASE_URL (default: a SQLite file under var/) for the inbox's topics.

Prints, per split: language, sentiment and topic accuracy, needs-answer precision/recall/F1,
relevance precision/recall, district accuracy where a district is named; the spike detector's alert
precision/recall on the synthetic hourly series (and whether any ordinary week raised an alert); and
enrichment throughput in posts per second on one core. `--errors FIELD` lists the dev posts the
enrichment gets wrong for one field: tune on dev only, the test split is held out.
"""

import argparse
import json
import sys
import time

from benchkit import setup_django

ROOT = setup_django("bench_monitoring.sqlite3")
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(DATA))

import monitoring_series  # noqa: E402
from django.core.management import call_command  # noqa: E402

from monitoring import enrichment, spikes  # noqa: E402


def load_posts() -> list[dict]:
    lines = (DATA / "monitoring_posts.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def f1(true_positive: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / actual if actual else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


def evaluate(posts: list[dict], known) -> dict:
    results = [(post, enrichment.analyze(post["text"], known)) for post in posts]
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


def show_errors(posts: list[dict], known, field: str) -> None:
    for post in posts:
        result = enrichment.analyze(post["text"], known)
        if post[field] != getattr(result, field):
            print(f"  want {post[field]!s:12} got {getattr(result, field)!s:12} {post['text'][:110]}")


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


def throughput(posts: list[dict], known, seconds: float = 3.0) -> float:
    texts = [post["text"] for post in posts]
    done, begin = 0, time.perf_counter()
    while time.perf_counter() - begin < seconds:
        for text in texts:
            enrichment.analyze(text, known)
        done += len(texts)
    return done / (time.perf_counter() - begin)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--errors", help="list the dev posts wrong on this field")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    known = enrichment.topics()
    posts = load_posts()
    if args.errors:
        show_errors([p for p in posts if p["split"] == "dev"], known, args.errors)
        return
    print(f"monitoring: {len(posts)} labelled posts")
    for split in ["dev", "test"] if args.split == "both" else [args.split]:
        print(f"  {split:4}: {fmt(evaluate([p for p in posts if p['split'] == split], known))}")
    found = alerts()
    print(
        f"  alerts on {found['series']} synthetic series: precision {found['precision']:.1%}  "
        f"recall {found['recall']:.1%}  ordinary weeks with an alert: {found['quiet_with_alerts']}"
    )
    print(f"  enrichment: {throughput(posts, known):,.0f} posts/s on one core")


if __name__ == "__main__":
    main()
