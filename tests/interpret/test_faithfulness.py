"""deletion_score and insertion_score: faithful maps above random ones, exactly."""

import numpy as np
import pytest
from scipy.special import expit

from skattchrome import AttentionMaps, DeepChromeRegressor
from skattchrome.datasets import make_chromatin_data
from skattchrome.interpret import deletion_score, insertion_score, saliency

N_BINS, N_MARKS = 10, 3


def used_bins():
    """The bins the known model reads: three of mark 0, two of mark 2."""
    used = np.zeros((N_BINS, N_MARKS), dtype=bool)
    used[[2, 3, 4], 0] = True
    used[[7, 8], 2] = True
    return used


class KnownBinsRegressor:
    """A regressor that predicts the summed signal of known bins, minus 3."""

    def __init__(self, used):
        self.used = used

    def predict(self, X):
        X = np.asarray(X).reshape(len(X), *self.used.shape)
        return (X * self.used).sum(axis=(1, 2)) - 3.0


class KnownBinsClassifier(KnownBinsRegressor):
    """A classifier whose logit is that sum."""

    def predict_proba(self, X):
        positive = expit(self.predict(X))
        return np.column_stack([1 - positive, positive])


def assert_same_curve(first, second):
    """Two PerturbationCurves are equal, field by field."""
    for field, value in first._asdict().items():
        np.testing.assert_array_equal(value, getattr(second, field), err_msg=field)


@pytest.fixture
def signal(seed):
    """80 genes of positive signal."""
    return np.random.default_rng(seed).gamma(2.0, 0.5, size=(80, N_BINS, N_MARKS))


@pytest.mark.parametrize("score", [deletion_score, insertion_score])
@pytest.mark.parametrize("model", [KnownBinsClassifier, KnownBinsRegressor])
def test_the_used_bins_rank_above_random_and_unused_bins(signal, score, model):
    used = used_bins()
    estimator = model(used)
    truth = np.broadcast_to(used, signal.shape).astype(float)
    faithful = score(estimator, signal, truth, n_top=[1, 3, 5], random_state=0)
    unused = score(estimator, signal, 1.0 - truth, n_top=[1, 3, 5], random_state=0)
    assert faithful.score > 3 * faithful.random_score > 0
    # The unused bins change nothing, whether removed or kept alone.
    assert unused.score == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(faithful.random_curve, unused.random_curve)


def test_deletion_is_the_drop_in_the_predicted_class_probability(signal):
    estimator = KnownBinsClassifier(used_bins())
    maps = signal * used_bins()
    result = deletion_score(estimator, signal, maps, n_top=[2], random_state=0)
    probabilities = estimator.predict_proba(signal)
    predicted = probabilities.argmax(axis=1)
    removed = signal.copy()
    for gene in range(len(signal)):
        flat = removed[gene].reshape(-1)
        flat[np.argsort(-maps[gene].reshape(-1))[:2]] = 0.0
    after = estimator.predict_proba(removed)
    rows = np.arange(len(signal))
    expected = (probabilities[rows, predicted] - after[rows, predicted]).mean()
    assert result.curve[0] == pytest.approx(expected)
    assert result.score == pytest.approx(expected)


def test_insertion_of_a_regressor_is_the_distance_it_restores(signal):
    estimator = KnownBinsRegressor(used_bins())
    maps = signal * used_bins()
    result = insertion_score(
        estimator, signal, maps, n_top=[3], removal="gene_mean", random_state=0
    )
    means = np.broadcast_to(signal.mean(axis=1, keepdims=True), signal.shape)
    kept = means.copy()
    for gene in range(len(signal)):
        top = np.argsort(-maps[gene].reshape(-1))[:3]
        kept[gene].reshape(-1)[top] = signal[gene].reshape(-1)[top]
    full = estimator.predict(signal)
    expected = (
        np.abs(full - estimator.predict(means)) - np.abs(full - estimator.predict(kept))
    ).mean()
    assert result.curve[0] == pytest.approx(expected)


def test_a_baseline_array_removes_to_that_baseline(signal):
    estimator = KnownBinsRegressor(used_bins())
    maps = np.broadcast_to(used_bins(), signal.shape).astype(float)
    baseline = np.full((N_BINS, N_MARKS), 0.25)
    result = deletion_score(
        estimator, signal, maps, n_top=[5], removal=baseline, random_state=0
    )
    # All five used bins go to 0.25: the prediction becomes 5 * 0.25 - 3.
    expected = np.abs(estimator.predict(signal) - (5 * 0.25 - 3.0)).mean()
    assert result.score == pytest.approx(expected)
    scalar = deletion_score(
        estimator, signal, maps, n_top=[5], removal=0.25, random_state=0
    )
    assert scalar.score == pytest.approx(expected)


