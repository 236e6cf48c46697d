"""ChromeForestClassifier and ChromeForestRegressor."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import roc_auc_score

from skattchrome import ChromeForestClassifier, ChromeForestRegressor
from skattchrome.datasets import make_chromatin_data


@pytest.fixture(scope="module")
def data():
    return make_chromatin_data(n_genes=400, n_bins=20, random_state=0)


def test_flat_bins_are_a_plain_random_forest(data):
    X, y = data
    forest = ChromeForestClassifier(n_estimators=30, random_state=3).fit(X, y)
    reference = RandomForestClassifier(
        n_estimators=30, random_state=forest.forest_.random_state
    ).fit(X.reshape(len(X), -1), y)
    np.testing.assert_array_equal(
        forest.predict_proba(X), reference.predict_proba(X.reshape(len(X), -1))
    )
    assert forest.feature_importances_.shape == (20, 5)
    assert forest.feature_importances_.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("statistic", ["sum", "mean", "max"])
def test_bin_aggregation_per_window(data, statistic):
    X, y = data
    forest = ChromeForestClassifier(
        bin_aggregation=statistic, n_windows=4, n_estimators=10, random_state=0
    ).fit(X, y)
    features = forest._features(X)
    assert features.shape == (len(X), 4 * 5)
    expected = getattr(np, statistic)(X[:, 5:10, 2], axis=1)
    np.testing.assert_allclose(features.reshape(len(X), 4, 5)[:, 1, 2], expected)
    assert forest.feature_importances_.shape == (4, 5)


def test_learns_simulated_data(data):
    X, y = data
    X_test, y_test = make_chromatin_data(n_genes=400, n_bins=20, random_state=1)
    forest = ChromeForestClassifier(n_estimators=100, random_state=0).fit(X, y)
    assert roc_auc_score(y_test, forest.predict_proba(X_test)[:, 1]) > 0.75


def test_labels_and_flat_input(data):
    X, y = data
    labels = np.where(y == 1, "on", "off")
    forest = ChromeForestClassifier(n_estimators=10, n_marks=5, random_state=0)
    forest.fit(X.reshape(len(X), -1), labels)
    assert set(forest.predict(X)) <= {"on", "off"}
    np.testing.assert_array_equal(forest.classes_, ["off", "on"])


def test_bad_parameters(data):
    X, y = data
    with pytest.raises(ValueError, match="bin_aggregation"):
        ChromeForestClassifier(bin_aggregation="median").fit(X, y)
    with pytest.raises(ValueError, match="n_windows=30 is more than the 20 bins"):
        ChromeForestClassifier(bin_aggregation="sum", n_windows=30).fit(X, y)


def test_class_weight_dict_is_keyed_by_the_users_labels(data):
    X, y = data
    labels = np.where(y == 1, "high", "low")
    weighted = ChromeForestClassifier(
        n_estimators=10, class_weight={"high": 5, "low": 1}, random_state=0
    ).fit(X, labels)
    plain = ChromeForestClassifier(n_estimators=10, random_state=0).fit(X, labels)
    high = list(weighted.classes_).index("high")
    assert weighted.forest_.class_weight == {high: 5, 1 - high: 1}
    assert (
        weighted.predict_proba(X)[:, high].mean()
        > plain.predict_proba(X)[:, high].mean()
    )
    with pytest.raises(ValueError, match=r"not classes of y: \['medium'\]"):
        ChromeForestClassifier(class_weight={"medium": 2}).fit(X, labels)


def test_regressor_is_a_plain_random_forest_on_the_same_features():
    X, _, expression = make_chromatin_data(
        n_genes=400, n_bins=20, random_state=0, return_expression=True
    )
    forest = ChromeForestRegressor(
        bin_aggregation="sum", n_windows=2, n_estimators=30, random_state=3
    ).fit(X[:300], expression[:300])
    sums = X.reshape(len(X), 2, 10, 5).sum(axis=2).reshape(len(X), -1)
    reference = RandomForestRegressor(
        n_estimators=30, max_features="sqrt", random_state=forest.forest_.random_state
    ).fit(sums[:300], expression[:300])
    np.testing.assert_allclose(forest.predict(X[300:]), reference.predict(sums[300:]))
    assert forest.feature_importances_.shape == (2, 5)
    assert forest.score(X[300:], expression[300:]) > 0.15
    with pytest.raises(ValueError, match="holds labels"):
        forest.fit(X[:20], np.where(expression[:20] > 0, "high", "low"))
    assert "class_weight" not in forest.get_params()
