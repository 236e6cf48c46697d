"""Saliency: gradients of a network's output with respect to its input.

The computation on a network (:func:`attributions`) and the ``saliency``
method that every neural estimator has (:class:`SaliencyMixin`).
"""

from contextlib import contextmanager

import numpy as np
import torch

from ._modules import prediction_and_maps
from ._validation import check_number

SALIENCY_METHODS = ("gradient", "gradient_x_input", "integrated_gradients")
"""The attribution methods of :func:`~skattchrome.interpret.saliency`."""


def broadcast_baseline(baseline, X):
    """The baseline as a read-only view of the shape of the 3-D ``X``."""
    if baseline is None:
        return np.broadcast_to(np.zeros((), dtype=np.float32), X.shape)
    baseline = np.asarray(baseline, dtype=np.float32)
    n_bins, n_marks = X.shape[1:]
    if (
        baseline.ndim in (1, 2)
        and baseline.shape[-1] == n_bins * n_marks
        and baseline.shape != X.shape[-baseline.ndim :]
    ):
        baseline = baseline.reshape(*baseline.shape[:-1], n_bins, n_marks)
    if not np.isfinite(baseline).all():
        raise ValueError("baseline must hold finite values only.")
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


def attributions(module, X, *, method, baseline, n_steps, batch_size):
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


class SaliencyMixin:
    """The ``saliency`` method of the neural estimators.

    The estimator gives ``_validated`` (``X`` checked and on the network's
    scale), ``_network_input``, ``log_transform``, ``net_``, ``_cpu_threads``
    and ``_inference_batch_size``.
    """

    def saliency(
        self, X, *, method="gradient", baseline=None, n_steps=50, batch_size=None
    ):
        """Attribution of each gene's prediction to every bin of every mark.

        Differentiates the network's output with respect to its input: the
        decision function of a classifier, the logit of ``classes_[1]``, or
        the prediction of a regressor, in the units of its target. Unlike
        attention, which only AttentiveChrome has, this explains any network
        of the package, and its sign tells whether more signal in a bin
        favours ``classes_[1]`` (raises the predicted expression).
        :func:`skattchrome.interpret.saliency` is the same as a function.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.
        method : {"gradient", "gradient_x_input", "integrated_gradients"}, \
                default="gradient"
            ``"gradient"``: the gradient of the output with respect to ``X``.
            ``"gradient_x_input"``: that gradient times ``X``.
            ``"integrated_gradients"``: ``(X - baseline)`` times the mean
            gradient along the straight path from ``baseline`` to ``X``
            (Sundararajan et al., 2017), by the midpoint rule with ``n_steps``
            points; the attributions of a gene sum to about
            ``decision_function(X) - decision_function(baseline)`` (for a
            regressor, ``predict(X) - predict(baseline)``).
        baseline : float or array-like, default=None
            Reference input of ``"integrated_gradients"``: a scalar, an array of
            shape ``(n_bins, n_marks)`` or ``(n_genes, n_bins, n_marks)``, or
            their flat bin-major forms. None means zero signal. Ignored by the
            other methods.
        n_steps : int, default=50
            Number of points on the path of ``"integrated_gradients"``.
        batch_size : int, default=None
            Network inputs per forward and backward pass (for
            ``"integrated_gradients"``, each gene counts ``n_steps`` times);
            None uses the inference batch size.

        Returns
        -------
        attributions : ndarray of shape (n_genes, n_bins, n_marks), \
                dtype float64
            Attribution of each bin of each mark; 3-D also for flat ``X``,
            where entry ``[g, b, m]`` belongs to the flat feature
            ``b * n_marks + m``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.
        ValueError
            If ``method`` is unknown, ``n_steps`` or ``batch_size`` is not a
            positive integer, or ``X`` or ``baseline`` do not fit the model.

        Notes
        -----
        The network runs in evaluation mode (no dropout) on the estimator's
        device, at the precision of its parameters; cuDNN is switched off for
        the backward pass, which it only supports in training mode for LSTMs.
        The gradients of the parameters are left as they were.

        References
        ----------
        .. [1] K. Simonyan, A. Vedaldi, A. Zisserman. "Deep Inside
           Convolutional Networks: Visualising Image Classification Models
           and Saliency Maps". ICLR Workshop (2014).
        .. [2] M. Sundararajan, A. Taly, Q. Yan. "Axiomatic Attribution for
           Deep Networks". ICML (2017).

        Examples
        --------
        >>> from skattchrome import AttentiveChromeClassifier
        >>> from skattchrome.datasets import make_chromatin_data
        >>> X, y = make_chromatin_data(n_genes=40, n_bins=8, random_state=0)
        >>> model = AttentiveChromeClassifier(
        ...     bin_hidden_size=4, mark_hidden_size=3, max_epochs=1, device="cpu",
        ...     random_state=0,
        ... ).fit(X, y)
        >>> model.saliency(X[:3]).shape
        (3, 8, 5)
        >>> attributions = model.saliency(X[:3], method="integrated_gradients")
        >>> completeness_gap = attributions.sum(axis=(1, 2)) - (
        ...     model.decision_function(X[:3]) - model.decision_function(0 * X[:3])
        ... )
        >>> bool(abs(completeness_gap).max() < 1e-2)
        True
        """
        if method not in SALIENCY_METHODS:
            raise ValueError(
                f"method must be one of {SALIENCY_METHODS}; got {method!r}."
            )
        check_number("n_steps", n_steps, kind="int", low=1)
        check_number("batch_size", batch_size, kind="int", low=1, allow_none=True)
        X = self._validated(X)
        if baseline is not None and self.log_transform:
            baseline = self._network_input(
                np.asarray(baseline, dtype=np.float32), "baseline"
            )
        module, device = self.net_.module_, self.net_.device
        with self._cpu_threads(module, device):
            result = attributions(
                module,
                X,
                method=method,
                baseline=baseline,
                n_steps=int(n_steps),
                batch_size=batch_size or self._inference_batch_size(device),
            )
        # A regressor's network predicts the standardised target.
        return result * getattr(self, "target_scale_", 1.0)
