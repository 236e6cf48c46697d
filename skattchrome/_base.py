"""The bases every estimator of the package shares: input contract, seeding, tasks.

The neural estimators build on these in :mod:`skattchrome._neural`, the
classical baselines through :class:`FeatureModelMixin`.
"""

import functools

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    check_binary_target,
    check_chromatin_X,
    check_continuous_target,
    check_label_types,
    check_parameters,
    check_random_state,
    check_sizes,
)


def check_own_parameters(estimator):
    """Check each parameter of ``estimator`` against its class's constraints.

    The first parameter that breaks its constraint raises a ValueError that
    names it (see :func:`~skattchrome._validation.check_parameters`).
    """
    check_parameters(estimator, type(estimator)._parameter_constraints)
    if hasattr(estimator, "random_state"):
        check_random_state(estimator.random_state)


def keeps_previous_fit_on_failure(fit):
    """Decorate ``fit`` so that a fit that raises leaves the estimator as it was.

    ``fit`` learns the layout and classes of ``X`` and ``y`` before it can
    find, for example, that ``y`` has a single class; without this, a failed
    refit would leave a fitted model whose recorded layout no longer matches
    its network. The attributes are restored to those before the call (the
    fitted objects themselves are never modified in place by a new fit).
    """

    @functools.wraps(fit)
    def fit_or_restore(self, *args, **kwargs):
        state = dict(self.__dict__)
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    return fit_or_restore


class FeatureModelMixin:
    """A scikit-learn model fitted on features of the binned signal.

    The baselines: a subclass gives ``_features(X)`` (of validated ``X``),
    ``_windows()`` (the number of windows of bins per mark that the features
    read, or None for every bin) and ``_fit_features(features, y)``, which
    fits the model and sets its fitted attributes.
    """

    @keeps_previous_fit_on_failure
    def fit(self, X, y):
        """Fit the model on the features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal; flat input in bin-major order.
        y : array-like of shape (n_genes,)
            Labels (any two distinct values) of a classifier, or the target of
            a regressor.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_own_parameters(self)
        X, y_fit = self._check_fit_input(X, y)
        n_windows = self._windows()
        if n_windows is not None and n_windows > self.n_bins_:
            raise ValueError(
                f"n_windows={n_windows} is more than the {self.n_bins_} bins per "
                f"gene (X has {self.n_features_in_} feature(s) for "
                f"{self.n_marks_} mark(s))."
            )
        self._fit_features(self._features(X), y_fit)
        return self


class ChromatinEstimatorBase(BaseEstimator):
    """The input contract and seeding shared by every estimator here.

    ``X`` is 3-D ``(n_genes, n_bins, n_marks)`` or flat bin-major
    ``(n_genes, n_bins * n_marks)`` (see ``_validation``). Subclasses name in
    ``_fitted_attribute`` the attribute that ``fit`` sets last.
    """

    _fitted_attribute = "n_marks_"

    def _validated(self, X):
        """Check that the estimator is fitted and ``X`` fits its layout."""
        check_is_fitted(self, self._fitted_attribute)
        return check_chromatin_X(self, X, reset=False)

    def _seeds(self, count):
        """``count`` integer seeds drawn from ``random_state``."""
        rng = check_random_state(self.random_state)
        return [int(seed) for seed in rng.randint(np.iinfo(np.int32).max, size=count)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


class ChromatinClassifierBase(ClassifierMixin, ChromatinEstimatorBase):
    """Labels of the classifiers: any two values, encoded as 0 and 1.

    Subclasses implement ``_probabilities``, the probability of each class for
    validated ``X``.
    """

    _fitted_attribute = "classes_"

    def score(self, X, y, sample_weight=None):
        """Accuracy of the predicted labels of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.
        y : array-like of shape (n_genes,)
            True label of each gene.
        sample_weight : array-like of shape (n_genes,), default=None
            Weight of each gene.

        Returns
        -------
        score : float
            The fraction of genes whose ``self.predict(X)`` equals ``y``.
        """
        check_sizes(X, y)
        return super().score(X, y, sample_weight=sample_weight)

    def _check_fit_input(self, X, y):
        """Validate ``X`` and ``y`` in ``fit``: 3-D float32 ``X`` and 0/1 ``y``."""
        check_label_types(y)  # before NumPy turns [1, "a"] into strings
        X, y = check_chromatin_X(self, X, y, reset=True)
        return X, check_binary_target(self, y)

    def _encoded_class_weight(self):
        """``class_weight`` for the labels 0 and 1 that the model is fitted on.

        A dict is keyed by the user's labels; it is translated to the encoded
        ones, and a key that is not a class of ``y`` is refused.
        """
        if not isinstance(self.class_weight, dict):
            return self.class_weight
        classes = self.classes_.tolist()
        unknown = [label for label in self.class_weight if label not in classes]
        if unknown:
            raise ValueError(
                f"class_weight has keys that are not classes of y: {unknown}; the "
                f"classes are {classes}."
            )
        return {
            index: self.class_weight[label]
            for index, label in enumerate(classes)
            if label in self.class_weight
        }

    def predict_proba(self, X):
        """Probability of each class.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_genes, 2)
            Columns in the order of ``classes_``.
        """
        return self._probabilities(self._validated(X))

    def predict(self, X):
        """Predicted class of each gene.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_genes,)
            Labels taken from ``classes_``.
        """
        positive = self.predict_proba(X)[:, 1] > 0.5
        return self.classes_[positive.astype(np.int64)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class ChromatinRegressorBase(RegressorMixin, ChromatinEstimatorBase):
    """Targets of the regressors: one finite, non-constant number per gene.

    Subclasses implement ``_prediction``, the predicted target of validated
    ``X``; ``score`` is R².
    """

    def _check_fit_input(self, X, y):
        """Validate ``X`` and ``y`` in ``fit``: 3-D float32 ``X``, float64 ``y``."""
        X, y = check_chromatin_X(self, X, y, reset=True)
        return X, check_continuous_target(self, y)

    def predict(self, X):
        """Predicted target of each gene.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_genes,)
            On the scale of the ``y`` the model was fitted on.
        """
        return self._prediction(self._validated(X))

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination, R², of the predictions of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_genes, n_bins, n_marks) or \
                (n_genes, n_bins * n_marks)
            Binned signal, laid out as in ``fit``.
        y : array-like of shape (n_genes,)
            Measured values of the target.
        sample_weight : array-like of shape (n_genes,), default=None
            Weight of each gene.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against ``y``: 1 for perfect
            predictions, 0 for always predicting the mean of ``y``.
        """
        check_sizes(X, y)
        return super().score(X, y, sample_weight=sample_weight)
