"""The linear baselines on each mark's summed signal: logistic and ridge."""

import functools
from typing import ClassVar

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._base import ChromatinClassifierBase, ChromatinRegressorBase, FeatureModelMixin
from ._validation import (
    Boolean,
    ClassWeight,
    Number,
    window_statistic,
)


class _SummedMarks(FeatureModelMixin):
    """Features and fit of the linear baselines: the summed signal of each mark.

    Each subclass builds its scikit-learn linear model in ``_linear_model``;
    the model is fitted behind a :class:`~sklearn.preprocessing.StandardScaler`.
    """

    _fitted_attribute = "pipeline_"

    def _features(self, X):
        """The (log of the) summed signal of each window of each mark, flat."""
        if self.log_transform and (X < 0).any():
            raise ValueError(
                f"Negative values in data passed to {type(self).__name__} (X): with "
                "log_transform=True each window's summed signal goes through "
                "log1p, which needs non-negative signal such as read counts. Pass "
                "log_transform=False for signal already on a log scale."
            )
        sums = window_statistic(
            X, self.n_windows, functools.partial(np.sum, dtype=np.float64)
        )
        return np.log1p(sums) if self.log_transform else sums

    def _windows(self):
        return self.n_windows

    def _fit_features(self, features, y):
        model = self._linear_model()
        pipeline = make_pipeline(StandardScaler(), model).fit(features, y)
        self.coef_ = model.coef_.reshape(self.n_windows, self.n_marks_)
        self.intercept_ = float(np.ravel(model.intercept_)[0])
        self._after_linear_fit(model)
        self.pipeline_ = pipeline

    def _after_linear_fit(self, model):
        """Hook for attributes of the fitted linear model."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = bool(self.log_transform)
        return tags


class ChromeLogisticClassifier(_SummedMarks, ChromatinClassifierBase):
    """A logistic regression on the summed signal of each mark: the linear baseline.

    Each mark's bins are cut into ``n_windows`` equal consecutive windows and
    the signal of each window is summed, so that a gene is described by
    ``n_windows * n_marks`` numbers; by default one per mark, its signal over
    the whole region around the TSS. The sums go through :func:`numpy.log1p`
    (read counts span orders of magnitude), are standardised with
    :class:`~sklearn.preprocessing.StandardScaler` and classified by
    scikit-learn's :class:`~sklearn.linear_model.LogisticRegression`. A
    handful of features and one weight each: a baseline that is fast, hard to
    overfit on a few hundred genes, and whose coefficients say which marks
    raise or lower the odds of high expression. The estimator adds the input
    contract of the package (3-D or flat ``X``, any two labels), so it takes
    the same pipeline step as the neural models.

    Parameters
    ----------
    n_marks : int, default=None
        Number of histone marks in a flat ``X``; not needed for 3-D ``X`` or a
        DataFrame with ``"<mark>_<bin>"`` columns.
    n_windows : int, default=1
        Number of equal consecutive windows of bins per mark (at most the
        number of bins); 1 sums each mark over the whole region.
    log_transform : bool, default=True
        Take ``log1p`` of each window's summed signal, which then must not be
        negative. Set it to False for signal already on a log scale.
    C : float, default=1.0
        Inverse strength of the L2 penalty of the logistic regression.
    class_weight : "balanced", dict or None, default=None
        Weights of the classes; a dict is keyed by the labels of ``y``, and a
        label it leaves out weighs 1.
    max_iter : int, default=1000
        Maximum iterations of the solver.
    random_state : int, RandomState instance or None, default=None
        Passed to the logistic regression, whose default solver (lbfgs) is
        deterministic: the fit does not depend on it. Here for an interface
        shared with the other models.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, n_bins_, n_marks_, \
            mark_names_ : see :class:`AttentiveChromeClassifier`
        The labels and the input layout learned by ``fit``.
    pipeline_ : Pipeline
        The fitted scaler and logistic regression, which take the window sums
        (after ``log1p``) in window-major order and predict 1 for
        ``classes_[1]``.
    coef_ : ndarray of shape (n_windows, `n_marks_`)
        Coefficient of each window of each mark on the standardised features:
        the change in the log-odds of ``classes_[1]`` per standard deviation of
        that feature over the training genes.
    intercept_ : float
        Log-odds of ``classes_[1]`` at the mean of every feature.
    n_iter_ : int
        Iterations the solver ran.

    See Also
    --------
    ChromeForestClassifier : The random forest baseline.
    DeepChromeClassifier : The convolutional baseline.
    AttentiveChromeClassifier : The attention model.

    Notes
    -----
    Because the features are standardised, the coefficients of different
    marks are on the same scale and can be compared with each other; they are
    not the change per read. A window's sum is the same whichever order its
    bins are in, so with the default ``n_windows=1`` the orientation of the
    bins does not matter; with more windows, upstream and downstream windows
    are only told apart if the bins run 5' to 3' for every gene (the
    published archive has them in genomic order).

    ShallowChrome [1]_ also classifies genes with a logistic regression on
    features of each mark, but extracts them from the peaks called on the
    mark's track rather than from binned signal.

    References
    ----------
    .. [1] F. Frasca, M. Matteucci, M. Leone, M. J. Morelli and M. Masseroli,
       "Accurate and highly interpretable prediction of gene expression from
       histone modifications", BMC Bioinformatics, 2022.
       https://doi.org/10.1186/s12859-022-04687-x

    Examples
    --------
    >>> from skattchrome import ChromeLogisticClassifier
    >>> from skattchrome.datasets import REFERENCE_MARKS, make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=500, random_state=0)
    >>> model = ChromeLogisticClassifier().fit(X, y)
    >>> model.coef_.shape
    (1, 5)
    >>> weights = dict(zip(REFERENCE_MARKS, model.coef_[0]))
    >>> bool(weights["H3K4me3"] > 0 > weights["H3K27me3"])
    True
    >>> model.predict(X[3:6]).tolist()
    [1, 1, 0]
    >>> ChromeLogisticClassifier(n_windows=4).fit(X, y).coef_.shape
    (4, 5)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_windows": Number("int", 1),
        "log_transform": Boolean(),
        "C": Number("real", 0, low_inclusive=False),
        "class_weight": ClassWeight(("balanced",)),
        "max_iter": Number("int", 1),
    }

    def __init__(
        self,
        *,
        n_marks=None,
        n_windows=1,
        log_transform=True,
        C=1.0,
        class_weight=None,
        max_iter=1000,
        random_state=None,
    ):
        self.n_marks = n_marks
        self.n_windows = n_windows
        self.log_transform = log_transform
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _after_linear_fit(self, model):
        self.n_iter_ = int(model.n_iter_[0])

    def _linear_model(self):
        return LogisticRegression(
            C=self.C,
            class_weight=self._encoded_class_weight(),
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def decision_function(self, X):
        """Logit of the positive class, ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_genes,)
            Positive values favour ``classes_[1]``.
        """
        features = self._features(self._validated(X))
        return self.pipeline_.decision_function(features)

    def _probabilities(self, X):
        return self.pipeline_.predict_proba(self._features(X))


class ChromeRidgeRegressor(_SummedMarks, ChromatinRegressorBase):
    """A ridge regression on the summed signal of each mark: the linear baseline.

    The features of :class:`ChromeLogisticClassifier` (the log1p of each
    window's summed signal, standardised) with scikit-learn's
    :class:`~sklearn.linear_model.Ridge`, predicting a continuous target such
    as log1p(RPKM). Fast, hard to overfit on a few hundred genes, and the
    yardstick the neural regressors must beat.

    Parameters
    ----------
    n_marks : int, default=None
        Number of histone marks in a flat ``X``; not needed for 3-D ``X`` or a
        DataFrame with ``"<mark>_<bin>"`` columns.
    n_windows : int, default=1
        Number of equal consecutive windows of bins per mark; 1 sums each mark
        over the whole region.
    log_transform : bool, default=True
        Take ``log1p`` of each window's summed signal, which then must not be
        negative. Set it to False for signal already on a log scale.
    alpha : float, default=1.0
        Strength of the L2 penalty.

    Attributes
    ----------
    n_features_in_, feature_names_in_, n_bins_, n_marks_, mark_names_ : \
            see :class:`AttentiveChromeClassifier`
        The input layout learned by ``fit``.
    pipeline_ : Pipeline
        The fitted scaler and ridge regression.
    coef_ : ndarray of shape (n_windows, `n_marks_`)
        Coefficient of each window of each mark on the standardised features:
        the change in the target per standard deviation of that feature.
    intercept_ : float
        Prediction at the mean of every feature.

    See Also
    --------
    ChromeForestRegressor : The random forest baseline.
    AttentiveChromeRegressor : The attention model.

    Examples
    --------
    >>> from skattchrome import ChromeRidgeRegressor
    >>> from skattchrome.datasets import REFERENCE_MARKS, make_chromatin_data
    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=500, random_state=0, return_expression=True
    ... )
    >>> model = ChromeRidgeRegressor().fit(X, expression)
    >>> weights = dict(zip(REFERENCE_MARKS, model.coef_[0]))
    >>> bool(weights["H3K4me3"] > 0 > weights["H3K27me3"])
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_windows": Number("int", 1),
        "log_transform": Boolean(),
        "alpha": Number("real", 0),
    }

    def __init__(self, *, n_marks=None, n_windows=1, log_transform=True, alpha=1.0):
        self.n_marks = n_marks
        self.n_windows = n_windows
        self.log_transform = log_transform
        self.alpha = alpha

    def _linear_model(self):
        return Ridge(alpha=self.alpha)

    def _prediction(self, X):
        return self.pipeline_.predict(self._features(X))
