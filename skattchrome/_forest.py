"""Random forests on the binned signal: the classical baselines."""

from typing import ClassVar

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from ._base import ChromatinClassifierBase, ChromatinRegressorBase, FeatureModelMixin
from ._validation import (
    ClassWeight,
    Number,
    OneOf,
    window_statistic,
)

BIN_AGGREGATIONS = ("sum", "mean", "max")
_FOREST_CONSTRAINTS = {
    "bin_aggregation": OneOf(BIN_AGGREGATIONS, allow_none=True),
    "n_windows": Number("int", 1),
}


class _ChromeForest(FeatureModelMixin):
    """The features and the fit of the random forests, classifier and regressor.

    Each subclass names its scikit-learn forest in ``_forest_class`` and the
    forest's task-specific settings in ``_task_params``.
    """

    _fitted_attribute = "forest_"

    def _features(self, X):
        """Flat bins, or the statistic of each window of each mark."""
        if self.bin_aggregation is None:
            return X.reshape(len(X), -1)
        return window_statistic(X, self.n_windows, getattr(np, self.bin_aggregation))

    def _windows(self):
        return None if self.bin_aggregation is None else self.n_windows

    def _fit_features(self, features, y):
        forest = self._forest_class(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            n_jobs=self.n_jobs,
            random_state=self._seeds(1)[0],
            **self._task_params(),
        )
        forest.fit(features, y)
        self.feature_importances_ = forest.feature_importances_.reshape(
            self._windows() or self.n_bins_, self.n_marks_
        )
        self.forest_ = forest


class ChromeForestClassifier(_ChromeForest, ChromatinClassifierBase):
    """A random forest on histone-mark bins, the classical baseline of DeepChrome.

    By default every bin of every mark is one feature (the flat bins). With
    ``bin_aggregation``, each mark's bins are first summarised per window: the
    ``n_windows`` consecutive windows of each mark become one feature each.
    The forest itself is scikit-learn's
    :class:`~sklearn.ensemble.RandomForestClassifier`; the estimator adds the
    input contract of the package (3-D or flat ``X``, any two labels), so it
    takes the same pipeline step as the neural models.

    Parameters
    ----------
    n_marks : int, default=None
        Number of histone marks in a flat ``X``; not needed for 3-D ``X`` or a
        DataFrame with ``"<mark>_<bin>"`` columns.
    bin_aggregation : {None, "sum", "mean", "max"}, default=None
        None uses the flat bins; otherwise the statistic of each window of bins.
    n_windows : int, default=1
        Number of equal windows per mark when aggregating (at most the number
        of bins); 1 summarises each mark over the whole region.
    n_estimators : int, default=500
        Number of trees.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features considered at each split.
    min_samples_leaf : int or float, default=1
        Minimum number of genes in a leaf.
    class_weight : {"balanced", "balanced_subsample"}, dict or None, default=None
        Weights of the classes; a dict maps labels of ``y`` to weights.
    n_jobs : int, default=None
        Trees built in parallel (joblib semantics).
    random_state : int, RandomState instance or None, default=None
        Seed of the forest.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_, n_bins_, n_marks_, \
            mark_names_ : see :class:`AttentiveChromeClassifier`
        The labels and the input layout learned by ``fit``.
    forest_ : RandomForestClassifier
        The fitted forest.
    feature_importances_ : ndarray of shape (`n_bins_`, `n_marks_`) or \
            (n_windows, `n_marks_`)
        Impurity-based importances of the flat bins, or of the windows.

    See Also
    --------
    DeepChromeClassifier : The convolutional baseline.
    AttentiveChromeClassifier : The attention model.

    Examples
    --------
    >>> from skattchrome import ChromeForestClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y = make_chromatin_data(n_genes=200, random_state=0)
    >>> forest = ChromeForestClassifier(n_estimators=50, random_state=0).fit(X, y)
    >>> forest.feature_importances_.shape
    (100, 5)
    >>> summary = ChromeForestClassifier(
    ...     bin_aggregation="sum", n_windows=4, n_estimators=50, random_state=0
    ... ).fit(X, y)
    >>> summary.feature_importances_.shape
    (4, 5)
    """

    _forest_class = RandomForestClassifier
    _parameter_constraints: ClassVar[dict] = {
        **_FOREST_CONSTRAINTS,
        "class_weight": ClassWeight(("balanced", "balanced_subsample")),
    }

    def __init__(
        self,
        *,
        n_marks=None,
        bin_aggregation=None,
        n_windows=1,
        n_estimators=500,
        max_features="sqrt",
        min_samples_leaf=1,
        class_weight=None,
        n_jobs=None,
        random_state=None,
    ):
        self.n_marks = n_marks
        self.bin_aggregation = bin_aggregation
        self.n_windows = n_windows
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _task_params(self):
        return {"class_weight": self._encoded_class_weight()}

    def _probabilities(self, X):
        return self.forest_.predict_proba(self._features(X))


