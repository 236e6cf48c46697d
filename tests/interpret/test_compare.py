"""compare_interpretations: every estimator and method, scored side by side."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skattchrome import AttentiveChromeClassifier
from skattchrome.interpret import (
    compare_interpretations,
    correlate_with_reference,
    deletion_score,
    insertion_score,
    saliency,
    score_maps,
)
from skattchrome.interpret._compare import DEFAULT_METHODS

COLUMNS = ["estimator", "method", "metric", "mark", "value"]


def test_scores_against_planted_bins(fitted_model, linear_model, simulated):
    X, y, truth = simulated
    table = compare_interpretations(
        {"attentive": fitted_model, "linear": linear_model},
        X,
        y,
        ground_truth=truth,
        faithfulness=False,
        n_steps=4,
    )
    assert list(table.columns) == COLUMNS
    methods = table.groupby("estimator")["method"].unique()
    assert list(methods["attentive"]) == list(DEFAULT_METHODS)
    assert list(methods["linear"]) == list(DEFAULT_METHODS[1:])
    assert set(table["metric"]) == {"auprc", "base_rate", "auroc"}
    assert set(table["mark"]) == {"H3K27me3", "H3K36me3", "H3K4me3"}
    assert len(table) == (4 + 3) * 3 * 3
    attention = table.query("estimator == 'attentive' and method == 'attention'")
    expected = score_maps(fitted_model.attention(X), truth).set_index("mark")
    for row in attention.itertuples():
        assert row.value == expected.loc[row.mark, row.metric]
    gradient = table.query("estimator == 'linear' and method == 'gradient'")
    expected = score_maps(np.abs(saliency(linear_model, X)), truth).set_index("mark")
    for row in gradient.itertuples():
        assert row.value == expected.loc[row.mark, row.metric]


def test_scores_against_a_reference(fitted_model, simulated):
    X, y, _ = simulated
    reference = X[:, :, 3] + 1
    table = compare_interpretations(
        fitted_model,
        X.reshape(len(X), -1),
        y,
        reference=reference,
        methods=["attention", "integrated_gradients"],
        faithfulness=False,
        mark="H3K36me3",
        n_steps=4,
    )
    assert table["estimator"].unique().tolist() == ["AttentiveChromeClassifier"]
    assert table["method"].tolist() == ["attention", "integrated_gradients"]
    assert table["metric"].tolist() == ["pearson_r"] * 2
    assert table["mark"].tolist() == ["H3K36me3"] * 2
    expected = correlate_with_reference(
        fitted_model.attention(X), reference, y, mark="H3K36me3"
    )
    assert table["value"].iloc[0] == expected["pearson_r"].iloc[0]


def test_both_yardsticks_at_once(fitted_model, simulated):
    X, y, truth = simulated
    table = compare_interpretations(
        {"model": fitted_model},
        X,
        y,
        ground_truth=truth,
        reference=X[:, :, 3],
        methods=("gradient",),
        random_state=0,
    )
    assert table["metric"].tolist() == ["auprc"] * 3 + ["base_rate"] * 3 + [
        "auroc"
    ] * 3 + ["pearson_r"] + [
        "deletion",
        "deletion_random",
        "insertion",
        "insertion_random",
    ]
    assert table["mark"].iloc[-4:].tolist() == ["all"] * 4


def test_faithfulness_scores_are_those_of_the_functions(fitted_model, simulated):
    X, y, _ = simulated
    table = compare_interpretations(
        fitted_model, X, y, methods=("attention", "gradient"), random_state=3
    ).set_index(["method", "metric"])["value"]
    for method, maps in (
        ("attention", fitted_model.attention(X)),
        ("gradient", np.abs(saliency(fitted_model, X))),
    ):
        for metric, score in (
            ("deletion", deletion_score),
            ("insertion", insertion_score),
        ):
            result = score(fitted_model, X, maps, random_state=3)
            assert table[(method, metric)] == result.score
            assert table[(method, f"{metric}_random")] == result.random_score


def test_deeplift_is_skipped_for_a_network_with_lstms(
    fitted_model, linear_model, simulated
):
    pytest.importorskip("captum")
    X, y, truth = simulated
    table = compare_interpretations(
        {"attentive": fitted_model, "linear": linear_model},
        X,
        y,
        ground_truth=truth,
        methods=("deeplift", "occlusion"),
        faithfulness=False,
    )
    methods = table.groupby("estimator")["method"].unique()
    assert list(methods["attentive"]) == ["occlusion"]
    assert list(methods["linear"]) == ["deeplift", "occlusion"]


def test_reference_on_e003(e003, e003_model):
    table = compare_interpretations(
        {"e003": e003_model},
        e003["X"],
        e003["y"],
        reference=e003["h3k27ac"],
        methods=("attention", "gradient"),
        faithfulness=False,
        mark_names=e003["marks"],
    )
    assert table[["method", "metric", "mark"]].values.tolist() == [
        ["attention", "pearson_r", "H3K4me3"],
        ["gradient", "pearson_r", "H3K4me3"],
    ]
    assert table["value"].between(-1, 1).all()


def test_only_attention_for_a_model_without_it(linear_model, simulated):
    X, y, truth = simulated
    table = compare_interpretations(
        linear_model, X, y, ground_truth=truth, methods=("attention",)
    )
    assert table.empty
    assert list(table.columns) == COLUMNS


@pytest.mark.parametrize(
    "params, message",
    [
        ({"faithfulness": False}, "ground_truth"),
        ({"reference": np.zeros((60, 8))}, "needs y"),
        ({"ground_truth": np.zeros((60, 8, 5), bool), "methods": ["lime"]}, "lime"),
    ],
)
def test_invalid_parameters(fitted_model, simulated, params, message):
    with pytest.raises(ValueError, match=message):
        compare_interpretations(fitted_model, simulated[0], **params)


def test_a_bool_mark_is_refused(fitted_model, simulated):
    X, y, _ = simulated
    with pytest.raises(ValueError, match=r"^mark must be a mark name or an index"):
        compare_interpretations(
            fitted_model, X, y, reference=X[:, :, 3], methods=("attention",), mark=True
        )


def test_attention_is_skipped_for_a_model_fitted_without_it(fitted_model, simulated):
    X, y, truth = simulated
    fitted_model.attention_ = {}
    table = compare_interpretations(
        fitted_model,
        X,
        y,
        ground_truth=truth,
        methods=("attention", "gradient"),
        faithfulness=False,
    )
    assert table["method"].unique().tolist() == ["gradient"]


def test_unfitted_model_raises_not_fitted(simulated):
    X, y, truth = simulated
    with pytest.raises(NotFittedError):
        compare_interpretations(
            AttentiveChromeClassifier(), X, y, ground_truth=truth, methods=["attention"]
        )


@pytest.mark.parametrize(
    ("estimators", "methods", "error", "message"),
    [
        ("none", ("gradient",), ValueError, "^estimators is empty"),
        ("fitted list", ("gradient",), TypeError, "^estimators must be a fitted"),
        ("fitted", (), ValueError, "^methods is empty"),
    ],
)
def test_no_estimators_or_methods_are_refused(
    fitted_model, simulated, estimators, methods, error, message
):
    # An empty dict or empty methods gave an empty table, and a list of models
    # an error of saliency about "a list".
    X, y, truth = simulated
    estimators = {
        "none": {},
        "fitted": fitted_model,
        "fitted list": [fitted_model],
    }[estimators]
    with pytest.raises(error, match=message):
        compare_interpretations(
            estimators, X, y, ground_truth=truth, methods=methods, faithfulness=False
        )
