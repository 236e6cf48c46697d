"""The built-in simulated cell type."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import r2_score, roc_auc_score

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


# Labels and total counts of 64 genes, from the simulator before it could
# return the expression (commit ad6cf87): asking for the expression must not
# change what existing seeds give.
REFERENCE = {
    (0, 0.7, False): (
        "1011101111111011111001101000111100001000000100010000001000000000",
        131170,
    ),
    (1, 0.3, True): (
        "1000101010100010001101111000110000000111000110010110000111010110",
        137941,
    ),
}


@pytest.mark.parametrize(("seed", "label_noise", "genomic_order"), list(REFERENCE))
def test_expression_leaves_counts_and_labels_as_they_were(
    seed, label_noise, genomic_order
):
    labels, total = REFERENCE[seed, label_noise, genomic_order]
    settings = dict(
        n_genes=64,
        random_state=seed,
        label_noise=label_noise,
        genomic_order=genomic_order,
    )
    X, y = make_chromatin_data(**settings)
    assert "".join(map(str, y)) == labels
    assert int(X.sum()) == total
    X_e, y_e, expression = make_chromatin_data(**settings, return_expression=True)
    np.testing.assert_array_equal(X_e, X)
    np.testing.assert_array_equal(y_e, y)
    assert expression.shape == (64,) and expression.dtype == np.float64
    X_t, y_t, truth, expression_t = make_chromatin_data(
        **settings, return_ground_truth=True, return_expression=True
    )
    _, _, truth_only = make_chromatin_data(**settings, return_ground_truth=True)
    np.testing.assert_array_equal(X_t, X)
    np.testing.assert_array_equal(y_t, y)
    np.testing.assert_array_equal(truth, truth_only)
    np.testing.assert_array_equal(expression_t, expression)


@pytest.mark.parametrize("label_noise", [0.0, 0.7, 1.5])
def test_labels_are_the_expression_above_zero(label_noise):
    _, y, expression = make_chromatin_data(
        n_genes=2000, random_state=1, label_noise=label_noise, return_expression=True
    )
    np.testing.assert_array_equal(y, (expression > 0).astype(np.int64))
    # Mean 0 and variance 1 + label_noise ** 2 (at 2000 genes the standard
    # error of the mean is 0.02 to 0.04, that of the variance 3 % of it).
    assert abs(expression.mean()) < 0.15
    assert abs(expression.var() / (1 + label_noise**2) - 1) < 0.1


def _ridge_r2(label_noise):
    X, _, expression = make_chromatin_data(
        n_genes=2000, random_state=0, label_noise=label_noise, return_expression=True
    )
    features = np.log1p(X.sum(axis=1))
    model = Ridge(alpha=1.0).fit(features[:1000], expression[:1000])
    return r2_score(expression[1000:], model.predict(features[1000:]))


def test_expression_is_predictable_from_the_marks():
    # A ridge regression on each mark's summed signal, 1000 genes to train
    # and 1000 to test: measured R² 0.475 at the default label noise (0.44 to
    # 0.53 over seeds 0 to 3), below the 0.67 that the unexplained noise
    # leaves at most; 0.74 without noise.
    r2 = _ridge_r2(0.7)
    assert 0.35 < r2 < 0.67
    assert _ridge_r2(0.0) > r2 + 0.15


@pytest.mark.parametrize(
    ("parameter", "value", "message"),
    [
        ("random_state", "seed", "random_state must be None, an integer"),
        ("random_state", -1, "random_state must be None, an integer"),
        ("genomic_order", "no", "genomic_order must be True or False"),
        ("return_expression", 1, "return_expression must be True or False"),
        ("return_ground_truth", "yes", "return_ground_truth must be True or False"),
    ],
)
def test_invalid_seeds_and_flags_are_named(parameter, value, message):
    # The seed's error named no parameter, and genomic_order="no" was True.
    with pytest.raises(ValueError, match=f"^{message}"):
        make_chromatin_data(n_genes=4, n_bins=4, **{parameter: value})