def test_attention_is_ranked_by_alpha_times_beta(signal):
    estimator = KnownBinsClassifier(used_bins())
    rng = np.random.default_rng(1)
    bin_attention = rng.dirichlet(np.ones(N_BINS), size=(len(signal), N_MARKS))
    bin_attention = bin_attention.transpose(0, 2, 1)
    mark_attention = rng.dirichlet(np.ones(N_MARKS), size=len(signal))
    maps = AttentionMaps(bin_attention, mark_attention)
    product = bin_attention * mark_attention[:, np.newaxis, :]
    for score in (deletion_score, insertion_score):
        assert_same_curve(
            score(estimator, signal, maps, random_state=2),
            score(estimator, signal, product, random_state=2),
        )
    without_marks = AttentionMaps(bin_attention, None)
    assert_same_curve(
        deletion_score(estimator, signal, without_marks, random_state=2),
        deletion_score(estimator, signal, bin_attention, random_state=2),
    )


def test_default_points_and_flat_input(signal):
    estimator = KnownBinsClassifier(used_bins())
    maps = signal * used_bins()
    result = deletion_score(estimator, signal, maps, random_state=0)
    np.testing.assert_array_equal(result.n_top, [1, 2, 5, 10, 20, 30])
    assert result.score == pytest.approx(result.curve.mean())
    flat = deletion_score(
        estimator, signal.reshape(len(signal), -1), maps, random_state=0
    )
    np.testing.assert_array_equal(flat.curve, result.curve)


def test_ties_are_broken_at_random(signal):
    estimator = KnownBinsClassifier(used_bins())
    constant = np.ones_like(signal)
    first = deletion_score(estimator, signal, constant, n_random=20, random_state=0)
    again = deletion_score(estimator, signal, constant, n_random=20, random_state=0)
    assert_same_curve(first, again)
    # A map without information scores as a random one does.
    assert first.score == pytest.approx(first.random_score, rel=0.25)


def test_every_map_of_a_fitted_network(fitted_model, simulated):
    X = simulated[0][:20]
    maps = {
        "attention": fitted_model.attention(X),
        **{
            method: np.abs(saliency(fitted_model, X, method=method, n_steps=4))
            for method in ("gradient", "gradient_x_input", "integrated_gradients")
        },
    }
    for method, map_ in maps.items():
        for score in (deletion_score, insertion_score):
            result = score(fitted_model, X, map_, n_top=[1, 4], random_state=0)
            assert np.isfinite(result.curve).all(), method
            assert result.n_top.tolist() == [1, 4]


def test_a_neural_regressor_and_its_integrated_gradients():
    X, _, expression = make_chromatin_data(
        n_genes=120, n_bins=N_BINS, random_state=0, return_expression=True
    )
    X = np.log1p(X)
    model = DeepChromeRegressor(max_epochs=3, device="cpu", random_state=0)
    model.fit(X, expression)
    maps = np.abs(saliency(model, X, method="integrated_gradients"))
    result = deletion_score(model, X, maps, random_state=0)
    assert result.score > result.random_score


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"maps": np.full((80, N_BINS, N_MARKS), np.nan)}, ValueError, "finite"),
        ({"maps": np.ones((80, N_BINS, 2))}, ValueError, "does not fit maps"),
        ({"maps": np.ones((80, N_BINS))}, ValueError, "3-D"),
        ({"n_top": 0}, ValueError, "n_top"),
        ({"n_top": [2.5]}, ValueError, "n_top"),
        ({"n_top": N_BINS * N_MARKS + 1}, ValueError, "n_top"),
        ({"removal": "median"}, ValueError, "removal"),
        ({"removal": True}, ValueError, "removal"),
        ({"removal": np.ones(4)}, ValueError, "baseline"),
        ({"n_random": 0}, ValueError, "n_random"),
        ({"random_state": "seed"}, ValueError, "^random_state must be None"),
        ({"X": np.full((80, N_BINS, N_MARKS), "a")}, TypeError, "X must hold"),
    ],
)
def test_invalid_input(signal, params, error, message):
    arguments = {
        "X": signal,
        "maps": np.ones_like(signal),
        **params,
    }
    X, maps = arguments.pop("X"), arguments.pop("maps")
    with pytest.raises(error, match=message):
        deletion_score(KnownBinsClassifier(used_bins()), X, maps, **arguments)


def test_non_finite_signal_is_refused(signal):
    signal[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="X must hold finite"):
        insertion_score(KnownBinsClassifier(used_bins()), signal, np.ones_like(signal))
