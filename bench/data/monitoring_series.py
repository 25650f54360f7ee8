"""Synthetic hourly mention counts for the monitoring benchmark (spike alerts).

Standard library only. Every series is four weeks of hourly counts of mentions of one topic,
starting on a Monday 00:00 in Europe/Amsterdam (winter time, so every day has 24 hours and
hour i is local hour i % 24 of day i // 24; day 0 is a Monday).

    series(kind, seed) -> {"kind", "start", "counts", "bursts"}
    all_series()       -> the fixed benchmark list (CATALOGUE), one dict per series

``bursts`` lists labelled bursts as half-open hour ranges ``[start_hour, end_hour]``: the burst
covers hours start_hour .. end_hour - 1. It is empty for kinds that should raise no alert.

Determinism: the generator draws only from ``random.Random(str).random()``, whose sequence
Python keeps stable across versions (``gauss``, ``randrange`` and friends are not guaranteed),
so the same (kind, seed) gives the same series on every machine and Python 3 version.
See MONITORING.md for the model.
"""

import datetime
import math
import random

HOURS = 4 * 7 * 24  # 672
LAST_WEEK = 3 * 7 * 24  # 504: bursts start at or after this hour
KINDS = ("normal", "burst", "slow_rise", "evening_peak_heavy", "night_burst")

# Relative volume per local hour (0..23), normalised below so the mean over a day is 1.
# Weekdays: quiet night, a morning bump around 8, a flat working day, the evening peak 19-22.
WEEKDAY_SHAPE = (
    0.45, 0.25, 0.12, 0.08, 0.07, 0.10, 0.30, 0.85, 1.40, 1.30, 0.95, 0.85,
    0.90, 0.95, 0.90, 0.90, 0.95, 1.05, 1.35, 1.80, 2.05, 2.10, 1.80, 1.00,
)  # fmt: skip
# Weekends: later nights, no commute bump (a slow late morning), a flatter afternoon,
# the evening peak a little later.
WEEKEND_SHAPE = (
    0.75, 0.55, 0.35, 0.18, 0.10, 0.08, 0.10, 0.20, 0.40, 0.65, 0.90, 1.05,
    1.10, 1.10, 1.05, 1.00, 1.00, 1.05, 1.20, 1.45, 1.80, 2.05, 2.00, 1.40,
)  # fmt: skip
WEEKEND_LEVEL = 0.75  # weekends have fewer mentions in total (Sat 5, Sun 6)
EVENING = range(19, 23)  # the ordinary evening peak, 19:00-22:59
HEAVY_EVENING = 2.4  # evening_peak_heavy: evening hours this much higher again

# Mondays whose four weeks stay in winter time (CET, UTC+01:00): 2025-01-06 .. 2025-02-24.
FIRST_MONDAY = datetime.date(2025, 1, 6)
MONDAYS = 8
CET = datetime.timezone(datetime.timedelta(hours=1))


def _normalised(shape):
    mean = sum(shape) / len(shape)
    return tuple(v / mean for v in shape)


WEEKDAY = _normalised(WEEKDAY_SHAPE)
WEEKEND = _normalised(WEEKEND_SHAPE)


def _poisson(rng, lam):
    """A Poisson draw from rng.random() only (Knuth below 30, a rounded normal above)."""
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    # Box-Muller; 1 - random() is in (0, 1] so the log is defined.
    z = math.sqrt(-2.0 * math.log(1.0 - rng.random())) * math.cos(2.0 * math.pi * rng.random())
    return max(0, round(lam + math.sqrt(lam) * z))


def _uniform(rng, low, high):
    return low + (high - low) * rng.random()


def _integer(rng, low, high):
    """An integer in low..high inclusive."""
    return low + min(int(rng.random() * (high - low + 1)), high - low)


def _baseline(kind, seed):
    """The noise-free hourly rates of series(kind, seed) before bursts, the topic's mean level,
    and the random generator positioned where series() continues drawing."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    rng = random.Random(f"monitoring-series:{kind}:{seed}")
    # Mean mentions per hour of this topic. night_burst topics are small, so that the night is
    # empty (about 0.1-0.5 mentions at 3 a.m.) and a handful of posts there is news.
    level = _uniform(rng, 1.5, 6.0 if kind == "night_burst" else 12.0)
    day_factor = [_uniform(rng, 0.9, 1.1) for _ in range(28)]  # ordinary day-to-day variation
    rates = []
    for hour in range(HOURS):
        day, local = divmod(hour, 24)
        weekend = day % 7 >= 5
        rate = level * (WEEKEND[local] * WEEKEND_LEVEL if weekend else WEEKDAY[local]) * day_factor[day]
        if kind == "evening_peak_heavy" and local in EVENING:
            rate *= HEAVY_EVENING
        if kind == "slow_rise" and day >= 7:
            # Doubling over three weeks: 1.0 at the start of day 7, 2.0 at the end of day 27.
            rate *= 2.0 ** ((hour - 7 * 24) / (HOURS - 7 * 24))
        rates.append(rate)
    return rates, level, rng


def series(kind: str, seed: int) -> dict:
    """Four weeks of hourly mention counts of one topic; see the module docstring."""
    rates, level, rng = _baseline(kind, seed)
    start_day = FIRST_MONDAY + datetime.timedelta(weeks=_integer(rng, 0, MONDAYS - 1))
    start = datetime.datetime.combine(start_day, datetime.time(0, 0), tzinfo=CET)
    rates = list(rates)
    bursts = []
    if kind == "burst":
        length = _integer(rng, 2, 6)
        first = _integer(rng, LAST_WEEK, HOURS - length)
        factor = _uniform(rng, 5.0, 20.0)
        bursts.append([first, first + length])
    elif kind == "night_burst":
        length = _integer(rng, 2, 4)
        day = _integer(rng, 21, 27)
        first = day * 24 + 3  # 03:00
        factor = _uniform(rng, 5.0, 20.0)
        bursts.append([first, first + length])
    for first, end in bursts:
        for hour in range(first, end):
            # A sudden jump to `factor` times the baseline. At night the hour's own rate is ~0,
            # so the baseline is floored at the topic's mean hourly rate: a burst at 3 a.m. is as
            # many posts as a daytime burst, against an empty night. The last hours fade a bit.
            fade = 1.0 - 0.3 * (hour - first) / max(1, end - first - 1)
            rates[hour] = factor * fade * max(rates[hour], level)
    counts = [_poisson(rng, rate) for rate in rates]
    return {"kind": kind, "start": start.isoformat(), "counts": counts, "bursts": bursts}


# The fixed benchmark list: 24 series with a labelled burst, 24 without.
CATALOGUE = (
    [("normal", seed) for seed in range(1, 11)]
    + [("evening_peak_heavy", seed) for seed in range(1, 8)]
    + [("slow_rise", seed) for seed in range(1, 8)]
    + [("burst", seed) for seed in range(1, 17)]
    + [("night_burst", seed) for seed in range(1, 9)]
)


def all_series():
    """Yield the benchmark's series in CATALOGUE order."""
    for kind, seed in CATALOGUE:
        yield series(kind, seed)


if __name__ == "__main__":
    for (kind, seed), item in zip(CATALOGUE, all_series(), strict=True):
        counts = item["counts"]
        print(
            f"{kind:20} seed {seed:2}  start {item['start'][:10]}  total {sum(counts):6}  "
            f"max {max(counts):4}  bursts {item['bursts']}"
        )
