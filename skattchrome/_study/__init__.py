"""The paper's benchmark as (cell type, model) tasks: resumable, local or on Dask.

Each task trains one model of the paper's comparison on the ``train`` split of
one cell type, keeps the epoch of best validation score on its ``valid``
split (``fit(..., validation_data=...)``; the random forest and the linear
baselines have no epochs and are only scored there), and scores the ``test``
split: by ROC AUC for classification, by the Pearson and Spearman r and R² of
the expression for regression. The study writes every finished task to its
own file in the output folder as soon as the task ends, atomically (a
temporary file, then :func:`os.replace`), so an interrupted study loses only
the tasks that were running; run it again and the finished tasks are read
back instead of trained again. A task that raises is recorded as failed with
its error and does not stop the others; failed tasks are tried again on the
next run.

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
``results.csv``, ``summary.csv``, ``test_auc.png`` (``test_pearson.png``)
    One row per task, one row per model, and the test AUC (for regression,
    the Pearson r of predicted and measured expression) of each model in
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
``run_study(..., scheduler="tcp://HOST:8786")`` sends the tasks to the workers
of a Dask scheduler, started as ``skattchrome benchmark --help`` shows (one
single-threaded worker per core, or per GPU). The workers read the data
themselves, so a folder or the archive's data home must be readable at the
same path on every worker (a worker without the archive downloads it itself);
results come back to the caller, which writes the output folder.
``scheduler="local"`` starts a :class:`~distributed.LocalCluster` on 127.0.0.1
instead.
"""

from ._output import write_atomically
from ._runner import run_study
from ._sources import (
    SIMULATED_CELLS,
    SPLITS,
    DataSource,
    expression_column,
    read_chromosomes,
    read_expression,
)
from ._summary import BASELINES, cell_winners, summarize_results
from ._tasks import (
    BEST_VALID,
    MAIN_SCORE,
    MAIN_SCORE_NAMES,
    RESULT_COLUMNS,
    StudyTask,
    fit_model,
    run_task,
    score_split,
    task_seed,
    torch_threads,
)

__all__ = [
    "BASELINES",
    "BEST_VALID",
    "MAIN_SCORE",
    "MAIN_SCORE_NAMES",
    "RESULT_COLUMNS",
    "SIMULATED_CELLS",
    "SPLITS",
    "DataSource",
    "StudyTask",
    "cell_winners",
    "expression_column",
    "fit_model",
    "read_chromosomes",
    "read_expression",
    "run_study",
    "run_task",
    "score_split",
    "summarize_results",
    "task_seed",
    "torch_threads",
    "write_atomically",
]
