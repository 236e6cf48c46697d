"""The neural estimators' shared machinery: training through skorch and inference.

The task of an estimator (loss, validation score, target encoding) comes from
:mod:`skattchrome._neural_tasks`, its saliency from :mod:`skattchrome._gradients`.
"""

import math
from abc import ABCMeta, abstractmethod
from contextlib import nullcontext
from typing import ClassVar

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from skorch import NeuralNet
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.history import History
from skorch.utils import noop

from ._base import (
    ChromatinEstimatorBase,
    check_own_parameters,
    keeps_previous_fit_on_failure,
)
from ._batches import ArrayBatches
from ._callbacks import (
    print_epoch_table,
    training_callbacks,
)
from ._devices import FUSED_ADAM_DEVICES, deterministic_cudnn, resolve_device
from ._modules import prediction_and_maps
from ._saliency import SaliencyMixin
from ._validation import (
    SHOWN_IN_ERRORS,
    Boolean,
    Fraction,
    Number,
    OneOf,
    PositiveIntOrAuto,
    check_chromatin_X,
    check_number,
)
from ._weights import load_weights

LR_SCHEDULES = ("constant", "cosine")
# Prefixes of the skorch net's attributes that hold tensors of the training
# device, beyond the ``module_``, ``criterion_`` and ``optimizer_`` that skorch
# already maps to the CPU when a net is unpickled without CUDA: the ``module``
# parameter (the same network as ``module_``) and the callbacks (the best
# epoch's weights, the learning-rate scheduler's optimizer) in ``callbacks`` and
# ``callbacks_``. Pickled together, they keep sharing those objects.
DEVICE_DEPENDENT_ATTRIBUTES = ("module", "callbacks")


def restore_fitted(estimator, attributes, state_dict, source, history=()):
    """Make ``estimator`` fitted with ``attributes`` and network weights, untrained.

    For models trained elsewhere or earlier: a saved file, a published model.
    ``attributes`` are the fitted attributes other than the net (the layout,
    ``classes_``...), set first so that the network can be built; its weights
    are loaded strictly (see :func:`load_weights`) and its epochs are
    ``history``.
    """
    check_own_parameters(estimator)
    for name, value in attributes.items():
        setattr(estimator, name, value)
    device = resolve_device(estimator.device)
    module = estimator._build_module()
    load_weights(module, state_dict, source)
    net = estimator._new_net(
        module,
        device,
        batch_size=estimator.batch_size_,
        max_epochs=estimator.max_epochs_,
        validation=None,
    )
    net.initialize()
    net.history = History(history)
    estimator._adopt_net(net)
    return estimator


