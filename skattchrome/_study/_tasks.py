"""One (cell type, model) task: its seed, its settings, and running it."""

import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
import torch
from scipy.stats import pearsonr, spearmanr
from sklearn.base import is_regressor
from sklearn.metrics import r2_score, roc_auc_score

from .._neural import NeuralChromatinEstimator
from .._registry import MODELS, build_model
from ..datasets._remc import SUBSETS
from ._sources import DataSource

_COMMON_HEAD = ("cell", "model")
_COMMON_TAIL = ("best_epoch", "epochs", "seconds", "device", "status", "error")
RESULT_COLUMNS = {
    "classification": (*_COMMON_HEAD, "test_auc", "best_valid_auc", *_COMMON_TAIL),
    "regression": (
        *_COMMON_HEAD,
        "test_pearson",
        "test_spearman",
        "test_r2",
        "best_valid_r2",
        *_COMMON_TAIL,
    ),
}
"""Columns of ``results.csv`` per task, one row per (cell type, model) task.

Classification scores the test genes by ROC AUC; regression by the Pearson and
Spearman correlations of predicted and measured expression and by R², as the
regression literature reports them. ``best_valid_*`` is the validation score of
the epoch kept (of the fitted model for the forest and the linear models)."""

MAIN_SCORE = {"classification": "test_auc", "regression": "test_pearson"}
"""The column that ranks the models of each task: in the summary, the winner
of each cell type and the wins against the baselines."""

MAIN_SCORE_NAMES = {"test_auc": "ROC AUC", "test_pearson": "Pearson r"}
"""How the main scores are named in tables and figures."""

BEST_VALID = {"classification": "best_valid_auc", "regression": "best_valid_r2"}
"""The validation score of the epoch kept, per task: the column of
``results.csv``, and with a trailing underscore the neural models' attribute."""


def task_seed(seed, cell, model):
    """The ``random_state`` of one task, in ``[0, 2**32)``: a stable hash of the
    study's seed, the cell type and the model's command-line name.

    The same on every machine and in every process (unlike :func:`hash`), so a
    task gives the same model wherever and in whatever order it runs.
    """
    return zlib.crc32(f"{seed}/{cell}/{model}".encode())


@dataclass(frozen=True)
class StudyTask:
    """One (cell type, model) task of a study and everything it needs to run.

    Parameters
    ----------
    cell : str
        Name of the cell type in ``source``.
    model : str
        Command-line name of the model, a key of
        :data:`skattchrome._registry.MODELS`.
    source : DataSource
        Where the cell type's splits come from.
    seed : int, default=0
        The study's seed; the model gets ``task_seed(seed, cell, model)``.
    max_epochs : int or "auto", default="auto"
        Maximum epochs of a neural model; ``"auto"`` sizes them to the
        training genes.
    device : str, default="auto"
        Device of a neural model.
    n_threads : int, default=1
        PyTorch threads while the task runs.
    verbose : int, default=0
        1 prints a line per epoch.
    task : {"classification", "regression"}, default="classification"
        Predict the labels, or the expression values of the source.
    log_transform : bool, default=False
        Whether a neural model reads ``log1p`` of the signal (its
        ``log_transform``) instead of the signal as it is.

    Examples
    --------
    >>> from skattchrome._study import DataSource, StudyTask
    >>> task = StudyTask("SIM01", "forest", DataSource("simulated"))
    >>> task.name
    'SIM01__forest'
    """

    cell: str
    model: str
    source: DataSource
    seed: int = 0
    max_epochs: int | str = "auto"
    device: str = "auto"
    n_threads: int = 1
    verbose: int = 0
    task: str = "classification"
    log_transform: bool = False

    @property
    def name(self):
        """File name stem of the task: ``<cell>__<model>``."""
        return f"{self.cell}__{self.model}"

    def settings(self):
        """The settings a finished task must share with this one to be reused: all
        but ``verbose``, as a JSON-serialisable dict."""
        settings = asdict(self)
        del settings["verbose"]
        return settings


class TaskResult(NamedTuple):
    """What one task gives back: its result row and its attention maps.

    Parameters
    ----------
    record : dict
        One row of ``results.csv``, keyed by :data:`RESULT_COLUMNS`.
    attention : dict of {int: AttentionMaps}
        Class-averaged attention maps of the training genes per label; empty
        for a model without attention or a failed task.
    mark_names : list of str
        Names of the marks.
    bin_offsets : ndarray of shape (n_bins,) or None
        Start of each bin relative to the TSS, in bp.
    """

    record: dict
    attention: dict
    mark_names: list
    bin_offsets: np.ndarray | None


@contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` PyTorch threads, then restore the number.

    Examples
    --------
    >>> import torch
    >>> from skattchrome._study import torch_threads
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous_threads)


def fit_model(estimator, train, validation=None):
    """Fit on ``train``, keeping the epoch of best score on ``validation`` if any.

    ``train`` and ``validation`` (or None) are splits as :meth:`DataSource.load`
    gives them. A neural model is fitted with ``validation_data``; a model
    without epochs (the forest, the linear models) on ``train`` alone. A
    classifier learns the labels (``target``), a regressor the ``expression``.

    Examples
    --------
    >>> from skattchrome._registry import build_model
    >>> from skattchrome._study import DataSource, fit_model
    >>> splits = DataSource("simulated", n_genes=60, n_bins=10).load("SIM01")
    >>> model = build_model("deepchrome", max_epochs=2, random_state=0)
    >>> fit_model(model, splits["train"], splits["valid"]).n_epochs_
    2
    """
    if validation is not None and isinstance(estimator, NeuralChromatinEstimator):
        return estimator.fit(
            train.data,
            target_of(estimator, train),
            validation_data=(validation.data, target_of(estimator, validation)),
        )
    return estimator.fit(train.data, target_of(estimator, train))


def target_of(estimator, split):
    """What ``estimator`` learns from ``split``: its labels, or its expression."""
    if not is_regressor(estimator):
        return split.target
    if getattr(split, "expression", None) is None:
        raise ValueError(
            "Regression needs expression values, and these genes have none: give "
            "an expression table (--expression)."
        )
    return split.expression


def score_split(estimator, split, prefix):
    """The scores of ``estimator`` on ``split``, named ``<prefix>_<score>``.

    ROC AUC for a classifier; Pearson and Spearman correlations and R² of the
    expression for a regressor.
    """
    if not is_regressor(estimator):
        probability = estimator.predict_proba(split.data)[:, 1]
        return {f"{prefix}_auc": float(roc_auc_score(split.target, probability))}
    measured = target_of(estimator, split)
    predicted = estimator.predict(split.data)
    return {
        f"{prefix}_pearson": float(pearsonr(measured, predicted).statistic),
        f"{prefix}_spearman": float(spearmanr(measured, predicted).statistic),
        f"{prefix}_r2": float(r2_score(measured, predicted)),
    }


def run_task(task):
    """Train, select the epoch on ``valid`` and score ``test`` for one task.

    Returns a :class:`TaskResult`: the result row (``status`` ``"ok"``, or
    ``"failed"`` with the error when loading, training or scoring raised) and
    the attention maps.

    Examples
    --------
    >>> from skattchrome._study import DataSource, StudyTask, run_task
    >>> source = DataSource("simulated", n_genes=60, n_bins=10)
    >>> result = run_task(StudyTask("SIM01", "attentivechrome", source, max_epochs=1))
    >>> result.record["status"], result.record["epochs"]
    ('ok', 1)
    >>> result.attention[1].bin_attention.shape
    (10, 5)
    >>> run_task(StudyTask("SIM09", "forest", source)).record["error"]
    "ValueError: Unknown simulated cell type 'SIM09'; ..."
    """
    record = dict.fromkeys(RESULT_COLUMNS[task.task])
    record.update(cell=task.cell, model=MODELS[task.model].name, status="ok")
    try:
        splits = task.source.load(task.cell)
        train, valid, test = (splits[subset] for subset in SUBSETS)
        estimator = build_model(
            task.model,
            task=task.task,
            random_state=task_seed(task.seed, task.cell, task.model),
            max_epochs=task.max_epochs,
            device=task.device,
            verbose=task.verbose,
            log_transform=task.log_transform,
        )
        with torch_threads(task.n_threads):
            start = time.perf_counter()
            fit_model(estimator, train, valid)
            best_valid = BEST_VALID[task.task]
            if isinstance(estimator, NeuralChromatinEstimator):
                record[best_valid] = getattr(estimator, f"{best_valid}_")
                record.update(
                    best_epoch=estimator.best_epoch_,
                    epochs=estimator.n_epochs_,
                    device=str(estimator.net_.device),
                )
            else:
                valid_scores = score_split(estimator, valid, "valid")
                record[best_valid] = valid_scores[best_valid.removeprefix("best_")]
                record["device"] = "cpu"
            record["seconds"] = round(time.perf_counter() - start, 3)
            record.update(score_split(estimator, test, "test"))
    except Exception as error:
        record.update(status="failed", error=f"{type(error).__name__}: {error}")
        return TaskResult(record, {}, [], None)
    attention = {
        int(label): maps for label, maps in getattr(estimator, "attention_", {}).items()
    }
    return TaskResult(
        record, attention, list(train.mark_names), np.asarray(train.bin_offsets)
    )
