"""The models of the paper's comparison, by name: one registry for every caller.

:func:`~skattchrome.model_selection.paper_models`, the study behind
``skattchrome benchmark`` and ``skattchrome fit --model`` all build their
models here, so a model's name, class and settings are written once.
"""

from typing import NamedTuple

from ._attentivechrome import AttentiveChromeClassifier, AttentiveChromeRegressor
from ._deepchrome import DeepChromeClassifier, DeepChromeRegressor
from ._forest import ChromeForestClassifier, ChromeForestRegressor
from ._linear import ChromeLogisticClassifier, ChromeRidgeRegressor
from ._neural import NeuralChromatinEstimator

TASKS = ("classification", "regression")
"""What a model predicts: high or low expression, or how much."""


class RegisteredModel(NamedTuple):
    """One model of the comparison: its paper name, classes and fixed settings.

    ``classifier`` or ``regressor`` is None where the model has no estimator
    for that task (the logistic regression only classifies, the ridge
    regression only regresses).
    """

    name: str
    classifier: type | None
    regressor: type | None
    params: dict

    def estimator_class(self, task):
        """The class of the model for ``task``, or None."""
        return self.classifier if task == "classification" else self.regressor

    @property
    def is_neural(self):
        """Whether the model trains by epochs (and takes the training settings)."""
        return issubclass(self.classifier or self.regressor, NeuralChromatinEstimator)


def _attentive(name, **params):
    """AttentiveChrome as published, or the ablation of it that ``params`` switch.

    The paper's networks have no linear path, which the estimators' defaults add.
    """
    return RegisteredModel(
        name,
        AttentiveChromeClassifier,
        AttentiveChromeRegressor,
        {"linear_path": False, **params},
    )


MODELS = {
    "attentivechrome": _attentive("AttentiveChrome"),
    "lstm": _attentive("LSTM", use_bin_attention=False, use_mark_attention=False),
    "lstm-alpha": _attentive("LSTM-alpha", use_mark_attention=False),
    "cnn-alpha-beta": _attentive("CNN-alpha,beta", bin_encoder="cnn"),
    "deepchrome": RegisteredModel(
        "DeepChrome", DeepChromeClassifier, DeepChromeRegressor, {}
    ),
    "forest": RegisteredModel(
        "RandomForest", ChromeForestClassifier, ChromeForestRegressor, {}
    ),
    "logistic": RegisteredModel("Logistic", ChromeLogisticClassifier, None, {}),
    "ridge": RegisteredModel("Ridge", None, ChromeRidgeRegressor, {}),
}
"""Command-line name of each model -> :class:`RegisteredModel`, in the paper's
order: AttentiveChrome, its ablations, DeepChrome, then the classical
baselines."""

DEFAULT_MODELS = {
    "classification": ("attentivechrome", "deepchrome", "forest", "logistic"),
    "regression": ("attentivechrome", "deepchrome", "forest", "ridge"),
}
"""The models a study runs unless told otherwise, per task."""


def models_for(task):
    """The keys of :data:`MODELS` that have an estimator for ``task``.

    Examples
    --------
    >>> from skattchrome._registry import models_for
    >>> models_for("regression")[-2:]
    ['forest', 'ridge']
    """
    _check_task(task)
    return [key for key, model in MODELS.items() if model.estimator_class(task)]


def _check_task(task):
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")


def build_model(key, *, task="classification", random_state=None, **neural_params):
    """An unfitted model of the comparison, by command-line name.

    Parameters
    ----------
    key : str
        A key of :data:`MODELS`, such as ``"attentivechrome"``,
        ``"lstm-alpha"`` or ``"forest"``.
    task : {"classification", "regression"}, default="classification"
        Build the model's classifier or its regressor.
    random_state : int or None, default=None
        Seed of the estimator (the ridge regression, deterministic, has none).
    **neural_params : dict
        Training settings of a neural model (for example ``max_epochs``,
        ``device`` or ``verbose``); a classical model takes only ``n_marks``
        from them.

    Returns
    -------
    estimator : estimator
        The unfitted model.

    Examples
    --------
    >>> from skattchrome._registry import build_model
    >>> build_model("lstm-alpha", max_epochs=3).use_mark_attention
    False
    >>> build_model("forest", max_epochs=3, n_marks=4).n_marks
    4
    >>> type(build_model("attentivechrome", task="regression")).__name__
    'AttentiveChromeRegressor'
    """
    _check_task(task)
    if key not in MODELS:
        raise ValueError(f"Unknown model {key!r}; choose from {', '.join(MODELS)}.")
    model = MODELS[key]
    estimator_class = model.estimator_class(task)
    if estimator_class is None:
        raise ValueError(
            f"Model {key!r} has no estimator for {task}; for {task} choose from "
            f"{', '.join(models_for(task))}."
        )
    kept = set(neural_params) if model.is_neural else {"n_marks"}
    params = {name: value for name, value in neural_params.items() if name in kept}
    if "random_state" in estimator_class().get_params():
        params["random_state"] = random_state
    return estimator_class(**model.params, **params)
