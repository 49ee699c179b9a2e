"""The arithmetic of the reports: distributions, the SOP compliance share, the IKM.

Definitions (docs/operations.md, "Reports", says the same for readers):

- Durations are in minutes. A distribution has 3-minute buckets: bucket ``k`` holds
  ``3k <= minutes < 3(k+1)``, the last one everything from ``LAST_BUCKET_FROM`` minutes.
- ``median`` is the middle value (the mean of the two middle ones for an even count);
  ``p90`` is the nearest-rank 90th percentile: the smallest value with at least 90 % of
  the values at or below it.
- A duration is within an SOP standard when it is at most the standard (inclusive).
- The IKM (Indeks Kepuasan Masyarakat, PermenPANRB 14/2017) is the weighted mean of the
  element scores (1-4) times 25; with one element, the mean score times 25. Categories
  by the regulation's intervals of the converted value: A 88.31-100, B 76.61-88.30,
  C 65.00-76.60, D 25.00-64.99.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

BUCKET_MINUTES = 3
#: Waits beyond an hour share one bucket (a 57-minute bank wait is a documented field value).
LAST_BUCKET_FROM = 60
BUCKET_COUNT = LAST_BUCKET_FROM // BUCKET_MINUTES + 1
IKM_FACTOR = 25
#: Lower bounds of the IKM categories (PermenPANRB 14/2017, converted interval values).
IKM_CATEGORIES: tuple[tuple[float, str], ...] = ((88.31, "A"), (76.61, "B"), (65.00, "C"))
IKM_LOWEST_CATEGORY = "D"


def bucket_names() -> list[str]:
    """Column names of the buckets: ``min_0_3``, ``min_3_6``, ..., ``min_60_plus``."""
    names = [
        f"min_{start}_{start + BUCKET_MINUTES}"
        for start in range(0, LAST_BUCKET_FROM, BUCKET_MINUTES)
    ]
    return [*names, f"min_{LAST_BUCKET_FROM}_plus"]


def bucket_index(minutes: float) -> int:
    """The bucket a duration falls in (negative durations, a clock step, count as 0)."""
    return min(int(max(minutes, 0.0) // BUCKET_MINUTES), BUCKET_COUNT - 1)


def nearest_rank(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of non-empty ``values``."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Distribution:
    """Count, mean, median, p90, max and the 3-minute bucket counts of some durations."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None
    max: float | None
    buckets: tuple[int, ...]

    def as_row(self) -> dict[str, float | int | None]:
        row: dict[str, float | int | None] = {
            "count": self.count,
            "mean": _rounded(self.mean),
            "median": _rounded(self.median),
            "p90": _rounded(self.p90),
            "max": _rounded(self.max),
        }
        row.update(zip(bucket_names(), self.buckets, strict=True))
        return row


def distribution(minutes: Sequence[float]) -> Distribution:
    buckets = [0] * BUCKET_COUNT
    for value in minutes:
        buckets[bucket_index(value)] += 1
    if not minutes:
        return Distribution(0, None, None, None, None, tuple(buckets))
    return Distribution(
        count=len(minutes),
        mean=statistics.fmean(minutes),
        median=statistics.median(minutes),
        p90=nearest_rank(minutes, 90),
        max=max(minutes),
        buckets=tuple(buckets),
    )


def within_share(minutes: Sequence[float], standard_minutes: float | None) -> float | None:
    """The share (0-1) of durations at most ``standard_minutes``; None without data or standard."""
    if not minutes or standard_minutes is None or standard_minutes <= 0:
        return None
    return sum(1 for value in minutes if value <= standard_minutes) / len(minutes)


def ikm(mean_score: float | None) -> float | None:
    """The IKM (25-100) from the (weighted) mean of the 1-4 element scores."""
    return None if mean_score is None else round(mean_score * IKM_FACTOR, 2)


def ikm_category(value: float | None) -> str | None:
    """The category letter (A best, D worst) of an IKM value."""
    if value is None:
        return None
    for lower_bound, letter in IKM_CATEGORIES:
        if value >= lower_bound:
            return letter
    return IKM_LOWEST_CATEGORY


@dataclass(frozen=True)
class Accuracy:
    """How far estimates were from what happened: mean absolute error and mean bias
    (positive: the estimate was longer than the real wait)."""

    count: int
    mae: float | None
    bias: float | None


def accuracy(pairs: Sequence[tuple[float, float]]) -> Accuracy:
    """``pairs`` of (estimate, actual) minutes."""
    if not pairs:
        return Accuracy(0, None, None)
    errors = [estimate - actual for estimate, actual in pairs]
    return Accuracy(
        count=len(pairs),
        mae=statistics.fmean(abs(error) for error in errors),
        bias=statistics.fmean(errors),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
