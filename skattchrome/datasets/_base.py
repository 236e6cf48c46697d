"""Constants and small helpers shared by the dataset loaders and simulators."""

import numbers

import numpy as np

REFERENCE_MARKS = ("H3K27me3", "H3K36me3", "H3K4me1", "H3K4me3", "H3K9me3")
"""The five input marks of the published data, in its column order."""


def default_mark_names(n_marks):
    """Names of ``n_marks`` unnamed marks: the reference marks for five.

    The one rule for every estimator and plot given plain arrays: five marks
    are taken to be in the published column order, other numbers are named
    ``"mark0"``, ``"mark1"``...
    """
    if n_marks == len(REFERENCE_MARKS):
        return list(REFERENCE_MARKS)
    return [f"mark{index}" for index in range(n_marks)]


REFERENCE_BIN_SIZE = 100
"""Width of one bin of the published data, in base pairs."""


def bin_offsets(n_bins, bin_size=REFERENCE_BIN_SIZE):
    """Start of each bin relative to the TSS, in base pairs.

    The window is centred on the TSS: bin ``i`` covers
    ``[offset[i], offset[i] + bin_size)`` with ``offset[i] = (i - n_bins // 2) *
    bin_size``, so 100 bins of 100 bp run from -5000 to +4900.

    Parameters
    ----------
    n_bins : int
        Number of bins per gene.
    bin_size : int, default=100
        Width of one bin in base pairs.

    Returns
    -------
    offsets : ndarray of shape (n_bins,), dtype int64
        Offset of the start of each bin from the TSS.

    Raises
    ------
    ValueError
        If ``n_bins`` or ``bin_size`` is not an integer of at least 1.

    Examples
    --------
    >>> from skattchrome.datasets import bin_offsets
    >>> bin_offsets(4, bin_size=100)
    array([-200, -100,    0,  100])
    """
    # Checked here rather than with skattchrome._validation, which imports
    # this module.
    for name, value in (("n_bins", n_bins), ("bin_size", bin_size)):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool | np.bool_)
            or value < 1
        ):
            raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
    return (np.arange(n_bins, dtype=np.int64) - n_bins // 2) * int(bin_size)
