"""Run a study's unfinished tasks, here or on a Dask cluster, and collect them."""

import logging
from contextlib import ExitStack, contextmanager
from pathlib import Path

import joblib
import pandas as pd

from .._optional import import_optional
from . import _output
from ._tasks import RESULT_COLUMNS, run_task

SCHEDULER_TIMEOUT_S = 5
"""Seconds to wait for a Dask scheduler to answer before the study fails (Dask
waits 30 by default); a scheduler that is up answers in well under one."""


def _run_numbered(number, task):
    """Run ``task`` and return ``(number, result)`` to match unordered results."""
    return number, run_task(task)


@contextmanager
def _task_runner(n_jobs, scheduler):
    """A joblib ``Parallel`` yielding results as they come, locally or on Dask."""
    if scheduler is None:
        yield joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
        return
    distributed = import_optional(
        "distributed", "dask", "Running on a Dask cluster", package="dask.distributed"
    )
    with ExitStack() as stack:
        if scheduler == "local":
            address = stack.enter_context(
                distributed.LocalCluster(
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
        stack.enter_context(_connect(distributed, address))
        stack.enter_context(joblib.parallel_config(backend="dask"))
        yield joblib.Parallel(n_jobs=-1, return_as="generator_unordered")


def _connect(distributed, address):
    """A Dask client of the scheduler at ``address``, or an error that names it."""
    try:
        return distributed.Client(address, timeout=SCHEDULER_TIMEOUT_S)
    except ValueError as error:
        raise OSError(
            f"Cannot connect to a Dask scheduler at {address!r}: it is not an "
            f"address ({error}); give one such as tcp://HOST:8786, or local."
        ) from None
    except OSError as error:
        raise OSError(
            f"No Dask scheduler answered at {address} within {SCHEDULER_TIMEOUT_S} "
            f"s ({error}); is it running, and reachable from here?"
        ) from None


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
        A scheduler that does not answer within :data:`SCHEDULER_TIMEOUT_S`
        seconds fails the study, before any task runs.
    callback : callable, default=None
        Called as ``callback(task, record, reused)`` for every task: first for
        the tasks finished by an earlier run (``reused=True``), then for each
        task as it ends.

    Returns
    -------
    results : pandas.DataFrame
        The rows of ``results.csv``, in the order of ``tasks``, with the
        columns of :data:`RESULT_COLUMNS` for their task.

    Raises
    ------
    ValueError
        If the tasks mix classification and regression.
    OSError
        If ``scheduler`` is not an address or does not answer, or a file of
        ``out_dir`` cannot be written (the error names the file).

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
    kinds = {task.task for task in tasks}
    if len(kinds) > 1:
        raise ValueError(
            f"The tasks of one study share a task; got {', '.join(sorted(kinds))}."
        )
    task_kind = kinds.pop() if kinds else "classification"
    report = callback or (lambda task, record, reused: None)
    out_dir = Path(out_dir)  # created by its first file, once a task has run
    records = [_output.finished_record(out_dir, task) for task in tasks]
    for task, record in zip(tasks, records, strict=True):
        if record is not None:
            report(task, record, True)
    pending = [number for number, record in enumerate(records) if record is None]
    if pending:
        with _task_runner(n_jobs, scheduler) as parallel:
            outcomes = parallel(
                joblib.delayed(_run_numbered)(number, tasks[number])
                for number in pending
            )
            for number, result in outcomes:
                _output.save_task(out_dir, tasks[number], result)
                records[number] = result.record
                report(tasks[number], result.record, False)
    results = pd.DataFrame(records, columns=list(RESULT_COLUMNS[task_kind])).astype(
        {"best_epoch": "Int64", "epochs": "Int64"}
    )
    _output.save_results(out_dir, results, task_kind)
    return results
