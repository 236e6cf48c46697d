"""Faithfulness of a map to the model: deletion and insertion curves.

A map is faithful to a model when the bins it ranks highest are those the
model's output depends on: removing them should move the output most
(deletion), and keeping only them should restore it most (insertion). Both are
scored beside random maps, the floor that any map should clear.
"""

import numbers
from typing import NamedTuple

import numpy as np

from .._attention_maps import AttentionMaps
from .._gradients import broadcast_baseline
from .._validation import check_number, check_random_state, is_number
from ._summaries import as_maps

DEFAULT_N_TOP = (1, 2, 5, 10, 20, 50)
"""The numbers of top-ranked bins removed or kept, by default (capped at the
number of bins of all marks)."""

REMOVALS = ("zero", "gene_mean")
"""The named ways of removing a bin; a number or an array is a baseline."""


class PerturbationCurve(NamedTuple):
    """A deletion or insertion curve of a map, beside that of random maps.

    Attributes
    ----------
    n_top : ndarray of shape (n_points,)
        The numbers of top-ranked bins (over all marks of a gene) removed
        (deletion) or kept (insertion).
    curve : ndarray of shape (n_points,)
        The mean change in the model's output at each ``n_top`` for the
        maps; the higher, the more faithful (see :func:`deletion_score` and
        :func:`insertion_score`).
    random_curve : ndarray of shape (n_points,)
        The same for random maps, averaged over the random draws: the floor.
    score : float
        The area over the perturbation curve (AOPC): the mean of ``curve``.
    random_score : float
        The mean of ``random_curve``, the score of a random map.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.interpret import PerturbationCurve
    >>> curve = PerturbationCurve(
    ...     np.array([1, 2]), np.array([0.1, 0.3]), np.array([0.0, 0.1]), 0.2, 0.05
    ... )
    >>> curve.score - curve.random_score
    0.15
    """

    n_top: np.ndarray
    curve: np.ndarray
    random_curve: np.ndarray
    score: float
    random_score: float


def importance_maps(maps):
    """One score per bin of each mark: alpha times beta for attention."""
    if isinstance(maps, AttentionMaps) and maps.mark_attention is not None:
        bin_maps = as_maps(maps, "bin", name="maps")
        return bin_maps * np.asarray(maps.mark_attention)[:, np.newaxis, :]
    return as_maps(maps, "bin", name="maps")


def _signal_like(X, shape):
    """``X`` as a float64 array of the maps' ``shape`` (flat ``X`` reshaped)."""
    values = np.asarray(X)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers; got dtype {values.dtype}.")
    values = values.astype(np.float64)
    if values.ndim == 2 and values.shape == (shape[0], shape[1] * shape[2]):
        values = values.reshape(shape)
    if values.shape != shape:
        raise ValueError(
            f"X of shape {np.shape(X)} does not fit maps of shape {shape} (one "
            "map per gene of X, with its bins and marks)."
        )
    if not np.isfinite(values).all():
        raise ValueError("X must hold finite values only.")
    return values


def _removed_signal(removal, X):
    """What every bin of ``X`` becomes when it is removed."""
    if isinstance(removal, str):
        if removal not in REMOVALS:
            raise ValueError(
                f"removal must be one of {REMOVALS}, a number or an array; got "
                f"{removal!r}."
            )
        if removal == "gene_mean":
            return np.broadcast_to(X.mean(axis=1, keepdims=True), X.shape)
        return np.zeros_like(X)
    if isinstance(removal, bool) or (
        np.ndim(removal) == 0 and not is_number(removal, numbers.Real)
    ):
        raise ValueError(
            f"removal must be one of {REMOVALS}, a number or an array; got {removal!r}."
        )
    return broadcast_baseline(removal, X).astype(np.float64)


def _n_top_grid(n_top, n_features):
    """The sorted numbers of bins to perturb, checked against ``n_features``."""
    if n_top is None:
        return np.unique(np.minimum(DEFAULT_N_TOP, n_features))
    grid = np.atleast_1d(np.asarray(n_top))
    if (
        grid.ndim != 1
        or len(grid) == 0
        or grid.dtype.kind not in "iu"
        or (grid < 1).any()
        or (grid > n_features).any()
    ):
        raise ValueError(
            "n_top must be a positive integer or a sequence of them, each at "
            f"most the number of bins of all marks ({n_features}); got {n_top!r}."
        )
    return np.unique(grid)


