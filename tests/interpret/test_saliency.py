"""saliency: shapes, agreement with finite differences, completeness, errors."""

import copy
import importlib.util
import sys

import numpy as np
import pytest
import torch
from sklearn.base import is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from skattchrome import (
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
)
from skattchrome._captum import CAPTUM_METHODS
from skattchrome.datasets import make_chromatin_data
from skattchrome.interpret import SALIENCY_METHODS, saliency

needs_captum = pytest.mark.skipif(
    importlib.util.find_spec("captum") is None,
    reason="Captum (pip install skattchrome[captum]) is not installed",
)


def methods(*excluded):
    """The saliency methods but ``excluded``, Captum's marked to need Captum."""
    return [
        pytest.param(method, marks=needs_captum if method in CAPTUM_METHODS else ())
        for method in SALIENCY_METHODS
        if method not in excluded
    ]


# DeepLift refuses AttentiveChrome's LSTMs; the tests of DeepLift use DeepChrome.
ATTENTIVECHROME_METHODS = methods("deeplift")


def double_precision_twin(model):
    """A copy of the model with a float64 network, and that network's logit of X."""
    twin = copy.deepcopy(model)
    module = twin.net_.module_.double().eval()

    def logit(X):
        with torch.no_grad():
            return module(torch.from_numpy(np.asarray(X, dtype=np.float64)))[0].numpy()

    return twin, logit


@pytest.mark.parametrize("method", ATTENTIVECHROME_METHODS)
def test_shape_and_dtype_of_every_method(fitted_model, simulated, method):
    X = simulated[0][:7]
    attributions = saliency(fitted_model, X, method=method, n_steps=4)
    assert attributions.shape == X.shape
    assert attributions.dtype == np.float64
    assert np.isfinite(attributions).all()
    assert np.abs(attributions).max() > 0


def test_gradient_matches_finite_differences_of_decision_function(
    fitted_model, simulated, seed
):
    X = simulated[0][:5]
    gradient = saliency(fitted_model, X)
    rng = np.random.default_rng(seed)
    step = 1e-2
    for _ in range(6):
        entry = tuple(rng.integers(0, size) for size in X.shape)
        plus, minus = X.copy(), X.copy()
        plus[entry] += step
        minus[entry] -= step
        gene = slice(entry[0], entry[0] + 1)
        difference = (
            fitted_model.decision_function(plus[gene])
            - fitted_model.decision_function(minus[gene])
        )[0] / (2 * step)
        np.testing.assert_allclose(
            gradient[entry], difference, rtol=2e-2, atol=1e-3 * np.abs(gradient).max()
        )


def test_gradient_matches_finite_differences_in_double_precision(
    fitted_model, simulated, seed
):
    model, logit = double_precision_twin(fitted_model)
    X = simulated[0][:4].astype(np.float64)
    gradient = saliency(model, X)
    rng = np.random.default_rng(seed)
    step = 1e-5
    for _ in range(10):
        entry = tuple(rng.integers(0, size) for size in X.shape)
        plus, minus = X.copy(), X.copy()
        plus[entry] += step
        minus[entry] -= step
        difference = (logit(plus) - logit(minus))[entry[0]] / (2 * step)
        np.testing.assert_allclose(gradient[entry], difference, rtol=1e-5, atol=1e-12)


def test_linear_network_returning_the_logit_alone(linear_model, simulated):
    X, model = simulated[0], linear_model
    weight = model.net_.module_[1].weight.detach().numpy().reshape(X.shape[1:])
    gradient = saliency(model, X[:3])
    np.testing.assert_allclose(gradient, np.broadcast_to(weight, gradient.shape))
    np.testing.assert_allclose(
        saliency(model, X[:3], method="integrated_gradients", n_steps=3),
        weight * X[:3],
        rtol=1e-6,
        atol=1e-7,
    )


def test_gradient_x_input_is_gradient_times_input(fitted_model, simulated):
    X = simulated[0][:6]
    np.testing.assert_array_equal(
        saliency(fitted_model, X, method="gradient_x_input"),
        saliency(fitted_model, X) * X,
    )


