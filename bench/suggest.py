"""Suggestion quality and speed, on the labelled set in bench/data/.

Usage: python bench/suggest.py [--split dev|test|both] [--tune] [--quality-only]
Uses BENCH_DATABASE_URL (default: a SQLite file under var/) so it never touches your data.

Prints, per split: top-1 and top-3 accuracy on messages a protocol answers, how often "nothing fits"
is right for messages no protocol answers, and wrong "nothing fits" on answerable ones; then p50/p95
of POST /api/v1/protocols/suggest/ with the set's protocols and with 1,000. `--tune` searches the
weights and threshold on the dev split only: the test split is held out and never tuned on.
"""

import argparse
import itertools
import json
import statistics
import time

from benchkit import setup_django

ROOT = setup_django("bench_suggest.sqlite3")
DATA = ROOT / "bench" / "data"

import numpy as np  # noqa: E402
from benchkit.protocolset import add_fillers, import_set  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import provision_user  # noqa: E402
from protocols import suggest as engine  # noqa: E402
from protocols.models import Protocol, ProtocolVersion  # noqa: E402


def load_messages() -> list[dict]:
    lines = (DATA / "suggest_messages.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def reset_protocols() -> None:
    Protocol.objects.update(current=None)
    ProtocolVersion.objects.all().delete()
    Protocol.objects.all().delete()
    import_set()


def evaluate(messages: list[dict], index, threshold: float) -> dict:
    answerable = [m for m in messages if m["expected"]]
    unanswerable = [m for m in messages if not m["expected"]]
    top1 = top3 = wrong_none = right_none = 0
    for message in messages:
        order = [index.keys[i] for i, _score in engine.ranked(message["text"], index, threshold=threshold)]
        if message["expected"]:
            top1 += bool(order) and order[0] == message["expected"]
            top3 += message["expected"] in order
            wrong_none += not order
        else:
            right_none += not order
    return {
        "top1": top1 / max(1, len(answerable)),
        "top3": top3 / max(1, len(answerable)),
        "none_right": right_none / max(1, len(unanswerable)),
        "none_wrong": wrong_none / max(1, len(answerable)),
        "n": len(messages),
    }


def tune(messages: list[dict], index) -> None:
    best = None
    for grams, meaning in itertools.product([0.3, 0.4, 0.5, 0.6], [0.2, 0.25, 0.3, 0.35]):
        passage = round(1 - grams - meaning, 2)
        if passage < 0.1:
            continue
        engine.WEIGHT_GRAMS, engine.WEIGHT_MEANING, engine.WEIGHT_PASSAGE = grams, meaning, passage
        for threshold in np.arange(0.1, 0.6, 0.02).round(2):
            result = evaluate(messages, index, threshold)
            goal = result["top1"] + result["top3"] + 0.5 * result["none_right"] - result["none_wrong"]
            if best is None or goal > best[0]:
                best = (goal, grams, meaning, passage, threshold, result)
    _goal, grams, meaning, passage, threshold, result = best
    weights = f"grams {grams}, meaning {meaning}, passage {passage}, threshold {threshold}"
    print(f"best on dev: {weights}: {fmt(result)}")


def fmt(result: dict) -> str:
    return (
        f"top-1 {result['top1']:.1%}  top-3 {result['top3']:.1%}  "
        f"'nothing fits' right {result['none_right']:.1%}  wrongly empty {result['none_wrong']:.1%}  "
        f"({result['n']} messages)"
    )


def latency(messages: list[dict], client: APIClient, rounds: int = 500) -> tuple[float, float]:
    client.post("/api/v1/protocols/suggest/", {"text": "warm up"}, format="json")
    timings = []
    for message in itertools.islice(itertools.cycle(messages), rounds):
        begin = time.perf_counter()
        response = client.post("/api/v1/protocols/suggest/", {"text": message["text"]}, format="json")
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.content
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument(
        "--quality-only", action="store_true", help="skip the in-process timing with 1,000 (bench/desk.py)"
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    reset_protocols()
    messages = load_messages()
    index = engine._current_index()
    print(f"suggestions: {len(index.keys)} protocols, {len(messages)} labelled messages")
    if args.tune:
        tune([m for m in messages if m["split"] == "dev"], index)
        return
    for split in ["dev", "test"] if args.split == "both" else [args.split]:
        part = [m for m in messages if m["split"] == split]
        print(f"  {split:4}: {fmt(evaluate(part, index, engine.THRESHOLD))}")
    agent = User.objects.filter(username="bench-agent").first() or provision_user(
        username="bench-agent",
        role="agent",
        password="bench-password-1",  # noqa: S106
        team_slug="webcare",
    )
    if args.quality_only:
        return
    client = APIClient()
    client.force_authenticate(agent)
    p50, p95 = latency(messages, client)
    print(f"  suggest API with {len(index.keys)} protocols: p50 {p50:.1f} ms  p95 {p95:.1f} ms")
    add_fillers(1000)
    engine._current_index()
    p50, p95 = latency(messages, client)
    count = Protocol.objects.published().count()
    print(f"  suggest API with {count} protocols: p50 {p50:.1f} ms  p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
