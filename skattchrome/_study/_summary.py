"""Summaries of a study's results: per model over cell types, and per cell type."""

import numpy as np
import pandas as pd

from ..model_selection import paired_comparison
from ._tasks import MAIN_SCORE

BASELINES = {
    "classification": ("DeepChrome", "Logistic"),
    "regression": ("DeepChrome", "Ridge"),
}
"""The models the summary counts wins against, per task: DeepChrome, as the
paper does, and the linear baseline, which every deep model must be seen
against."""


def summarize_results(results, *, task="classification", baselines=None):
    """Per model: the test score over the cell types, best-of-cell counts and wins.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of ``results.csv``: ``cell``, ``model``, ``status`` and the
        task's main score, ``test_auc`` or ``test_pearson``
        (:data:`MAIN_SCORE`).
    task : {"classification", "regression"}, default="classification"
        The task of the study, which names its main score.
    baselines : tuple of str, default=None
        Models to count wins against, as the paper counts the cell types where
        a model beats DeepChrome (with
        :func:`~skattchrome.model_selection.paired_comparison`); None takes
        those of :data:`BASELINES` for the task.

    Returns
    -------
    summary : pandas.DataFrame
        One row per model, in order of appearance: ``model``, ``cells``
        (scored cell types), ``failed``, ``mean_auc``, ``median_auc``,
        ``min_auc``, ``max_auc`` (``mean_pearson``... for regression),
        ``best_in`` (the cell types where the model
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
    score = MAIN_SCORE[task]
    if baselines is None:
        baselines = BASELINES[task]
    scored = _scored(results, score)
    scores = scored.groupby("model", sort=False)[score]
    failed = (results["status"] != "ok").groupby(results["model"], sort=False).sum()
    summary = pd.DataFrame(
        {
            "model": models,
            "cells": scores.count().reindex(models, fill_value=0).to_numpy(),
            "failed": failed.reindex(models).to_numpy(),
        }
    )
    for statistic in ("mean", "median", "min", "max"):
        summary[f"{statistic}_{score.removeprefix('test_')}"] = (
            scores.agg(statistic).reindex(models).to_numpy()
        )
    winners = cell_winners(results, task=task)["winner"].value_counts()
    summary["best_in"] = winners.reindex(models, fill_value=0).to_numpy()
    scored_models = scored["model"].unique()
    for baseline in baselines:
        wins = pd.Series(pd.NA, index=models, dtype="Int64")
        if baseline in scored_models and len(scored_models) > 1:
            comparison = paired_comparison(
                scored, baseline=baseline, unit="cell", score=score
            )
            wins[comparison["model"].to_numpy()] = comparison["wins"].to_numpy()
        summary[f"beats_{baseline}"] = wins.array
    return summary


def cell_winners(results, *, task="classification"):
    """The model with the best test score in each cell type, and its margin.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of ``results.csv``: ``cell``, ``model``, ``status`` and the
        task's main score, ``test_auc`` or ``test_pearson``.
    task : {"classification", "regression"}, default="classification"
        The task of the study, which names its main score.

    Returns
    -------
    winners : pandas.DataFrame
        One row per cell type with at least one scored model, in order of
        appearance: ``cell``, ``winner``, the main score (the winner's),
        ``runner_up`` and ``margin`` (the winner's score minus the runner-up's;
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
    score = MAIN_SCORE[task]
    rows = []
    for cell, models in _scored(results, score).groupby("cell", sort=False):
        ranked = models.sort_values(score, ascending=False, kind="stable")
        (winner, best), *others = ranked[["model", score]].itertuples(index=False)
        runner_up, second = others[0] if others else (None, np.nan)
        rows.append((cell, winner, best, runner_up, round(best - second, 10)))
    return pd.DataFrame(rows, columns=["cell", "winner", score, "runner_up", "margin"])


def _scored(results, score):
    """The rows of the tasks that ran to the end, with ``score`` as floats."""
    return results[results["status"] == "ok"].astype({score: float})
