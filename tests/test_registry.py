"""The registry of models by name: paper_models, the study and the CLI use it."""

import pytest
from sklearn.base import is_regressor

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
)
from skattchrome._registry import DEFAULT_MODELS, MODELS, build_model, models_for
from skattchrome.model_selection import paper_models


def test_paper_models_are_the_registry_in_order():
    for task in ("classification", "regression"):
        models = paper_models(task=task, random_state=3, max_epochs=2)
        keys = models_for(task)
        assert list(models) == [MODELS[key].name for key in keys]
        for key, estimator in zip(keys, models.values(), strict=True):
            built = build_model(key, task=task, random_state=3, max_epochs=2)
            assert type(estimator) is type(built)
            assert estimator.get_params() == built.get_params()
            assert is_regressor(estimator) == (task == "regression")
    assert set(models_for("classification")) ^ set(models_for("regression")) == {
        "logistic",
        "ridge",
    }


def test_ablations_differ_only_in_their_switches():
    ablations = {
        "lstm": {"use_bin_attention": False, "use_mark_attention": False},
        "lstm-alpha": {"use_mark_attention": False},
        "cnn-alpha-beta": {"bin_encoder": "cnn"},
    }
    full = build_model("attentivechrome").get_params()
    for key, switches in ablations.items():
        params = build_model(key).get_params()
        assert {name for name in params if params[name] != full[name]} == set(switches)
        assert all(params[name] == value for name, value in switches.items())


def test_the_paper_s_attentivechrome_models_are_the_published_networks():
    attentive = [
        key
        for key, model in MODELS.items()
        if model.classifier is AttentiveChromeClassifier
    ]
    assert len(attentive) == 4
    for key in attentive:
        for task in ("classification", "regression"):
            assert build_model(key, task=task).linear_path is False
    assert AttentiveChromeClassifier().linear_path is True


def test_classical_models_take_only_n_marks_of_the_training_settings():
    forest = build_model(
        "forest", random_state=1, max_epochs=9, device="cpu", n_marks=4
    )
    logistic = build_model("logistic", max_epochs=9, verbose=1, n_marks=4)
    assert isinstance(forest, ChromeForestClassifier)
    assert isinstance(logistic, ChromeLogisticClassifier)
    assert (forest.n_marks, forest.random_state, logistic.n_marks) == (4, 1, 4)
    deepchrome = build_model("deepchrome", max_epochs=9, device="cpu")
    assert isinstance(deepchrome, DeepChromeClassifier)
    assert (deepchrome.max_epochs, deepchrome.device) == (9, "cpu")


def test_registry_flags_the_neural_models():
    neural = [key for key, model in MODELS.items() if model.is_neural]
    assert neural == [
        "attentivechrome",
        "lstm",
        "lstm-alpha",
        "cnn-alpha-beta",
        "deepchrome",
    ]
    for task, defaults in DEFAULT_MODELS.items():
        assert set(defaults) <= set(models_for(task))
    assert isinstance(build_model("attentivechrome"), AttentiveChromeClassifier)


def test_a_model_without_an_estimator_for_the_task_names_the_others():
    with pytest.raises(ValueError, match="'logistic' has no estimator for regression"):
        build_model("logistic", task="regression")
    with pytest.raises(ValueError, match="task must be one of"):
        build_model("forest", task="ranking")
    ridge = build_model("ridge", task="regression", random_state=0, max_epochs=3)
    assert isinstance(ridge, ChromeRidgeRegressor)


def test_unknown_model_names_the_choices():
    with pytest.raises(
        ValueError, match="Unknown model 'gru'; choose from attentivechrome"
    ):
        build_model("gru")