def test_integrated_gradients_completeness_from_zero(fitted_model, simulated):
    model, logit = double_precision_twin(fitted_model)
    X = simulated[0][:8]
    # The linear path's log of summed counts is steep near zero counts: from a
    # zero baseline it takes more steps than the attention path alone (64).
    attributions = saliency(model, X, method="integrated_gradients", n_steps=256)
    expected = logit(X) - logit(np.zeros_like(X))
    assert np.abs(expected).max() > 1e-3
    np.testing.assert_allclose(
        attributions.sum(axis=(1, 2)), expected, atol=1e-3 * np.abs(expected).max()
    )


def test_integrated_gradients_completeness_from_a_baseline(fitted_model, simulated):
    model, logit = double_precision_twin(fitted_model)
    X = simulated[0][:8]
    baseline = X.mean(axis=0)
    attributions = saliency(
        model, X, method="integrated_gradients", baseline=baseline, n_steps=64
    )
    expected = logit(X) - logit(np.broadcast_to(baseline, X.shape))
    np.testing.assert_allclose(
        attributions.sum(axis=(1, 2)), expected, atol=1e-3 * np.abs(expected).max()
    )


def test_integrated_gradients_completeness_in_float32(fitted_model, simulated):
    X = simulated[0][:8]
    attributions = saliency(fitted_model, X, method="integrated_gradients")
    expected = fitted_model.decision_function(X) - fitted_model.decision_function(
        np.zeros_like(X)
    )
    np.testing.assert_allclose(
        attributions.sum(axis=(1, 2)), expected, atol=1e-2 * np.abs(expected).max()
    )


def test_integrated_gradients_converge_with_more_steps(fitted_model, simulated):
    model, logit = double_precision_twin(fitted_model)
    X = simulated[0][:8]
    expected = logit(X) - logit(np.zeros_like(X))
    gaps = [
        np.abs(
            saliency(model, X, method="integrated_gradients", n_steps=n_steps).sum(
                axis=(1, 2)
            )
            - expected
        ).max()
        for n_steps in (4, 64)
    ]
    assert gaps[1] < gaps[0] / 10


@pytest.mark.parametrize("method", ATTENTIVECHROME_METHODS)
def test_flat_input_gives_the_same_3d_map(fitted_model, simulated, method):
    X = simulated[0][:5]
    flat = X.reshape(len(X), -1)
    np.testing.assert_array_equal(
        saliency(fitted_model, flat, method=method, n_steps=3),
        saliency(fitted_model, X, method=method, n_steps=3),
    )


def test_flat_and_3d_baselines_agree(fitted_model, simulated):
    X = simulated[0][:5]
    baseline = X.mean(axis=0)
    by_shape = {
        "3-D": saliency(
            fitted_model, X, method="integrated_gradients", baseline=baseline
        ),
        "flat": saliency(
            fitted_model,
            X,
            method="integrated_gradients",
            baseline=baseline.reshape(-1),
        ),
        "per gene": saliency(
            fitted_model,
            X,
            method="integrated_gradients",
            baseline=np.broadcast_to(baseline, X.shape).reshape(len(X), -1),
        ),
    }
    np.testing.assert_array_equal(by_shape["flat"], by_shape["3-D"])
    np.testing.assert_array_equal(by_shape["per gene"], by_shape["3-D"])


@pytest.mark.parametrize("method", ATTENTIVECHROME_METHODS)
def test_batch_size_does_not_change_the_map(fitted_model, simulated, method):
    X = simulated[0][:9]
    # Occlusion is a difference of two float32 logits of a few units, exact to
    # their rounding.
    atol = 1e-6 if method == "occlusion" else 1e-9
    np.testing.assert_allclose(
        saliency(fitted_model, X, method=method, n_steps=5, batch_size=7),
        saliency(fitted_model, X, method=method, n_steps=5),
        rtol=1e-5,
        atol=atol,
    )


def test_leaves_parameter_gradients_and_mode_alone(fitted_model, simulated):
    module = fitted_model.net_.module_
    module.train()
    gradients_before = [
        None if parameter.grad is None else parameter.grad.clone()
        for parameter in module.parameters()
    ]
    saliency(fitted_model, simulated[0][:4], method="integrated_gradients", n_steps=3)
    assert module.training
    for parameter, before in zip(module.parameters(), gradients_before, strict=True):
        if before is None:
            assert parameter.grad is None
        else:
            torch.testing.assert_close(parameter.grad, before)


