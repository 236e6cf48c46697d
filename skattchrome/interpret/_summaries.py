"""Summaries of attribution maps: class averages and the top bins and marks."""

import numpy as np
import pandas as pd

from .._attention_maps import AttentionMaps
from .._validation import check_finite, check_flag, is_positive_int
from ..datasets import bin_offsets as reference_bin_offsets
from ..datasets._base import default_mark_names


def resolve_mark_names(mark_names, n_marks):
    """One name per mark: those given, the reference marks for 5, else ``mark0``..."""
    if mark_names is None:
        return default_mark_names(n_marks)
    mark_names = [str(name) for name in mark_names]
    if len(mark_names) != n_marks:
        raise ValueError(
            f"mark_names has {len(mark_names)} names, but the maps have "
            f"{n_marks} marks."
        )
    return mark_names


_LEVELS = {"bin": (3, "(n_genes, n_bins, n_marks)"), "mark": (2, "(n_genes, n_marks)")}
"""The dimensions and shape of the maps of each level."""


def as_maps(maps, level, *, name):
    """The ``level`` ("bin" or "mark") maps, also of AttentionMaps, as floats.

    Maps of another number of dimensions, empty ones, or maps with values
    that are not finite numbers raise an error that names them ``name``.
    """
    if isinstance(maps, AttentionMaps):
        maps = getattr(maps, f"{level}_attention")
    if maps is None:
        raise ValueError(
            f"{name} holds no {level}-level map ({level} attention is None)."
        )
    ndim, shape = _LEVELS[level]
    if np.ndim(maps) != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D {shape}; got shape {np.shape(maps)}."
        )
    return check_finite(name, maps, dtype=None, empty=False)


def one_per(name, values, what, n):
    """``values`` as an array of shape ``(n,)``, one ``what`` ("id per gene") each."""
    values = np.asarray(values)
    if values.shape != (n,):
        raise ValueError(
            f"{name} must hold one {what} ({n}); got shape {values.shape}."
        )
    return values


def check_bin_offsets(bin_offsets, n_bins):
    """The start of each bin from the TSS in bp; None gives the reference bins."""
    if bin_offsets is None:
        return reference_bin_offsets(n_bins)
    offsets = one_per("bin_offsets", bin_offsets, "offset per bin", n_bins)
    check_finite("bin_offsets", offsets)
    return offsets


def average_attention(estimators, X):
    """Attention of each gene averaged over several fitted models.

    The maps of a model trained on a few hundred genes depend on the seed of
    its fit. Averaging the maps of the same model fitted with several seeds
    (``random_state``) keeps what the fits agree on; the documentation's page
    on real cell types measures how much steadier the average is.

    Parameters
    ----------
    estimators : sequence of AttentiveChromeClassifier
        Fitted models with the same layout and the same attention levels,
        typically one setting fitted with several seeds.
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal of the genes to explain, laid out as in ``fit``.

    Returns
    -------
    maps : AttentionMaps
        The mean over the models of their ``bin_attention`` and
        ``mark_attention`` (a level that the models lack is None); still sums
        to one over bins and over marks.

    Raises
    ------
    TypeError
        If ``estimators`` is not a sequence (a single model, for example), or
        if one of them has no attention (it is not AttentiveChrome).
    ValueError
        If ``estimators`` is empty, or if the models differ in which levels of
        attention they have.

    See Also
    --------
    skattchrome.AttentiveChromeClassifier.attention : The maps of one model.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome import AttentiveChromeClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import average_attention
    >>> X, y = make_chromatin_data(n_genes=64, n_bins=20, random_state=0)
    >>> X = np.log1p(X)
    >>> models = [
    ...     AttentiveChromeClassifier(random_state=seed).fit(X, y) for seed in (0, 1)
    ... ]
    >>> maps = average_attention(models, X[:4])
    >>> maps.bin_attention.shape, maps.mark_attention.shape
    ((4, 20, 5), (4, 5))
    >>> maps.bin_attention.sum(axis=1).round(5).min()
    np.float32(1.0)
    """
    if hasattr(estimators, "fit") or isinstance(estimators, str | bytes):
        raise TypeError(
            "estimators must be a sequence of fitted models, such as [model]; "
            f"got a {type(estimators).__name__}."
        )
    try:
        estimators = list(estimators)
    except TypeError:
        raise TypeError(
            "estimators must be a sequence of fitted models; got a "
            f"{type(estimators).__name__}."
        ) from None
    if not estimators:
        raise ValueError(
            "estimators is empty: average_attention needs at least one fitted model."
        )
    for index, estimator in enumerate(estimators):
        if not callable(getattr(estimator, "attention", None)):
            raise TypeError(
                f"estimators[{index}] is a {type(estimator).__name__}, which has no "
                "attention; average_attention averages the maps of "
                "AttentiveChromeClassifier or AttentiveChromeRegressor models "
                "(use skattchrome.interpret.saliency for other models)."
            )
    per_model = [estimator.attention(X) for estimator in estimators]
    levels = []
    for level in AttentionMaps._fields:
        values = [getattr(maps, level) for maps in per_model]
        missing = [value is None for value in values]
        if any(missing) and not all(missing):
            raise ValueError(
                f"The models differ in their {level}: some were fitted without it. "
                "Average models of one setting fitted with different seeds."
            )
        levels.append(None if all(missing) else np.mean(values, axis=0))
    return AttentionMaps(*levels)


