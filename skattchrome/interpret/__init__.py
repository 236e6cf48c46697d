"""Explain the predictions of the estimators: saliency, summaries, plots, scores.

Attention (alpha, beta) is AttentiveChrome's own explanation; saliency
(gradients, integrated gradients, and Captum's occlusion and DeepLift)
explains any neural estimator of the package. The summaries average and rank
the maps, the plots draw them, and the scores judge them by two yardsticks:
the biology, against the planted signal of simulated genes
(:func:`score_maps`) and against a held-out mark such as H3K27ac on real genes
(:func:`correlate_with_reference`), as in the AttentiveChrome paper; and the
model, by how much its output moves when the bins a map ranks highest are
removed or kept alone (:func:`deletion_score`, :func:`insertion_score`).
"""

from .._attention_maps import class_average
from .._saliency import SALIENCY_METHODS
from ._compare import INTERPRETATION_METHODS, compare_interpretations
from ._faithfulness import PerturbationCurve, deletion_score, insertion_score
from ._plotting import plot_attention, plot_mark_importance, plot_signal_and_attention
from ._saliency import saliency
from ._scoring import correlate_with_reference, score_maps
from ._summaries import average_attention, top_bins, top_marks

__all__ = [
    "INTERPRETATION_METHODS",
    "SALIENCY_METHODS",
    "PerturbationCurve",
    "average_attention",
    "class_average",
    "compare_interpretations",
    "correlate_with_reference",
    "deletion_score",
    "insertion_score",
    "plot_attention",
    "plot_mark_importance",
    "plot_signal_and_attention",
    "saliency",
    "score_maps",
    "top_bins",
    "top_marks",
]
