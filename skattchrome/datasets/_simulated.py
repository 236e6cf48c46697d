"""A simulated cell type: read counts of the five reference marks around TSSs."""

import numbers

import numpy as np

from .._validation import check_flag, check_random_state
from ._base import REFERENCE_BIN_SIZE, bin_offsets

H3K27ME3, H3K36ME3, H3K4ME1, H3K4ME3, H3K9ME3 = range(5)

_BACKGROUND = np.array([1.5, 1.2, 1.5, 1.2, 1.2])
"""Mean reads per bin of each mark away from any planted signal.

Calibrated, like the other constants here, on the real genes of the published
archive (E003 and E123) and on 100 E003 genes of the Chromoformer demo: the
flanks of the ±5 kb window hold 1 to 5 reads per bin of every mark.
"""

_DISPERSION = np.array([1.0, 1.0, 1.5, 1.0, 3.0])
"""Shape of the gamma in the gamma-Poisson (negative binomial) counts, per mark.

About a third of the bins of every mark are empty in the real data, whatever
the mark's level; H3K9me3 is the least overdispersed.
"""

_GENE_SPREAD = 0.4
"""Log-scale spread of a gene's background level (coverage, mappability)."""

_SIGNAL_FLOOR = 0.25
"""Fraction of its peak above which a planted profile counts as signal."""


def _bump(positions, centre, width):
    return np.exp(-0.5 * ((positions - centre) / width) ** 2)


def _ramp(positions, start, steepness):
    return 1.0 / (1.0 + np.exp(-(positions - start) / steepness))


def _softplus(values):
    return np.logaddexp(0.0, values)


