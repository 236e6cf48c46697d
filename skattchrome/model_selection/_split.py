"""Cross-validation that holds out whole chromosomes."""

import numbers
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_consistent_length

from .._validation import SHOWN_IN_ERRORS, is_number


class ChromosomeKFold(BaseCrossValidator):
    """K-fold cross-validation that holds out whole chromosomes.

    Neighbouring genes share chromatin domains, so random folds put genes of
    the same domain in both the training and the test set, and the test score
    overrates how well a model predicts genes it has not seen. Like the
    models that followed AttentiveChrome (Chromoformer, GC-MERGE), this
    splitter tests each fold on whole chromosomes that the model was not
    trained on. Pass each gene's chromosome as ``groups``; every chromosome
    is in the test set of exactly one fold.

    The folds are balanced by gene count: chromosomes are taken from the one
    with the most genes to the one with the fewest, each going to the fold
    with the fewest genes so far. This is the assignment of scikit-learn's
    :class:`~sklearn.model_selection.GroupKFold`, repeated here with its tie
    rule fixed (chromosomes with as many genes taken in reverse order of their
    names, as ``GroupKFold`` does from scikit-learn 1.9): before 1.9,
    ``GroupKFold`` ordered chromosomes with equal gene counts by an unstable
    sort, so the folds could differ from one installation to another. The
    folds depend only on the chromosome names and their gene counts, not on
    the order of the genes, and are the same on every run.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds; at least 2, and at most the number of chromosomes.

    See Also
    --------
    sklearn.model_selection.GroupKFold : The same folds for any groups.
    sklearn.model_selection.LeaveOneGroupOut : One fold per chromosome.
    skattchrome.preprocessing.read_tss : Each gene's chromosome, from the
        TSS table, BED or GTF file that ``bin_bigwig`` reads.

    Notes
    -----
    Chromosome names are compared as strings, without the whitespace around
    them: ``1``, ``"1"`` and ``"1 "`` are the same chromosome. Groups that
    spell one chromosome in two ways, with and without the ``chr`` prefix
    (``"chr1"`` and ``"1"``) or in another case (``"chr1"`` and ``"Chr1"``,
    ``"chrX"`` and ``"chrx"``), are an error rather than merged: they most
    likely come from two sources that should be made consistent, and held out
    apart the two names would put the genes of one chromosome in both the
    training and the test set.

    Examples
    --------
    >>> import numpy as np
    >>> from skattchrome.model_selection import ChromosomeKFold
    >>> chromosomes = np.array(["chr1"] * 4 + ["chr2"] * 3 + ["chr3"] * 2 + ["chrX"])
    >>> X = np.zeros((10, 3))
    >>> cv = ChromosomeKFold(n_splits=2)
    >>> for train, test in cv.split(X, groups=chromosomes):
    ...     print(np.unique(chromosomes[test]).tolist(), len(test))
    ['chr1', 'chrX'] 5
    ['chr2', 'chr3'] 5

    Use it as ``cv=`` with the chromosomes as ``groups``:

    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=200, random_state=0)
    >>> chromosomes = np.random.default_rng(0).choice(["chr1", "chr2", "chr3"], 200)
    >>> scores = cross_validate(
    ...     LogisticRegression(), np.log1p(X.sum(axis=1)), y,
    ...     groups=chromosomes, cv=ChromosomeKFold(n_splits=3), scoring="roc_auc",
    ... )
    >>> scores["test_score"].shape
    (3,)
    """

    # Request the groups when scikit-learn routes metadata
    # (sklearn.set_config(enable_metadata_routing=True)), as GroupKFold does.
    __metadata_request__split: ClassVar[dict] = {"groups": True}

    def __init__(self, n_splits=5):
        if not is_number(n_splits, numbers.Integral):
            raise ValueError(f"n_splits must be an integer, got {n_splits!r}.")
        if n_splits < 2:
            raise ValueError(
                f"n_splits must be at least 2 (one fold to test, the others to "
                f"train on), got {n_splits}."
            )
        self.n_splits = int(n_splits)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for API compatibility.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Generate the indices of the training and test genes of each fold.

        Parameters
        ----------
        X : array-like of shape (n_genes, ...)
            The genes; only their number is used.
        y : array-like of shape (n_genes,), default=None
            Ignored, apart from its length.
        groups : array-like of shape (n_genes,)
            The chromosome of each gene (for example ``"chr1"``).

        Yields
        ------
        train : ndarray
            The indices of the training genes of a fold.
        test : ndarray
            The indices of its test genes, those of its held-out chromosomes.

        Raises
        ------
        ValueError
            If ``groups`` is missing, not one chromosome per gene, has genes
            without a chromosome, spells a chromosome in two ways (with and
            without the ``chr`` prefix, or in another case), or has fewer
            chromosomes than ``n_splits``.
        """
        chromosomes = _check_chromosomes(X, y, groups)
        names, codes = np.unique(chromosomes, return_inverse=True)
        if len(names) < self.n_splits:
            raise ValueError(
                f"ChromosomeKFold(n_splits={self.n_splits}) needs at least "
                f"{self.n_splits} chromosomes, one per fold, but groups has "
                f"{len(names)}: {names[:SHOWN_IN_ERRORS].tolist()}. Lower n_splits or "
                "add the genes of more chromosomes."
            )
        counts = np.bincount(codes)
        # Most genes first; a stable sort, reversed, takes chromosomes with
        # equal counts in reverse order of their names, as GroupKFold does.
        order = np.argsort(counts, kind="stable")[::-1]
        load = np.zeros(self.n_splits, dtype=np.int64)
        chromosome_fold = np.empty(len(names), dtype=np.intp)
        for chromosome in order:
            lightest = np.argmin(load)
            chromosome_fold[chromosome] = lightest
            load[lightest] += counts[chromosome]
        folds = chromosome_fold[codes]
        # Not a generator function, so that invalid groups raise on the call.
        return (
            (np.flatnonzero(folds != fold), np.flatnonzero(folds == fold))
            for fold in range(self.n_splits)
        )


def _check_chromosomes(X, y, groups):
    """The chromosome of each gene as strings, or a ValueError naming the problem."""
    if groups is None:
        raise ValueError(
            "ChromosomeKFold holds out whole chromosomes: pass each gene's "
            "chromosome as groups=... (for example groups=read_tss(...)['chrom'] "
            "from skattchrome.preprocessing)."
        )
    values = np.asarray(groups, dtype=object)
    if values.ndim != 1:
        raise ValueError(
            "groups must be one-dimensional, one chromosome per gene; got shape "
            f"{values.shape}."
        )
    n_genes = X.shape[0] if hasattr(X, "shape") else len(X)
    if len(values) != n_genes:
        raise ValueError(
            f"groups has {len(values)} chromosomes but X has {n_genes} genes; "
            "give one chromosome per gene, in the order of the rows of X."
        )
    check_consistent_length(X, y)
    blank = np.array(
        [isinstance(value, str) and not value.strip() for value in values], dtype=bool
    )
    missing = pd.isna(values) | blank
    if missing.any():
        raise ValueError(
            f"groups has no chromosome (None, NaN or an empty name) for "
            f"{missing.sum()} genes, at positions "
            f"{np.flatnonzero(missing)[:SHOWN_IN_ERRORS].tolist()}."
        )
    chromosomes = np.char.strip(values.astype(str))
    spellings = {}
    for name in np.unique(chromosomes).tolist():
        bare = name[3:] if name[:3].lower() == "chr" else name
        spellings.setdefault(bare.lower(), []).append(name)
    clashes = [
        f"{' and '.join(repr(name) for name in names)} ({_difference(names)})"
        for names in spellings.values()
        if len(names) > 1
    ]
    if clashes:
        raise ValueError(
            "groups spells chromosomes in more than one way: "
            f"{', '.join(clashes[:SHOWN_IN_ERRORS])}. They are not merged, and "
            "held out apart they could put the genes of one chromosome in both "
            "the training and the test set. Name each one way, for example "
            "with pd.Series(groups).str.removeprefix('chr') for the prefix."
        )
    return chromosomes


def _difference(names):
    """What tells apart ``names``, spellings of one chromosome: prefix, case."""
    prefixed = [name for name in names if name[:3].lower() == "chr"]
    bare = {name[3:] for name in prefixed} | set(names).difference(prefixed)
    differences = []
    if 0 < len(prefixed) < len(names):
        differences.append("with and without the 'chr' prefix")
    if len(bare) > 1 or len({name[:3] for name in prefixed}) > 1:
        differences.append("in upper and lower case")
    return " and ".join(differences)