class _OutputDistance:
    """How far a model's output on perturbed genes is from that on ``X``.

    For a classifier (a model with ``predict_proba``), the drop in the
    probability of the class it predicts for the unperturbed gene; for a
    regressor, the absolute change in the prediction. ``flat`` passes the
    genes to the model in the flat layout.
    """

    def __init__(self, estimator, X, *, flat):
        self.estimator, self.flat = estimator, flat
        self.classifier = hasattr(estimator, "predict_proba")
        output = self._outputs(X)
        if self.classifier:
            self.predicted = output.argmax(axis=1)
            output = output[np.arange(len(output)), self.predicted]
        self.reference = output

    def _outputs(self, X):
        if self.flat:
            X = X.reshape(len(X), -1)
        if self.classifier:
            return np.asarray(self.estimator.predict_proba(X), dtype=np.float64)
        return np.asarray(self.estimator.predict(X), dtype=np.float64).reshape(len(X))

    def __call__(self, X):
        output = self._outputs(X)
        if self.classifier:
            return self.reference - output[np.arange(len(output)), self.predicted]
        return np.abs(self.reference - output)


def _ranks(scores, rng):
    """Rank of every bin of each gene by descending score, ties broken at random."""
    flat = scores.reshape(len(scores), -1)
    order = np.lexsort((rng.random(flat.shape), -flat), axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(flat.shape[1])[np.newaxis, :], axis=1)
    return ranks.reshape(scores.shape)


def _perturbation_curve(
    estimator, X, maps, *, n_top, removal, n_random, random_state, deletion
):
    """The deletion (or insertion) curve of ``maps`` and of random maps."""
    scores = importance_maps(maps).astype(np.float64)
    if not np.isfinite(scores).all():
        raise ValueError("maps must hold finite values only.")
    flat = np.ndim(X) == 2
    X = _signal_like(X, scores.shape)
    removed = _removed_signal(removal, X)
    check_number("n_random", n_random, kind="int", low=1)
    grid = _n_top_grid(n_top, scores[0].size)
    rng = check_random_state(random_state)
    distance = _OutputDistance(estimator, X, flat=flat)
    floor = None if deletion else distance(removed)

    def curve(ranks):
        points = []
        for k in grid:
            top = ranks < k
            if deletion:
                points.append(distance(np.where(top, removed, X)).mean())
            else:
                points.append((floor - distance(np.where(top, X, removed))).mean())
        return np.array(points)

    map_curve = curve(_ranks(scores, rng))
    random_curve = np.mean(
        [curve(_ranks(rng.random(scores.shape), rng)) for _ in range(int(n_random))],
        axis=0,
    )
    return PerturbationCurve(
        grid,
        map_curve,
        random_curve,
        float(map_curve.mean()),
        float(random_curve.mean()),
    )


_PARAMETERS = """
    Parameters
    ----------
    estimator : estimator
        A fitted model that reads ``X``: a classifier with ``predict_proba``,
        or a regressor with ``predict`` (any estimator or ``Pipeline``, not
        only this package's).
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal of the genes the maps explain, laid out as the model
        reads it.
    maps : array-like of shape (n_genes, n_bins, n_marks) or AttentionMaps
        One map per gene; higher values rank a bin of a mark as more
        important, over all marks of the gene (ties are broken at random).
        Attention is ranked by ``bin_attention * mark_attention`` (alpha times
        beta), or by ``bin_attention`` alone where the model has no mark
        attention. Rank signed saliency by magnitude with ``np.abs(maps)``.
    n_top : int or sequence of int, default=None
        The numbers of top-ranked bins perturbed, one point of the curve each.
        None takes 1, 2, 5, 10, 20 and 50 bins, capped at ``n_bins * n_marks``.
    removal : {"zero", "gene_mean"}, float or array-like, default="zero"
        What a removed bin becomes. ``"zero"``: no signal, the reading of a
        bin without reads (on the ``log1p`` scale as well), and the default
        baseline of integrated gradients. ``"gene_mean"``: the mean of the
        gene's mark over its bins, which keeps the gene's level of each mark
        and removes where the signal sits. A number, or an array of shape
        ``(n_bins, n_marks)`` or ``(n_genes, n_bins, n_marks)`` (or their flat
        forms): that baseline.
    n_random : int, default=5
        Number of random maps whose mean curve is the floor.
    random_state : int, RandomState instance or None, default=None
        Seeds the random maps and the breaking of ties.
"""

