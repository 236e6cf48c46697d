"""The paper's benchmark as (cell type, model) tasks: resumable, local or on Dask.

Each task trains one model of the paper's comparison on the ``train`` split of
one cell type, keeps the epoch of best validation ROC AUC on its ``valid``
split (``fit(..., validation_data=...)``; the random forest and the logistic
regression have no epochs and are only scored there), and scores the ``test``
split by ROC AUC. The study writes every finished task to its own file in the
output folder as soon as the task ends, atomically (a temporary file, then
:func:`os.replace`), so an interrupted study loses only the tasks that were
running; run it again and the finished tasks are read back instead of trained
again. A task that raises is recorded as failed with its error and does not
stop the others; failed tasks are tried again on the next run.

Output folder
-------------
``tasks/<cell>__<model>.json``
    One finished task: its result row and the settings it ran with.
``attention/<cell>/<model>.npz`` and ``.png``
    Class-averaged attention maps of the attention models (of the training
    genes): ``labels``, ``bin_attention`` (n_classes, n_bins, n_marks),
    ``mark_attention`` (n_classes, n_marks), ``mark_names``, ``bin_offsets``,
    and a figure with a heatmap of bin attention per mark and bars of mark
    attention for each class.
``results.csv``, ``summary.csv``, ``test_auc.png``
    One row per task, one row per model, and the test AUC of each model in
    each cell type.

Reproducibility
---------------
Every task seeds its model from ``(seed, cell, model)`` with a stable hash
(:func:`task_seed`), never from global state, and runs PyTorch on one thread
by default: the results are then bit for bit the same whatever the number of
parallel jobs and whether the tasks run here or on a Dask cluster. More torch
threads per task give results that differ from a one-thread run in the last
bits (about 1e-8 in the probabilities on CPU).

Running on a Dask cluster
-------------------------
Install ``skattchrome[dask]`` (and the same version of skattchrome and its
dependencies) on every machine, then start a scheduler on one host and one
worker process per core (or per GPU) on each machine::

    dask scheduler                                  # on HOST, port 8786
    dask worker tcp://HOST:8786 --nthreads 1        # on each machine
    skattchrome benchmark --scheduler tcp://HOST:8786 --data remc --cells all

For GPUs, start one worker per GPU, each seeing only its own device, for
example ``CUDA_VISIBLE_DEVICES=0 dask worker tcp://HOST:8786 --nthreads 1``
and ``CUDA_VISIBLE_DEVICES=1 dask worker ...``, and pass ``--device cuda``
(or leave ``--device auto``). The workers read the data themselves: a
``--data`` folder must be readable at the same path on every worker (a shared
file system), and ``--data remc`` reads the archive from ``--data-home``, which
should be shared too (a worker without it downloads the archive itself).
Results come back to the machine that runs ``skattchrome benchmark``, which
writes the output folder. ``--scheduler local`` starts a
:class:`~distributed.LocalCluster` on 127.0.0.1 instead, with ``--n-jobs``
worker processes of one thread each.
"""

import json
import logging
import math
import os
import tempfile
import time
import zlib
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from sklearn.utils import Bunch

from ._base import NeuralChromatinClassifier
from .datasets import (
    REFERENCE_MARKS,
    bin_offsets,
    cell_types,
    fetch_remc,
    load_remc,
    make_chromatin_data,
)
from .datasets._remc import SUBSETS
from .model_selection import paired_comparison, paper_models

MODEL_NAMES = {
    "attentivechrome": "AttentiveChrome",
    "lstm": "LSTM",
    "lstm-alpha": "LSTM-alpha",
    "cnn-alpha-beta": "CNN-alpha,beta",
    "deepchrome": "DeepChrome",
    "forest": "RandomForest",
    "logistic": "Logistic",
}
"""Command-line name of each model -> its name in :func:`paper_models`."""

DEFAULT_MODELS = ("attentivechrome", "deepchrome", "forest", "logistic")
"""The models a study runs unless told otherwise."""


class SimulatedCell(NamedTuple):
    """A built-in simulated cell type: its size, seed and difficulty."""

    n_genes: int
    seed: int
    label_noise: float


