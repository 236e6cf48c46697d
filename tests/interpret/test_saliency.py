"""saliency: shapes, agreement with finite differences, completeness, errors."""

import copy

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from skattchrome import AttentiveChromeClassifier, DeepChromeRegressor
from skattchrome.datasets import make_chromatin_data
from skattchrome.interpret import SALIENCY_METHODS, saliency


def double_precision_twin(model):
    """A copy of the model with a float64 network, and that network's logit of X."""
    twin = copy.deepcopy(model)
    module = twin.net_.module_.double().eval()

    def logit(X):
        with torch.no_grad():
            return module(torch.from_numpy(np.asarray(X, dtype=np.float64)))[0].numpy()

    return twin, logit


@pytest.mark.parametrize("method", SALIENCY_METHODS)
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
    attributions = saliency(model, X, method="integrated_gradients", n_steps=64)
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
        for n_steps in (2, 16)
    ]
    assert gaps[1] < gaps[0] / 10


@pytest.mark.parametrize("method", SALIENCY_METHODS)
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


@pytest.mark.parametrize("method", SALIENCY_METHODS)
def test_batch_size_does_not_change_the_map(fitted_model, simulated, method):
    X = simulated[0][:9]
    np.testing.assert_allclose(
        saliency(fitted_model, X, method=method, n_steps=5, batch_size=7),
        saliency(fitted_model, X, method=method, n_steps=5),
        rtol=1e-5,
        atol=1e-9,
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
        saliency(fitted_model, simulated[0][:2], method="deeplift")
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


@pytest.mark.parametrize("method", SALIENCY_METHODS)
def test_the_estimator_method_and_the_function_agree(fitted_model, simulated, method):
    X = simulated[0][:5]
    np.testing.assert_array_equal(
        fitted_model.saliency(X, method=method, n_steps=3),
        saliency(fitted_model, X, method=method, n_steps=3),
    )


def test_the_method_checks_the_fit_before_the_input():
    with pytest.raises(NotFittedError):
        AttentiveChromeClassifier().saliency(np.ones((2, 4, 5)))