_RETURNS = """
    Returns
    -------
    result : PerturbationCurve
        ``n_top``, the curve of the maps and that of random maps, and their
        areas over the curve: ``score`` and ``random_score``. A faithful map
        scores well above ``random_score``.

    Raises
    ------
    ValueError
        If ``maps`` is not one finite map per gene of ``X``, if ``X`` holds
        non-finite values, or if ``n_top``, ``removal`` or ``n_random`` is
        invalid.
    TypeError
        If ``X`` does not hold numbers.
"""


def deletion_score(
    estimator, X, maps, *, n_top=None, removal="zero", n_random=5, random_state=None
):
    """How much the model's output moves when the top-ranked bins are removed.

    For each ``k`` of ``n_top``, the ``k`` bins that ``maps`` ranks highest
    in each gene (over all its marks) are removed (see ``removal``) and the
    model's output is compared with that on the intact gene: for a classifier,
    the drop in the probability of the class it predicts for the intact gene;
    for a regressor, the absolute change in its prediction. The curve is the
    mean over genes at each ``k``; the score, the area over the perturbation
    curve (AOPC) [1]_, is its mean over ``k``. Random maps, scored the same
    way, give the floor.
    {parameters}{returns}
    See Also
    --------
    insertion_score : Keep only the top-ranked bins instead.
    compare_interpretations : Both scores for several methods at once.

    Notes
    -----
    Removing bins moves the genes off the distribution the model was trained
    on, so a map can score by what the model does with such genes; reading
    deletion and insertion together, and both beside the random floor, guards
    against that [2]_. Integrated gradients with its default baseline
    integrates from the input that ``removal="zero"`` creates, which
    favours it under that removal; compare maps under ``"gene_mean"`` too.

    References
    ----------
    .. [1] W. Samek, A. Binder, G. Montavon, S. Lapuschkin, K.-R. Müller.
       "Evaluating the Visualization of What a Deep Neural Network Has
       Learned". IEEE Transactions on Neural Networks and Learning Systems
       (2017).
    .. [2] V. Petsiuk, A. Das, K. Saenko. "RISE: Randomized Input Sampling
       for Explanation of Black-box Models". BMVC (2018).

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome import ChromeLogisticClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import deletion_score
    >>> X, y = make_chromatin_data(n_genes=200, n_bins=10, random_state=0)
    >>> model = ChromeLogisticClassifier(n_windows=10).fit(X, y)
    >>> signal_maps = X * np.sign(model.coef_.reshape(10, 5))
    >>> result = deletion_score(model, X, signal_maps, random_state=0)
    >>> result.n_top
    array([ 1,  2,  5, 10, 20, 50])
    >>> bool(result.score > result.random_score)
    True
    """
    return _perturbation_curve(
        estimator,
        X,
        maps,
        n_top=n_top,
        removal=removal,
        n_random=n_random,
        random_state=random_state,
        deletion=True,
    )


def insertion_score(
    estimator, X, maps, *, n_top=None, removal="zero", n_random=5, random_state=None
):
    """How much of the model's output the top-ranked bins alone restore.

    Every bin of each gene is removed (see ``removal``) but the ``k`` that
    ``maps`` ranks highest, for each ``k`` of ``n_top``; the curve is the mean
    over genes of how much closer these bins alone bring the output to that
    on the intact gene than the fully removed gene is: for a classifier, the
    rise in the probability of the class it predicts for the intact gene; for
    a regressor, the fall in the absolute distance from its prediction. The
    score is the mean of the curve over ``k``, beside that of random maps.
    {parameters}{returns}
    See Also
    --------
    deletion_score : Remove the top-ranked bins instead.
    compare_interpretations : Both scores for several methods at once.

    References
    ----------
    .. [1] V. Petsiuk, A. Das, K. Saenko. "RISE: Randomized Input Sampling
       for Explanation of Black-box Models". BMVC (2018).

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome import ChromeLogisticClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.interpret import insertion_score
    >>> X, y = make_chromatin_data(n_genes=200, n_bins=10, random_state=0)
    >>> model = ChromeLogisticClassifier(n_windows=10).fit(X, y)
    >>> signal_maps = X * np.sign(model.coef_.reshape(10, 5))
    >>> result = insertion_score(model, X, signal_maps, n_top=[5, 10], random_state=0)
    >>> bool(result.score > result.random_score)
    True
    """
    return _perturbation_curve(
        estimator,
        X,
        maps,
        n_top=n_top,
        removal=removal,
        n_random=n_random,
        random_state=random_state,
        deletion=False,
    )


for _function in (deletion_score, insertion_score):
    _function.__doc__ = _function.__doc__.format(
        parameters=_PARAMETERS, returns=_RETURNS
    )
