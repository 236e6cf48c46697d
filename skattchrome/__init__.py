"""skattchrome: AttentiveChrome and its baselines as scikit-learn estimators.

Predict whether a gene is highly expressed, or how much, from the signal of
histone marks in bins around its transcription start site, and see which bins
and which marks drove the prediction.
"""

from . import datasets, interpret, model_selection, preprocessing, pretrained
from ._attention import ContextAttention, sparsemax
from ._attention_maps import AttentionMaps
from ._attentivechrome import (
    PAPER_RECIPE,
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    UniformAttentionWarning,
)
from ._deepchrome import DeepChromeClassifier, DeepChromeRegressor
from ._forest import ChromeForestClassifier, ChromeForestRegressor
from ._linear import ChromeLogisticClassifier, ChromeRidgeRegressor
from ._model_files import load_model, save_model
from ._modules import AttentiveChromeModule, DeepChromeModule
from ._version import __version__

__all__ = [
    "PAPER_RECIPE",
    "AttentionMaps",
    "AttentiveChromeClassifier",
    "AttentiveChromeModule",
    "AttentiveChromeRegressor",
    "ChromeForestClassifier",
    "ChromeForestRegressor",
    "ChromeLogisticClassifier",
    "ChromeRidgeRegressor",
    "ContextAttention",
    "DeepChromeClassifier",
    "DeepChromeModule",
    "DeepChromeRegressor",
    "UniformAttentionWarning",
    "__version__",
    "datasets",
    "interpret",
    "load_model",
    "model_selection",
    "preprocessing",
    "pretrained",
    "save_model",
    "sparsemax",
]
