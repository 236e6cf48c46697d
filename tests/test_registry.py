"""The registry of models by name: paper_models, the study and the CLI use it."""

import pytest

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeLogisticClassifier,
    DeepChromeClassifier,
)
from skattchrome._registry import DEFAULT_MODELS, MODELS, build_model
from skattchrome.model_selection import paper_models


def test_paper_models_are_the_registry_in_order():
    models = paper_models(random_state=3, max_epochs=2)
    assert list(models) == [model.name for model in MODELS.values()]
    for key, estimator in zip(MODELS, models.values(), strict=True):
        built = build_model(key, random_state=3, max_epochs=2)
        assert type(estimator) is type(built)
        assert estimator.get_params() == built.get_params()


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
    assert set(DEFAULT_MODELS) <= set(MODELS)
    assert isinstance(build_model("attentivechrome"), AttentiveChromeClassifier)


def test_unknown_model_names_the_choices():
    with pytest.raises(
        ValueError, match="Unknown model 'gru'; choose from attentivechrome"
    ):
        build_model("gru")
