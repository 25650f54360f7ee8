"""Every benchmark in one run, and one table of the figures at the end: what `make bench` runs.

Usage: python bench/all.py [--quick] [--only ingest,desk]

Runs each script below in turn (never two at once: they would measure each other), shows its own
output as it goes, and collects the figures each writes with `--summary`. Ends with the machine it ran
on and one table (figure, measured, target, PASS/MISS); the README's performance section shows it.
Exit code 1 if a script failed (a lost message, a wrong answer), not for a MISS.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import summary

BENCH = Path(__file__).resolve().parent
# (name, arguments, whether it writes --summary). The soak's length comes from SOAK_MINUTES.
SCRIPTS = [
    ("ingest", [], True),
    ("desk", [], True),
    ("soak", [], True),
    # Suggestion quality; its speed with 1,000 protocols is desk.py's, through gunicorn.
    ("suggest", ["--split", "test", "--quality-only"], False),
    ("monitoring", [], False),
]


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    psql = shutil.which("psql")
    postgres = psql and subprocess.run([psql, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory_kb / 2**20:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{postgres.stdout.strip() if postgres else 'no psql'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="each script's short run (a few minutes in all)")
    parser.add_argument("--only", help="comma-separated script names, e.g. ingest,desk")
    args = parser.parse_args()
    chosen = set(args.only.split(",")) if args.only else None
    rows, failed, timings = [], [], []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for name, arguments, summarises in SCRIPTS:
            if chosen and name not in chosen:
                continue
            command = [sys.executable, str(BENCH / f"{name}.py"), *arguments]
            if args.quick and name in ("ingest", "desk"):
                command.append("--quick")
            output = Path(folder) / f"{name}.json"
            if summarises:
                command += ["--summary", str(output)]
            print(f"\n======== {name}: {' '.join(command[1:])}", flush=True)
            began = time.monotonic()
            code = subprocess.run(command, check=False).returncode  # noqa: S603 (our own scripts)
            timings.append(f"{name} {time.monotonic() - began:.0f} s")
            if code:
                failed.append(f"{name} (exit code {code})")
            if summarises and output.exists():
                rows += json.loads(output.read_text(encoding="utf-8"))
    print(f"\n======== all benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, {time.monotonic() - started:.0f} s")
    print(f"machine: {machine()}")
    print(f"time per script: {', '.join(timings)}")
    print(summary.table(rows))
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
