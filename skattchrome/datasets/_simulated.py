"""A simulated cell type: read counts of the five reference marks around TSSs."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from ._base import REFERENCE_BIN_SIZE, bin_offsets

H3K27ME3, H3K36ME3, H3K4ME1, H3K4ME3, H3K9ME3 = range(5)

_BACKGROUND = np.array([1.0, 0.8, 1.2, 0.5, 1.0])
"""Mean reads per bin of each mark away from any planted signal."""

_DISPERSION = 2.0
"""Shape of the gamma in the gamma-Poisson (negative binomial) counts."""

_LABEL_NOISE = 0.7
"""Spread of the expression that the chromatin does not explain."""

_SIGNAL_FLOOR = 0.25
"""Fraction of its peak above which a planted profile counts as signal."""


def _bump(positions, centre, width):
    return np.exp(-0.5 * ((positions - centre) / width) ** 2)


def _ramp(positions, start, steepness):
    return 1.0 / (1.0 + np.exp(-(positions - start) / steepness))


def make_chromatin_data(
    n_genes=1000, n_bins=100, random_state=None, return_ground_truth=False
):
    """Simulate histone-mark read counts around the TSS of expressed and silent genes.

    Each gene gets a latent activity; its label is 1 (high expression) when the
    activity plus noise that the chromatin does not explain is positive, so
    labels are balanced and not perfectly predictable. Read counts of the five
    reference marks, in the published column order, follow the known biology,
    with gene-to-gene variation in position, width and strength:

    - H3K4me3: a promoter peak just downstream of the TSS, strong in active
      genes (the main signal).
    - H3K36me3: rising over the gene body downstream of the TSS in active genes.
    - H3K27me3: a broad domain over the promoter of repressed genes.
    - H3K4me1: weak flanking peaks on both sides of the TSS, loosely tied to
      activity.
    - H3K9me3: background noise, slightly raised in repressed genes.

    Counts are negative binomial (gamma-Poisson, overdispersed) around a
    background level. Bins are 100 bp, ordered 5' to 3', centred on the TSS.

    Parameters
    ----------
    n_genes : int, default=1000
        Number of genes.
    n_bins : int, default=100
        Number of 100 bp bins per gene (100 bins cover TSS ± 5 kb).
    random_state : int, RandomState instance or None, default=None
        Seed of the simulation.
    return_ground_truth : bool, default=False
        Whether to also return which bins of which marks carry planted signal.

    Returns
    -------
    X : ndarray of shape (n_genes, n_bins, 5), dtype float32
        Read counts per bin and mark, marks in the order of
        :data:`REFERENCE_MARKS`.
    y : ndarray of shape (n_genes,), dtype int64
        1 for highly expressed genes, 0 otherwise.
    ground_truth : ndarray of shape (n_genes, n_bins, 5), dtype bool
        Only when ``return_ground_truth`` is True. True where a bin of a mark
        carries the signal that tells the gene's class: the H3K4me3 peak and
        the H3K36me3 gene body of an active gene, the H3K27me3 domain of a
        repressed one (whatever label noise then gave the gene).

    Examples
    --------
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y, truth = make_chromatin_data(
    ...     n_genes=50, random_state=0, return_ground_truth=True
    ... )
    >>> X.shape, y.shape, truth.shape
    ((50, 100, 5), (50,), (50, 100, 5))
    """
    for name, value in (("n_genes", n_genes), ("n_bins", n_bins)):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or (value < 1)
        ):
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    rng = check_random_state(random_state)
    positions = (bin_offsets(n_bins) + REFERENCE_BIN_SIZE / 2)[None, :]
    activity = rng.standard_normal(n_genes)
    active = activity > 0
    column = activity[:, None]

    def strength(scale, spread, size=n_genes):
        return (scale * np.exp(spread * rng.standard_normal(size)))[:, None]

    h3k4me3 = (
        strength(12.0, 0.5)
        * (1 / (1 + np.exp(-2.5 * column)))
        * _bump(
            positions,
            rng.normal(250, 250, n_genes)[:, None],
            rng.uniform(350, 800, n_genes)[:, None],
        )
    )
    h3k36me3 = (
        strength(4.0, 0.5)
        * np.clip(column, 0, None)
        * _ramp(
            positions,
            rng.uniform(500, 2500, n_genes)[:, None],
            rng.uniform(300, 700, n_genes)[:, None],
        )
    )
    h3k27me3 = (
        strength(3.0, 0.5)
        * np.clip(-column, 0, None)
        * _bump(
            positions,
            rng.normal(0, 800, n_genes)[:, None],
            rng.uniform(1000, 2500, n_genes)[:, None],
        )
    )
    enhancer_shift = rng.uniform(1000, 2500, n_genes)[:, None]
    h3k4me1 = (
        strength(1.5, 0.7)
        * (1 + 0.3 * np.tanh(column))
        * (
            _bump(positions, -enhancer_shift, 500)
            + _bump(positions, enhancer_shift, 500)
        )
    )
    h3k9me3 = strength(0.3, 0.5) * np.clip(-column, 0, None) * np.ones_like(positions)

    planted = np.stack([h3k27me3, h3k36me3, h3k4me1, h3k4me3, h3k9me3], axis=-1)
    mean = _BACKGROUND * (1 + 0.3 * rng.standard_normal((n_genes, 1, 5)) ** 2)
    mean = mean + planted
    counts = rng.poisson(rng.gamma(_DISPERSION, mean / _DISPERSION))
    X = counts.astype(np.float32)
    y = (activity + rng.normal(0, _LABEL_NOISE, n_genes) > 0).astype(np.int64)
    if not return_ground_truth:
        return X, y

    ground_truth = np.zeros(X.shape, dtype=bool)
    informative = {H3K4ME3: active, H3K36ME3: active, H3K27ME3: ~active}
    for mark, genes in informative.items():
        profile = planted[:, :, mark]
        peak = profile.max(axis=1, keepdims=True)
        carries_signal = (profile >= _SIGNAL_FLOOR * peak) & (
            profile >= _BACKGROUND[mark]
        )
        ground_truth[:, :, mark] = carries_signal & genes[:, None]
    return X, y, ground_truth