def test_works_under_no_grad(fitted_model, simulated):
    X = simulated[0][:3]
    with torch.no_grad():
        inside = saliency(fitted_model, X)
    np.testing.assert_array_equal(inside, saliency(fitted_model, X))


def test_unfitted_estimator_raises_not_fitted(simulated):
    with pytest.raises(NotFittedError):
        saliency(AttentiveChromeClassifier(), simulated[0][:2])


def test_estimator_without_network_raises_type_error(simulated):
    X, y, _ = simulated
    model = LogisticRegression(max_iter=1000).fit(np.log1p(X).reshape(len(X), -1), y)
    with pytest.raises(TypeError, match="LogisticRegression"):
        saliency(model, X)


def test_unknown_method_lists_the_valid_ones(fitted_model, simulated):
    with pytest.raises(ValueError, match="integrated_gradients") as error:
        saliency(fitted_model, simulated[0][:2], method="shap")
    assert all(method in str(error.value) for method in SALIENCY_METHODS)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_steps": 0}, "n_steps"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"method": "integrated_gradients", "baseline": np.zeros(3)}, "baseline"),
        (
            {"method": "integrated_gradients", "baseline": np.full((8, 5), np.nan)},
            "finite",
        ),
    ],
)
def test_invalid_parameters(fitted_model, simulated, params, message):
    with pytest.raises(ValueError, match=message):
        saliency(fitted_model, simulated[0][:2], **params)


def test_input_that_does_not_fit_the_model(fitted_model, simulated):
    with pytest.raises(ValueError, match="bins"):
        saliency(fitted_model, simulated[0][:2, :4])


def test_regressor_attributions_are_in_the_units_of_its_target():
    X, _, expression = make_chromatin_data(
        n_genes=120, n_bins=8, random_state=0, return_expression=True
    )
    model = DeepChromeRegressor(max_epochs=2, device="cpu", random_state=0)
    model.fit(X, 100.0 * expression)
    attributions = saliency(model, X[:4], method="integrated_gradients", n_steps=64)
    gap = attributions.sum(axis=(1, 2)) - (
        model.predict(X[:4]) - model.predict(np.zeros_like(X[:4]))
    )
    assert np.abs(gap).max() < 1e-2 * np.abs(model.predict(X[:4])).max()
    rescaled = DeepChromeRegressor(max_epochs=2, device="cpu", random_state=0)
    rescaled.fit(X, expression)
    np.testing.assert_allclose(
        attributions,
        100.0 * saliency(rescaled, X[:4], method="integrated_gradients", n_steps=64),
        rtol=1e-4,
        atol=1e-6 * np.abs(attributions).max(),
    )


@pytest.mark.parametrize("method", ATTENTIVECHROME_METHODS)
def test_the_estimator_method_and_the_function_agree(fitted_model, simulated, method):
    X = simulated[0][:5]
    np.testing.assert_array_equal(
        fitted_model.saliency(X, method=method, n_steps=3),
        saliency(fitted_model, X, method=method, n_steps=3),
    )


def test_the_method_checks_the_fit_before_the_input():
    with pytest.raises(NotFittedError):
        AttentiveChromeClassifier().saliency(np.ones((2, 4, 5)))


@pytest.fixture(scope="module")
def deepchrome():
    """A DeepChrome fitted for two epochs on 60 simulated genes of 20 bins."""
    X, y = make_chromatin_data(n_genes=60, n_bins=20, random_state=0)
    X = np.log1p(X)
    return DeepChromeClassifier(max_epochs=2, device="cpu", random_state=0).fit(X, y), X


@needs_captum
@pytest.mark.parametrize("baseline", [None, 0.5])
def test_occlusion_is_the_change_when_one_bin_is_set_to_the_baseline(
    fitted_model, simulated, baseline, seed
):
    X = simulated[0][:4]
    occlusion = saliency(fitted_model, X, method="occlusion", baseline=baseline)
    rng = np.random.default_rng(seed)
    for _ in range(5):
        bin_index, mark = rng.integers(X.shape[1]), rng.integers(X.shape[2])
        occluded = X.copy()
        occluded[:, bin_index, mark] = baseline or 0.0
        change = fitted_model.decision_function(X) - fitted_model.decision_function(
            occluded
        )
        np.testing.assert_allclose(occlusion[:, bin_index, mark], change, atol=1e-6)