class ChromeForestRegressor(_ChromeForest, ChromatinRegressorBase):
    """A random forest regressor on histone-mark bins: the classical baseline.

    :class:`ChromeForestClassifier`'s features (the flat bins, or a statistic
    of each window of each mark) with scikit-learn's
    :class:`~sklearn.ensemble.RandomForestRegressor`, predicting a continuous
    target such as log1p(RPKM).

    Parameters
    ----------
    n_marks : int, default=None
        Number of histone marks in a flat ``X``; not needed for 3-D ``X`` or a
        DataFrame with ``"<mark>_<bin>"`` columns.
    bin_aggregation : {None, "sum", "mean", "max"}, default=None
        None uses the flat bins; otherwise the statistic of each window of bins.
    n_windows : int, default=1
        Number of equal windows per mark when aggregating.
    n_estimators : int, default=500
        Number of trees.
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features considered at each split (as for the classifier, not
        scikit-learn's regression default of all features, which is slow on
        hundreds of flat bins).
    min_samples_leaf : int or float, default=1
        Minimum number of genes in a leaf.
    n_jobs : int, default=None
        Trees built in parallel (joblib semantics).
    random_state : int, RandomState instance or None, default=None
        Seed of the forest.

    Attributes
    ----------
    n_features_in_, feature_names_in_, n_bins_, n_marks_, mark_names_ : \
            see :class:`AttentiveChromeClassifier`
        The input layout learned by ``fit``.
    forest_ : RandomForestRegressor
        The fitted forest.
    feature_importances_ : ndarray of shape (`n_bins_`, `n_marks_`) or \
            (n_windows, `n_marks_`)
        Impurity-based importances of the flat bins, or of the windows.

    See Also
    --------
    ChromeRidgeRegressor : The linear baseline.
    AttentiveChromeRegressor : The attention model.

    Examples
    --------
    >>> from skattchrome import ChromeForestRegressor
    >>> from skattchrome.datasets import make_chromatin_data
    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=300, random_state=0, return_expression=True
    ... )
    >>> forest = ChromeForestRegressor(
    ...     bin_aggregation="sum", n_estimators=50, random_state=0
    ... ).fit(X[:200], expression[:200])
    >>> forest.feature_importances_.shape
    (1, 5)
    >>> forest.score(X[200:], expression[200:]) > 0.15
    True
    """

    _forest_class = RandomForestRegressor
    _parameter_constraints: ClassVar[dict] = _FOREST_CONSTRAINTS

    def __init__(
        self,
        *,
        n_marks=None,
        bin_aggregation=None,
        n_windows=1,
        n_estimators=500,
        max_features="sqrt",
        min_samples_leaf=1,
        n_jobs=None,
        random_state=None,
    ):
        self.n_marks = n_marks
        self.bin_aggregation = bin_aggregation
        self.n_windows = n_windows
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _task_params(self):
        return {}

    def _prediction(self, X):
        return self.forest_.predict(self._features(X))
