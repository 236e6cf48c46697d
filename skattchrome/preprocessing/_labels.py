"""Binary expression labels, as in DeepChrome and AttentiveChrome."""

import numbers

import numpy as np
import pandas as pd

_SHOWN = 10


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
    ValueError
        If ``expression`` is not one-dimensional, is empty, has missing,
        infinite or negative values (the message names the genes) or
        ``threshold`` is not valid.

    See Also
    --------
    bin_bigwig : The matching inputs, binned histone-mark signal.

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
    is_series = isinstance(expression, pd.Series)
    values = np.asarray(expression, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(
            f"expression must be one-dimensional, got shape {values.shape}."
        )
    if values.size == 0:
        raise ValueError("expression is empty: there are no genes to label.")
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
                f"{where[:_SHOWN].tolist()}."
            )
    cutoff = _threshold(values, threshold)
    labels = (values > cutoff).astype(np.int64)
    if is_series:
        return pd.Series(labels, index=expression.index, name=expression.name)
    return labels


def _threshold(values, threshold):
    """The numeric threshold named by ``threshold``."""
    if isinstance(threshold, str):
        if threshold == "median":
            return np.median(values)
        if threshold == "mean":
            return np.mean(values)
    elif isinstance(threshold, numbers.Real) and np.isfinite(threshold):
        return float(threshold)
    raise ValueError(
        f"threshold must be 'median', 'mean' or a finite number, got {threshold!r}."
    )