def make_chromatin_data(
    n_genes=1000,
    n_bins=100,
    random_state=None,
    return_ground_truth=False,
    *,
    label_noise=0.7,
    genomic_order=False,
    return_expression=False,
):
    """Simulate histone-mark read counts around the TSS of expressed and silent genes.

    Each gene gets a latent activity, drawn from a standard normal, that its
    chromatin reflects; its expression is that activity plus noise that the
    chromatin does not explain (``label_noise``), and its label is 1 (high
    expression) when the expression is positive, so labels are balanced and
    not perfectly predictable. The expression itself, a continuous target for
    regression, comes with ``return_expression=True``. Read counts of the
    five reference marks, in the published column order, follow the known
    biology, with gene-to-gene variation in position, width and strength:

    - H3K4me3: a sharp promoter peak just downstream of the TSS, tens to
      hundreds of reads per bin in active genes and weaker in silent ones
      (poised promoters), the main signal.
    - H3K36me3: rising over the gene body downstream of the TSS, stronger the
      more active the gene.
    - H3K27me3: a broad domain over the promoter, stronger the more repressed
      the gene, with a heavy tail of very strong domains.
    - H3K4me1: flanking peaks on both sides of the TSS, loosely tied to
      activity.
    - H3K9me3: background, slightly raised in repressed genes.

    Counts are negative binomial (gamma-Poisson, overdispersed) around a
    background level that varies from gene to gene. The levels, the share of
    empty bins and the strength of each mark's link to expression were
    calibrated on real genes of Roadmap cell types (E003, E123); on these
    simulated genes, as on real ones, a logistic regression on each mark's
    summed signal is a strong baseline. Bins are 100 bp, centred on the TSS.

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
    label_noise : float, default=0.7
        Standard deviation of the part of expression that the chromatin does
        not explain, against the activity's standard deviation of 1. It sets
        how hard the cell type is: about 0.3 gives test ROC AUCs near 0.9 and
        1.0 near 0.8, the range of the published cell types.
    genomic_order : bool, default=False
        If False, bins run 5' to 3' along the gene. If True, they run in
        genomic order, as in the published archive: the bins of a random half
        of the genes (those on the minus strand) are reversed.
    return_expression : bool, default=False
        Whether to also return each gene's expression, the continuous value
        that ``y`` thresholds. The counts and labels are the same either way.

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
    expression : ndarray of shape (n_genes,), dtype float64
        Only when ``return_expression`` is True (after ``ground_truth`` when
        both are asked for). Each gene's expression on a log scale, like
        ``log1p(RPKM)`` up to shift and scale: the activity plus the
        unexplained noise, with mean 0 and variance ``1 + label_noise**2``.
        ``y`` is exactly ``expression > 0``: 0 is the expected median, so
        the labels split the genes about in half, as the median does.

    Notes
    -----
    The expression is not in RPKM units: nothing in the simulation ties the
    counts to an absolute expression level, so it stays on the scale of the
    activity rather than a made-up one. Correlations with it, and the R² of a
    linear model of it, are those of any log expression related to it by a
    shift and a scale. At most a share ``1 / (1 + label_noise**2)`` of its
    variance is explained by the chromatin (0.67 at the default).

    Examples
    --------
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y, truth = make_chromatin_data(
    ...     n_genes=50, random_state=0, return_ground_truth=True
    ... )
    >>> X.shape, y.shape, truth.shape
    ((50, 100, 5), (50,), (50, 100, 5))
    >>> h3k4me3 = X[:, :, 3].sum(axis=1)  # highly expressed genes carry more
    >>> bool(h3k4me3[y == 1].mean() > 1.5 * h3k4me3[y == 0].mean())
    True

    A continuous target for regression:

    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=50, random_state=0, return_expression=True
    ... )
    >>> bool((y == (expression > 0)).all())
    True
    """
    for name, value in (("n_genes", n_genes), ("n_bins", n_bins)):
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < 1
        ):
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if (
        not isinstance(label_noise, numbers.Real)
        or isinstance(label_noise, bool)
        or not 0 <= label_noise < np.inf
    ):
        raise ValueError(
            f"label_noise must be a finite number >= 0; got {label_noise!r}."
        )
    for name, flag in (
        ("return_ground_truth", return_ground_truth),
        ("genomic_order", genomic_order),
        ("return_expression", return_expression),
    ):
        check_flag(name, flag)
    rng = check_random_state(random_state)
    positions = (bin_offsets(n_bins) + REFERENCE_BIN_SIZE / 2)[None, :]
    activity = rng.standard_normal(n_genes)
    column = activity[:, None]

    def strength(scale, spread):
        """Per-gene strength: log-normal around ``scale`` (its mean)."""
        log_factor = spread * rng.standard_normal(n_genes) - spread**2 / 2
        return (scale * np.exp(log_factor))[:, None]

    h3k4me3 = (
        strength(150.0, 0.6)
        * (0.05 + 0.95 / (1 + np.exp(-3.0 * column)))
        * _bump(
            positions,
            rng.normal(150, 200, n_genes)[:, None],
            rng.uniform(300, 700, n_genes)[:, None],
        )
    )
    h3k36me3 = (
        strength(3.0, 0.6)
        * _softplus(1.5 * column)
        * _ramp(
            positions,
            rng.uniform(300, 2500, n_genes)[:, None],
            rng.uniform(300, 700, n_genes)[:, None],
        )
    )
    h3k27me3 = (
        strength(5.0, 1.0)
        * _softplus(-1.5 * column)
        * _bump(
            positions,
            rng.normal(0, 1000, n_genes)[:, None],
            rng.uniform(1000, 3000, n_genes)[:, None],
        )
    )
    enhancer_shift = rng.uniform(800, 2500, n_genes)[:, None]
    h3k4me1 = (
        strength(2.5, 0.7)
        * (1 + 0.5 * np.tanh(column))
        * (
            _bump(positions, -enhancer_shift, 500)
            + _bump(positions, enhancer_shift, 500)
        )
    )
    h3k9me3 = strength(0.15, 0.5) * np.clip(-column, 0, None) * np.ones_like(positions)

    planted = np.stack([h3k27me3, h3k36me3, h3k4me1, h3k4me3, h3k9me3], axis=-1)
    gene_level = np.exp(
        _GENE_SPREAD * rng.standard_normal((n_genes, 1, 1)) - _GENE_SPREAD**2 / 2
    )
    mean = _BACKGROUND * gene_level + planted
    X = rng.poisson(rng.gamma(_DISPERSION, mean / _DISPERSION)).astype(np.float32)
    expression = activity + rng.normal(0, label_noise, n_genes)
    y = (expression > 0).astype(np.int64)
    minus_strand = (
        rng.random(n_genes) < 0.5 if genomic_order else np.zeros(n_genes, dtype=bool)
    )
    X[minus_strand] = X[minus_strand, ::-1]
    outputs = [X, y]
    if return_ground_truth:
        ground_truth = np.zeros(X.shape, dtype=bool)
        active = activity > 0
        informative = {H3K4ME3: active, H3K36ME3: active, H3K27ME3: ~active}
        for mark, genes in informative.items():
            profile = planted[:, :, mark]
            ground_truth[:, :, mark] = (
                (profile >= _SIGNAL_FLOOR * profile.max(axis=1, keepdims=True))
                & (profile >= _BACKGROUND[mark])
                & genes[:, None]
            )
        ground_truth[minus_strand] = ground_truth[minus_strand, ::-1]
        outputs.append(ground_truth)
    if return_expression:
        outputs.append(expression)
    return tuple(outputs)
