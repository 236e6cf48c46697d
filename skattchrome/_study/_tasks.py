"""One (cell type, model) task: its seed, its settings, and running it."""

import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from .._base import NeuralChromatinClassifier
from .._registry import MODELS, build_model
from ..datasets._remc import SUBSETS
from ._sources import DataSource

RESULT_COLUMNS = (
    "cell",
    "model",
    "test_auc",
    "best_valid_auc",
    "best_epoch",
    "epochs",
    "seconds",
    "device",
    "status",
    "error",
)
"""Columns of ``results.csv``, one row per (cell type, model) task."""


def task_seed(seed, cell, model):
    """The ``random_state`` of one task: a stable hash of the seed, cell and model.

    The same on every machine and in every process (unlike :func:`hash`), so a
    task gives the same model wherever and in whatever order it runs.

    Parameters
    ----------
    seed : int
        The study's seed.
    cell : str
        Name of the cell type.
    model : str
        Command-line name of the model, a key of
        :data:`skattchrome._registry.MODELS`.

    Returns
    -------
    random_state : int
        A number in ``[0, 2**32)``.

    Examples
    --------
    >>> from skattchrome._study import task_seed
    >>> task_seed(0, "E003", "attentivechrome") == task_seed(0, "E003", "forest")
    False
    >>> task_seed(0, "E003", "forest") == task_seed(0, "E003", "forest")
    True
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

    @property
    def name(self):
        """File name stem of the task: ``<cell>__<model>``."""
        return f"{self.cell}__{self.model}"

    def settings(self):
        """The settings a finished task must share with this one to be reused.

        Returns
        -------
        settings : dict
            JSON-serialisable data source, seed, epochs, device and threads.
        """
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

    Examples
    --------
    >>> from skattchrome._study import TaskResult
    >>> TaskResult({"status": "ok"}, {}, [], None).attention
    {}
    """

    record: dict
    attention: dict
    mark_names: list
    bin_offsets: np.ndarray | None


@contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` PyTorch threads, then restore the number.

    Parameters
    ----------
    n_threads : int
        Threads of PyTorch's intra-op pool inside the block.

    Yields
    ------
    None

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
    """Fit on ``train``, keeping the epoch of best AUC on ``validation`` if any.

    A neural model is fitted with ``validation_data``; a model without epochs
    (the forest, the logistic regression) is fitted on ``train`` alone.

    Parameters
    ----------
    estimator : estimator
        The unfitted model.
    train, validation : Bunch
        Splits with ``data`` and ``target``, as :func:`load_remc` gives them;
        ``validation`` may be None.

    Returns
    -------
    estimator : estimator
        The fitted model.

    Examples
    --------
    >>> from skattchrome._registry import build_model
    >>> from skattchrome._study import DataSource, fit_model
    >>> splits = DataSource("simulated", n_genes=60, n_bins=10).load("SIM01")
    >>> model = build_model("deepchrome", max_epochs=2, random_state=0)
    >>> fit_model(model, splits["train"], splits["valid"]).n_epochs_
    2
    """
    if validation is not None and isinstance(estimator, NeuralChromatinClassifier):
        return estimator.fit(
            train.data,
            train.target,
            validation_data=(validation.data, validation.target),
        )
    return estimator.fit(train.data, train.target)


def run_task(task):
    """Train, select the epoch on ``valid`` and score ``test`` for one task.

    Parameters
    ----------
    task : StudyTask
        The task.

    Returns
    -------
    result : TaskResult
        The result row (``status`` ``"ok"``, or ``"failed"`` with the error
        when loading, training or scoring raised) and the attention maps.

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
    record = dict.fromkeys(RESULT_COLUMNS)
    record.update(cell=task.cell, model=MODELS[task.model].name, status="ok")
    try:
        splits = task.source.load(task.cell)
        train, valid, test = (splits[subset] for subset in SUBSETS)
        estimator = build_model(
            task.model,
            random_state=task_seed(task.seed, task.cell, task.model),
            max_epochs=task.max_epochs,
            device=task.device,
            verbose=task.verbose,
        )
        with torch_threads(task.n_threads):
            start = time.perf_counter()
            fit_model(estimator, train, valid)
            if isinstance(estimator, NeuralChromatinClassifier):
                record.update(
                    best_valid_auc=estimator.best_valid_auc_,
                    best_epoch=estimator.best_epoch_,
                    epochs=estimator.n_epochs_,
                    device=str(estimator.net_.device),
                )
            else:
                record.update(best_valid_auc=_auc(estimator, valid), device="cpu")
            record["seconds"] = round(time.perf_counter() - start, 3)
            record["test_auc"] = _auc(estimator, test)
    except Exception as error:
        record.update(status="failed", error=f"{type(error).__name__}: {error}")
        return TaskResult(record, {}, [], None)
    attention = {
        int(label): maps for label, maps in getattr(estimator, "attention_", {}).items()
    }
    return TaskResult(
        record, attention, list(train.mark_names), np.asarray(train.bin_offsets)
    )


def _auc(estimator, split):
    return float(roc_auc_score(split.target, estimator.predict_proba(split.data)[:, 1]))