SIMULATED_CELLS = {
    "SIM01": SimulatedCell(n_genes=1200, seed=1, label_noise=0.35),
    "SIM02": SimulatedCell(n_genes=900, seed=2, label_noise=0.6),
    "SIM03": SimulatedCell(n_genes=600, seed=3, label_noise=1.0),
}
"""Built-in simulated cell types: name -> :class:`SimulatedCell`.

The genes of each are split in thirds (train, valid, test), as in the
published archive, with bins in genomic order as there. Their label noise
spreads their test ROC AUCs over the range of the published cell types (about
0.77 to 0.92): SIM01 is the easiest, SIM03 the hardest.
"""

DATA_KINDS = ("simulated", "folder", "remc")
"""The kinds of :class:`DataSource`."""

BASELINES = ("DeepChrome", "Logistic")
"""The models the summary counts wins against: DeepChrome, as the paper does,
and the linear baseline, which every deep model must be seen against."""

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

_CLASS_NAMES = {0: "low expression (0)", 1: "high expression (1)"}


@dataclass(frozen=True)
class DataSource:
    """Where the cell types of a study come from, and how to load one.

    Parameters
    ----------
    kind : {"simulated", "folder", "remc"}
        ``"simulated"``: the built-in cell types of :data:`SIMULATED_CELLS`.
        ``"folder"``: the cell-type subfolders of ``path``, each holding
        ``classification/{train,valid,test}.csv`` as in the published archive.
        ``"remc"``: the published 56-cell-type archive, through
        :func:`~skattchrome.datasets.fetch_remc`.
    path : str, default=None
        The folder for ``"folder"``; the data home (cache) for ``"remc"``,
        where None means scikit-learn's default.
    n_genes : int, default=None
        Genes of every simulated cell type; None keeps the built-in sizes.
    n_bins : int, default=100
        100 bp bins per simulated gene.

    Examples
    --------
    >>> from skattchrome._study import DataSource
    >>> source = DataSource("simulated", n_genes=30, n_bins=10)
    >>> source.cells()
    ['SIM01', 'SIM02', 'SIM03']
    >>> splits = source.load("SIM02")
    >>> splits["train"].data.shape, splits["test"].gene_ids[0]
    ((10, 10, 5), 'SIM02-00020')
    """

    kind: str
    path: str | None = None
    n_genes: int | None = None
    n_bins: int = 100

    def __post_init__(self):
        if self.kind not in DATA_KINDS:
            raise ValueError(f"kind must be one of {DATA_KINDS}; got {self.kind!r}.")
        if self.kind == "folder" and self.path is None:
            raise ValueError("A 'folder' data source needs a path.")

    def cells(self):
        """Names of the cell types this source holds.

        Returns
        -------
        cells : list of str
            The built-in simulated names, the subfolders of ``path`` that have
            a ``classification`` folder (sorted), or the 56 archive ids.
        """
        if self.kind == "simulated":
            return list(SIMULATED_CELLS)
        if self.kind == "remc":
            return cell_types()["cell_type"].tolist()
        return sorted(
            entry.name
            for entry in Path(self.path).iterdir()
            if (entry / "classification").is_dir()
        )

    def load(self, cell):
        """The three splits of one cell type.

        Parameters
        ----------
        cell : str
            One of :meth:`cells`.

        Returns
        -------
        splits : dict of {str: Bunch}
            ``"train"``, ``"valid"`` and ``"test"``, each a Bunch with
            ``data`` (n_genes, n_bins, n_marks), ``target``, ``gene_ids``,
            ``mark_names`` and ``bin_offsets``, as :func:`load_remc` gives.
        """
        if self.kind == "simulated":
            return self._simulate(cell)
        if self.kind == "remc":
            return {
                subset: fetch_remc(cell, subset, data_home=self.path, progress=False)
                for subset in SUBSETS
            }
        return {subset: load_remc(Path(self.path) / cell, subset) for subset in SUBSETS}

    def _simulate(self, cell):
        if cell not in SIMULATED_CELLS:
            raise ValueError(
                f"Unknown simulated cell type {cell!r}; the built-in ones are "
                f"{', '.join(SIMULATED_CELLS)}."
            )
        built_in = SIMULATED_CELLS[cell]
        n_genes = self.n_genes or built_in.n_genes
        X, y = make_chromatin_data(
            n_genes=n_genes,
            n_bins=self.n_bins,
            random_state=built_in.seed,
            label_noise=built_in.label_noise,
            genomic_order=True,
        )
        gene_ids = np.array([f"{cell}-{index:05d}" for index in range(n_genes)])
        parts = np.array_split(np.arange(n_genes), len(SUBSETS))
        return {
            subset: Bunch(
                data=X[part],
                target=y[part],
                gene_ids=gene_ids[part].astype(object),
                mark_names=list(REFERENCE_MARKS),
                bin_offsets=bin_offsets(self.n_bins),
            )
            for subset, part in zip(SUBSETS, parts, strict=True)
        }


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
        Command-line name of the model, a key of :data:`MODEL_NAMES`.

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


