"""Summaries of attribution maps: class averages and the top bins and marks."""

import numbers

import numpy as np
import pandas as pd

from .._attention_maps import AttentionMaps
from ..datasets import bin_offsets as reference_bin_offsets
from ..datasets._base import default_mark_names


def resolve_mark_names(mark_names, n_marks):
    """Names of the marks: given, the reference marks for 5, else ``mark0``...

    Parameters
    ----------
    mark_names : sequence of str or None
        Names given by the caller.
    n_marks : int
        Number of marks of the maps.

    Returns
    -------
    mark_names : list of str
        One name per mark.
    """
    if mark_names is None:
        return default_mark_names(n_marks)
    mark_names = [str(name) for name in mark_names]
    if len(mark_names) != n_marks:
        raise ValueError(
            f"mark_names has {len(mark_names)} names, but the maps have "
            f"{n_marks} marks."
        )
    return mark_names


def as_bin_maps(maps, *, name="maps"):
    """The 3-D bin-level array of ``maps`` (the bin attention of AttentionMaps)."""
    if isinstance(maps, AttentionMaps):
        maps = maps.bin_attention
    if maps is None:
        raise ValueError(f"{name} holds no bin-level map (bin attention is None).")
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(
            f"{name} must be 3-D (n_genes, n_bins, n_marks); got shape {maps.shape}."
        )
    return maps


def as_mark_maps(maps, *, name="mark_maps"):
    """The 2-D mark-level array of ``maps`` (the mark attention of AttentionMaps)."""
    if isinstance(maps, AttentionMaps):
        maps = maps.mark_attention
    if maps is None:
        raise ValueError(f"{name} holds no mark-level map (mark attention is None).")
    maps = np.asarray(maps)
    if maps.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_genes, n_marks); got shape {maps.shape}."
        )
    return maps


def _gene_ids(gene_ids, n_genes):
    if gene_ids is None:
        return np.arange(n_genes)
    gene_ids = np.asarray(gene_ids)
    if gene_ids.shape != (n_genes,):
        raise ValueError(
            f"gene_ids must hold one id per gene ({n_genes}); got shape "
            f"{gene_ids.shape}."
        )
    return gene_ids


def _check_n_top(n_top, available):
    if n_top is None:
        return available
    if not isinstance(n_top, numbers.Integral) or isinstance(n_top, bool) or n_top < 1:
        raise ValueError(f"n_top must be a positive integer or None; got {n_top!r}.")
    return min(int(n_top), available)


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
    estimators = list(estimators)
    if not estimators:
        raise ValueError("average_attention needs at least one fitted model.")
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
    maps = as_bin_maps(maps)
    n_genes, n_bins, n_marks = maps.shape
    gene_ids = _gene_ids(gene_ids, n_genes)
    mark_names = np.asarray(resolve_mark_names(mark_names, n_marks), dtype=object)
    offsets = (
        reference_bin_offsets(n_bins)
        if bin_offsets is None
        else np.asarray(bin_offsets)
    )
    if offsets.shape != (n_bins,):
        raise ValueError(
            f"bin_offsets must hold one offset per bin ({n_bins}); got shape "
            f"{offsets.shape}."
        )
    if by_mark:
        n_top = _check_n_top(n_top, n_bins)
        order = np.argsort(-maps, axis=1, kind="stable")[:, :n_top, :]
        bins = order.transpose(0, 2, 1).reshape(n_genes, -1)
        marks = np.broadcast_to(np.repeat(np.arange(n_marks), n_top), bins.shape)
        ranks = np.tile(np.arange(1, n_top + 1), n_marks)
    else:
        n_top = _check_n_top(n_top, n_bins * n_marks)
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
    maps = as_mark_maps(mark_maps)
    n_genes, n_marks = maps.shape
    gene_ids = _gene_ids(gene_ids, n_genes)
    mark_names = np.asarray(resolve_mark_names(mark_names, n_marks), dtype=object)
    n_top = _check_n_top(n_top, n_marks)
    marks = np.argsort(-maps, axis=1, kind="stable")[:, :n_top]
    genes = np.repeat(np.arange(n_genes), n_top)
    marks = marks.ravel()
    return pd.DataFrame(
        {
            "gene_id": gene_ids[genes],
            "rank": np.tile(np.arange(1, n_top + 1), n_genes),
            "mark": mark_names[marks],
            "score": maps[genes, marks],
        }
    )
