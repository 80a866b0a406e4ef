"""AUC of a confidence for flagging bad frames, and Spearman's rank correlation, on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import rankdata, spearmanr

from tracking_worker.evaluation.confidence import bad_frame_auc, mid_ranks, roc_auc, spearman


def test_mid_ranks_share_the_mean_rank_of_ties():
    assert mid_ranks([3, 1, 3, 2]).tolist() == [3.5, 1.0, 3.5, 2.0]
    assert mid_ranks([]).tolist() == []


def test_mid_ranks_match_scipy_rankdata():
    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.integers(0, 4, size=rng.integers(1, 12))
        np.testing.assert_array_equal(mid_ranks(values), rankdata(values))


def test_auc_is_one_when_every_bad_frame_has_the_lowest_confidence():
    j = [0.9, 0.7, 0.4, 0.1]
    assert bad_frame_auc([0.9, 0.8, 0.3, 0.2], j) == 1.0
    assert bad_frame_auc([0.2, 0.3, 0.8, 0.9], j) == 0.0


def test_auc_counts_the_ordered_pairs():
    # bad: frames 0 (0.1) and 2 (0.35); good: 1 (0.3) and 3 (0.8); 3 of the 4 pairs are ordered
    assert bad_frame_auc([0.1, 0.3, 0.35, 0.8], [0.3, 0.6, 0.2, 0.9]) == 0.75


def test_auc_counts_a_tie_as_half():
    # bad frame 0 ties good frame 1 (1/2) and is below good frame 2 (1)
    assert bad_frame_auc([0.5, 0.5, 0.9], [0.2, 0.8, 0.9]) == 0.75
    assert bad_frame_auc([1.0, 1.0, 1.0], [0.2, 0.8, 0.9]) == 0.5


def test_j_of_one_half_is_a_good_frame():
    assert bad_frame_auc([0.1, 0.9], [0.5, 0.2]) == 0.0


def test_auc_needs_both_good_and_bad_frames():
    assert math.isnan(bad_frame_auc([0.1, 0.9], [0.8, 0.9]))
    assert math.isnan(bad_frame_auc([0.1, 0.9], [0.1, 0.2]))
    assert math.isnan(bad_frame_auc([], []))


def test_frames_without_a_confidence_are_left_out():
    nan = math.nan
    assert bad_frame_auc([nan, 0.2, 0.9], [0.9, 0.1, 0.8]) == 1.0
    assert math.isnan(bad_frame_auc([nan, nan], [0.1, 0.9]))  # no quality head


def test_roc_auc_rejects_lengths_that_differ():
    with pytest.raises(ValueError, match="differ in length"):
        roc_auc([True, False], [0.1])


def test_spearman_of_monotone_sequences_is_plus_or_minus_one():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 45]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_with_ties_by_hand():
    # ranks of b: [1, 2, 3.5, 5, 3.5]; centred ranks a: [-2, -1, 0, 1, 2], b: [-2, -1, .5, 2, .5]
    # rho = 8 / sqrt(10 * 9.5)
    rho = spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
    assert rho == pytest.approx(8 / math.sqrt(95))
    assert rho == pytest.approx(spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic)


def test_spearman_is_nan_without_spread_or_pairs():
    assert math.isnan(spearman([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]))
    assert math.isnan(spearman([0.5], [0.1]))
    assert math.isnan(spearman([math.nan, 0.2, math.nan], [0.1, 0.2, 0.3]))
