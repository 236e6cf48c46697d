"""Targets from expression levels: labels as in DeepChrome, log levels to regress."""

import numpy as np
import pandas as pd

from .._validation import SHOWN_IN_ERRORS, is_number, is_one_of


def label_expression(expression, threshold="median"):
    """Label genes 1 when their expression is above a threshold, else 0.

    DeepChrome and AttentiveChrome label a gene as highly expressed when its
    RPKM is above the median RPKM of all genes of the cell type.

    Parameters
    ----------
    expression : pandas.Series or array-like of shape (n_genes,)
        Expression of each gene (for example RPKM) in one cell type; a
        Series is indexed by gene id.
    threshold : {"median", "mean"} or float, default="median"
        The median or mean of ``expression``, or a fixed value. Genes with
        expression strictly above it get label 1.

    Returns
    -------
    labels : pandas.Series or ndarray of shape (n_genes,), dtype int64
        A Series with the index and name of ``expression`` when it is a
        Series, an ndarray otherwise.

    Raises
    ------
    TypeError
        If ``expression`` holds complex numbers, dates or durations.
    ValueError
        If ``expression`` is not one-dimensional, is empty, holds values
        that are not numbers, has missing,
        infinite or negative values (the message names the genes) or
        ``threshold`` is not valid.

    See Also
    --------
    bin_bigwig : The matching inputs, binned histone-mark signal.
    log_expression : A continuous target, for regression, instead.

    References
    ----------
    .. [1] R. Singh, J. Lanchantin, G. Robins and Y. Qi, "DeepChrome:
       deep-learning for predicting gene expression from histone
       modifications", Bioinformatics 32(17), 2016.

    Examples
    --------
    >>> import pandas as pd
    >>> from skattchrome.preprocessing import label_expression
    >>> rpkm = pd.Series([0.0, 2.5, 40.0, 1.0], index=["A", "B", "C", "D"])
    >>> label_expression(rpkm)
    A    0
    B    1
    C    1
    D    0
    dtype: int64
    >>> label_expression([0.0, 2.5, 40.0], threshold=2.5)
    array([0, 0, 1])
    """
    values = _check_expression(expression, "label")
    cutoff = _threshold(values, threshold)
    return _like(expression, (values > cutoff).astype(np.int64))


def log_expression(expression, pseudocount=1.0):
    """Log-transform expression levels into the usual regression target.

    Gives ``log(expression + pseudocount)``, the natural logarithm; with the
    default pseudocount of 1 that is ``log1p(expression)``, the target that
    models after AttentiveChrome (Chromoformer, GC-MERGE) regress: it tames
    the long right tail of RPKM or TPM while keeping unexpressed genes
    finite, at 0.

    Parameters
    ----------
    expression : pandas.Series or array-like of shape (n_genes,)
        Expression of each gene (RPKM, TPM or another non-negative level)
        in one cell type; a Series is indexed by gene id.
    pseudocount : float, default=1.0
        Added before taking the logarithm; positive, so that genes without
        expression stay finite. A smaller one spreads out the lowly
        expressed genes.

    Returns
    -------
    target : pandas.Series or ndarray of shape (n_genes,), dtype float64
        A Series with the index and name of ``expression`` when it is a
        Series, an ndarray otherwise.

    Raises
    ------
    TypeError
        If ``expression`` holds complex numbers, dates or durations.
    ValueError
        If ``expression`` is not one-dimensional, is empty, holds values
        that are not numbers, has missing,
        infinite or negative values (the message names the genes) or
        ``pseudocount`` is not a finite positive number.

    See Also
    --------
    label_expression : Binary labels (above the median) instead.

    Notes
    -----
    For a base-2 logarithm, ``log2(expression + 1)`` as some papers report,
    divide the result by ``np.log(2)``; the base rescales the target and so
    changes neither the Pearson correlation of predictions with it nor the
    R² of a model refitted on it by least squares.

    Examples
    --------
    >>> import pandas as pd
    >>> from skattchrome.preprocessing import log_expression
    >>> rpkm = pd.Series([0.0, 1.0, 99.0], index=["A", "B", "C"], name="E003")
    >>> log_expression(rpkm)
    A    0.000000
    B    0.693147
    C    4.605170
    Name: E003, dtype: float64
    >>> log_expression([0.0, 0.9], pseudocount=0.1)
    array([-2.302585,  0.      ])
    """
    values = _check_expression(expression, "transform")
    if not (is_number(pseudocount) and 0 < pseudocount < np.inf):
        raise ValueError(
            "pseudocount must be a finite number > 0 (genes without expression "
            f"would get log(0) = -inf), got {pseudocount!r}."
        )
    # log1p, exact for tiny values too, when the pseudocount is 1.
    target = np.log1p(values) if pseudocount == 1 else np.log(values + pseudocount)
    return _like(expression, target)


def _check_expression(expression, purpose):
    """The values of ``expression`` as float64, or a ValueError naming the genes.

    ``purpose`` (a verb) completes the message for an empty ``expression``.
    """
    kind = np.asarray(expression).dtype.kind
    if kind in "cmM":
        dtype = np.asarray(expression).dtype
        raise TypeError(f"expression must hold real numbers; got dtype {dtype}.")
    try:
        values = np.asarray(expression, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"expression must hold numbers, one level per gene: {error}."
        ) from None
    if values.ndim != 1:
        raise ValueError(
            f"expression must be one-dimensional, got shape {values.shape}."
        )
    if values.size == 0:
        raise ValueError(f"expression is empty: there are no genes to {purpose}.")
    is_series = isinstance(expression, pd.Series)
    kind = "genes" if is_series else "positions"
    for problem, bad in (
        ("missing values", np.isnan(values)),
        ("infinite values", np.isinf(values)),
        ("negative values (expression is a level such as RPKM)", values < 0),
    ):
        if bad.any():
            where = expression.index[bad] if is_series else np.flatnonzero(bad)
            raise ValueError(
                f"expression has {problem} for {bad.sum()} {kind}: "
                f"{where[:SHOWN_IN_ERRORS].tolist()}."
            )
    return values


def _like(expression, values):
    """``values`` as a Series like ``expression`` when it is one, else as is."""
    if isinstance(expression, pd.Series):
        return pd.Series(values, index=expression.index, name=expression.name)
    return values


def _threshold(values, threshold):
    if is_one_of(threshold, ("median", "mean")):
        return getattr(np, threshold)(values)
    if is_number(threshold) and np.isfinite(threshold):
        return float(threshold)
    raise ValueError(
        f"threshold must be 'median', 'mean' or a finite number, got {threshold!r}."
    )
