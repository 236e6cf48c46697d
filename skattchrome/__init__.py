"""skattchrome: AttentiveChrome and its baselines as scikit-learn estimators.

Predict whether a gene is highly expressed from the signal of histone marks in
bins around its transcription start site, and see which bins and which marks
drove the prediction.
"""

from . import datasets, interpret, model_selection, preprocessing
from ._attention_maps import AttentionMaps
from ._attentivechrome import (
    PAPER_RECIPE,
    AttentiveChromeClassifier,
    UniformAttentionWarning,
)
from ._deepchrome import DeepChromeClassifier
from ._forest import ChromeForestClassifier
from ._linear import ChromeLogisticClassifier
from ._modules import (
    AttentiveChromeModule,
    ContextAttention,
    DeepChromeModule,
    sparsemax,
)
from ._version import __version__

__all__ = [
    "PAPER_RECIPE",
    "AttentionMaps",
    "AttentiveChromeClassifier",
    "AttentiveChromeModule",
    "ChromeForestClassifier",
    "ChromeLogisticClassifier",
    "ContextAttention",
    "DeepChromeClassifier",
    "DeepChromeModule",
    "UniformAttentionWarning",
    "__version__",
    "datasets",
    "interpret",
    "model_selection",
    "preprocessing",
    "sparsemax",
]
