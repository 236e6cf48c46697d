"""Training policy as skorch callbacks: validation AUC, best epoch, clipping."""

import re
import sys

import numpy as np
import torch
from sklearn.metrics import r2_score, roc_auc_score
from skorch.callbacks import (
    EarlyStopping,
    EpochScoring,
    GradientNormClipping,
    LRScheduler,
)
from skorch.utils import noop
from torch import nn

from ._modules import prediction_and_maps

VALID_AUC = "valid_auc"
VALID_R2 = "valid_r2"

_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def print_epoch_table(text):
    """Print a part of skorch's table of epochs, coloured only on a terminal.

    skorch colours the best scores with ANSI codes, which would end up as
    escape sequences in a log file; they are removed unless standard output
    is a terminal.

    Parameters
    ----------
    text : str
        Header or row of the table, as skorch's ``PrintLog`` formats it.

    Examples
    --------
    >>> from skattchrome._callbacks import print_epoch_table
    >>> print_epoch_table("      1  \x1b[36m0.7500\x1b[0m")
          1  0.7500
    """
    if not getattr(sys.stdout, "isatty", lambda: False)():
        text = _ANSI_CODE.sub("", text)
    print(text, flush=True)


class _FirstOutputLoss(nn.Module):
    """A loss on the first output of a module, plus an attention entropy penalty.

    The networks return their prediction together with their attention maps.
    A prediction of shape ``(batch, 2)`` (an AttentiveChrome network with a
    linear path, in training mode: its prediction and its attention path's
    own) has the loss of each column added.
    With ``bin_attention_entropy`` above zero, the mean entropy of the
    bin-level attention (the second output, ``(batch, n_bins, n_marks)``) is
    added with that weight, which pushes attention to concentrate on few bins.
    Subclasses set ``_loss``, the class of the loss of the prediction.

    Parameters
    ----------
    bin_attention_entropy : float, default=0.0
        Weight of the entropy penalty on bin-level attention.
    """

    def __init__(self, bin_attention_entropy=0.0):
        super().__init__()
        self.bin_attention_entropy = bin_attention_entropy
        self.loss = self._loss()

    def forward(self, outputs, target):
        """Mean loss of the first output, plus the entropy penalty."""
        prediction, maps = prediction_and_maps(outputs)
        target = target.to(prediction.dtype)
        if prediction.dim() == 2:
            loss = sum(self.loss(column, target) for column in prediction.unbind(1))
        else:
            loss = self.loss(prediction, target)
        if not self.bin_attention_entropy:
            return loss
        if not maps:
            raise ValueError(
                "bin_attention_entropy needs a network that returns its bin "
                "attention as its second output; this one returns its prediction "
                "alone."
            )
        if maps[0].numel():
            entropy = torch.special.entr(maps[0]).sum(dim=1).mean()
            loss = loss + self.bin_attention_entropy * entropy
        return loss


class BinaryLogitLoss(_FirstOutputLoss):
    """Binary cross-entropy on the first output of a module (the logit)."""

    _loss = nn.BCEWithLogitsLoss


class SquaredErrorLoss(_FirstOutputLoss):
    """Mean squared error of the first output of a module (the prediction)."""

    _loss = nn.MSELoss


def _first_outputs(net, X):
    """The first output of the net's module for every gene of ``X``, as numpy."""
    return np.concatenate(
        [
            prediction_and_maps(outputs)[0].detach().float().cpu().numpy()
            for outputs in net.forward_iter(X)
        ]
    )


def logit_roc_auc(net, X, y):
    """Area under the ROC curve of the net's logits (an EpochScoring scorer)."""
    return roc_auc_score(np.asarray(y), _first_outputs(net, X))


def output_r2(net, X, y):
    """R² of the net's predictions (an EpochScoring scorer)."""
    return r2_score(np.asarray(y), _first_outputs(net, X))


def training_callbacks(
    *, validation_score, max_epochs, patience, clip_grad_norm, lr_schedule
):
    """The callbacks that carry the training policy of the neural estimators.

    Parameters
    ----------
    validation_score : tuple (name, scorer) or None
        With genes held out, the score recorded every epoch (higher is
        better), such as ``(VALID_AUC, logit_roc_auc)``; the weights of the
        epoch with the best one are kept. None without held-out genes.
    max_epochs : int
        Number of epochs (the learning-rate schedule spans them).
    patience : int or None
        Stop after this many epochs without a better validation score; None
        trains all ``max_epochs``.
    clip_grad_norm : float or None
        Maximum norm of the gradient, None for no clipping.
    lr_schedule : {"constant", "cosine"}
        Learning-rate schedule over the epochs.

    Returns
    -------
    callbacks : list of (name, callback)
    """
    callbacks = []
    if validation_score is not None:
        name, scorer = validation_score
        callbacks += [
            (
                name,
                EpochScoring(scorer, lower_is_better=False, on_train=False, name=name),
            ),
            (
                "best_epoch",
                EarlyStopping(
                    monitor=name,
                    lower_is_better=False,
                    patience=max_epochs + 1 if patience is None else patience,
                    threshold=0.0,
                    threshold_mode="abs",
                    load_best=True,
                    sink=noop,
                ),
            ),
        ]
    if clip_grad_norm is not None:
        callbacks.append(
            ("clip_grad_norm", GradientNormClipping(gradient_clip_value=clip_grad_norm))
        )
    if lr_schedule == "cosine":
        callbacks.append(
            (
                "lr_schedule",
                LRScheduler(
                    policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                    T_max=max_epochs,
                    step_every="epoch",
                ),
            )
        )
    return callbacks
