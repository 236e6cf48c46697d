"""Side-by-side scores of the explanations of several estimators."""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._gradients import SALIENCY_METHODS
from ._saliency import saliency
from ._scoring import correlate_with_reference, score_maps

INTERPRETATION_METHODS = ("attention", *SALIENCY_METHODS)
"""The methods of :func:`compare_interpretations`: attention, then saliency."""

COMPARISON_COLUMNS = ("estimator", "method", "metric", "mark", "value")
"""Columns of the table of :func:`compare_interpretations`."""


def _bin_map(estimator, X, method, n_steps):
    """The bin-level map of ``method``, or None where the estimator has none."""
    if method == "attention":
        if not callable(getattr(estimator, "attention", None)):
            return None
        check_is_fitted(estimator)
        if getattr(estimator, "attention_", None) == {}:
            return None
        return estimator.attention(X).bin_attention
    return np.abs(saliency(estimator, X, method=method, n_steps=n_steps))


def compare_interpretations(
    estimators,
    X,
    y=None,
    *,
    ground_truth=None,
    reference=None,
    methods=INTERPRETATION_METHODS,
    mark="H3K4me3",
    mark_names=None,
    positive_class=None,
    n_steps=50,
):
    """Score the explanations of several estimators and methods side by side.

    For each estimator and method, the bin-level map of every gene of ``X`` is
    computed (bin attention, or the magnitude of a saliency) and scored with
    :func:`score_maps` against ``ground_truth`` and/or with
    :func:`correlate_with_reference` against ``reference``.

    Parameters
    ----------
    estimators : estimator or dict of {str: estimator}
        Fitted estimators of this package, by name; a single estimator is
        named after its class.
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal of the genes to explain, laid out as in ``fit``.
    y : array-like of shape (n_genes,), default=None
        Labels of the genes; needed with ``reference``.
    ground_truth : array-like of bool of shape (n_genes, n_bins, n_marks), \
            default=None
        Planted bins of simulated genes, as for :func:`score_maps`.
    reference : array-like of shape (n_genes, n_bins), default=None
        Profile of a held-out mark, as for :func:`correlate_with_reference`.
    methods : sequence of str, default=("attention", "gradient", \
            "gradient_x_input", "integrated_gradients")
        Methods to compare. ``"attention"`` is skipped for estimators without
        an ``attention`` method, or fitted without bin attention (an empty
        ``attention_`` or a ``bin_attention`` of None).
    mark : str or int, default="H3K4me3"
        The mark correlated with ``reference``.
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    positive_class : label, default=None
        The class averaged for ``reference``; None takes the largest label.
    n_steps : int, default=50
        Number of path points of ``"integrated_gradients"``.

    Returns
    -------
    comparison : DataFrame
        Tidy table with columns ``estimator``, ``method``, ``metric``, ``mark``
        and ``value``: per mark the metrics ``"auprc"``, ``"base_rate"`` and
        ``"auroc"`` of :func:`score_maps` (with ``ground_truth``), and
        ``"pearson_r"`` for ``mark`` (with ``reference``). Pivot it to read
        the methods side by side.

    Raises
    ------
    ValueError
        If neither ``ground_truth`` nor ``reference`` is given, if ``reference``
        comes without ``y``, or if a method is unknown.

    See Also
    --------
    saliency : The gradient-based maps.
    score_maps : The score against planted signal.
    correlate_with_reference : The score against a held-out mark.

    Examples
    --------
    >>> from skattchrome import AttentiveChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import compare_interpretations
    >>> X, y, truth = make_chromatin_data(
    ...     n_genes=40, n_bins=8, random_state=0, return_ground_truth=True
    ... )
    >>> model = AttentiveChromeClassifier(
    ...     bin_hidden_size=4, mark_hidden_size=3, max_epochs=1, device="cpu",
    ...     random_state=0,
    ... ).fit(X, y)
    >>> comparison = compare_interpretations(
    ...     {"attentivechrome": model}, X, y, ground_truth=truth,
    ...     methods=("attention", "gradient"),
    ... )
    >>> comparison.pivot_table(
    ...     index="mark", columns="method", values="value"
    ... ).shape
    (3, 2)
    >>> sorted(comparison["metric"].unique())
    ['auprc', 'auroc', 'base_rate']
    """
    if ground_truth is None and reference is None:
        raise ValueError(
            "Pass ground_truth (planted bins of simulated genes) and/or "
            "reference (a held-out mark's profile) to score the maps against."
        )
    if reference is not None and y is None:
        raise ValueError("reference needs y, the labels of the genes of X.")
    methods = tuple(methods)
    unknown = [method for method in methods if method not in INTERPRETATION_METHODS]
    if unknown:
        raise ValueError(
            f"Unknown method(s) {unknown}; choose from {INTERPRETATION_METHODS}."
        )
    if not isinstance(estimators, Mapping):
        estimators = {type(estimators).__name__: estimators}
    tables = []
    for name, estimator in estimators.items():
        for method in methods:
            maps = _bin_map(estimator, X, method, n_steps)
            if maps is None:
                continue
            scored = []
            if ground_truth is not None:
                scores = score_maps(maps, ground_truth, mark_names=mark_names)
                scored.append((scores, ["auprc", "base_rate", "auroc"]))
            if reference is not None:
                correlation = correlate_with_reference(
                    maps,
                    reference,
                    y,
                    mark=mark,
                    mark_names=mark_names,
                    positive_class=positive_class,
                )
                scored.append((correlation, ["pearson_r"]))
            tables += [
                table.melt(
                    id_vars="mark", value_vars=metrics, var_name="metric"
                ).assign(estimator=name, method=method)
                for table, metrics in scored
            ]
    if not tables:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(tables, ignore_index=True)[list(COMPARISON_COLUMNS)]
