"""The models of the paper's comparison, by name: one registry for every caller.

:func:`~skattchrome.model_selection.paper_models`, the study behind
``skattchrome benchmark`` and ``skattchrome fit --model`` all build their
models here, so a model's name, class and settings are written once.
"""

from typing import NamedTuple

from ._attentivechrome import AttentiveChromeClassifier
from ._base import NeuralChromatinClassifier
from ._deepchrome import DeepChromeClassifier
from ._forest import ChromeForestClassifier
from ._linear import ChromeLogisticClassifier


class RegisteredModel(NamedTuple):
    """One model of the comparison: its paper name, class and fixed settings."""

    name: str
    estimator_class: type
    params: dict

    @property
    def is_neural(self):
        """Whether the model trains by epochs (and takes the training settings)."""
        return issubclass(self.estimator_class, NeuralChromatinClassifier)


MODELS = {
    "attentivechrome": RegisteredModel(
        "AttentiveChrome", AttentiveChromeClassifier, {}
    ),
    "lstm": RegisteredModel(
        "LSTM",
        AttentiveChromeClassifier,
        {"use_bin_attention": False, "use_mark_attention": False},
    ),
    "lstm-alpha": RegisteredModel(
        "LSTM-alpha", AttentiveChromeClassifier, {"use_mark_attention": False}
    ),
    "cnn-alpha-beta": RegisteredModel(
        "CNN-alpha,beta", AttentiveChromeClassifier, {"bin_encoder": "cnn"}
    ),
    "deepchrome": RegisteredModel("DeepChrome", DeepChromeClassifier, {}),
    "forest": RegisteredModel("RandomForest", ChromeForestClassifier, {}),
    "logistic": RegisteredModel("Logistic", ChromeLogisticClassifier, {}),
}
"""Command-line name of each model -> :class:`RegisteredModel`, in the paper's
order: AttentiveChrome, its ablations, DeepChrome, then the classical
baselines."""

DEFAULT_MODELS = ("attentivechrome", "deepchrome", "forest", "logistic")
"""The models a study runs unless told otherwise."""


def build_model(key, *, random_state=None, **neural_params):
    """An unfitted model of the comparison, by command-line name.

    Parameters
    ----------
    key : str
        A key of :data:`MODELS`, such as ``"attentivechrome"``,
        ``"lstm-alpha"`` or ``"forest"``.
    random_state : int or None, default=None
        Seed of the estimator.
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
    """
    if key not in MODELS:
        raise ValueError(f"Unknown model {key!r}; choose from {', '.join(MODELS)}.")
    model = MODELS[key]
    if model.is_neural:
        settings = neural_params
    else:
        settings = {
            name: value for name, value in neural_params.items() if name == "n_marks"
        }
    return model.estimator_class(**model.params, random_state=random_state, **settings)
