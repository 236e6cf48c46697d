"""The attention maps of AttentiveChrome and their class averages.

Shared by the estimator (its fitted ``attention_``) and :mod:`skattchrome.interpret`,
so that both average maps in one way.
"""

from typing import NamedTuple

import numpy as np

from ._validation import check_finite, check_labels


class AttentionMaps(NamedTuple):
    """Bin-level and mark-level attention of AttentiveChrome.

    Attributes
    ----------
    bin_attention : ndarray of shape (..., n_bins, n_marks)
        Attention over the bins of each mark (alpha); sums to one over bins.
    mark_attention : ndarray of shape (..., n_marks)
        Attention over the marks (beta); sums to one over marks.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome import AttentionMaps
    >>> maps = AttentionMaps(np.full((2, 4, 3), 0.25), np.full((2, 3), 1 / 3))
    >>> bin_attention, mark_attention = maps
    >>> maps.bin_attention.sum(axis=1)
    array([[1., 1., 1.],
           [1., 1., 1.]])
    """

    bin_attention: np.ndarray
    mark_attention: np.ndarray


def class_average(maps, y):
    """Mean map of the genes of each class.

    Parameters
    ----------
    maps : array-like of shape (n_genes, ...) or AttentionMaps
        One map per gene: bin-level maps ``(n_genes, n_bins, n_marks)``,
        mark-level maps ``(n_genes, n_marks)``, or both levels of attention.
    y : array-like of shape (n_genes,)
        Label of each gene.

    Returns
    -------
    averages : dict of {label: ndarray or AttentionMaps}
        For each label of ``y``, in sorted order, the mean of the maps of its
        genes: an array of the shape of one map, or AttentionMaps of means
        (a level that is None stays None).

    See Also
    --------
    skattchrome.AttentiveChromeClassifier : Its ``attention_`` holds the class
        averages of the training genes.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.interpret import class_average
    >>> maps = np.array([[1.0, 0.0], [3.0, 2.0], [0.0, 4.0]])
    >>> averages = class_average(maps, ["low", "low", "high"])
    >>> averages["low"], averages["high"]
    (array([2., 1.]), array([0., 4.]))
    """
    if isinstance(maps, AttentionMaps):
        means = [None if level is None else class_average(level, y) for level in maps]
        labels = next(level for level in means if level is not None)
        return {
            label: AttentionMaps(
                *(None if mean is None else mean[label] for mean in means)
            )
            for label in labels
        }
    maps = check_finite("maps", maps, dtype=None, empty=False)
    if np.ndim(y) != 1 or len(y) != len(maps):
        raise ValueError(
            f"y must be 1-D with one label per gene ({len(maps)}); got shape "
            f"{np.shape(y)}."
        )
    # The labels as given: np.asarray would turn [1, "a"] into strings.
    classes, codes = check_labels(y)
    return {
        label: maps[codes == index].mean(axis=0)
        for index, label in enumerate(classes.tolist())
    }
