"""Gradient attribution of a neural estimator's decision to every bin of every mark."""

import numbers
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._base import NeuralChromatinEstimator

SALIENCY_METHODS = ("gradient", "gradient_x_input", "integrated_gradients")
"""The attribution methods of :func:`saliency`."""


def _check_neural_estimator(estimator, caller):
    """Raise unless ``estimator`` is a fitted neural estimator of this package.

    Parameters
    ----------
    estimator : object
        The estimator to check.
    caller : str
        Name of the public function, used in the error message.

    Raises
    ------
    TypeError
        If ``estimator`` has no network to differentiate.
    sklearn.exceptions.NotFittedError
        If it has one but is not fitted.
    """
    if not isinstance(estimator, NeuralChromatinEstimator):
        raise TypeError(
            f"{caller} needs a neural estimator of skattchrome (a "
            "NeuralChromatinEstimator with a network in net_, such as "
            f"AttentiveChromeClassifier); got {type(estimator).__name__}, which "
            "has no network to differentiate."
        )
    check_is_fitted(estimator, "net_")


def _check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def _broadcast_baseline(baseline, X):
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
def _differentiable(module):
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


def _summed_path_gradients(module, X, baseline, fractions, batch_size):
    """Sum over f in ``fractions`` of the gradient at ``baseline + f * (X - baseline)``.

    The ``(gene, fraction)`` pairs are cut into batches of ``batch_size`` rows,
    so that memory does not grow with the number of fractions.
    """
    parameter = next(module.parameters())
    totals = np.zeros(X.shape, dtype=np.float64)
    n_rows = len(X) * len(fractions)
    with _differentiable(module):
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
            outputs = module(inputs)
            logit = outputs[0] if isinstance(outputs, tuple | list) else outputs
            (gradient,) = torch.autograd.grad(logit.sum(), inputs)
            np.add.at(totals, genes, gradient.to(torch.float64).cpu().numpy())
    return totals


def saliency(
    estimator, X, *, method="gradient", baseline=None, n_steps=50, batch_size=None
):
    """Attribution of each gene's decision to every bin of every mark.

    Differentiates the output of a fitted neural estimator with respect to
    its input: the decision function of a classifier, the logit of
    ``classes_[1]``, or the prediction of a regressor, in the units of its
    target. Unlike attention, which only AttentiveChrome has, this explains
    any network of the package, and its sign tells whether more signal in a
    bin favours ``classes_[1]`` (raises the predicted expression).

    Parameters
    ----------
    estimator : NeuralChromatinEstimator
        A fitted neural estimator of this package, such as
        :class:`~skattchrome.AttentiveChromeClassifier`.
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal, laid out as in ``fit``.
    method : {"gradient", "gradient_x_input", "integrated_gradients"}, \
            default="gradient"
        ``"gradient"``: the gradient of the output with respect to ``X``.
        ``"gradient_x_input"``: that gradient times ``X``.
        ``"integrated_gradients"``: ``(X - baseline)`` times the mean gradient
        along the straight path from ``baseline`` to ``X`` (Sundararajan et al.,
        2017), by the midpoint rule with ``n_steps`` points; the attributions of
        a gene sum to about ``logit(X) - logit(baseline)`` (for a regressor,
        ``predict(X) - predict(baseline)``).
    baseline : float or array-like, default=None
        Reference input of ``"integrated_gradients"``: a scalar, an array of
        shape ``(n_bins, n_marks)`` or ``(n_genes, n_bins, n_marks)``, or their
        flat bin-major forms. None means zero signal. Ignored by the other
        methods.
    n_steps : int, default=50
        Number of points on the path of ``"integrated_gradients"``.
    batch_size : int, default=None
        Network inputs per forward and backward pass (for
        ``"integrated_gradients"``, each gene counts ``n_steps`` times); None
        uses the estimator's inference batch size.

    Returns
    -------
    attributions : ndarray of shape (n_genes, n_bins, n_marks), dtype float64
        Attribution of each bin of each mark; 3-D also for flat ``X``, where
        entry ``[g, b, m]`` belongs to the flat feature ``b * n_marks + m``.

    Raises
    ------
    TypeError
        If ``estimator`` is not a neural estimator of this package.
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ValueError
        If ``method`` is unknown, or ``X`` or ``baseline`` do not fit the
        estimator.

    See Also
    --------
    skattchrome.AttentiveChromeClassifier.attention : The model's own attention.
    score_maps : How well a map finds the planted bins of simulated data.

    Notes
    -----
    The network runs in evaluation mode (no dropout) on the estimator's device,
    at the precision of its parameters; cuDNN is switched off for the backward
    pass, which it only supports in training mode for LSTMs. The gradients of
    the parameters are left as they were.

    References
    ----------
    .. [1] K. Simonyan, A. Vedaldi, A. Zisserman. "Deep Inside Convolutional
       Networks: Visualising Image Classification Models and Saliency Maps".
       ICLR Workshop (2014).
    .. [2] M. Sundararajan, A. Taly, Q. Yan. "Axiomatic Attribution for Deep
       Networks". ICML (2017).

    Examples
    --------
    >>> from skattchrome import AttentiveChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import saliency
    >>> X, y = make_chromatin_data(n_genes=40, n_bins=8, random_state=0)
    >>> model = AttentiveChromeClassifier(
    ...     bin_hidden_size=4, mark_hidden_size=3, max_epochs=1, device="cpu",
    ...     random_state=0,
    ... ).fit(X, y)
    >>> saliency(model, X[:3]).shape
    (3, 8, 5)
    >>> attributions = saliency(model, X[:3], method="integrated_gradients")
    >>> completeness_gap = attributions.sum(axis=(1, 2)) - (
    ...     model.decision_function(X[:3]) - model.decision_function(0 * X[:3])
    ... )
    >>> bool(abs(completeness_gap).max() < 1e-2)
    True
    """
    if method not in SALIENCY_METHODS:
        raise ValueError(f"method must be one of {SALIENCY_METHODS}; got {method!r}.")
    _check_neural_estimator(estimator, "saliency")
    n_steps = _check_positive_int("n_steps", n_steps)
    batch_size = _check_positive_int(
        "batch_size",
        (
            estimator._inference_batch_size(estimator.net_.device)
            if batch_size is None
            else batch_size
        ),
    )
    X = estimator._validated(X)
    module = estimator.net_.module_
    if method == "integrated_gradients":
        baseline = _broadcast_baseline(baseline, X)
        fractions = (np.arange(n_steps) + 0.5) / n_steps
    else:
        baseline, fractions = _broadcast_baseline(None, X), np.ones(1)
    with estimator._cpu_threads(module, estimator.net_.device):
        gradient = _summed_path_gradients(module, X, baseline, fractions, batch_size)
    # A regressor's network predicts the standardised target.
    gradient *= getattr(estimator, "target_scale_", 1.0)
    if method == "integrated_gradients":
        return gradient / n_steps * (X - baseline)
    if method == "gradient_x_input":
        return gradient * X
    return gradient