def build_model(
    model, *, random_state=None, max_epochs="auto", device="auto", verbose=0
):
    """An unfitted estimator of the paper's comparison, by command-line name.

    Parameters
    ----------
    model : str
        A key of :data:`MODEL_NAMES`, such as ``"attentivechrome"``,
        ``"lstm-alpha"`` or ``"forest"``.
    random_state : int, default=None
        Seed of the estimator.
    max_epochs : int or "auto", default="auto"
        Maximum epochs of a neural model (the forest and the logistic
        regression have none); ``"auto"`` sizes them to the training genes.
    device : str, default="auto"
        Device of a neural model: ``"auto"``, ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``.
    verbose : int, default=0
        1 prints a line per epoch of a neural model.

    Returns
    -------
    estimator : estimator
        The model, as :func:`~skattchrome.model_selection.paper_models`
        builds it.

    Examples
    --------
    >>> from skattchrome._study import build_model
    >>> build_model("lstm-alpha", max_epochs=3).use_mark_attention
    False
    """
    if model not in MODEL_NAMES:
        raise ValueError(
            f"Unknown model {model!r}; choose from {', '.join(MODEL_NAMES)}."
        )
    models = paper_models(
        random_state=random_state,
        max_epochs=max_epochs,
        device=device,
        verbose=verbose,
    )
    return models[MODEL_NAMES[model]]


@dataclass(frozen=True)
class StudyTask:
    """One (cell type, model) task of a study and everything it needs to run.

    Parameters
    ----------
    cell : str
        Name of the cell type in ``source``.
    model : str
        Command-line name of the model, a key of :data:`MODEL_NAMES`.
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
    record.update(cell=task.cell, model=MODEL_NAMES[task.model], status="ok")
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
            if isinstance(estimator, NeuralChromatinClassifier):
                estimator.fit(
                    train.data, train.target, validation_data=(valid.data, valid.target)
                )
                record.update(
                    best_valid_auc=estimator.best_valid_auc_,
                    best_epoch=estimator.best_epoch_,
                    epochs=estimator.n_epochs_,
                    device=str(estimator.net_.device),
                )
            else:
                estimator.fit(train.data, train.target)
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


def _run_numbered(number, task):
    """Run ``task`` and return ``(number, result)`` to match unordered results."""
    return number, run_task(task)


def _write_atomically(path, write):
    """Call ``write(binary_file)`` on a temporary file, then move it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _write_text(path, text):
    _write_atomically(path, lambda handle: handle.write(text.encode()))


def _task_file(out_dir, task):
    return out_dir / "tasks" / f"{task.name}.json"


def _finished_record(out_dir, task):
    """The record of a finished, successful run of ``task`` in ``out_dir``."""
    try:
        saved = json.loads(_task_file(out_dir, task).read_text())
    except (OSError, ValueError):
        return None
    if saved.get("settings") != task.settings():
        return None
    if saved.get("record", {}).get("status") != "ok":
        return None
    return saved["record"]


def _json_ready(record):
    """The record with NaN as None, numpy scalars as Python numbers."""
    ready = {}
    for key, value in record.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        ready[key] = value
    return ready


