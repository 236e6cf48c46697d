"""Saliency: gradients of a network's output with respect to its input.

The gradient methods of ``saliency`` on a network (:func:`gradient_attributions`),
written here rather than taken from Captum: the performance page measures
them against Captum's, as fast and equal to rounding.
"""

from contextlib import contextmanager

import numpy as np
import torch

from ._modules import prediction_and_maps
from ._validation import check_finite

GRADIENT_METHODS = ("gradient", "gradient_x_input", "integrated_gradients")
"""The attribution methods computed here, from the network's gradients."""


def broadcast_baseline(baseline, X):
    """The baseline as a read-only view of the shape of the 3-D ``X``."""
    if baseline is None:
        return np.broadcast_to(np.zeros((), dtype=np.float32), X.shape)
    baseline = check_finite("baseline", baseline, dtype=np.float32)
    n_bins, n_marks = X.shape[1:]
    if (
        baseline.ndim in (1, 2)
        and baseline.shape[-1] == n_bins * n_marks
        and baseline.shape != X.shape[-baseline.ndim :]
    ):
        baseline = baseline.reshape(*baseline.shape[:-1], n_bins, n_marks)
    try:
        return np.broadcast_to(baseline, X.shape)
    except ValueError as error:
        raise ValueError(
            f"baseline of shape {baseline.shape} does not fit X of shape "
            f"{X.shape}; pass a scalar, an array of shape (n_bins, n_marks) or "
            "(n_genes, n_bins, n_marks), or their flat bin-major forms."
        ) from error


@contextmanager
def differentiable(module):
    """Evaluation mode with gradients on, cuDNN off, training mode restored after.

    cuDNN computes the backward pass of an LSTM only in training mode; with
    cuDNN disabled, PyTorch's own kernels differentiate the network in
    evaluation mode (no dropout) on any device.
    """
    was_training = module.training
    module.eval()
    try:
        with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
            yield
    finally:
        module.train(was_training)


def summed_path_gradients(module, X, baseline, fractions, batch_size):
    """Sum over f in ``fractions`` of the gradient at ``baseline + f * (X - baseline)``.

    The gradient is that of the module's output (its first output, for a module
    that returns a tuple) with respect to its input. The ``(gene, fraction)``
    pairs are cut into batches of ``batch_size`` rows, so that memory does not
    grow with the number of fractions.
    """
    parameter = next(module.parameters())
    totals = np.zeros(X.shape, dtype=np.float64)
    n_rows = len(X) * len(fractions)
    with differentiable(module):
        for start in range(0, n_rows, batch_size):
            genes, steps = np.divmod(
                np.arange(start, min(start + batch_size, n_rows)), len(fractions)
            )
            points = baseline[genes] + fractions[steps, None, None] * (
                X[genes] - baseline[genes]
            )
            inputs = torch.from_numpy(points).to(
                device=parameter.device, dtype=parameter.dtype
            )
            inputs.requires_grad_(True)
            prediction, _ = prediction_and_maps(module(inputs))
            (gradient,) = torch.autograd.grad(prediction.sum(), inputs)
            np.add.at(totals, genes, gradient.to(torch.float64).cpu().numpy())
    return totals


def gradient_attributions(module, X, *, method, baseline, n_steps, batch_size):
    """Attribution of ``module``'s output to every entry of the 3-D ``X``.

    ``method``, ``baseline`` and ``n_steps`` are those of
    :func:`~skattchrome.interpret.saliency`, already checked; the result is in
    the units of the module's output.
    """
    if method == "integrated_gradients":
        baseline = broadcast_baseline(baseline, X)
        fractions = (np.arange(n_steps) + 0.5) / n_steps
    else:
        baseline, fractions = broadcast_baseline(None, X), np.ones(1)
    gradient = summed_path_gradients(module, X, baseline, fractions, batch_size)
    if method == "integrated_gradients":
        return gradient / n_steps * (X - baseline)
    if method == "gradient_x_input":
        return gradient * X
    return gradient
