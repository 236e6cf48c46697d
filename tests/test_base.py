"""The shared base classes of the estimators."""

import numpy as np
import pytest

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
)
from skattchrome.datasets import make_chromatin_data


@pytest.mark.parametrize(
    "estimator",
    [
        AttentiveChromeClassifier(
            bin_hidden_size=4, mark_hidden_size=2, max_epochs=1, device="cpu"
        ),
        DeepChromeClassifier(
            n_filters=4, hidden_sizes=(8, 4), max_epochs=1, device="cpu"
        ),
        ChromeForestClassifier(n_estimators=5),
        ChromeLogisticClassifier(),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_a_failed_refit_leaves_the_previous_fit_intact(estimator):
    X, y = make_chromatin_data(n_genes=40, n_bins=10, random_state=0)
    estimator.set_params(random_state=0).fit(X, y)
    proba = estimator.predict_proba(X)
    before = {name: value for name, value in vars(estimator).items()}
    with pytest.raises(ValueError, match="only one class"):
        estimator.fit(X[:, :, :4], np.zeros(len(X)))
    assert vars(estimator).keys() == before.keys()
    assert all(vars(estimator)[name] is value for name, value in before.items())
    assert estimator.n_marks_ == 5
    np.testing.assert_array_equal(estimator.predict_proba(X), proba)
    with pytest.raises(ValueError, match="marks"):
        estimator.predict_proba(X[:, :, :4])


@pytest.mark.parametrize(
    "estimator",
    [
        ChromeLogisticClassifier(random_state="seed"),
        ChromeForestClassifier(n_estimators=2, random_state=-1),
        DeepChromeClassifier(max_epochs=1, device="cpu", random_state=2.5),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_an_invalid_random_state_is_named(estimator):
    # scikit-learn's own message ("Seed must be between 0 and 2**32 - 1")
    # names no parameter.
    X, y = np.ones((4, 3, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"^random_state must be None, an integer"):
        estimator.fit(X, y)


@pytest.mark.parametrize(
    ("estimator", "y"),
    [
        (ChromeLogisticClassifier(), np.array([0, 1] * 4)),
        (ChromeRidgeRegressor(), np.arange(8.0)),
    ],
    ids=["classifier", "regressor"],
)
def test_score_names_a_y_of_another_length(estimator, y):
    X = np.random.default_rng(0).random((8, 3, 2))
    estimator.fit(X, y)
    with pytest.raises(ValueError, match=r"^X has 8 genes but y has shape \(7,\)"):
        estimator.score(X, y[:-1])
