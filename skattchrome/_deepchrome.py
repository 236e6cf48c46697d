"""DeepChrome: the CNN baseline as a classifier and as a regressor."""

from typing import ClassVar

from ._modules import DeepChromeModule
from ._neural import NeuralChromatinEstimator
from ._neural_tasks import NeuralChromatinClassifier, NeuralChromatinRegressor
from ._validation import Fraction, Number, PositiveInts


class _DeepChrome:
    """The DeepChrome network and its parameters, for the classifier and regressor."""

    _parameter_constraints: ClassVar[dict] = {
        **NeuralChromatinEstimator._parameter_constraints,
        "n_filters": Number("int", 1),
        "kernel_size": Number("int", 1),
        "pool_size": Number("int", 1),
        "hidden_sizes": PositiveInts(),
        "dropout": Fraction(open_low=False),
    }

    def __init__(
        self,
        *,
        n_marks=None,
        log_transform=False,
        n_filters=50,
        kernel_size=10,
        pool_size=5,
        hidden_sizes=(625, 125),
        dropout=0.5,
        max_epochs="auto",
        batch_size="auto",
        lr=5e-4,
        lr_schedule="cosine",
        patience=3,
        clip_grad_norm=1.0,
        validation_fraction=None,
        inference_batch_size="auto",
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        super().__init__(
            n_marks=n_marks,
            log_transform=log_transform,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            lr_schedule=lr_schedule,
            patience=patience,
            clip_grad_norm=clip_grad_norm,
            validation_fraction=validation_fraction,
            inference_batch_size=inference_batch_size,
            device=device,
            random_state=random_state,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.n_filters = n_filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout

    def _build_module(self):
        return DeepChromeModule(
            n_bins=self.n_bins_,
            n_marks=self.n_marks_,
            n_filters=self.n_filters,
            kernel_size=self.kernel_size,
            pool_size=self.pool_size,
            hidden_sizes=tuple(self.hidden_sizes),
            dropout=self.dropout,
        )


class DeepChromeClassifier(_DeepChrome, NeuralChromatinClassifier):
    """DeepChrome: a convolutional network on binned histone-mark signal.

    The baseline that AttentiveChrome is compared with: a convolution over bins
    with the marks as channels (50 filters, 10 bins wide), ReLU, max pooling
    over 5 positions, dropout 0.5, and dense layers of 625 and 125 units to the
    logit of high expression. It trains like :class:`AttentiveChromeClassifier`
    (Adam on binary cross-entropy through skorch, for a number of steps that
    follows the number of training genes; given validation genes, the epoch of
    best validation ROC AUC is kept) and takes the same input.

    Parameters
    ----------
    n_marks : int, default=None
        Number of histone marks in a flat ``X`` of shape
        ``(n_genes, n_bins * n_marks)``. Not needed for 3-D ``X`` or for a
        DataFrame whose columns are named ``"<mark>_<bin>"``.
    log_transform : bool, default=False
        Read ``log1p`` of the signal instead of the signal as it is, in ``fit``
        (``validation_data`` included), prediction, attention and saliency, whose
        attributions are then those of ``log1p(X)``; the signal must be
        non-negative, such as read counts. False reads ``X`` as it is, as the
        published models were trained (on raw read counts). See Notes for
        which to choose.
    n_filters : int, default=50
        Number of convolution filters.
    kernel_size : int, default=10
        Width of the filters, in bins; clipped to the number of bins.
    pool_size : int, default=5
        Width of the max pooling; clipped to the convolution's output length.
    hidden_sizes : tuple of int, default=(625, 125)
        Sizes of the hidden dense layers.
    dropout : float, default=0.5
        Dropout probability after pooling.
    max_epochs, batch_size : see :class:`AttentiveChromeClassifier`
        The training budget, sized to the training genes as for
        AttentiveChrome (see its Notes).
    lr : float, default=5e-4
        Learning rate of Adam, lower than AttentiveChrome's: within the same
        budget of steps the CNN overfits at higher rates.
    lr_schedule, patience, clip_grad_norm, validation_fraction : \
            see :class:`AttentiveChromeClassifier`
        The schedule, and the choice of the best epoch on validation genes.
    inference_batch_size : int or "auto", default="auto"
        Genes per batch when predicting. ``"auto"`` uses 512 genes on CPU and
        1024 on a GPU.
    device, random_state, verbose, warm_start : \
            see :class:`AttentiveChromeClassifier`
        The device, the seed (of dropout too) that makes fits repeat, and
        fine-tuning from the current weights.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, n_bins_, n_marks_, \
            mark_names_ : see :class:`AttentiveChromeClassifier`
        The labels and the input layout learned by ``fit``.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`DeepChromeModule`.
    history_, batch_size_, max_epochs_, best_epoch_, best_valid_auc_, \
            n_epochs_ : see :class:`AttentiveChromeClassifier`
        Training as it ran.

    See Also
    --------
    AttentiveChromeClassifier : The attention model it is compared with.
    ChromeForestClassifier : The classical baseline.

    Notes
    -----
    **Raw counts or log1p.** ``log_transform=False`` reads ``X`` as it is, as
    the paper does; ``log_transform=True`` reads ``log1p(X)``. On the shared
    real genes (3 × 5-fold cross-validation on three sets), DeepChrome's mean
    ROC AUC is 0.864 on raw counts and 0.885 on log1p (better on 29 of 45
    folds): when you train on read counts, log1p is the safer choice. The
    documentation's Getting started has the figures of every model.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, G. Robins, Y. Qi. "DeepChrome: deep-learning
       for predicting gene expression from histone modifications".
       Bioinformatics 32(17), i639-i648 (2016).

    Examples
    --------
    >>> from skattchrome import DeepChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=200, random_state=0)
    >>> model = DeepChromeClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> model.predict_proba(X[:3]).shape
    (3, 2)
    """


class DeepChromeRegressor(_DeepChrome, NeuralChromatinRegressor):
    """DeepChrome as a regressor: the CNN baseline predicting a continuous target.

    The network of :class:`DeepChromeClassifier` with one output, trained on
    the squared error of the target standardised with the training target's
    mean and standard deviation; given validation genes, the epoch of best
    validation R² is kept. The usual target is log1p(RPKM)
    (:func:`~skattchrome.preprocessing.log_expression`). The parameters are
    those of :class:`DeepChromeClassifier`.

    Parameters
    ----------
    n_marks, log_transform, n_filters, kernel_size, pool_size, hidden_sizes, \
            dropout : see :class:`DeepChromeClassifier`
        The input layout, its scale and the network.
    max_epochs, batch_size, lr, lr_schedule, patience, clip_grad_norm : \
            see :class:`DeepChromeClassifier`
        Training, with the same defaults but for one: ``max_epochs="auto"``
        trains up to 30 epochs (not 15), which only changes the budget of a
        few hundred genes (see :meth:`training_budget`). ``patience`` counts
        epochs without a better validation R².
    validation_fraction : float or None, default=None
        Fraction of the genes held out at random (seeded) to pick the best
        epoch when ``fit`` gets no ``validation_data``.
    inference_batch_size, device, random_state, verbose, warm_start : \
            see :class:`DeepChromeClassifier`
        Prediction, device, seeding and fine-tuning; a warm start keeps
        ``target_mean_`` and ``target_scale_`` of the fit it continues.

    Attributes
    ----------
    n_features_in_, feature_names_in_, n_bins_, n_marks_, mark_names_ : \
            see :class:`DeepChromeClassifier`
        The input layout learned by ``fit``.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`DeepChromeModule`.
    history_ : skorch.history.History
        Per epoch: ``train_loss``, ``valid_loss`` and ``valid_r2``.
    target_mean_, target_scale_ : float
        Mean and standard deviation of the training target.
    batch_size_, max_epochs_, best_epoch_, n_epochs_ : int
        Training as it ran, as in :class:`DeepChromeClassifier`.
    best_valid_r2_ : float or None
        Validation R² of the epoch kept; None without validation genes.

    See Also
    --------
    AttentiveChromeRegressor : The attention model as a regressor.
    ChromeRidgeRegressor : The linear baseline.

    Examples
    --------
    >>> from skattchrome import DeepChromeRegressor
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=300, n_bins=40, random_state=0, return_expression=True
    ... )
    >>> model = DeepChromeRegressor(random_state=0).fit(X[:200], expression[:200])
    >>> model.predict(X[200:203]).shape
    (3,)
    >>> model.score(X[200:], expression[200:]) > 0.15
    True
    """
