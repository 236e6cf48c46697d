"""DeepChromeClassifier, DeepChromeRegressor and their network."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from skattchrome import DeepChromeClassifier, DeepChromeModule, DeepChromeRegressor
from skattchrome.datasets import make_chromatin_data


def test_published_architecture_for_100_bins():
    network = DeepChromeModule(n_bins=100, n_marks=5)
    convolution = network.convolution
    assert (convolution.in_channels, convolution.out_channels) == (5, 50)
    assert convolution.kernel_size == (10,)
    assert network.pool.kernel_size == 5
    assert network.dropout.p == 0.5
    linear_sizes = [
        (layer.in_features, layer.out_features)
        for layer in network.dense
        if isinstance(layer, torch.nn.Linear)
    ]
    assert linear_sizes == [(900, 625), (625, 125), (125, 1)]


@pytest.mark.parametrize(
    ("n_bins", "flat_size"), [(200, 50 * 38), (12, 50 * 1), (3, 50)]
)
def test_sizes_follow_the_number_of_bins(n_bins, flat_size):
    network = DeepChromeModule(n_bins=n_bins, n_marks=2)
    assert network.dense[0].in_features == flat_size
    assert network(torch.rand(4, n_bins, 2)).shape == (4,)


def test_fit_predict_and_best_epoch(seed):
    X, y = make_chromatin_data(n_genes=300, n_bins=40, random_state=seed)
    X_test, y_test = make_chromatin_data(n_genes=300, n_bins=40, random_state=seed + 1)
    model = DeepChromeClassifier(max_epochs=8, device="cpu", random_state=seed)
    model.fit(X, y, validation_data=(X_test[:100], y_test[:100]))
    proba = model.predict_proba(X_test)
    assert proba.shape == (300, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert roc_auc_score(y_test, proba[:, 1]) > 0.7
    assert model.best_valid_auc_ == max(model.history_[:, "valid_auc"])
    assert model.net_.module_.dense[0].in_features == 50 * 6


def test_same_input_contract_as_attentivechrome(seed):
    X, y = make_chromatin_data(n_genes=80, n_bins=20, random_state=seed)
    labels = np.where(y == 1, "high", "low")
    three_d = DeepChromeClassifier(max_epochs=1, random_state=seed).fit(X, labels)
    flat = DeepChromeClassifier(max_epochs=1, n_marks=5, random_state=seed)
    flat.fit(X.reshape(len(X), -1), labels)
    np.testing.assert_array_equal(three_d.predict_proba(X), flat.predict_proba(X))
    assert set(three_d.predict(X)) <= {"high", "low"}
    with pytest.raises(ValueError, match="X has 20 bins and 4 marks"):
        three_d.predict(X[:, :, :4])


def test_seeded_dropout_gives_identical_fits(seed):
    X, y = make_chromatin_data(n_genes=80, n_bins=20, random_state=seed)
    first = DeepChromeClassifier(max_epochs=2, random_state=1).fit(X, y)
    second = DeepChromeClassifier(max_epochs=2, random_state=1).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_filters": 0}, "n_filters"),
        ({"kernel_size": 1.5}, "kernel_size"),
        ({"hidden_sizes": (10, 0)}, "hidden_sizes"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_parameters(params, message):
    X, y = make_chromatin_data(n_genes=40, n_bins=20, random_state=0)
    with pytest.raises(ValueError, match=message):
        DeepChromeClassifier(**params).fit(X, y)


@pytest.mark.slow
def test_regressor_learns_expression_with_the_same_network(seed):
    X, _, expression = make_chromatin_data(
        n_genes=600, n_bins=40, random_state=seed, return_expression=True
    )
    model = DeepChromeRegressor(device="cpu", random_state=seed)
    model.fit(X[:400], expression[:400])
    assert model.score(X[400:], expression[400:]) > 0.2
    network = model.net_.module_
    assert network(torch.rand(4, 40, 5)).shape == (4,)
    classifier = DeepChromeClassifier(max_epochs=1, random_state=seed).fit(
        X[:400], expression[:400] > 0
    )
    assert [type(layer) for layer in network.dense] == [
        type(layer) for layer in classifier.net_.module_.dense
    ]
    assert model.get_params().keys() == classifier.get_params().keys()
