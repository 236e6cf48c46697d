"""The built-in simulated cell type."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from skattchrome.datasets import REFERENCE_MARKS, bin_offsets, make_chromatin_data

H3K27ME3, H3K36ME3, H3K4ME1, H3K4ME3, H3K9ME3 = (
    REFERENCE_MARKS.index(mark)
    for mark in ("H3K27me3", "H3K36me3", "H3K4me1", "H3K4me3", "H3K9me3")
)


@pytest.fixture(scope="module")
def simulated():
    return make_chromatin_data(n_genes=2000, random_state=0, return_ground_truth=True)


def test_shapes_and_types(simulated):
    X, y, truth = simulated
    assert X.shape == (2000, 100, 5) and X.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    assert truth.shape == X.shape and truth.dtype == bool
    assert (X >= 0).all() and np.array_equal(X, np.round(X))
    assert set(np.unique(y)) == {0, 1}
    assert 0.4 < y.mean() < 0.6


def test_seeded_and_ground_truth_optional():
    first = make_chromatin_data(n_genes=30, n_bins=12, random_state=5)
    second = make_chromatin_data(n_genes=30, n_bins=12, random_state=5)
    assert len(first) == 2
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    other = make_chromatin_data(n_genes=30, n_bins=12, random_state=6)
    assert not np.array_equal(first[0], other[0])


def test_known_biology(simulated):
    X, y, _ = simulated
    promoter = np.abs(bin_offsets(100) + 50) <= 500
    body = bin_offsets(100) >= 2000
    h3k4me3_promoter = X[:, promoter, H3K4ME3].mean(axis=1)
    assert h3k4me3_promoter[y == 1].mean() > 2 * h3k4me3_promoter[y == 0].mean()
    assert (
        X[y == 1][:, promoter, H3K4ME3].mean()
        > 2 * X[y == 1][:, ~promoter, H3K4ME3].mean()
    )
    h3k36me3_body = X[:, body, H3K36ME3].mean(axis=1)
    assert h3k36me3_body[y == 1].mean() > 1.5 * h3k36me3_body[y == 0].mean()
    h3k27me3 = X[:, :, H3K27ME3].mean(axis=1)
    assert h3k27me3[y == 0].mean() > 1.5 * h3k27me3[y == 1].mean()


def test_counts_are_overdispersed(simulated):
    X, _, truth = simulated
    background = X[:, :, H3K9ME3][~truth[:, :, H3K9ME3]]
    assert background.var() > 1.5 * background.mean()


def test_ground_truth_marks_the_planted_signal(simulated):
    X, y, truth = simulated
    assert not truth[:, :, [H3K4ME1, H3K9ME3]].any()
    active = truth[:, :, H3K4ME3].any(axis=1)
    assert y[active].mean() > 0.7
    peak_positions = bin_offsets(100)[truth[:, :, H3K4ME3].nonzero()[1]]
    assert np.abs(np.median(peak_positions)) < 500
    assert (
        X[:, :, H3K4ME3][truth[:, :, H3K4ME3]].mean()
        > 3 * X[:, :, H3K4ME3][~truth[:, :, H3K4ME3]].mean()
    )
    body = bin_offsets(100)[truth[:, :, H3K36ME3].nonzero()[1]]
    assert (body > 0).mean() > 0.95
    assert truth[:, :, H3K27ME3].any(axis=1)[y == 0].mean() > 0.6


def test_predictable_but_not_perfectly(simulated):
    X, y, _ = simulated
    features = np.log1p(X.sum(axis=1))
    model = LogisticRegression(max_iter=1000).fit(features[:1000], y[:1000])
    auc = roc_auc_score(y[1000:], model.decision_function(features[1000:]))
    assert 0.78 < auc < 0.95


@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_genes must be a positive integer"):
        make_chromatin_data(n_genes=bad)
    with pytest.raises(ValueError, match="n_bins must be a positive integer"):
        make_chromatin_data(n_bins=bad)


def test_genomic_order_reverses_the_minus_strand_genes():
    oriented = make_chromatin_data(
        n_genes=200, random_state=3, return_ground_truth=True
    )
    genomic = make_chromatin_data(
        n_genes=200, random_state=3, return_ground_truth=True, genomic_order=True
    )
    np.testing.assert_array_equal(oriented[1], genomic[1])
    unchanged = (oriented[0] == genomic[0]).all(axis=(1, 2))
    reversed_ = (oriented[0][:, ::-1] == genomic[0]).all(axis=(1, 2))
    assert (unchanged | reversed_).all()
    assert 0.35 < reversed_.mean() < 0.65
    flipped = reversed_ & ~unchanged
    np.testing.assert_array_equal(genomic[2][flipped], oriented[2][flipped, ::-1])
    np.testing.assert_array_equal(genomic[2][unchanged], oriented[2][unchanged])


def test_label_noise_sets_the_difficulty():
    aucs = []
    for label_noise in (0.0, 0.35, 1.0):
        X, y = make_chromatin_data(
            n_genes=2000, random_state=0, label_noise=label_noise
        )
        features = np.log1p(X.sum(axis=1))
        model = LogisticRegression(max_iter=1000).fit(features[:1000], y[:1000])
        aucs.append(roc_auc_score(y[1000:], model.decision_function(features[1000:])))
    assert aucs[0] > aucs[1] + 0.02 > aucs[2] + 0.07


@pytest.mark.parametrize("bad", [-0.1, float("inf"), float("nan"), "high", True])
def test_bad_label_noise(bad):
    with pytest.raises(ValueError, match="label_noise must be a finite number >= 0"):
        make_chromatin_data(n_genes=10, label_noise=bad)
