"""Judge attribution maps: planted signal of simulated genes, a held-out mark."""

import numbers

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from .._attention_maps import class_average
from .._validation import check_finite, check_labels, is_number
from ._summaries import as_maps, resolve_mark_names

SCORE_COLUMNS = ("mark", "n_genes", "auprc", "base_rate", "auroc")
"""Columns of the table of :func:`score_maps`."""

REFERENCE_COLUMNS = ("mark", "positive_class", "n_genes", "pearson_r")
"""Columns of the table of :func:`correlate_with_reference`."""


def score_maps(maps, ground_truth, *, mark_names=None):
    """How well maps rank the bins that carry planted signal, per mark.

    For simulated genes, whose informative bins are known (see
    :func:`~skattchrome.datasets.make_chromatin_data` with
    ``return_ground_truth=True``): for each gene and mark with planted and
    unplanted bins, the map ranks the gene's bins of that mark and the ranking
    is scored against the truth; the scores are averaged over genes per mark.
    A perfect map scores 1; a map that ranks at random scores about the base
    rate in AUPRC and 0.5 in AUROC.

    Parameters
    ----------
    maps : array-like of shape (n_genes, n_bins, n_marks) or AttentionMaps
        Bin-level maps (the bin attention of AttentionMaps); higher values
        should mark planted bins. Score signed saliency by magnitude with
        ``np.abs(maps)``.
    ground_truth : array-like of bool of shape (n_genes, n_bins, n_marks)
        True where a bin of a mark carries planted signal; the flat bin-major
        form ``(n_genes, n_bins * n_marks)`` is accepted too.
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...

    Returns
    -------
    scores : DataFrame
        One row per mark with at least one scored gene, in mark order:
        ``mark``; ``n_genes``, the genes scored; ``auprc``, the mean average
        precision (:func:`~sklearn.metrics.average_precision_score`);
        ``base_rate``, the mean fraction of planted bins, which a random map
        scores in AUPRC on average; ``auroc``, the mean ROC AUC.

    See Also
    --------
    correlate_with_reference : The yardstick for real genes.
    compare_interpretations : Score several estimators and methods at once.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import score_maps
    >>> _, _, truth = make_chromatin_data(
    ...     n_genes=40, n_bins=8, random_state=0, return_ground_truth=True
    ... )
    >>> score_maps(truth.astype(float), truth)[["mark", "auprc", "auroc"]]
           mark  auprc  auroc
    0  H3K27me3    1.0    1.0
    1  H3K36me3    1.0    1.0
    2   H3K4me3    1.0    1.0
    """
    maps = as_maps(maps, "bin", name="maps")
    truth = np.asarray(ground_truth)
    if truth.ndim == 2 and truth.size == maps.size:
        truth = truth.reshape(maps.shape)
    if truth.shape != maps.shape:
        raise ValueError(
            f"ground_truth of shape {truth.shape} does not match the maps of "
            f"shape {maps.shape}."
        )
    if truth.dtype != bool:
        raise ValueError(f"ground_truth must be boolean; got dtype {truth.dtype}.")
    mark_names = resolve_mark_names(mark_names, maps.shape[2])
    n_planted = truth.sum(axis=1)
    scored = (n_planted > 0) & (n_planted < maps.shape[1])
    rows = []
    for mark, name in enumerate(mark_names):
        genes = np.flatnonzero(scored[:, mark])
        if len(genes) == 0:
            continue
        pairs = [(truth[gene, :, mark], maps[gene, :, mark]) for gene in genes]
        rows.append(
            {
                "mark": name,
                "n_genes": len(genes),
                "auprc": np.mean([average_precision_score(*pair) for pair in pairs]),
                "base_rate": truth[genes, :, mark].mean(),
                "auroc": np.mean([roc_auc_score(*pair) for pair in pairs]),
            }
        )
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def correlate_with_reference(
    maps, reference, y, *, mark="H3K4me3", mark_names=None, positive_class=None
):
    """Correlation of a mark's class-averaged map with a held-out mark's profile.

    The test of the AttentiveChrome paper for real genes, which have no known
    truth: H3K27ac, a mark of active promoters and enhancers that the model
    does not see, should sit where the model looks. The maps of ``mark`` and
    the ``reference`` profiles are averaged over the genes of
    ``positive_class`` (the highly expressed genes) and the Pearson correlation
    of the two averages over bins is returned.

    Parameters
    ----------
    maps : array-like of shape (n_genes, n_bins, n_marks) or AttentionMaps
        Bin-level maps (the bin attention of AttentionMaps). Pass
        ``np.abs(maps)`` to correlate the magnitude of signed saliency.
    reference : array-like of shape (n_genes, n_bins)
        Signal of the held-out mark in the same bins of the same genes, for
        example the ``h3k27ac`` array of the E003 reference data.
    y : array-like of shape (n_genes,)
        Label of each gene.
    mark : str or int, default="H3K4me3"
        The mark whose map is correlated, by name or by index (an integer;
        a bool is refused).
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    positive_class : label, default=None
        The class whose genes are averaged; None takes the largest label of
        ``y`` (the ``classes_[1]`` of an estimator fitted on ``y``).

    Returns
    -------
    table : DataFrame
        One row: ``mark``; ``positive_class``; ``n_genes``, the genes of that
        class; ``pearson_r``, the correlation in [-1, 1] (NaN when one of the
        averages is constant).

    See Also
    --------
    score_maps : The yardstick for simulated genes.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, A. Sekhon, Y. Qi. "Attend and Predict:
       Understanding Gene Regulation by Selective Attention on Chromatin".
       Advances in Neural Information Processing Systems 30 (2017).

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.interpret import correlate_with_reference
    >>> rng = np.random.default_rng(0)
    >>> maps = rng.random((6, 10, 5))
    >>> y = np.array([0, 1, 0, 1, 0, 1])
    >>> table = correlate_with_reference(maps, 2 * maps[:, :, 3] + 1, y)
    >>> table[["mark", "positive_class", "n_genes"]]
          mark  positive_class  n_genes
    0  H3K4me3               1        3
    >>> round(float(table["pearson_r"].iloc[0]), 6)
    1.0
    """
    maps = as_maps(maps, "bin", name="maps")
    n_genes, n_bins, n_marks = maps.shape
    reference = check_finite("reference", reference)
    if reference.shape != (n_genes, n_bins):
        raise ValueError(
            f"reference must have shape (n_genes, n_bins) = {(n_genes, n_bins)}; "
            f"got {reference.shape}."
        )
    mark_names = resolve_mark_names(mark_names, n_marks)
    if isinstance(mark, str):
        if mark not in mark_names:
            raise ValueError(f"mark {mark!r} is not one of the marks {mark_names}.")
        mark_index = mark_names.index(mark)
    elif is_number(mark, numbers.Integral) and 0 <= mark < n_marks:
        mark_index = int(mark)
    else:
        raise ValueError(
            f"mark must be a mark name or an index below {n_marks}; got {mark!r}."
        )
    y = np.asarray(y)
    classes, _ = check_labels(y)
    if positive_class is None:
        positive_class = classes.tolist()[-1]
    elif not (y == positive_class).any():
        raise ValueError(f"positive_class {positive_class!r} is not a label of y.")
    map_average = class_average(maps[:, :, mark_index], y)[positive_class]
    reference_average = class_average(reference, y)[positive_class]
    if np.ptp(map_average) == 0 or np.ptp(reference_average) == 0:
        pearson_r = np.nan
    else:
        pearson_r = float(np.corrcoef(map_average, reference_average)[0, 1])
    return pd.DataFrame(
        [
            {
                "mark": mark_names[mark_index],
                "positive_class": positive_class,
                "n_genes": int((y == positive_class).sum()),
                "pearson_r": pearson_r,
            }
        ],
        columns=list(REFERENCE_COLUMNS),
    )