def top_bins(
    maps,
    *,
    gene_ids=None,
    mark_names=None,
    bin_offsets=None,
    n_top=5,
    by_mark=False,
):
    """The highest-scoring bins of each gene, as a tidy table.

    Parameters
    ----------
    maps : array-like of shape (n_genes, n_bins, n_marks) or AttentionMaps
        Bin-level maps (the bin attention of AttentionMaps). Bins are ranked by
        value, highest first; rank signed saliency by magnitude with
        ``np.abs(maps)``.
    gene_ids : array-like of shape (n_genes,), default=None
        Id of each gene; None numbers the genes from 0.
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    bin_offsets : array-like of shape (n_bins,), default=None
        Start of each bin from the TSS in bp; None uses
        :func:`~skattchrome.datasets.bin_offsets` (100 bp bins centred on the
        TSS).
    n_top : int, default=5
        Number of bins kept per gene (per gene and mark with ``by_mark``).
    by_mark : bool, default=False
        Rank the bins within each mark (as bin attention is normalised) rather
        than over all bins of all marks of the gene.

    Returns
    -------
    table : DataFrame
        One row per kept bin, genes in input order, then marks (with
        ``by_mark``), then rank: ``gene_id``, ``rank`` (1 is the highest),
        ``mark``, ``bin`` (index), ``bin_offset`` (bp) and ``score``.

    See Also
    --------
    top_marks : The same for mark-level maps.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.interpret import top_bins
    >>> maps = np.zeros((1, 4, 2))
    >>> maps[0, 2, 1], maps[0, 0, 0] = 0.9, 0.5
    >>> top_bins(maps, gene_ids=["g1"], mark_names=["H3K4me3", "H3K27me3"], n_top=2)
      gene_id  rank      mark  bin  bin_offset  score
    0      g1     1  H3K27me3    2           0    0.9
    1      g1     2   H3K4me3    0        -200    0.5
    """
    maps = as_maps(maps, "bin", name="maps")
    n_genes, n_bins, n_marks = maps.shape
    gene_ids = (
        np.arange(n_genes)
        if gene_ids is None
        else one_per("gene_ids", gene_ids, "id per gene", n_genes)
    )
    mark_names = np.asarray(resolve_mark_names(mark_names, n_marks), dtype=object)
    offsets = check_bin_offsets(bin_offsets, n_bins)
    if n_top is not None and not is_positive_int(n_top):
        raise ValueError(f"n_top must be a positive integer or None; got {n_top!r}.")
    check_flag("by_mark", by_mark)
    available = n_bins if by_mark else n_bins * n_marks
    n_top = available if n_top is None else min(int(n_top), available)
    if by_mark:
        order = np.argsort(-maps, axis=1, kind="stable")[:, :n_top, :]
        bins = order.transpose(0, 2, 1).reshape(n_genes, -1)
        marks = np.broadcast_to(np.repeat(np.arange(n_marks), n_top), bins.shape)
        ranks = np.tile(np.arange(1, n_top + 1), n_marks)
    else:
        order = np.argsort(-maps.reshape(n_genes, -1), axis=1, kind="stable")
        bins, marks = np.divmod(order[:, :n_top], n_marks)
        ranks = np.arange(1, n_top + 1)
    genes = np.repeat(np.arange(n_genes), bins.shape[1])
    bins, marks = bins.ravel(), marks.ravel()
    return pd.DataFrame(
        {
            "gene_id": gene_ids[genes],
            "rank": np.tile(ranks, n_genes),
            "mark": mark_names[marks],
            "bin": bins,
            "bin_offset": offsets[bins],
            "score": maps[genes, bins, marks],
        }
    )


def top_marks(mark_maps, *, gene_ids=None, mark_names=None, n_top=None):
    """The highest-scoring marks of each gene, as a tidy table.

    Parameters
    ----------
    mark_maps : array-like of shape (n_genes, n_marks) or AttentionMaps
        Mark-level maps (the mark attention of AttentionMaps), ranked by value,
        highest first.
    gene_ids : array-like of shape (n_genes,), default=None
        Id of each gene; None numbers the genes from 0.
    mark_names : sequence of str, default=None
        Name of each mark; None uses :data:`~skattchrome.datasets.REFERENCE_MARKS`
        for five marks, else ``"mark0"``, ``"mark1"``...
    n_top : int, default=None
        Number of marks kept per gene; None keeps them all.

    Returns
    -------
    table : DataFrame
        One row per kept mark, genes in input order, then rank: ``gene_id``,
        ``rank`` (1 is the highest), ``mark`` and ``score``.

    See Also
    --------
    top_bins : The same for bin-level maps.

    Examples
    --------
    >>> from skattchrome.interpret import top_marks
    >>> top_marks([[0.1, 0.7, 0.2]], mark_names=["a", "b", "c"], n_top=2)
       gene_id  rank mark  score
    0        0     1    b    0.7
    1        0     2    c    0.2
    """
    # A mark-level map is a bin-level map of one bin, ranked over all marks.
    maps = as_maps(mark_maps, "mark", name="mark_maps")
    table = top_bins(
        maps[:, np.newaxis, :],
        gene_ids=gene_ids,
        mark_names=mark_names,
        bin_offsets=[0],
        n_top=n_top,
    )
    return table.drop(columns=["bin", "bin_offset"])
