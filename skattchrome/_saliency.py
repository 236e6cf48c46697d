"""The ``saliency`` method of the neural estimators, for every attribution method.

The gradient methods come from :mod:`skattchrome._gradients`, occlusion and
DeepLift from Captum (:mod:`skattchrome._captum`).
"""

import numpy as np

from ._captum import CAPTUM_METHODS, captum_attributions
from ._gradients import GRADIENT_METHODS, broadcast_baseline, gradient_attributions
from ._validation import check_number

SALIENCY_METHODS = (*GRADIENT_METHODS, *CAPTUM_METHODS)
"""The attribution methods of :func:`~skattchrome.interpret.saliency`."""


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

        Attributes the network's output to its input: the decision function
        of a classifier, the logit of ``classes_[1]``, or the prediction of a
        regressor, in the units of its target. Unlike attention, which only
        AttentiveChrome has, this explains any network of the package, and
        its sign tells whether more signal in a bin favours ``classes_[1]``
        (raises the predicted expression).
        :func:`skattchrome.interpret.saliency` is the same as a function.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.
        method : {"gradient", "gradient_x_input", "integrated_gradients", \
                "occlusion", "deeplift"}, default="gradient"
            ``"gradient"``: the gradient of the output with respect to ``X``.
            ``"gradient_x_input"``: that gradient times ``X``.
            ``"integrated_gradients"``: ``(X - baseline)`` times the mean
            gradient along the straight path from ``baseline`` to ``X``
            (Sundararajan et al., 2017), by the midpoint rule with ``n_steps``
            points; the attributions of a gene sum to about
            ``decision_function(X) - decision_function(baseline)`` (for a
            regressor, ``predict(X) - predict(baseline)``).
            ``"occlusion"``: the change in the output when one bin of one
            mark at a time is set to the baseline (Zeiler and Fergus, 2014);
            one forward pass per bin of each mark, so ``n_bins * n_marks``
            times the cost of a prediction.
            ``"deeplift"``: DeepLift's rescale rule from the baseline
            (Shrikumar et al., 2017); its attributions of a gene sum to the
            same difference as those of integrated gradients, exactly from
            zero signal and approximately from other baselines (Captum's rule
            for max pooling conserves the difference only then). Networks with
            LSTMs (AttentiveChrome) are refused: DeepLift has no rule for
            their gates; use it with DeepChrome.
            ``"occlusion"`` and ``"deeplift"`` come from Captum, installed
            by ``pip install skattchrome[captum]``.
        baseline : float or array-like, default=None
            Reference input of ``"integrated_gradients"``, ``"occlusion"``
            and ``"deeplift"``: a scalar, an array of shape
            ``(n_bins, n_marks)`` or ``(n_genes, n_bins, n_marks)``, or their
            flat bin-major forms. None means zero signal. Ignored by the
            gradient methods.
        n_steps : int, default=50
            Number of points on the path of ``"integrated_gradients"``.
        batch_size : int, default=None
            Network inputs per forward and backward pass (for
            ``"integrated_gradients"``, each gene counts ``n_steps`` times,
            for ``"occlusion"``, once per bin of each mark); None uses the
            inference batch size.

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
            positive integer, ``X`` or ``baseline`` do not fit the model, or
            ``method="deeplift"`` meets a network with LSTMs.
        ImportError
            If ``method`` is ``"occlusion"`` or ``"deeplift"`` and Captum is
            not installed.

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
        .. [3] M. D. Zeiler, R. Fergus. "Visualizing and Understanding
           Convolutional Networks". ECCV (2014).
        .. [4] A. Shrikumar, P. Greenside, A. Kundaje. "Learning Important
           Features Through Propagating Activation Differences". ICML (2017).
        .. [5] N. Kokhlikyan et al. "Captum: A unified and generic model
           interpretability library for PyTorch". arXiv:2009.07896 (2020).

        Examples
        --------
        >>> from skattchrome import AttentiveChromeClassifier
        >>> from skattchrome.datasets import make_chromatin_data
        >>> X, y = make_chromatin_data(n_genes=40, n_bins=8, random_state=0)
        >>> model = AttentiveChromeClassifier(
        ...     bin_hidden_size=4, mark_hidden_size=3, log_transform=True,
        ...     max_epochs=1, device="cpu", random_state=0,
        ... ).fit(X, y)
        >>> model.saliency(X[:3]).shape
        (3, 8, 5)
        >>> attributions = model.saliency(
        ...     X[:3], method="integrated_gradients", n_steps=100
        ... )
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
        batch_size = batch_size or self._inference_batch_size(device)
        with self._cpu_threads(module, device):
            if method in CAPTUM_METHODS:
                result = captum_attributions(
                    module,
                    X,
                    broadcast_baseline(baseline, X),
                    method=method,
                    batch_size=batch_size,
                )
            else:
                result = gradient_attributions(
                    module,
                    X,
                    method=method,
                    baseline=baseline,
                    n_steps=int(n_steps),
                    batch_size=batch_size,
                )
        # A regressor's network predicts the standardised target.
        return result * getattr(self, "target_scale_", 1.0)