def _stacked_maps(result):
    """Labels and the class-averaged maps of each level stacked over labels."""
    labels = sorted(result.attention)
    arrays = {"labels": np.array(labels)}
    for level in ("bin_attention", "mark_attention"):
        maps = [getattr(result.attention[label], level) for label in labels]
        if all(values is not None for values in maps):
            arrays[level] = np.stack(maps)
    return arrays


def _attention_figure(arrays, mark_names, offsets, title):
    """Heatmap of bin attention and bars of mark attention, one panel per class."""
    from matplotlib.figure import Figure

    from .interpret import plot_attention

    labels = arrays["labels"]
    n_bins, n_marks = len(offsets), len(mark_names)
    missing = {
        "bin_attention": np.full((len(labels), n_bins, n_marks), np.nan),
        "mark_attention": np.full((len(labels), n_marks), np.nan),
    }
    bins, marks = (arrays.get(level, missing[level]) for level in missing)
    figure = Figure(figsize=(10, 0.6 + 3.2 * len(labels)))
    panels = np.atleast_1d(figure.subfigures(len(labels), 1))
    for index, (label, panel) in enumerate(zip(labels, panels, strict=True)):
        panel.suptitle(
            f"{title}, {_CLASS_NAMES.get(int(label), f'label {label}')}: mean over "
            "the training genes",
            y=0.99,
        )
        _, bar_ax = plot_attention(
            bins[index],
            marks[index],
            mark_names=mark_names,
            bin_offsets=offsets,
            ax=panel.add_axes((0.12, 0.16, 0.62, 0.58)),
        )
        if "mark_attention" not in arrays:
            bar_ax.set_xticks([])
            bar_ax.text(
                0.5,
                0.5,
                "no mark\nattention",
                ha="center",
                va="center",
                transform=bar_ax.transAxes,
            )
    return figure


def _save_figure(path, figure):
    _write_atomically(
        path,
        lambda handle: figure.savefig(handle, format="png", bbox_inches="tight"),
    )


def _save_task(out_dir, task, result):
    """Write the attention maps, then the task file that marks the task done."""
    if result.attention:
        arrays = _stacked_maps(result)
        folder = out_dir / "attention" / task.cell
        arrays.update(
            mark_names=np.array(result.mark_names), bin_offsets=result.bin_offsets
        )
        _write_atomically(
            folder / f"{task.model}.npz", lambda handle: np.savez(handle, **arrays)
        )
        try:
            figure = _attention_figure(
                arrays,
                result.mark_names,
                result.bin_offsets,
                f"{task.cell}, {MODEL_NAMES[task.model]}",
            )
        except ImportError:
            figure = None
        if figure is not None:
            _save_figure(folder / f"{task.model}.png", figure)
    saved = {"record": _json_ready(result.record), "settings": task.settings()}
    _write_text(_task_file(out_dir, task), json.dumps(saved, indent=2) + "\n")


