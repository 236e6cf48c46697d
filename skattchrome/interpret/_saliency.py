"""Gradient attribution of a neural estimator's decision to every bin of every mark."""

from .._neural import NeuralChromatinEstimator


def saliency(
    estimator, X, *, method="gradient", baseline=None, n_steps=50, batch_size=None
):
    """Attribution of each gene's prediction to every bin of every mark.

    The function form of :meth:`~skattchrome.AttentiveChromeClassifier.saliency`,
    which every neural estimator of the package has: it differentiates the
    decision function of a classifier (the logit of ``classes_[1]``) or the
    prediction of a regressor with respect to ``X``, and refuses, with a
    TypeError, an estimator that has no network.

    Parameters
    ----------
    estimator : NeuralChromatinEstimator
        A fitted neural estimator of this package, such as
        :class:`~skattchrome.AttentiveChromeClassifier`.
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal, laid out as in ``fit``.
    method, baseline, n_steps, batch_size : \
            see :meth:`~skattchrome.AttentiveChromeClassifier.saliency`
        The attribution method (:data:`SALIENCY_METHODS`) and its settings.

    Returns
    -------
    attributions : ndarray of shape (n_genes, n_bins, n_marks), dtype float64
        Attribution of each bin of each mark; 3-D also for flat ``X``.

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

    Examples
    --------
    >>> from skattchrome import DeepChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import saliency
    >>> X, y = make_chromatin_data(n_genes=40, n_bins=20, random_state=0)
    >>> model = DeepChromeClassifier(max_epochs=1, device="cpu", random_state=0)
    >>> saliency(model.fit(X, y), X[:3], method="gradient_x_input").shape
    (3, 20, 5)
    """
    if not isinstance(estimator, NeuralChromatinEstimator):
        raise TypeError(
            "saliency needs a neural estimator of skattchrome (a "
            "NeuralChromatinEstimator with a network in net_, such as "
            f"AttentiveChromeClassifier); got {type(estimator).__name__}, which "
            "has no network to differentiate."
        )
    return estimator.saliency(
        X, method=method, baseline=baseline, n_steps=n_steps, batch_size=batch_size
    )