class NeuralChromatinEstimator(
    SaliencyMixin, ChromatinEstimatorBase, metaclass=ABCMeta
):
    """Shared machinery of the neural estimators; subclasses build the module.

    A subclass implements ``_build_module()`` (it may read the fitted
    ``n_bins_`` and ``n_marks_``), returning a module whose forward pass maps
    ``(batch, n_bins, n_marks)`` to one number per gene (the logit of the
    positive class, or the standardised prediction of a regressor), alone or as
    the first element of a tuple. The task (the loss, the validation score, the
    encoding of the target) comes from :class:`NeuralChromatinClassifier` or
    :class:`NeuralChromatinRegressor`.
    """

    _fitted_attribute = "net_"
    _parameter_constraints: ClassVar[dict] = {
        "max_epochs": PositiveIntOrAuto(),
        "batch_size": PositiveIntOrAuto(),
        "inference_batch_size": PositiveIntOrAuto(),
        "lr": Number("real", 0, low_inclusive=False),
        "lr_schedule": OneOf(LR_SCHEDULES),
        "patience": Number("int", 1, allow_none=True),
        "clip_grad_norm": Number("real", 0, low_inclusive=False, allow_none=True),
        "validation_fraction": Fraction(allow_none=True),
        "warm_start": Boolean(),
        "log_transform": Boolean(),
    }
    # The training budget of batch_size="auto" and max_epochs="auto" (see
    # training_budget): batches of one part in _genes_per_batch_divisor of the
    # training genes within _batch_size_range, and the fewest epochs that make
    # _min_steps optimizer steps within _epochs_range. Chosen on real genes of
    # E003 and E123 and on simulated cell types of 100 to 20 000 genes
    # (benchmarks/bench_real_cells.py).
    _genes_per_batch_divisor = 64
    _batch_size_range = (16, 64)
    _min_steps = 700
    _epochs_range = (6, 15)
    # Genes per inference batch for inference_batch_size="auto", per device
    # type. AttentiveChrome overrides it with the sizes bench_training.py
    # measured for it; the CPU size here, used by DeepChrome, was not measured.
    # On a GPU, large batches: its time per step barely grows with them.
    _auto_inference_batch_sizes: ClassVar[dict[str, int]] = {"cpu": 512, "cuda": 1024}

    def __init__(
        self,
        *,
        n_marks=None,
        log_transform=False,
        max_epochs="auto",
        batch_size="auto",
        lr=1e-3,
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
        self.n_marks = n_marks
        self.log_transform = log_transform
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.patience = patience
        self.clip_grad_norm = clip_grad_norm
        self.validation_fraction = validation_fraction
        self.inference_batch_size = inference_batch_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    @abstractmethod
    def _build_module(self):
        """Return a freshly initialised network for the fitted layout."""

    def training_budget(self, n_genes):
        """Genes per batch and maximum epochs of a fit on ``n_genes`` genes.

        Resolves ``batch_size="auto"`` and ``max_epochs="auto"``; a number
        given for either is used as it is. The automatic batch holds
        ``n_genes // 64`` genes, at least 16 and at most 64, and the automatic
        number of epochs is the fewest that make 700 optimizer steps, at least
        6 and at most 15 for the classifiers, 30 for the regressors.

        Parameters
        ----------
        n_genes : int
            Number of genes the network trains on (without held-out genes).

        Returns
        -------
        batch_size : int
            Genes per training batch.
        max_epochs : int
            Maximum number of epochs.

        Examples
        --------
        >>> from skattchrome import AttentiveChromeClassifier
        >>> model = AttentiveChromeClassifier()
        >>> model.training_budget(160), model.training_budget(6601)
        ((16, 15), (64, 7))
        >>> AttentiveChromeClassifier(batch_size=32).training_budget(1000)
        (32, 15)
        >>> from skattchrome import AttentiveChromeRegressor
        >>> AttentiveChromeRegressor().training_budget(160)
        (16, 30)
        """
        check_number("n_genes", n_genes, kind="int", low=1)
        low, high = self._batch_size_range
        batch_size = (
            int(np.clip(n_genes // self._genes_per_batch_divisor, low, high))
            if self.batch_size == "auto"
            else self.batch_size
        )
        if self.max_epochs != "auto":
            return batch_size, self.max_epochs
        steps_per_epoch = math.ceil(n_genes / batch_size)
        low, high = self._epochs_range
        epochs = math.ceil(self._min_steps / steps_per_epoch)
        return batch_size, int(np.clip(epochs, low, high))

    def _split_validation(self, X, y, validation_data, split_seed):
        if validation_data is not None:
            try:
                X_valid, y_valid = validation_data
            except (TypeError, ValueError) as error:
                raise ValueError(
                    "validation_data must be a pair (X_valid, y_valid)."
                ) from error
            try:
                X_valid, _ = check_chromatin_X(
                    self, X_valid, y_valid, reset=False, fitted_layout=False
                )
            except ValueError as error:
                raise ValueError(f"validation_data: {error}") from error
            X_valid = self._network_input(X_valid, "validation_data")
            return X, y, X_valid, self._encode_validation_target(y_valid)
        if self.validation_fraction is None:
            return X, y, None, None
        n_valid = max(2, round(self.validation_fraction * len(y)))
        X_train, X_valid, y_train, y_valid = train_test_split(
            X,
            y,
            test_size=n_valid,
            stratify=self._validation_strata(y, n_valid),
            random_state=split_seed,
        )
        return X_train, y_train, X_valid, y_valid

    @keeps_previous_fit_on_failure
    def fit(self, X, y, validation_data=None):
        """Train the network, keeping the epoch of best validation score.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal of each mark around each gene's TSS; flat input is in
            bin-major order.
        y : array-like of shape (n_genes,)
            Labels (any two distinct values) of a classifier, or the target
            (such as log1p(RPKM)) of a regressor.
        validation_data : tuple (X_valid, y_valid), default=None
            Genes to pick the best epoch on: by ROC AUC for a classifier, by
            R² for a regressor. When None, a ``validation_fraction`` of ``X``
            is held out (stratified by class for a classifier), unless it is
            None.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            If a parameter or the input is invalid; with ``warm_start=True``
            on a fitted model, also if ``X`` has other bins or marks than the
            last fit, a classifier's ``y`` other classes, or the parameters
            that shape the network changed since.

        Notes
        -----
        With ``warm_start=True``, a fitted model trains on from its current
        weights (a fresh optimizer, the learning rate and budget of the
        current parameters), as when fine-tuning a published model on genes
        of a new cell type; the fitted attributes then describe this fit.
        """
        check_own_parameters(self)
        previous = self._fit_to_continue()
        X, y_encoded = self._check_fit_input(X, y)
        X = self._network_input(X, "X")
        device = resolve_device(self.device)
        split_seed, torch_seed = self._seeds(2)
        X_train, y_train, X_valid, y_valid = self._split_validation(
            X, y_encoded, validation_data, split_seed
        )
        has_validation = X_valid is not None
        batch_size, max_epochs = self.training_budget(len(X_train))
        cuda_devices = (
            list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
        )
        with torch.random.fork_rng(devices=cuda_devices), deterministic_cudnn(device):
            torch.manual_seed(torch_seed)
            module = self._build_module()
            if previous is None:
                self._start_module(module, X_train, y_train)
            else:
                self._check_continuation(previous)
                load_weights(
                    module,
                    previous["module"].state_dict(),
                    "the last fit",
                    " warm_start=True cannot continue it after a change of the "
                    "parameters that shape the network; set warm_start=False to "
                    "train a new one.",
                )
            net = self._new_net(
                module,
                device,
                batch_size=batch_size,
                max_epochs=max_epochs,
                validation=(X_valid, y_valid) if has_validation else None,
            )
            with self._cpu_threads(module, device):
                net.fit(X_train, y_train)
        diverged = [
            name
            for name, weights in net.module_.named_parameters()
            if not torch.isfinite(weights).all()
        ]
        if diverged:
            raise ValueError(
                f"X: training diverged, the weights of {len(diverged)} layer(s) of "
                f"{type(self).__name__} became NaN or infinite ({diverged[0]}...); "
                f"X holds values up to {float(np.abs(X).max()):.3g}. Scale X "
                "down, or set log_transform=True for counts."
            )
        self._adopt_net(net)
        self.batch_size_ = batch_size
        self.max_epochs_ = max_epochs
        best_score = None
        self.best_epoch_ = len(net.history)
        if has_validation:
            scores = np.asarray(net.history[:, self._validation_score[0]], dtype=float)
            best = int(np.argmax(scores))
            self.best_epoch_ = int(net.history[best, "epoch"])
            best_score = float(scores[best])
        setattr(self, self._best_score_attribute, best_score)
        self.n_epochs_ = len(net.history)
        self._after_fit(X, y_encoded)
        return self

    def _fit_to_continue(self):
        """What a warm start continues: the last fit's network and layout, or None."""
        if not (self.warm_start and hasattr(self, "net_")):
            return None
        return {
            "module": self.net_.module_,
            "layout": (self.n_bins_, self.n_marks_),
            "mark_names": list(self.mark_names_),
            "classes": getattr(self, "classes_", None),
        }

    def _check_continuation(self, previous):
        """Refuse a warm start on data that the last fit's network cannot take."""
        n_bins, n_marks = previous["layout"]
        if (self.n_bins_, self.n_marks_) != (n_bins, n_marks):
            raise ValueError(
                f"warm_start=True continues the last fit, on {n_bins} bins and "
                f"{n_marks} marks, but X has {self.n_bins_} bins and "
                f"{self.n_marks_} marks; set warm_start=False to train a new "
                "network."
            )
        if list(self.mark_names_) != previous["mark_names"]:
            raise ValueError(
                "warm_start=True continues the last fit, on the marks "
                f"{previous['mark_names']} in that order, but X holds "
                f"{list(self.mark_names_)}; pass the same marks in the same order, "
                "or set warm_start=False to train a new network."
            )
        classes = previous["classes"]
        if classes is not None and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start=True continues the last fit, on the classes "
                f"{classes.tolist()}, but y has the classes "
                f"{self.classes_.tolist()}; set warm_start=False to train a new "
                "network."
            )

    def _new_net(self, module, device, *, batch_size, max_epochs, validation):
        """The skorch net that trains ``module`` on ``device``, not yet initialised.

        ``validation`` is a pair ``(X_valid, y_valid)`` of encoded genes to
        pick the best epoch on, or None.
        """
        return NeuralNet(
            module=module,
            criterion=self._loss,
            **{
                f"criterion__{name}": value
                for name, value in self._criterion_params().items()
            },
            optimizer=torch.optim.Adam,
            optimizer__fused=torch.device(device).type in FUSED_ADAM_DEVICES,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train=ArrayBatches,
            iterator_valid=ArrayBatches,
            iterator_train__shuffle=True,
            iterator_valid__batch_size=self._inference_batch_size(device),
            train_split=(
                None if validation is None else predefined_split(Dataset(*validation))
            ),
            callbacks=training_callbacks(
                validation_score=None if validation is None else self._validation_score,
                max_epochs=max_epochs,
                patience=self.patience,
                clip_grad_norm=self.clip_grad_norm,
                lr_schedule=self.lr_schedule,
            ),
            predict_nonlinearity=None,
            device=device,
            verbose=self.verbose,
            callbacks__print_log__sink=print_epoch_table if self.verbose else noop,
        )

    def _adopt_net(self, net):
        """Keep the trained or restored ``net`` as the fitted net."""
        net.cuda_dependent_attributes_ = [
            *net.cuda_dependent_attributes_,
            *DEVICE_DEPENDENT_ATTRIBUTES,
        ]
        self.net_ = net
        self.history_ = net.history

    def _network_input(self, X, name):
        """``X`` as the network reads it: ``log1p(X)`` with ``log_transform``."""
        if not self.log_transform:
            return X
        if (X < 0).any():
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__} "
                f"({name}): with log_transform=True it reads log1p of the signal, "
                "which needs "
                "non-negative signal such as read counts. Pass log_transform=False "
                "for signal that is already on a log scale or centred."
            )
        return np.log1p(X)

    def _validated(self, X):
        return self._network_input(super()._validated(X), "X")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = bool(self.log_transform)
        return tags

    def _start_module(self, module, X_train, y_train):
        """Hook to set a fresh network's starting point from its training genes."""

    def _criterion_params(self):
        """Keyword arguments of the loss (``_loss``)."""
        return {}

    def _after_fit(self, X, y_encoded):
        """Hook for learned summaries that need the fitted network.

        ``y_encoded`` is the training target as the network saw it: 0/1
        labels of a classifier, standardised values of a regressor.
        """

    def _cpu_threads(self, module, device):
        """Context in which ``module`` trains and predicts on ``device``.

        A hook for networks that use the CPU's threads in a way of their own;
        by default torch's threading is left as it is.
        """
        return nullcontext()

    def _inference_batch_size(self, device):
        """Genes per inference batch on ``device``, resolving ``"auto"``."""
        if isinstance(self.inference_batch_size, str):
            sizes = self._auto_inference_batch_sizes
            return sizes.get(torch.device(device).type, sizes["cuda"])
        return self.inference_batch_size

    def _iter_outputs(self, X):
        """Yield ``(batch slice, outputs as numpy arrays)`` over ``X`` in batches."""
        module = self.net_.module_
        device = self.net_.device
        batch_size = self._inference_batch_size(device)
        module.eval()
        with torch.inference_mode(), self._cpu_threads(module, device):
            for start in range(0, len(X), batch_size):
                batch = slice(start, start + batch_size)
                prediction, maps = prediction_and_maps(
                    module(torch.from_numpy(X[batch]).to(device))
                )
                outputs = [
                    output.float().cpu().numpy() for output in (prediction, *maps)
                ]
                for output in outputs:
                    self._check_finite_output(output, X[batch], start)
                yield batch, outputs

    def _check_finite_output(self, output, X, start):
        """Refuse, naming ``X``, the genes whose network output is not finite.

        ``output`` holds one row per gene of ``X``, the genes from position
        ``start`` on; signal near the float32 limit overflows the network.
        """
        not_finite = ~np.isfinite(output.reshape(len(output), -1)).all(axis=1)
        if not_finite.any():
            genes = (start + np.flatnonzero(not_finite))[:SHOWN_IN_ERRORS].tolist()
            raise ValueError(
                f"X: the network of {type(self).__name__} gives NaN or infinite "
                f"outputs for {int(not_finite.sum())} gene(s), the first at "
                f"positions {genes}; their signal (up to "
                f"{float(np.abs(X[not_finite]).max()):.3g}) overflows its "
                "arithmetic. Scale X down, or set log_transform=True for counts."
            )

    def _first_output(self, X):
        """The network's first output for every gene of validated ``X``."""
        values = np.empty(len(X), dtype=np.float64)
        for batch, outputs in self._iter_outputs(X):
            values[batch] = outputs[0]
        return values
