"""ChromeLogisticClassifier and ChromeRidgeRegressor."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skattchrome import ChromeLogisticClassifier, ChromeRidgeRegressor
from skattchrome._study import DataSource, StudyTask, run_task
from skattchrome.datasets import REFERENCE_MARKS, load_remc, make_chromatin_data

H3K27ME3, H3K36ME3, H3K4ME3 = (
    REFERENCE_MARKS.index(mark) for mark in ("H3K27me3", "H3K36me3", "H3K4me3")
)


@pytest.fixture(scope="module")
def data():
    return make_chromatin_data(n_genes=400, n_bins=20, random_state=0)


def load_cell(folder):
    """All the genes of a cell type in the published layout: train, valid, test."""
    splits = [load_remc(folder, subset) for subset in ("train", "valid", "test")]
    return (
        np.concatenate([split.data for split in splits]),
        np.concatenate([split.target for split in splits]),
    )


def test_is_a_logistic_regression_on_log_window_sums(data):
    X, y = data
    model = ChromeLogisticClassifier(n_windows=4).fit(X, y)
    window_sums = X.astype(np.float64).reshape(len(X), 4, 5, 5).sum(axis=2)
    features = np.log1p(window_sums).reshape(len(X), -1)
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    reference.fit(features, y)
    np.testing.assert_allclose(
        model.predict_proba(X), reference.predict_proba(features), rtol=1e-6
    )
    np.testing.assert_allclose(
        model.coef_, reference[-1].coef_.reshape(4, 5), rtol=1e-6
    )
    assert model.intercept_ == pytest.approx(reference[-1].intercept_[0])
    np.testing.assert_allclose(
        model.decision_function(X), reference.decision_function(features), rtol=1e-6
    )


@pytest.mark.parametrize("n_windows", [1, 2, 3, 7, 20])
def test_coef_has_one_row_per_window(data, n_windows):
    X, y = data
    model = ChromeLogisticClassifier(n_windows=n_windows).fit(X, y)
    assert model.coef_.shape == (n_windows, 5)
    assert isinstance(model.intercept_, float)
    assert model.n_iter_ >= 1


def test_flat_and_3d_input_give_the_same_fit(data):
    X, y = data
    model_3d = ChromeLogisticClassifier(n_windows=3).fit(X, y)
    model_flat = ChromeLogisticClassifier(n_windows=3, n_marks=5)
    model_flat.fit(X.reshape(len(X), -1), y)
    np.testing.assert_array_equal(model_flat.coef_, model_3d.coef_)
    np.testing.assert_array_equal(
        model_flat.predict_proba(X.reshape(len(X), -1)), model_3d.predict_proba(X)
    )
    assert (model_flat.n_bins_, model_flat.n_marks_) == (20, 5)


def test_learns_simulated_data(data):
    X, y = data
    X_test, y_test = make_chromatin_data(n_genes=400, n_bins=20, random_state=1)
    model = ChromeLogisticClassifier().fit(X, y)
    assert roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]) > 0.75


def test_coefficients_follow_the_simulated_biology():
    # H3K4me3 and H3K36me3 mark active genes, H3K27me3 repressed ones.
    X, y = make_chromatin_data(n_genes=2000, random_state=0)
    coef = ChromeLogisticClassifier().fit(X, y).coef_[0]
    assert set(np.argsort(coef)[-2:]) == {H3K4ME3, H3K36ME3}
    assert coef[H3K27ME3] < 0


def test_string_labels(data):
    X, y = data
    labels = np.where(y == 1, "high", "low")
    model = ChromeLogisticClassifier().fit(X, labels)
    np.testing.assert_array_equal(model.classes_, ["high", "low"])
    assert set(model.predict(X)) == {"high", "low"}
    # classes_[1] is "low" now: the logit of "low" is minus that of label 1.
    reference = ChromeLogisticClassifier().fit(X, y)
    np.testing.assert_allclose(
        model.decision_function(X), -reference.decision_function(X), rtol=1e-5
    )


def test_class_weight_dict_is_keyed_by_the_labels(data):
    X, y = data
    labels = np.where(y == 1, "high", "low")
    unweighted = ChromeLogisticClassifier().fit(X, labels)
    weighted = ChromeLogisticClassifier(class_weight={"high": 2, "low": 1})
    weighted.fit(X, labels)
    assert not np.allclose(weighted.coef_, unweighted.coef_)
    high = list(weighted.classes_).index("high")
    assert (
        weighted.predict_proba(X)[:, high].mean()
        > unweighted.predict_proba(X)[:, high].mean()
    )
    # The same weights keyed by integer labels give the same model.
    by_integer = ChromeLogisticClassifier(class_weight={1: 2, 0: 1}).fit(X, y)
    np.testing.assert_allclose(
        weighted.predict_proba(X)[:, high], by_integer.predict_proba(X)[:, 1]
    )


def test_negative_signal_with_log_transform(data):
    X, y = data
    message = "Negative values.*log_transform=False.*log scale"
    with pytest.raises(ValueError, match=message):
        ChromeLogisticClassifier().fit(X - 1, y)
    model = ChromeLogisticClassifier().fit(X, y)
    with pytest.raises(ValueError, match=message):
        model.predict(X - 1)
    on_log_scale = ChromeLogisticClassifier(log_transform=False).fit(np.log1p(X), y)
    assert on_log_scale.predict_proba(np.log1p(X) - 1).shape == (len(X), 2)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_windows": 0}, "n_windows must be an integer >= 1; got 0"),
        ({"n_windows": 2.5}, "n_windows must be an integer >= 1; got 2.5"),
        ({"n_windows": 30}, "n_windows=30 is more than the 20 bins"),
        ({"C": 0}, "C must be a finite number > 0; got 0"),
        ({"C": "strong"}, "C must be a finite number > 0; got 'strong'"),
        ({"max_iter": 0}, "max_iter must be an integer >= 1; got 0"),
        ({"log_transform": "yes"}, "log_transform must be True or False"),
        ({"class_weight": "auto"}, "class_weight must be None, 'balanced' or"),
        (
            {"class_weight": {2: 1.0}},
            r"class_weight has keys that are not classes of y: \[2\]",
        ),
    ],
)
def test_bad_parameters(data, params, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        ChromeLogisticClassifier(**params).fit(X, y)


def test_real_genes_cross_validated_auc(test_data):
    X, y = load_cell(test_data / "deepdiff" / "E003")
    scores = cross_val_score(
        ChromeLogisticClassifier(),
        X,
        y,
        cv=StratifiedKFold(5, shuffle=True, random_state=0),
        scoring="roc_auc",
    )
    assert scores.mean() > 0.8


@pytest.mark.parametrize("cell", ["E003", "E123"])
def test_h3k4me3_has_the_largest_coefficient_on_real_genes(test_data, cell):
    X, y = load_cell(test_data / "deepdiff" / cell)
    coef = ChromeLogisticClassifier().fit(X, y).coef_[0]
    assert np.argmax(coef) == H3K4ME3
    assert coef[H3K27ME3] < 0


def test_runs_as_a_benchmark_task_without_epochs():
    source = DataSource("simulated", n_genes=90, n_bins=10)
    record = run_task(StudyTask("SIM01", "logistic", source)).record
    assert record["status"] == "ok", record["error"]
    assert record["model"] == "Logistic"
    assert record["epochs"] is None and record["device"] == "cpu"
    splits = source.load("SIM01")
    direct = ChromeLogisticClassifier().fit(
        splits["train"].data, splits["train"].target
    )
    proba = direct.predict_proba(splits["test"].data)[:, 1]
    assert record["test_auc"] == pytest.approx(
        roc_auc_score(splits["test"].target, proba)
    )


def test_ridge_is_a_ridge_regression_on_log_window_sums():
    X, _, expression = make_chromatin_data(
        n_genes=400, n_bins=20, random_state=0, return_expression=True
    )
    model = ChromeRidgeRegressor(n_windows=4, alpha=3.0).fit(X, expression)
    window_sums = X.astype(np.float64).reshape(len(X), 4, 5, 5).sum(axis=2)
    features = np.log1p(window_sums).reshape(len(X), -1)
    reference = make_pipeline(StandardScaler(), Ridge(alpha=3.0)).fit(
        features, expression
    )
    np.testing.assert_allclose(model.predict(X), reference.predict(features))
    np.testing.assert_allclose(model.coef_, reference[-1].coef_.reshape(4, 5))
    assert model.intercept_ == pytest.approx(reference[-1].intercept_)


def test_ridge_coefficients_follow_the_simulated_biology():
    X, _, expression = make_chromatin_data(
        n_genes=2000, random_state=0, return_expression=True
    )
    coef = ChromeRidgeRegressor().fit(X, expression).coef_[0]
    assert coef[H3K4ME3] > 0 > coef[H3K27ME3]
    with pytest.raises(ValueError, match="Negative values"):
        ChromeRidgeRegressor().fit(-X, expression)
