"""The report arithmetic at its edges: bucket bounds, percentiles, IKM categories."""

from __future__ import annotations

import pytest

from queue_server.domain.report_math import (
    accuracy,
    bucket_index,
    bucket_names,
    distribution,
    ikm,
    ikm_category,
    nearest_rank,
    within_share,
)


def test_three_minute_buckets_with_an_open_last_one() -> None:
    names = bucket_names()
    assert names[:2] == ["min_0_3", "min_3_6"] and names[-1] == "min_60_plus" and len(names) == 21
    assert [bucket_index(value) for value in (0, 2.99, 3.0, 5.99, 59.99, 60, 600)] == [
        0, 0, 1, 1, 19, 20, 20,
    ]  # fmt: skip
    assert bucket_index(-0.5) == 0  # a clock step backwards counts as no wait


def test_distribution_figures() -> None:
    figures = distribution([1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 20.0, 30.0, 40.0, 50.0])
    assert (figures.count, figures.mean, figures.median, figures.p90, figures.max) == (
        10, 17.0, 10.0, 40.0, 50.0,
    )  # fmt: skip
    assert figures.buckets[0] == 2 and figures.buckets[1] == 2 and figures.buckets[3] == 2
    empty = distribution([])
    assert empty.count == 0 and empty.mean is None and sum(empty.buckets) == 0


def test_nearest_rank_percentile() -> None:
    assert nearest_rank([5.0], 90) == 5.0
    assert nearest_rank([float(value) for value in range(1, 21)], 90) == 18.0
    assert nearest_rank([float(value) for value in range(1, 12)], 90) == 10.0  # ceil(9.9) = 10


def test_within_the_standard_is_inclusive() -> None:
    assert within_share([10.0, 10.01, 4.0, 9.99], 10) == 0.75
    assert within_share([], 10) is None and within_share([3.0], None) is None
    assert within_share([3.0], 0) is None  # a step without a standard time


@pytest.mark.parametrize(
    ("mean_score", "value", "letter"),
    [
        (4.0, 100.0, "A"),
        (3.5324, 88.31, "A"),
        (3.532, 88.3, "B"),
        (3.0644, 76.61, "B"),
        (3.064, 76.6, "C"),
        (2.6, 65.0, "C"),
        (2.5996, 64.99, "D"),
        (1.0, 25.0, "D"),
    ],
)
def test_ikm_and_its_category_per_permenpanrb_14_2017(
    mean_score: float, value: float, letter: str
) -> None:
    assert ikm(mean_score) == value
    assert ikm_category(ikm(mean_score)) == letter


def test_accuracy_mae_and_bias() -> None:
    result = accuracy([(10.0, 12.0), (5.0, 2.0)])
    assert (result.count, result.mae, result.bias) == (2, 2.5, 0.5)
    assert accuracy([]).mae is None