@contextmanager
def _task_runner(n_jobs, scheduler):
    """A joblib ``Parallel`` yielding results as they come, locally or on Dask."""
    if scheduler is None:
        yield joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ImportError(
            "Running on a Dask cluster needs dask.distributed; install it with "
            "`pip install skattchrome[dask]`."
        ) from error
    with ExitStack() as stack:
        if scheduler == "local":
            address = stack.enter_context(
                LocalCluster(
                    n_workers=joblib.effective_n_jobs(n_jobs),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
        else:
            address = scheduler
        stack.enter_context(Client(address))
        stack.enter_context(joblib.parallel_config(backend="dask"))
        yield joblib.Parallel(n_jobs=-1, return_as="generator_unordered")


def run_study(tasks, out_dir, *, n_jobs=1, scheduler=None, callback=None):
    """Run the tasks that are not finished yet and assemble ``results.csv``.

    Parameters
    ----------
    tasks : list of StudyTask
        All the tasks of the study.
    out_dir : str or path-like
        Output folder (see the module's description); created if missing.
    n_jobs : int, default=1
        Tasks run in parallel on this machine (joblib's loky backend), or the
        number of workers of ``scheduler="local"``.
    scheduler : str, default=None
        None runs on this machine; ``"local"`` starts a Dask
        :class:`~distributed.LocalCluster` on 127.0.0.1 with ``n_jobs``
        single-threaded worker processes; otherwise the address of a Dask
        scheduler, such as ``"tcp://HOST:8786"``, whose workers run the tasks.
    callback : callable, default=None
        Called as ``callback(task, record, reused)`` for every task: first for
        the tasks finished by an earlier run (``reused=True``), then for each
        task as it ends.

    Returns
    -------
    results : pandas.DataFrame
        The rows of ``results.csv``, in the order of ``tasks``.

    Examples
    --------
    >>> import tempfile
    >>> from skattchrome._study import DataSource, StudyTask, run_study
    >>> source = DataSource("simulated", n_genes=60, n_bins=10)
    >>> tasks = [StudyTask(cell, "deepchrome", source, max_epochs=1)
    ...          for cell in ("SIM01", "SIM02")]
    >>> with tempfile.TemporaryDirectory() as out_dir:
    ...     results = run_study(tasks, out_dir)
    >>> results[["cell", "model", "status"]]
        cell       model status
    0  SIM01  DeepChrome     ok
    1  SIM02  DeepChrome     ok
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = [_finished_record(out_dir, task) for task in tasks]
    for task, record in zip(tasks, records, strict=True):
        if record is not None and callback is not None:
            callback(task, record, True)
    pending = [number for number, record in enumerate(records) if record is None]
    if pending:
        with _task_runner(n_jobs, scheduler) as parallel:
            outcomes = parallel(
                joblib.delayed(_run_numbered)(number, tasks[number])
                for number in pending
            )
            for number, result in outcomes:
                _save_task(out_dir, tasks[number], result)
                records[number] = result.record
                if callback is not None:
                    callback(tasks[number], result.record, False)
    results = pd.DataFrame(records, columns=list(RESULT_COLUMNS)).astype(
        {"best_epoch": "Int64", "epochs": "Int64"}
    )
    _write_text(out_dir / "results.csv", results.to_csv(index=False))
    summary = summarize_results(results)
    _write_text(out_dir / "summary.csv", summary.to_csv(index=False))
    try:
        figure = _test_auc_figure(results)
    except ImportError:
        figure = None
    if figure is not None:
        _save_figure(out_dir / "test_auc.png", figure)
    return results


def summarize_results(results, baselines=BASELINES):
    """Per model: test AUC over the cell types, best-of-cell counts and wins.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of ``results.csv``: ``cell``, ``model``, ``test_auc`` and
        ``status``.
    baselines : tuple of str, default=("DeepChrome", "Logistic")
        Models to count wins against, as the paper counts the cell types where
        a model beats DeepChrome (with
        :func:`~skattchrome.model_selection.paired_comparison`).

    Returns
    -------
    summary : pandas.DataFrame
        One row per model, in order of appearance: ``model``, ``cells``
        (scored cell types), ``failed``, ``mean_auc``, ``median_auc``,
        ``min_auc``, ``max_auc``, ``best_in`` (the cell types where the model
        has the highest test AUC, see :func:`cell_winners`) and, for each
        baseline, ``beats_<baseline>``, the number of cell types scored for
        both where the model's test AUC is higher (missing for the baseline
        itself, or without it).

    Examples
    --------
    >>> import pandas as pd
    >>> from skattchrome._study import summarize_results
    >>> results = pd.DataFrame({
    ...     "cell": ["E003", "E004"] * 3,
    ...     "model": ["AttentiveChrome"] * 2 + ["DeepChrome"] * 2 + ["Logistic"] * 2,
    ...     "test_auc": [0.81, 0.84, 0.80, 0.85, 0.82, 0.83],
    ...     "status": ["ok"] * 6,
    ... })
    >>> summarize_results(results)[
    ...     ["model", "mean_auc", "best_in", "beats_DeepChrome", "beats_Logistic"]
    ... ]
                 model  mean_auc  best_in  beats_DeepChrome  beats_Logistic
    0  AttentiveChrome     0.825        0                 1               1
    1       DeepChrome     0.825        1              <NA>               1
    2         Logistic     0.825        1                 1            <NA>
    """
    models = list(dict.fromkeys(results["model"]))
    scored = results[results["status"] == "ok"].astype({"test_auc": float})
    auc = scored.groupby("model", sort=False)["test_auc"]
    summary = pd.DataFrame(
        {
            "model": models,
            "cells": auc.count().reindex(models, fill_value=0).to_numpy(),
            "failed": (results["status"] != "ok")
            .groupby(results["model"], sort=False)
            .sum()
            .reindex(models)
            .to_numpy(),
        }
    )
    for statistic in ("mean", "median", "min", "max"):
        summary[f"{statistic}_auc"] = auc.agg(statistic).reindex(models).to_numpy()
    winners = cell_winners(results)["winner"].value_counts()
    summary["best_in"] = winners.reindex(models, fill_value=0).to_numpy()
    scored_models = scored["model"].unique()
    for baseline in baselines:
        wins = pd.Series(pd.NA, index=models, dtype="Int64")
        if baseline in scored_models and len(scored_models) > 1:
            comparison = paired_comparison(
                scored, baseline=baseline, unit="cell", score="test_auc"
            )
            wins[comparison["model"].to_numpy()] = comparison["wins"].to_numpy()
        summary[f"beats_{baseline}"] = wins.array
    return summary


def cell_winners(results):
    """The model with the highest test AUC in each cell type, and its margin.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of ``results.csv``: ``cell``, ``model``, ``test_auc`` and
        ``status``.

    Returns
    -------
    winners : pandas.DataFrame
        One row per cell type with at least one scored model, in order of
        appearance: ``cell``, ``winner``, ``test_auc`` (the winner's),
        ``runner_up`` and ``margin`` (the winner's test AUC minus the runner-up's;
        both missing when one model was scored). A tie goes to the model
        listed first.

    Examples
    --------
    >>> import pandas as pd
    >>> from skattchrome._study import cell_winners
    >>> results = pd.DataFrame({
    ...     "cell": ["E003", "E003", "E004", "E004"],
    ...     "model": ["AttentiveChrome", "Logistic"] * 2,
    ...     "test_auc": [0.81, 0.83, 0.86, 0.84],
    ...     "status": ["ok"] * 4,
    ... })
    >>> cell_winners(results)
       cell           winner  test_auc        runner_up  margin
    0  E003         Logistic      0.83  AttentiveChrome    0.02
    1  E004  AttentiveChrome      0.86         Logistic    0.02
    """
    scored = results[results["status"] == "ok"].astype({"test_auc": float})
    rows = []
    for cell, models in scored.groupby("cell", sort=False):
        ranked = models.sort_values("test_auc", ascending=False, kind="stable")
        first = ranked.iloc[0]
        second = ranked.iloc[1] if len(ranked) > 1 else None
        rows.append(
            {
                "cell": cell,
                "winner": first["model"],
                "test_auc": first["test_auc"],
                "runner_up": None if second is None else second["model"],
                "margin": (
                    np.nan
                    if second is None
                    else round(first["test_auc"] - second["test_auc"], 10)
                ),
            }
        )
    return pd.DataFrame(
        rows, columns=["cell", "winner", "test_auc", "runner_up", "margin"]
    )


def _test_auc_figure(results):
    """Test AUC of each model in each cell type."""
    from matplotlib.figure import Figure

    scored = results[results["status"] == "ok"]
    cells = list(dict.fromkeys(results["cell"]))
    figure = Figure(figsize=(max(6.0, 0.3 * len(cells) + 3), 4.5), layout="constrained")
    ax = figure.subplots()
    positions = {cell: index for index, cell in enumerate(cells)}
    for model, rows in scored.groupby("model", sort=False):
        ax.plot(
            rows["cell"].map(positions),
            rows["test_auc"].astype(float),
            marker="o",
            linestyle="none",
            label=model,
        )
    ax.set_xticks(range(len(cells)), cells, rotation=90 if len(cells) > 12 else 0)
    ax.set_xlabel("cell type")
    ax.set_ylabel("test ROC AUC")
    ax.grid(axis="y", alpha=0.3)
    if len(scored):
        ax.legend(loc="best", fontsize="small")
    return figure
