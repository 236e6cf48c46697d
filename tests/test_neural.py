"""The neural estimators' shared machinery: abstract module, warm start, weights."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skattchrome import (
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
)
from skattchrome._neural_tasks import NeuralChromatinClassifier
from skattchrome.datasets import make_chromatin_data

SMALL = {
    AttentiveChromeClassifier: {"bin_hidden_size": 4, "mark_hidden_size": 3},
    AttentiveChromeRegressor: {"bin_hidden_size": 4, "mark_hidden_size": 3},
    DeepChromeClassifier: {"n_filters": 4, "hidden_sizes": (8, 4)},
    DeepChromeRegressor: {"n_filters": 4, "hidden_sizes": (8, 4)},
}


@pytest.fixture(scope="module")
def genes():
    X, y, expression = make_chromatin_data(
        n_genes=80, n_bins=12, random_state=0, return_expression=True
    )
    return X, y, expression


def _small(estimator_class, seed, **params):
    return estimator_class(
        **SMALL[estimator_class], device="cpu", random_state=seed, **params
    )


def _target(estimator_class, genes):
    X, y, expression = genes
    return X, (expression if "Regressor" in estimator_class.__name__ else y)


def _output(model, X):
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    return model.predict(X)


def test_a_neural_classifier_must_build_its_module():
    class WithoutModule(NeuralChromatinClassifier):
        pass

    with pytest.raises(TypeError, match="abstract method _build_module"):
        WithoutModule()


@pytest.mark.parametrize("estimator_class", list(SMALL), ids=lambda c: c.__name__)
def test_warm_start_continues_from_the_current_weights(estimator_class, genes, seed):
    X, y = _target(estimator_class, genes)
    model = _small(estimator_class, seed, max_epochs=3).fit(X, y)
    before = _output(model, X)
    model.set_params(warm_start=True, lr=1e-9, max_epochs=1).fit(X, y)
    assert np.abs(_output(model, X) - before).max() < 1e-4
    assert model.n_epochs_ == 1

    restarted = model.set_params(warm_start=False).fit(X, y)
    assert np.abs(_output(restarted, X) - before).max() > 1e-2


def test_warm_start_on_an_unfitted_model_is_an_ordinary_fit(genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    warm = _small(AttentiveChromeClassifier, seed, max_epochs=2, warm_start=True)
    cold = _small(AttentiveChromeClassifier, seed, max_epochs=2)
    np.testing.assert_array_equal(
        warm.fit(X, y).decision_function(X), cold.fit(X, y).decision_function(X)
    )


def test_clone_of_a_warm_started_model_is_unfitted(genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    model = _small(AttentiveChromeClassifier, seed, max_epochs=1, warm_start=True)
    copy = clone(model.fit(X, y))
    assert copy.get_params()["warm_start"] is True
    assert not hasattr(copy, "net_")


def test_a_warm_regressor_keeps_the_scale_of_the_fit_it_continues(genes, seed):
    X, _, expression = genes
    model = _small(AttentiveChromeRegressor, seed, max_epochs=1).fit(X, expression)
    scale = model.target_mean_, model.target_scale_
    model.set_params(warm_start=True).fit(X, 10 * expression + 3)
    assert (model.target_mean_, model.target_scale_) == scale


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"bin_hidden_size": 5},
            "bin_encoders.0.weight_hh_l0 .* of another shape|"
            "of another shape: .*bin_encoders",
        ),
        ({"use_mark_attention": False}, "missing: classifier.weight|unexpected"),
    ],
)
def test_warm_start_refuses_a_network_of_another_shape(change, message, genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    model = _small(AttentiveChromeClassifier, seed, max_epochs=1).fit(X, y)
    before = model.decision_function(X)
    model.set_params(warm_start=True, **change)
    with pytest.raises(ValueError, match="set warm_start=False") as raised:
        model.fit(X, y)
    assert "the last fit do not fit AttentiveChromeModule" in str(raised.value)
    np.testing.assert_array_equal(model.decision_function(X), before)


def test_warm_start_refuses_other_bins_marks_or_classes(genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    model = _small(AttentiveChromeClassifier, seed, max_epochs=1).fit(X, y)
    model.set_params(warm_start=True)
    with pytest.raises(ValueError, match="on 12 bins and 5 marks, but X has 10 bins"):
        model.fit(X[:, :10], y)
    with pytest.raises(
        ValueError, match="on 12 bins and 5 marks, but X has 12 bins and 4 marks"
    ):
        model.fit(X[:, :, :4], y)
    with pytest.raises(
        ValueError,
        match=r"classes \[0, 1\], but y has the classes "
        r"\['high', 'low'\]",
    ):
        model.fit(X, np.where(y == 1, "high", "low"))


def test_warm_start_refuses_marks_in_another_order(genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    marks = ["H3K27me3", "H3K36me3", "H3K4me1", "H3K4me3", "H3K9me3"]

    def frame(order):
        columns = [f"{marks[m]}_{b}" for b in range(X.shape[1]) for m in order]
        return pd.DataFrame(X[:, :, order].reshape(len(X), -1), columns=columns)

    model = _small(AttentiveChromeClassifier, seed, max_epochs=1)
    model.fit(frame([0, 1, 2, 3, 4]), y)
    model.set_params(warm_start=True)
    model.fit(frame([0, 1, 2, 3, 4]), y)
    with pytest.raises(ValueError, match="pass the same marks in the same order"):
        model.fit(frame([3, 1, 2, 0, 4]), y)


@pytest.mark.parametrize(
    "estimator_class",
    [AttentiveChromeClassifier, DeepChromeRegressor],
    ids=lambda c: c.__name__,
)
def test_log_transform_is_a_log1p_of_the_input(estimator_class, genes, seed):
    X, y = _target(estimator_class, genes)
    validation = (X[:20], y[:20])
    logged = _small(estimator_class, seed, max_epochs=2, log_transform=True)
    logged.fit(X, y, validation_data=validation)
    plain = _small(estimator_class, seed, max_epochs=2)
    plain.fit(np.log1p(X), y, validation_data=(np.log1p(X[:20]), y[:20]))
    np.testing.assert_array_equal(_output(logged, X), _output(plain, np.log1p(X)))
    np.testing.assert_array_equal(
        logged.saliency(X[:3], method="integrated_gradients", baseline=2.0),
        plain.saliency(
            np.log1p(X[:3]), method="integrated_gradients", baseline=np.log1p(2.0)
        ),
    )
    assert logged.__sklearn_tags__().input_tags.positive_only
    assert not plain.__sklearn_tags__().input_tags.positive_only


def test_log_transform_refuses_negative_signal(genes, seed):
    X, y = _target(AttentiveChromeClassifier, genes)
    model = _small(AttentiveChromeClassifier, seed, max_epochs=1, log_transform=True)
    with pytest.raises(
        ValueError,
        match=r"Negative values in data passed to AttentiveChromeClassifier \(X\)",
    ):
        model.fit(X - 1, y)
    with pytest.raises(ValueError, match=r"\(validation_data\)"):
        model.fit(X, y, validation_data=(X[:20] - 1, y[:20]))
    model.fit(X, y)
    with pytest.raises(ValueError, match=r"Negative values in data .*\(X\)"):
        model.predict_proba(-X)
    with pytest.raises(ValueError, match=r"\(baseline\)"):
        model.saliency(X[:2], method="integrated_gradients", baseline=-1.0)


@pytest.mark.parametrize("n_genes", [0, -5, 2.5, "many"])
def test_training_budget_names_an_invalid_number_of_genes(n_genes):
    # 0 or -5 genes was a ZeroDivisionError, and "many" a TypeError of //.
    with pytest.raises(ValueError, match=r"^n_genes must be an integer >= 1"):
        DeepChromeClassifier().training_budget(n_genes)
