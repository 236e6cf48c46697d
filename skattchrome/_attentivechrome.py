"""AttentiveChrome: the hierarchical attention LSTM as a classifier and a regressor.

The two estimators share one network, its parameters and its attention maps
(``_AttentiveChrome``) and differ only in their task, so they stay in one
module past 500 lines; most of its length is their reference documentation.
"""

import warnings
from contextlib import nullcontext
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from ._attention import ATTENTION_NORMALIZATIONS
from ._attention_maps import AttentionMaps, class_average
from ._modules import ATTENTION_SCORINGS, BIN_ENCODERS, AttentiveChromeModule
from ._neural import NeuralChromatinEstimator
from ._neural_tasks import NeuralChromatinClassifier, NeuralChromatinRegressor
from ._validation import Boolean, Number, OneOf

PAPER_RECIPE = {
    "batch_size": 16,
    "lr": 2e-4,
    "lr_schedule": "constant",
    "max_epochs": 30,
    "patience": None,
    "clip_grad_norm": 1.0,
    "validation_fraction": 0.1,
    "linear_path": False,
}
"""Settings of the published AttentiveChrome: its network and its training.

The published network, without the linear path of the defaults; Adam at a
constant learning rate of 2e-4, batches of 16 genes, the gradient norm clipped
at 1, 30 epochs, and the weights of the epoch with the best validation AUC kept
(on ``validation_data``, or else on a held-out tenth of the genes):
``AttentiveChromeClassifier(**PAPER_RECIPE)``.
"""


# The linear path reads the network's input as log1p of read counts. Above this
# value (log1p of 485 million reads in one bin) the input cannot be that, and
# the linear path would sum the wrong signal: on DeepDiff's raw E123 counts it
# fell 0.02 ROC AUC below the logistic baseline, 0.011 below no linear path.
LOG1P_SIGNAL_CEILING = 20.0

# Below this mean peak of bin attention, in units of the uniform weight
# 1 / n_bins, attention() warns that the maps are nearly uniform. Networks that
# had not learned where to look (1 to 5 epochs on the 100 real E003 genes of
# Chromoformer) gave mean peaks of 1.02 to 1.04; trained ones 1.5 to 3.8.
UNIFORM_ATTENTION_PEAK = 1.1


class UniformAttentionWarning(UserWarning):
    """Attention maps that are nearly uniform: the model has not learned where to look.

    Issued by :meth:`AttentiveChromeClassifier.attention` when the heaviest bin
    of each mark weighs, on average over the genes and marks, less than 1.1
    times the uniform weight ``1 / n_bins``. Such maps reflect the
    initialisation, not the data: train longer (the defaults size training to
    the data) before reading them.

    Examples
    --------
    >>> import warnings
    >>> from skattchrome import AttentiveChromeClassifier, UniformAttentionWarning
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=40, n_bins=10, random_state=0)
    >>> untrained = AttentiveChromeClassifier(
    ...     log_transform=True, max_epochs=1, lr=1e-7, random_state=0
    ... )
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     maps = untrained.fit(X, y).attention(X)
    >>> [warning.category.__name__ for warning in caught]
    ['UniformAttentionWarning']
    """


