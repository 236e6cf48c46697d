"""Attributions through Captum, PyTorch's attribution library (an optional extra).

Occlusion and DeepLift for the ``saliency`` of the neural estimators; the
gradient methods are computed by :mod:`skattchrome._gradients` itself, which
the performance page measures against Captum's.
"""

import warnings

import numpy as np
import torch
from torch import nn

from ._gradients import differentiable
from ._modules import prediction_and_maps
from ._optional import import_optional

CAPTUM_METHODS = ("occlusion", "deeplift")
"""The methods of ``saliency`` computed by Captum."""

# Captum's notices on every call that change nothing for the user: it sets
# requires_grad on the inputs itself, and hooks the activations for DeepLift.
_CAPTUM_NOTICES = (
    r"Input Tensor \d+ did not already require gradients",
    r"Setting forward, backward hooks and attributes on non-linear",
)


class _Prediction(nn.Module):
    """The network's prediction alone, without its attention maps."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, X):
        """The first output of the network."""
        prediction, _ = prediction_and_maps(self.network(X))
        return prediction


def check_deeplift_support(module):
    """Refuse DeepLift for a network with recurrent layers, which it cannot follow."""
    recurrent = sorted(
        {
            type(layer).__name__
            for layer in module.modules()
            if isinstance(layer, nn.RNNBase)
        }
    )
    if recurrent:
        raise ValueError(
            "method='deeplift' cannot explain this network: its "
            f"{', '.join(recurrent)} layers apply their gates inside one kernel, "
            "which Captum's DeepLift has no rule for, so its attributions would "
            "silently fall back to gradients there. Use 'deeplift' with "
            "DeepChrome, and 'integrated_gradients' or 'occlusion' with "
            "AttentiveChrome."
        )


def captum_attributions(module, X, baseline, *, method, batch_size):
    """Attribution of the module's output to every entry of ``X`` by Captum.

    ``X`` and ``baseline`` are 3-D arrays of one shape, on the network's
    scale. Occlusion replaces one bin of one mark at a time by the baseline
    and attributes the change in the output; DeepLift propagates the
    difference from the baseline by its rescale rule.
    """
    attr = import_optional(
        "captum.attr", "captum", f"saliency with method={method!r}", package="captum"
    )
    if method == "deeplift":
        check_deeplift_support(module)
    prediction = _Prediction(module)
    parameter = next(module.parameters())
    n_features = X.shape[1] * X.shape[2]
    results = []
    with differentiable(module), warnings.catch_warnings():
        for notice in _CAPTUM_NOTICES:
            warnings.filterwarnings("ignore", message=notice)
        for start in range(0, len(X), batch_size):
            stop = min(start + batch_size, len(X))
            inputs, references = (
                torch.from_numpy(np.ascontiguousarray(array[start:stop])).to(
                    device=parameter.device, dtype=parameter.dtype
                )
                for array in (X, baseline)
            )
            if method == "deeplift":
                result = attr.DeepLift(prediction).attribute(
                    inputs, baselines=references
                )
            else:
                result = attr.Occlusion(prediction).attribute(
                    inputs,
                    sliding_window_shapes=(1, 1),
                    baselines=references,
                    perturbations_per_eval=max(
                        1, min(n_features, batch_size // (stop - start))
                    ),
                )
            results.append(result.detach().to(torch.float64).cpu().numpy())
    return np.concatenate(results)