@needs_captum
def test_deeplift_sums_to_the_difference_from_zero_signal(deepchrome):
    model, X = deepchrome
    attributions = saliency(model, X[:6], method="deeplift")
    difference = model.decision_function(X[:6]) - model.decision_function(
        np.zeros_like(X[:6])
    )
    np.testing.assert_allclose(attributions.sum(axis=(1, 2)), difference, atol=1e-5)
    # Not the gradient times the input: the rescale rule goes through ReLU.
    gradient_times_input = saliency(model, X[:6], method="gradient_x_input")
    assert np.abs(attributions - gradient_times_input).max() > 1e-3


@needs_captum
def test_deeplift_from_a_baseline_sums_close_to_the_difference(deepchrome):
    model, X = deepchrome
    baseline = X.mean(axis=0)
    attributions = saliency(model, X[:6], method="deeplift", baseline=baseline)
    difference = model.decision_function(X[:6]) - model.decision_function(
        np.broadcast_to(baseline, X[:6].shape)
    )
    # Captum's rule for max pooling conserves the difference only approximately.
    gap = np.abs(attributions.sum(axis=(1, 2)) - difference)
    assert gap.max() < 0.2 * np.abs(difference).max()


@needs_captum
def test_deeplift_of_a_linear_network_is_weight_times_difference(
    linear_model, simulated
):
    X = simulated[0][:4]
    weights = linear_model.net_.module_[1].weight.detach().numpy().reshape(X.shape[1:])
    np.testing.assert_allclose(
        saliency(linear_model, X, method="deeplift"), X * weights, rtol=1e-4, atol=1e-6
    )


@needs_captum
def test_deeplift_refuses_a_network_with_lstms(fitted_model, simulated):
    with pytest.raises(ValueError, match="LSTM"):
        saliency(fitted_model, simulated[0][:2], method="deeplift")


@needs_captum
@pytest.mark.parametrize(
    "estimator, methods",
    [
        (AttentiveChromeClassifier, ("occlusion",)),
        (AttentiveChromeRegressor, ("occlusion",)),
        (DeepChromeClassifier, ("occlusion", "deeplift")),
        (DeepChromeRegressor, ("occlusion", "deeplift")),
    ],
)
def test_captum_attributions_for_every_neural_estimator(estimator, methods):
    X, y, expression = make_chromatin_data(
        n_genes=40, n_bins=12, random_state=0, return_expression=True
    )
    X = np.log1p(X)
    target = y if is_classifier(estimator()) else 10.0 * expression
    model = estimator(max_epochs=1, device="cpu", random_state=0).fit(X, target)
    output = (
        model.decision_function
        if hasattr(model, "decision_function")
        else model.predict
    )
    for method in methods:
        attributions = saliency(model, X[:3], method=method)
        assert attributions.shape == X[:3].shape
        if method == "deeplift":
            np.testing.assert_allclose(
                attributions.sum(axis=(1, 2)),
                output(X[:3]) - output(np.zeros_like(X[:3])),
                rtol=1e-3,
                atol=1e-4 * np.abs(output(X[:3])).max(),
            )
        else:
            occluded = X[:3].copy()
            occluded[:, 5, 1] = 0.0
            np.testing.assert_allclose(
                attributions[:, 5, 1],
                output(X[:3]) - output(occluded),
                rtol=1e-4,
                atol=1e-5 * np.abs(output(X[:3])).max(),
            )


def test_captum_methods_without_captum_say_how_to_install_it(
    fitted_model, simulated, monkeypatch
):
    monkeypatch.setitem(sys.modules, "captum.attr", None)
    with pytest.raises(ImportError, match=r"skattchrome\[captum\]"):
        saliency(fitted_model, simulated[0][:2], method="occlusion")


@pytest.mark.parametrize("baseline", ["mean", np.array([["0", "x"]])])
def test_a_baseline_that_is_not_numbers_is_named(fitted_model, simulated, baseline):
    # NumPy's "could not convert string to float: 'mean'" named no argument.
    with pytest.raises(TypeError, match=r"^baseline must hold real numbers"):
        saliency(
            fitted_model,
            simulated[0][:2],
            method="integrated_gradients",
            baseline=baseline,
        )
