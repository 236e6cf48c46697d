"""Side-by-side scores of the explanations of several estimators."""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._captum import check_deeplift_support
from .._gradients import GRADIENT_METHODS
from .._saliency import SALIENCY_METHODS
from ._faithfulness import deletion_score, insertion_score
from ._saliency import saliency
from ._scoring import correlate_with_reference, score_maps

INTERPRETATION_METHODS = ("attention", *SALIENCY_METHODS)
"""The methods of :func:`compare_interpretations`: attention, then saliency."""

DEFAULT_METHODS = ("attention", *GRADIENT_METHODS)
"""The methods :func:`compare_interpretations` compares by default: attention
and the gradient methods, which cost a few passes per gene."""

ALL_MARKS = "all"
"""The ``mark`` of the scores of whole maps (deletion and insertion)."""

COMPARISON_COLUMNS = ("estimator", "method", "metric", "mark", "value")
"""Columns of the table of :func:`compare_interpretations`."""


def _maps(estimator, X, method, n_steps):
    """The maps of ``method`` (AttentionMaps, or the magnitude of a saliency),
    or None where the estimator has none."""
    if method == "attention":
        if not callable(getattr(estimator, "attention", None)):
            return None
        check_is_fitted(estimator)
        if getattr(estimator, "attention_", None) == {}:
            return None
        maps = estimator.attention(X)
        return None if maps.bin_attention is None else maps
    if method == "deeplift":
        check_is_fitted(estimator)
        try:
            check_deeplift_support(estimator.net_.module_)
        except ValueError:
            return None
    return np.abs(saliency(estimator, X, method=method, n_steps=n_steps))


def _faithfulness_table(estimator, X, maps, removal, random_state):
    """Deletion and insertion scores of ``maps``, and of random maps."""
    rows = []
    for metric, score in (("deletion", deletion_score), ("insertion", insertion_score)):
        result = score(estimator, X, maps, removal=removal, random_state=random_state)
        rows += [
            {"mark": ALL_MARKS, "metric": metric, "value": result.score},
            {
                "mark": ALL_MARKS,
                "metric": f"{metric}_random",
                "value": result.random_score,
            },
        ]
    return pd.DataFrame(rows)


def compare_interpretations(
    estimators,
    X,
    y=None,
    *,
    ground_truth=None,
    reference=None,
    methods=DEFAULT_METHODS,
    faithfulness=True,
    mark="H3K4me3",
    mark_names=None,
    positive_class=None,
    n_steps=50,
    removal="zero",
    random_state=None,
):
    """Score the explanations of several estimators and methods side by side.

    For each estimator and method, the bin-level map of every gene of ``X`` is
    computed (bin attention, or the magnitude of a saliency) and scored by
    two yardsticks: against the biology, with :func:`score_maps` against
    ``ground_truth`` and/or with :func:`correlate_with_reference` against
    ``reference``; and against the model, with :func:`deletion_score` and
    :func:`insertion_score` beside random maps (``faithfulness``), which rank
    attention by alpha times beta.

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
        Methods to compare, of :data:`INTERPRETATION_METHODS`; add
        ``"occlusion"`` and ``"deeplift"`` (Captum's) by name. ``"attention"``
        is skipped for estimators without an ``attention`` method, or fitted
        without bin attention (an empty ``attention_`` or a ``bin_attention``
        of None), and ``"deeplift"`` for networks with LSTMs, which it cannot
        explain.
    faithfulness : bool, default=True
        Score every map by :func:`deletion_score` and :func:`insertion_score`
        with their defaults, beside random maps.
    mark : str or int, default="H3K4me3"
        The mark correlated with ``reference``.
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    positive_class : label, default=None
        The class averaged for ``reference``; None takes the largest label.
    n_steps : int, default=50
        Number of path points of ``"integrated_gradients"``.
    removal : {"zero", "gene_mean"}, float or array-like, default="zero"
        What a removed bin becomes for the deletion and insertion scores.
    random_state : int, RandomState instance or None, default=None
        Seeds the random maps of the deletion and insertion scores; an
        integer gives every map the same random floor.

    Returns
    -------
    comparison : DataFrame
        Tidy table with columns ``estimator``, ``method``, ``metric``, ``mark``
        and ``value``: per mark the metrics ``"auprc"``, ``"base_rate"`` and
        ``"auroc"`` of :func:`score_maps` (with ``ground_truth``),
        ``"pearson_r"`` for ``mark`` (with ``reference``), and for the mark
        ``"all"`` the metrics ``"deletion"``, ``"deletion_random"``,
        ``"insertion"`` and ``"insertion_random"`` (with ``faithfulness``).
        Pivot it to read the methods side by side.

    Raises
    ------
    ValueError
        If there is nothing to score (no ``ground_truth``, no ``reference``
        and no ``faithfulness``), if ``reference`` comes without ``y``, or if
        a method is unknown.

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
    ...     bin_hidden_size=4, mark_hidden_size=3, log_transform=True,
    ...     max_epochs=1, device="cpu", random_state=0,
    ... ).fit(X, y)
    >>> comparison = compare_interpretations(
    ...     {"attentivechrome": model}, X, y, ground_truth=truth,
    ...     methods=("attention", "gradient"), random_state=0,
    ... )
    >>> comparison.pivot_table(
    ...     index="mark", columns="method", values="value"
    ... ).shape
    (4, 2)
    >>> sorted(comparison["metric"].unique())  # doctest: +NORMALIZE_WHITESPACE
    ['auprc', 'auroc', 'base_rate', 'deletion', 'deletion_random', 'insertion',
     'insertion_random']
    """
    if ground_truth is None and reference is None and not faithfulness:
        raise ValueError(
            "Nothing to score: pass ground_truth (planted bins of simulated "
            "genes) and/or reference (a held-out mark's profile), or keep "
            "faithfulness=True."
        )
    if reference is not None and y is None:
        raise ValueError("reference needs y, the labels of the genes of X.")
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if not methods:
        raise ValueError(f"methods is empty; choose from {INTERPRETATION_METHODS}.")
    unknown = [method for method in methods if method not in INTERPRETATION_METHODS]
    if unknown:
        raise ValueError(
            f"Unknown method(s) {unknown}; choose from {INTERPRETATION_METHODS}."
        )
    if isinstance(estimators, list | tuple):
        raise TypeError(
            "estimators must be a fitted estimator or a dict of {name: "
            f"estimator}}; got a {type(estimators).__name__}, whose models would "
            "have no names."
        )
    if not isinstance(estimators, Mapping):
        estimators = {type(estimators).__name__: estimators}
    if not estimators:
        raise ValueError("estimators is empty: give at least one fitted estimator.")
    tables = []
    for name, estimator in estimators.items():
        for method in methods:
            maps = _maps(estimator, X, method, n_steps)
            if maps is None:
                continue
            scored = []
            bin_maps = maps.bin_attention if method == "attention" else maps
            if ground_truth is not None:
                scores = score_maps(bin_maps, ground_truth, mark_names=mark_names)
                scored.append((scores, ["auprc", "base_rate", "auroc"]))
            if reference is not None:
                correlation = correlate_with_reference(
                    bin_maps,
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
            if faithfulness:
                tables.append(
                    _faithfulness_table(
                        estimator, X, maps, removal, random_state
                    ).assign(estimator=name, method=method)
                )
    if not tables:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(tables, ignore_index=True)[list(COMPARISON_COLUMNS)]
