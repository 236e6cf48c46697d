"""The study's output folder, written atomically: task files, maps, tables."""

import json
import math

import numpy as np

from .. import _files
from .._registry import MODELS
from . import _figures
from ._summary import summarize_results
from ._tasks import MAIN_SCORE


def write_atomically(path, write):
    """Call ``write(binary_file)`` on a temporary file, then move it to ``path``
    (see :mod:`skattchrome._files`), creating its missing folders first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _files.write_atomically(path, write)


def write_text(path, text):
    """Write ``text`` to ``path`` atomically."""
    write_atomically(path, lambda handle: handle.write(text.encode()))


def _task_file(out_dir, task):
    return out_dir / "tasks" / f"{task.name}.json"


def finished_record(out_dir, task):
    """The record of a finished, successful run of ``task`` in ``out_dir``."""
    try:
        saved = json.loads(_task_file(out_dir, task).read_text())
    except (OSError, ValueError):
        return None
    record = saved.get("record", {})
    reusable = saved.get("settings") == task.settings() and record.get("status") == "ok"
    return record if reusable else None


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
    """The arrays of the task's ``.npz``: labels, maps stacked over labels, names
    of the marks and offsets of the bins."""
    labels = sorted(result.attention)
    arrays = {"labels": np.array(labels)}
    for level in ("bin_attention", "mark_attention"):
        maps = [getattr(result.attention[label], level) for label in labels]
        if all(values is not None for values in maps):
            arrays[level] = np.stack(maps)
    arrays.update(
        mark_names=np.array(result.mark_names), bin_offsets=result.bin_offsets
    )
    return arrays


def _save_figure(path, draw, *args):
    """Save ``draw(*args)`` as PNG, atomically; nothing without matplotlib."""
    try:
        figure = draw(*args)
    except ImportError:
        return
    write_atomically(
        path, lambda handle: figure.savefig(handle, format="png", bbox_inches="tight")
    )


def save_task(out_dir, task, result):
    """Write the attention maps, then the task file that marks the task done."""
    if result.attention:
        arrays = _stacked_maps(result)
        folder = out_dir / "attention" / task.cell
        write_atomically(
            folder / f"{task.model}.npz", lambda handle: np.savez(handle, **arrays)
        )
        _save_figure(
            folder / f"{task.model}.png",
            _figures.attention_figure,
            arrays,
            result.mark_names,
            result.bin_offsets,
            f"{task.cell}, {MODELS[task.model].name}",
        )
    saved = {"record": _json_ready(result.record), "settings": task.settings()}
    write_text(_task_file(out_dir, task), json.dumps(saved, indent=2) + "\n")


def save_results(out_dir, results, task):
    """Write ``results.csv``, ``summary.csv`` and (with matplotlib) a figure of
    the task's main score of each model in each cell type, named after it."""
    write_text(out_dir / "results.csv", results.to_csv(index=False))
    summary = summarize_results(results, task=task)
    write_text(out_dir / "summary.csv", summary.to_csv(index=False))
    score = MAIN_SCORE[task]
    _save_figure(out_dir / f"{score}.png", _figures.test_score_figure, results, score)
