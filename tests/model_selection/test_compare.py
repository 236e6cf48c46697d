"""Comparing models: one GridSearchCV over every estimator, compare_models, pairs."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
)
from skattchrome.datasets import load_remc, make_chromatin_data
from skattchrome.model_selection import (
    ChromosomeKFold,
    compare_models,
    paired_comparison,
    paper_models,
)

FAST = dict(max_epochs=3, batch_size=32, device="cpu")


@pytest.fixture(scope="module")
def data():
    return make_chromatin_data(n_genes=300, n_bins=20, random_state=0)


@pytest.mark.slow
def test_one_grid_search_swaps_the_model_step(data):
    X, y = data
    flat = X.reshape(len(X), -1)
    pipeline = Pipeline(
        [
            ("log", FunctionTransformer(np.log1p)),
            ("model", AttentiveChromeClassifier(n_marks=5, **FAST)),
        ]
    )
    grid = [
        {
            "model": [AttentiveChromeClassifier(n_marks=5, random_state=0, **FAST)],
            "model__use_bin_attention": [True, False],
        },
        {
            "model": [DeepChromeClassifier(n_marks=5, random_state=0, **FAST)],
            "model__n_filters": [20],
        },
        {
            "model": [ChromeForestClassifier(n_marks=5, random_state=0)],
            "model__n_estimators": [50, 100],
        },
    ]
    search = GridSearchCV(pipeline, grid, scoring="roc_auc", cv=2, n_jobs=2)
    search.fit(flat, y)
    results = pd.DataFrame(search.cv_results_)
    assert len(results) == 5
    model_names = results["param_model"].map(lambda model: type(model).__name__)
    assert set(model_names) == {
        "AttentiveChromeClassifier",
        "DeepChromeClassifier",
        "ChromeForestClassifier",
    }
    assert results["mean_test_score"].max() > 0.7
    assert search.predict_proba(flat).shape == (len(y), 2)


def test_compare_models_default_set(data):
    X, y = data
    results = compare_models(
        X[:120],
        y[:120],
        estimators=paper_models(random_state=0, max_epochs=1, device="cpu"),
        cv=2,
        random_state=0,
    )
    assert list(results["model"]).count("AttentiveChrome") == 1
    assert set(results["model"]) == {
        "AttentiveChrome",
        "LSTM",
        "LSTM-alpha",
        "CNN-alpha,beta",
        "DeepChrome",
        "RandomForest",
        "Logistic",
    }
    for column in ("params", "mean_score", "std_score", "split0_score", "split1_score"):
        assert column in results
    lstm = results.set_index("model").loc["LSTM", "params"]
    assert lstm["use_bin_attention"] is False and lstm["use_mark_attention"] is False
    assert results["mean_score"].is_monotonic_decreasing
    np.testing.assert_allclose(
        results["mean_score"], results[["split0_score", "split1_score"]].mean(axis=1)
    )


@pytest.mark.slow
def test_neural_models_learn_with_their_defaults(data):
    X, y = data
    results = compare_models(
        np.log1p(X),
        y,
        estimators={
            "AttentiveChrome": AttentiveChromeClassifier(random_state=0, device="cpu"),
            "DeepChrome": DeepChromeClassifier(random_state=0, device="cpu"),
        },
        cv=3,
        n_jobs=2,
        random_state=0,
    )
    assert (results["mean_score"] > 0.72).all()


def test_same_folds_for_every_model(data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=1)
    forest = ChromeForestClassifier(n_estimators=20, random_state=0)
    twice = compare_models(
        X, y, estimators={"a": forest, "b": forest}, cv=cv, random_state=0
    )
    first, second = twice.iloc[0], twice.iloc[1]
    for index in range(3):
        assert first[f"split{index}_score"] == second[f"split{index}_score"]


def test_compare_models_takes_a_pipeline(data):
    X, y = data
    on_log_signal = Pipeline(
        [
            ("log", FunctionTransformer(np.log1p)),
            ("forest", ChromeForestClassifier(n_estimators=20, random_state=0)),
        ]
    )
    results = compare_models(
        X, y, estimators={"forest on log": on_log_signal}, cv=3, random_state=0
    )
    params = results.set_index("model").loc["forest on log", "params"]
    assert "steps" in params
    assert "n_estimators=20" in repr(params["steps"])


def test_compare_models_checks_its_estimators(data):
    X, y = data
    with pytest.raises(ValueError, match="non-empty dict"):
        compare_models(X, y, estimators=[ChromeForestClassifier()])


def test_paired_comparison_counts_wins():
    results = pd.DataFrame(
        {
            "model": ["A", "B", "C"],
            "split0_score": [0.8, 0.7, 0.8],
            "split1_score": [0.9, 0.6, 0.7],
            "split2_score": [0.7, 0.7, 0.6],
        }
    )
    table = paired_comparison(results, baseline="B").set_index("model")
    assert table.loc["A", "wins"] == 2 and table.loc["A", "ties"] == 1
    assert table.loc["A", "mean_difference"] == pytest.approx(0.4 / 3)
    assert table.loc["C", "wins"] == 2 and table.loc["C", "losses"] == 1
    assert (table["n_units"] == 3).all()
    every_pair = paired_comparison(results)
    assert len(every_pair) == 6
    mirrored = every_pair.set_index(["model", "other"])
    assert mirrored.loc[("A", "C"), "mean_difference"] == pytest.approx(
        -mirrored.loc[("C", "A"), "mean_difference"]
    )


def test_paired_comparison_over_cell_types():
    rng = np.random.default_rng(0)
    cells = [f"E{index:03d}" for index in range(20)]
    per_cell = pd.DataFrame(
        {
            "cell": cells * 2,
            "model": ["AttentiveChrome"] * 20 + ["DeepChrome"] * 20,
            "test_auc": np.r_[0.82 + rng.normal(0, 0.005, 20), np.full(20, 0.80)],
        }
    )
    table = paired_comparison(
        per_cell, baseline="DeepChrome", unit="cell", score="test_auc"
    )
    row = table.iloc[0]
    assert row["wins"] == 20 and row["p_value"] < 0.001


def test_paired_comparison_errors():
    with pytest.raises(ValueError, match="baseline 'Z'"):
        paired_comparison(
            pd.DataFrame({"model": ["A"], "split0_score": [0.5]}), baseline="Z"
        )
    with pytest.raises(ValueError, match="no column"):
        paired_comparison(pd.DataFrame({"model": ["A"], "auc": [0.5]}))


def test_compare_models_on_real_genes(test_data):
    bunch = load_remc(test_data / "chromoformer_e003" / "remc_format.csv")
    results = compare_models(
        np.log1p(bunch.data),
        bunch.target,
        estimators={
            "AttentiveChrome": AttentiveChromeClassifier(
                random_state=0, max_epochs=3, device="cpu"
            ),
            "RandomForest": ChromeForestClassifier(n_estimators=100, random_state=0),
        },
        cv=3,
        random_state=0,
    )
    assert set(results["model"]) == {"AttentiveChrome", "RandomForest"}
    assert results.set_index("model").loc["RandomForest", "mean_score"] > 0.7


def test_regressors_are_scored_by_pearson_r_on_chromosome_folds():
    X, _, expression = make_chromatin_data(
        n_genes=240, n_bins=10, random_state=0, return_expression=True
    )
    chromosomes = np.repeat([f"chr{number}" for number in range(1, 7)], 40)
    results = compare_models(
        X,
        expression,
        estimators={"ridge": ChromeRidgeRegressor()},
        cv=3,
        groups=chromosomes,
    )
    expected = []
    for train, test in ChromosomeKFold(n_splits=3).split(X, groups=chromosomes):
        assert not set(chromosomes[train]) & set(chromosomes[test])
        predicted = (
            ChromeRidgeRegressor().fit(X[train], expression[train]).predict(X[test])
        )
        expected.append(np.corrcoef(predicted, expression[test])[0, 1])
    np.testing.assert_allclose(
        results.loc[0, ["split0_score", "split1_score", "split2_score"]].astype(float),
        expected,
    )
    spearman = compare_models(
        X,
        expression,
        estimators={"ridge": ChromeRidgeRegressor()},
        cv=3,
        groups=chromosomes,
        scoring="spearman",
    )
    assert spearman.loc[0, "mean_score"] != pytest.approx(results.loc[0, "mean_score"])


def test_classifiers_and_regressors_are_not_compared_together():
    X, _, expression = make_chromatin_data(
        n_genes=60, n_bins=10, random_state=0, return_expression=True
    )
    with pytest.raises(ValueError, match="mixes classifiers and regressors"):
        compare_models(
            X,
            expression,
            estimators={
                "ridge": ChromeRidgeRegressor(),
                "logistic": ChromeLogisticClassifier(),
            },
        )
    with pytest.raises(ValueError, match="needs at least 5 chromosomes"):
        compare_models(
            X,
            expression,
            estimators={"ridge": ChromeRidgeRegressor()},
            cv=5,
            groups=np.repeat(["chr1", "chr2"], 30),
        )


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"estimators": {"x": "model"}}, TypeError, r"^estimators\['x'\] must be"),
        ({"cv": 1}, ValueError, "^cv must be at least 2 folds"),
        ({"cv": 2.5}, ValueError, "^cv must be an integer >= 2"),
        ({"random_state": "seed"}, ValueError, "^random_state must be None"),
        ({"y_length": 19}, ValueError, r"^X has 20 genes but y has shape \(19,\)"),
        ({"y_continuous": True}, ValueError, "^y holds continuous values, but the"),
    ],
)
def test_compare_models_names_invalid_arguments(params, error, message):
    # A string for a model was an AttributeError of scikit-learn's tags; cv=1,
    # the seed, a y of another length and continuous values for classifiers
    # had messages that named no argument.
    X, y = make_chromatin_data(n_genes=20, n_bins=4, random_state=0)
    params = {"estimators": {"logistic": ChromeLogisticClassifier()}, **params}
    y = y[: params.pop("y_length", len(y))]
    if params.pop("y_continuous", False):
        y = y + np.linspace(0.1, 0.9, len(y))
    with pytest.raises(error, match=message):
        compare_models(X, y, **params)


@pytest.mark.parametrize(
    ("results", "error", "message"),
    [
        ([0.8, 0.7], TypeError, "^results must be a pandas DataFrame"),
        ("empty", ValueError, "^results is empty"),
        ("words", TypeError, "^results column 'score' must hold numbers"),
        ("infinite", ValueError, "^results column 'score' holds infinite scores"),
        ("duplicated", ValueError, "^results has several scores for the same model"),
    ],
)
def test_paired_comparison_refuses_results_it_cannot_pair(results, error, message):
    # An empty or duplicated table was averaged into a silent result, an
    # infinite score into NaN differences, and a list an AttributeError.
    long = pd.DataFrame(
        {
            "model": ["A"] * 3 + ["B"] * 3,
            "fold": [0, 1, 2] * 2,
            "score": [0.8, 0.7, 0.9, 0.6, 0.7, 0.8],
        }
    )
    results = (
        {
            "empty": long.iloc[:0],
            "words": long.assign(score=["high"] * 6),
            "infinite": long.assign(score=[np.inf, 0.7, 0.9, 0.6, 0.7, 0.8]),
            "duplicated": pd.concat([long, long]),
        }.get(results, results)
        if isinstance(results, str)
        else results
    )
    with pytest.raises(error, match=message):
        paired_comparison(results)
    # A NaN score, a fold that failed, is left out of its pairs.
    table = paired_comparison(long.assign(score=[np.nan, 0.7, 0.9, 0.6, 0.7, 0.8]))
    assert table["n_units"].tolist() == [2, 2]