class _AttentiveChrome:
    """The AttentiveChrome network, its parameters and its attention.

    Shared by the classifier and the regressor; each says in
    ``_attention_groups`` which training genes ``attention_`` averages together.
    """

    # With the marks side by side on CPU threads, batches of 256 genes were as
    # fast as 512 or faster in benchmarks/bench_training.py, in half the memory.
    _auto_inference_batch_sizes: ClassVar[dict[str, int]] = {"cpu": 256, "cuda": 1024}
    _parameter_constraints: ClassVar[dict] = {
        **NeuralChromatinEstimator._parameter_constraints,
        "bin_hidden_size": Number("int", 1),
        "mark_hidden_size": Number("int", 1),
        "bin_encoder": OneOf(BIN_ENCODERS),
        "use_bin_attention": Boolean(),
        "use_mark_attention": Boolean(),
        "cnn_kernel_size": Number("int", 1),
        "attention_scoring": OneOf(ATTENTION_SCORINGS),
        "attention_normalization": OneOf(ATTENTION_NORMALIZATIONS),
        "attention_entropy": Number("real", 0),
        "linear_path": Boolean(),
    }

    def __init__(
        self,
        *,
        n_marks=None,
        log_transform=False,
        bin_hidden_size=32,
        mark_hidden_size=16,
        bin_encoder="lstm",
        use_bin_attention=True,
        use_mark_attention=True,
        cnn_kernel_size=5,
        attention_scoring="state",
        attention_normalization="softmax",
        attention_entropy=0.0,
        linear_path=False,
        max_epochs="auto",
        batch_size="auto",
        lr=2e-3,
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
        self.bin_hidden_size = bin_hidden_size
        self.mark_hidden_size = mark_hidden_size
        self.bin_encoder = bin_encoder
        self.use_bin_attention = use_bin_attention
        self.use_mark_attention = use_mark_attention
        self.cnn_kernel_size = cnn_kernel_size
        self.attention_scoring = attention_scoring
        self.attention_normalization = attention_normalization
        self.attention_entropy = attention_entropy
        self.linear_path = linear_path

    def _build_module(self):
        return AttentiveChromeModule(
            n_marks=self.n_marks_,
            bin_hidden_size=self.bin_hidden_size,
            mark_hidden_size=self.mark_hidden_size,
            bin_encoder=self.bin_encoder,
            use_bin_attention=self.use_bin_attention,
            use_mark_attention=self.use_mark_attention,
            cnn_kernel_size=self.cnn_kernel_size,
            attention_scoring=self.attention_scoring,
            attention_normalization=self.attention_normalization,
            linear_path=self.linear_path,
        )

    def _start_module(self, module, X_train, y_train):
        """Start the linear path at the linear baseline's fit on the training genes.

        The summed signal is standardised with its mean and standard deviation
        over the training genes and the linear path starts at the weights of a
        logistic regression (a ridge regression for a regressor) on it; the
        attention path starts as it would without the linear path.
        """
        if module.linear_path is None:
            return
        largest = float(np.max(X_train, initial=0.0))
        if largest > LOG1P_SIGNAL_CEILING:
            warnings.warn(
                "linear_path=True sums each mark's signal as log1p of read "
                f"counts, but the signal the network reads holds values up to "
                f"{largest:.4g}, above what log1p of a bin's read count reaches "
                f"({LOG1P_SIGNAL_CEILING}); for read counts set "
                "log_transform=True (or pass log1p of them), or set "
                "linear_path=False.",
                UserWarning,
                stacklevel=4,
            )
        with torch.no_grad():
            summed = module.summed_signal(torch.as_tensor(X_train)).double().numpy()
            scaler = StandardScaler().fit(summed)
            linear = (LogisticRegression() if is_classifier(self) else Ridge()).fit(
                scaler.transform(summed), y_train
            )
            module.summed_signal_mean.copy_(torch.as_tensor(scaler.mean_))
            module.summed_signal_scale.copy_(torch.as_tensor(scaler.scale_))
            module.linear_path.weight.copy_(torch.as_tensor(linear.coef_).view(1, -1))
            module.linear_path.bias.fill_(float(np.ravel(linear.intercept_)[0]))

    def _criterion_params(self):
        return {"bin_attention_entropy": self.attention_entropy}

    def _cpu_threads(self, module, device):
        if torch.device(device).type == "cpu":
            return module.marks_on_threads()
        return nullcontext()

    def _attention_of_validated(self, X):
        bin_attention = (
            np.empty(X.shape, dtype=np.float32) if self.use_bin_attention else None
        )
        mark_attention = (
            np.empty((len(X), X.shape[2]), dtype=np.float32)
            if self.use_mark_attention
            else None
        )
        for batch, (_, bins, marks) in self._iter_outputs(X):
            if bin_attention is not None:
                bin_attention[batch] = bins
            if mark_attention is not None:
                mark_attention[batch] = marks
        return AttentionMaps(bin_attention, mark_attention)

    def _after_fit(self, X, y_encoded):
        if not (self.use_bin_attention or self.use_mark_attention):
            self.attention_ = {}
            return
        self.attention_ = class_average(
            self._attention_of_validated(X), self._attention_groups(y_encoded)
        )

    def attention(self, X):
        """Bin-level and mark-level attention of each gene.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.

        Returns
        -------
        maps : AttentionMaps
            Named tuple of ``bin_attention``, shape ``(n_genes, n_bins, n_marks)``,
            summing to one over bins for each gene and mark, and
            ``mark_attention``, shape ``(n_genes, n_marks)``, summing to one
            over marks. A level switched off by ``use_bin_attention=False`` or
            ``use_mark_attention=False`` is None.

        Raises
        ------
        ValueError
            If the model has no attention at all.

        Warns
        -----
        UniformAttentionWarning
            If bin attention is nearly uniform: the heaviest bin of each mark
            weighs, on average over the genes and marks, less than 1.1 times
            ``1 / n_bins``, which is what an untrained network gives.
        """
        X = self._validated(X)
        if not (self.use_bin_attention or self.use_mark_attention):
            raise ValueError(
                "This model was fitted with use_bin_attention=False and "
                "use_mark_attention=False: it has no attention to show. Use "
                "skattchrome.interpret.saliency for an explanation."
            )
        maps = self._attention_of_validated(X)
        if maps.bin_attention is not None and self.n_bins_ > 1 and len(X):
            peak = float(maps.bin_attention.max(axis=1).mean()) * self.n_bins_
            if peak < UNIFORM_ATTENTION_PEAK:
                trained = (
                    f"it trained {self.n_epochs_} epoch(s)"
                    if self.n_epochs_
                    else "it was not trained here"
                )
                warnings.warn(
                    f"The bin attention of this model is nearly uniform: the "
                    f"heaviest bin of each mark weighs on average {peak:.3f} times "
                    f"the uniform weight 1/{self.n_bins_}. The network has not "
                    f"learned where to look ({trained}); train longer before "
                    "reading these maps.",
                    UniformAttentionWarning,
                    stacklevel=2,
                )
        return maps


class AttentiveChromeClassifier(_AttentiveChrome, NeuralChromatinClassifier):
    """AttentiveChrome: predict high or low expression with attention on chromatin.

    A bidirectional LSTM per histone mark reads the mark's bins around the TSS;
    bin-level attention (alpha) picks the bins that matter for each mark, a
    bidirectional LSTM over the marks and mark-level attention (beta) picks the
    marks that matter, and a linear layer gives the logit of high expression.
    The network is trained with binary cross-entropy and Adam through skorch,
    for a number of steps that follows the number of training genes (see
    Notes); given validation genes, the weights of the epoch with the best
    validation ROC AUC are kept, as in the paper.

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
    bin_hidden_size : int, default=32
        Hidden size of each direction of the per-mark LSTMs over bins.
    mark_hidden_size : int, default=16
        Hidden size of each direction of the LSTM over marks.
    bin_encoder : {"lstm", "cnn"}, default="lstm"
        Per-mark encoder of the bins: a bidirectional LSTM (AttentiveChrome) or
        a convolution of ``cnn_kernel_size`` bins with ReLU (the paper's
        CNN-alpha,beta row).
    use_bin_attention : bool, default=True
        Summarise each mark's bins with attention (alpha). False uses the final
        LSTM states (the maximum over bins for the CNN) instead.
    use_mark_attention : bool, default=True
        Read the marks with an LSTM and attention (beta). False concatenates the
        mark embeddings instead.
    cnn_kernel_size : int, default=5
        Width, in bins, of the convolution when ``bin_encoder="cnn"`` and of the
        local features when ``attention_scoring="local"``.
    attention_scoring : {"state", "local"}, default="state"
        What bin-level attention scores: each bin's encoder state, as published,
        or local features of the signal around the bin (a per-mark convolution
        with tanh), so that a bin's weight depends on its neighbourhood only.
        A remedy for attention that drifts away from the informative bins.
    attention_normalization : {"softmax", "sparsemax"}, default="softmax"
        Map from scores to weights at both levels; sparsemax gives exact zeros.
    attention_entropy : float, default=0.0
        Weight of a penalty on the entropy of bin-level attention, added to the
        loss; above zero it concentrates attention on fewer bins.
    linear_path : bool, default=True
        Add to the logit a linear function of each mark's summed signal
        (:meth:`AttentiveChromeModule.summed_signal`, standardised over the
        training genes) beside the attention path: the logit is the
        attention path's plus the linear path's. The linear path starts at
        the logistic regression of :class:`ChromeLogisticClassifier` on the
        training genes, the attention path as it would without it, and the
        loss fits both the network's logit and the attention path's own, so
        that the attention path stays a predictor of its own, whose maps
        explain it, and the linear path adds what the summed signal says.
        The linear path reads the signal as log1p of read counts: give it
        read counts with ``log_transform=True`` (or their log1p); ``fit``
        warns when the signal cannot be on that scale. False is the
        published network, which trails the linear baseline on a few hundred
        real genes (see Notes); :data:`PAPER_RECIPE` sets it.
    max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training genes. ``"auto"`` trains
        the fewest epochs that make 700 optimizer steps, at least 6 and at
        most 15 (see Notes and :meth:`training_budget`).
    batch_size : int or "auto", default="auto"
        Genes per training batch. ``"auto"`` uses one 64th of the training
        genes, at least 16 and at most 64.
    lr : float, default=2e-3
        Learning rate of Adam.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        Learning-rate schedule over ``max_epochs``: cosine annealing to zero, or
        constant as in the paper.
    patience : int or None, default=3
        With validation genes, stop when the validation AUC has not improved
        for this many epochs; None trains all ``max_epochs``.
    clip_grad_norm : float or None, default=1.0
        Maximum norm of the gradient; None disables clipping.
    validation_fraction : float or None, default=None
        Fraction of the genes held out (stratified, seeded by
        ``random_state``) to pick the best epoch, when ``fit`` gets no
        ``validation_data``. None trains on every gene and keeps the last
        epoch.
    inference_batch_size : int or "auto", default="auto"
        Genes per batch in ``predict``, ``predict_proba``, ``decision_function``
        and ``attention``. ``"auto"`` uses 256 genes on CPU
        and 1024 on a GPU, the fastest of the sizes that
        ``benchmarks/bench_training.py`` compares.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``. On the CPU, ``fit``, prediction and attention encode the
        marks side by side on :func:`torch.get_num_threads` threads (see
        :meth:`AttentiveChromeModule.marks_on_threads`), which leaves the results
        as they are up to float rounding; ``torch.set_num_threads`` sets how
        many.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the initial weights and the shuffling. The
        global torch random state of the caller is left untouched. Seeded fits
        repeat exactly on the CPU with the same number of torch threads, and on
        CUDA, where training uses cuDNN's deterministic algorithms.
    verbose : int, default=0
        1 prints a line per epoch with the losses and the validation AUC.
    warm_start : bool, default=False
        When True, ``fit`` on a fitted model trains on from its current
        weights instead of starting afresh: fine-tuning, for instance of a
        published model (:func:`skattchrome.pretrained.fetch_published`) on a
        few genes of a new cell type. The data must have the bins, marks and
        classes of the last fit, and the parameters that shape the network
        must not change. :func:`~sklearn.base.clone` gives an unfitted copy.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
        Number of flat features, ``n_bins_ * n_marks_``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of a DataFrame ``X``; only defined for such input.
    n_bins_ : int
        Number of bins per gene.
    n_marks_ : int
        Number of histone marks.
    mark_names_ : ndarray of shape (`n_marks_`,)
        Mark names read from DataFrame columns; else the reference marks
        (:data:`~skattchrome.datasets.REFERENCE_MARKS`) for five marks, and
        ``"mark0"``, ``"mark1"``... for other numbers.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`AttentiveChromeModule`.
    history_ : skorch.history.History
        Per epoch: ``train_loss``, ``valid_loss`` and ``valid_auc``.
    batch_size_ : int
        Genes per training batch, ``batch_size`` resolved.
    max_epochs_ : int
        Maximum number of epochs, ``max_epochs`` resolved.
    best_epoch_ : int
        The (1-based) epoch whose weights were kept.
    best_valid_auc_ : float or None
        Validation ROC AUC of that epoch; None without validation genes.
    n_epochs_ : int
        Number of epochs run.
    attention_ : dict of {label: AttentionMaps}
        Mean attention maps of the genes given to ``fit``, per class:
        ``bin_attention`` of shape ``(n_bins_, n_marks_)`` and
        ``mark_attention`` of shape ``(n_marks_,)`` (None for a level that is
        switched off; empty without any attention).

    See Also
    --------
    AttentiveChromeModule : The network itself.
    PAPER_RECIPE : Settings that reproduce the published training.

    Notes
    -----
    The ablations of the paper's comparison are parameter settings, each with
    ``linear_path=False`` as published:

    ===============================  ===========  =================  ==================
    Row of the paper's table         bin_encoder  use_bin_attention  use_mark_attention
    ===============================  ===========  =================  ==================
    LSTM                             "lstm"       False              False
    LSTM-alpha                       "lstm"       True               False
    CNN-alpha,beta                   "cnn"        True               True
    LSTM-alpha,beta (the default)    "lstm"       True               True
    ===============================  ===========  =================  ==================

    **How the defaults train.** The training budget follows the number ``n`` of
    training genes: batches of ``n // 64`` genes, at least 16 and at most 64;
    the fewest epochs that make 700 optimizer steps, at least 6 and at most 15;
    Adam at 2e-3 annealed to zero over them (cosine); every gene trains and the
    last epoch is kept. Thus 160 genes train 15 epochs in batches of 16 (150
    steps); the 6601 training genes of a cell type of the
    published archive train 7 epochs in batches of 64 (728 steps). No
    genes are held out by default, because with cosine annealing the last epoch
    is as good as the best one on average, while a held-out tenth of a few
    hundred genes picks an epoch by noise; pass ``validation_data`` (or set
    ``validation_fraction``) to keep the epoch of best validation AUC and stop
    after ``patience`` epochs without improvement. The documentation's pages on
    real cell types and on performance compare these defaults with
    :data:`PAPER_RECIPE`; ``AttentiveChromeClassifier(**PAPER_RECIPE)`` trains
    exactly as published.

    On Linux, ``THP_MEM_ALLOC_ENABLE=1`` in the environment before torch is
    imported (PyTorch's huge pages for large CPU tensors) makes training on a
    CPU at batches of 64 genes or more faster, with the same results; see the
    performance page of the documentation.

    **The linear path, and against the linear baseline.** On the shared real
    genes (3 × 5-fold cross-validation on three sets, documentation page on
    real cell types) the published network (``linear_path=False``) trails
    :class:`ChromeLogisticClassifier` by 0.004 on average and 0.009 on E123,
    whatever its learning rate, epochs, hidden sizes or input scale. The
    defaults, with the linear path, are 0.002 to 0.005 above the baseline on
    average over the three seeds tried and at most 0.0021 below it on any cell
    type, and their attention follows H3K27ac (a mark the model does not see)
    as closely as the published network's. On simulated cell types of 100 to
    20 000 genes they are within 0.005 of :data:`PAPER_RECIPE`. Attention
    explains the attention path's share of the logit; the linear path adds
    how much each mark's total signal raises the odds. With
    ``bin_encoder="cnn"`` as well, the model is level with or above the
    baseline on every cell type, with the steadiest attention.

    **Raw counts or log1p.** ``log_transform=False`` reads ``X`` as it is, as
    the paper and the published models do; ``log_transform=True`` reads
    ``log1p(X)``. On the shared real genes (3 × 5-fold cross-validation on
    three sets), the defaults gain from log1p (mean ROC AUC 0.898 raw, 0.902
    log1p), because their linear path reads log1p of counts, and so does
    :data:`PAPER_RECIPE` (0.860 to 0.883); the published network trained by
    the defaults scores alike on both (0.901 raw, 0.897 log1p). Give the
    published models raw counts, and train on read counts with
    ``log_transform=True``. The documentation's Getting started has
    the figures of every model.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon, Y. Qi. "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin".
       Advances in Neural Information Processing Systems 30 (2017).

    Examples
    --------
    >>> from skattchrome import AttentiveChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=200, n_bins=20, random_state=0)
    >>> model = AttentiveChromeClassifier(log_transform=True, random_state=0)
    >>> model = model.fit(X, y)  # read counts
    >>> model.predict_proba(X[:3]).shape
    (3, 2)
    >>> bin_attention, mark_attention = model.attention(X[:3])
    >>> bin_attention.shape, mark_attention.shape
    ((3, 20, 5), (3, 5))
    """

    # The parameters of _AttentiveChrome, restated for one default: the linear
    # path is on here (the regressor keeps it off).
    def __init__(
        self,
        *,
        n_marks=None,
        log_transform=False,
        bin_hidden_size=32,
        mark_hidden_size=16,
        bin_encoder="lstm",
        use_bin_attention=True,
        use_mark_attention=True,
        cnn_kernel_size=5,
        attention_scoring="state",
        attention_normalization="softmax",
        attention_entropy=0.0,
        linear_path=True,
        max_epochs="auto",
        batch_size="auto",
        lr=2e-3,
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
            bin_hidden_size=bin_hidden_size,
            mark_hidden_size=mark_hidden_size,
            bin_encoder=bin_encoder,
            use_bin_attention=use_bin_attention,
            use_mark_attention=use_mark_attention,
            cnn_kernel_size=cnn_kernel_size,
            attention_scoring=attention_scoring,
            attention_normalization=attention_normalization,
            attention_entropy=attention_entropy,
            linear_path=linear_path,
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

    def _attention_groups(self, y_encoded):
        """The label of each gene."""
        return self.classes_[y_encoded.astype(np.int64)]


class AttentiveChromeRegressor(_AttentiveChrome, NeuralChromatinRegressor):
    """AttentiveChrome as a regressor: predict how much a gene is expressed.

    The network of :class:`AttentiveChromeClassifier` with one output, trained
    on the squared error of the target standardised with the training target's
    mean and standard deviation; given validation genes, the epoch of best
    validation R² is kept. The usual target is log1p(RPKM)
    (:func:`~skattchrome.preprocessing.log_expression`). Attention works as
    for the classifier: :meth:`attention` gives each gene's maps, and
    ``attention_`` the mean maps of the training genes below (0) and above (1)
    the median of the target, the paper's rule for the labels.

    Parameters
    ----------
    n_marks, log_transform, bin_hidden_size, mark_hidden_size, bin_encoder : \
            see :class:`AttentiveChromeClassifier`
        The input layout, its scale and the network.
    use_bin_attention, use_mark_attention, cnn_kernel_size : \
            see :class:`AttentiveChromeClassifier`
        The paper's ablations.
    attention_scoring, attention_normalization, attention_entropy : \
            see :class:`AttentiveChromeClassifier`
        How attention is computed and regularised.
    linear_path : bool, default=False
        See :class:`AttentiveChromeClassifier`; the linear path starts at a
        ridge regression (:class:`ChromeRidgeRegressor`'s fit) of the
        standardised target. Off by default here, unlike the classifier: the
        regressor without it is level with the ridge regression on real
        expression already (documentation page on regression).
    max_epochs, batch_size, lr, lr_schedule, patience, clip_grad_norm : \
            see :class:`AttentiveChromeClassifier`
        Training, with the same defaults but for one: ``max_epochs="auto"``
        trains up to 30 epochs (not 15), which only changes the budget of a
        few hundred genes (see :meth:`training_budget`). ``patience`` counts
        epochs without a better validation R².
    validation_fraction : float or None, default=None
        Fraction of the genes held out at random (seeded) to pick the best
        epoch when ``fit`` gets no ``validation_data``.
    inference_batch_size, device, random_state, verbose, warm_start : \
            see :class:`AttentiveChromeClassifier`
        Prediction, device, seeding and fine-tuning; a warm start keeps
        ``target_mean_`` and ``target_scale_`` of the fit it continues.

    Attributes
    ----------
    n_features_in_, feature_names_in_, n_bins_, n_marks_, mark_names_ : \
            see :class:`AttentiveChromeClassifier`
        The input layout learned by ``fit``.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the
        :class:`AttentiveChromeModule`.
    history_ : skorch.history.History
        Per epoch: ``train_loss``, ``valid_loss`` and ``valid_r2``.
    target_mean_, target_scale_ : float
        Mean and standard deviation of the training target.
    batch_size_, max_epochs_, best_epoch_, n_epochs_ : int
        Training as it ran, as in :class:`AttentiveChromeClassifier`.
    best_valid_r2_ : float or None
        Validation R² of the epoch kept; None without validation genes.
    attention_ : dict of {int: AttentionMaps}
        Mean attention maps of the genes given to ``fit`` whose target is at
        or below (0) and above (1) its median.

    See Also
    --------
    AttentiveChromeClassifier : The same network predicting high or low.
    DeepChromeRegressor : The CNN baseline as a regressor.
    ChromeRidgeRegressor : The linear baseline.

    Examples
    --------
    >>> from skattchrome import AttentiveChromeRegressor
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=200, n_bins=10, random_state=0, return_expression=True
    ... )
    >>> model = AttentiveChromeRegressor(random_state=0).fit(X[:120], expression[:120])
    >>> model.predict(X[120:123]).shape
    (3,)
    >>> model.score(X[120:], expression[120:]) > 0.25
    True
    >>> sorted(model.attention_)
    [0, 1]
    """

    def _attention_groups(self, y_encoded):
        """1 for the genes above the median target, else 0."""
        return (y_encoded > np.median(y_encoded)).astype(np.int64)
