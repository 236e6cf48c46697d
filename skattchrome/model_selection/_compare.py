"""Compare models the way the paper does: cross-validated AUC and paired wins."""

import numbers
import re
from itertools import permutations

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr, wilcoxon
from sklearn.base import clone, is_regressor
from sklearn.metrics import make_scorer
from sklearn.model_selection import KFold, StratifiedKFold, check_cv, cross_validate
from sklearn.utils.multiclass import type_of_target

from .._registry import MODELS, build_model, models_for
from .._validation import check_random_state, check_sizes
from ._split import ChromosomeKFold

_SPLIT_COLUMN = re.compile(r"^split(\d+)_score$")


def paper_models(*, task="classification", random_state=None, **neural_params):
    """The models of the paper's comparison, ready to fit.

    AttentiveChrome (LSTM-alpha,beta), its ablations LSTM, LSTM-alpha and
    CNN-alpha,beta, the DeepChrome CNN, the random forest on flat bins, and a
    linear model on each mark's summed signal: a logistic regression for
    classification, a ridge regression for regression. AttentiveChrome and
    its ablations are the published networks, without the linear path of
    the classifier's defaults (``linear_path=False``).

    Parameters
    ----------
    task : {"classification", "regression"}, default="classification"
        Classifiers of high or low expression, or regressors of a continuous
        target such as log1p(RPKM).
    random_state : int or None, default=None
        Seed given to every model that takes one.
    **neural_params : dict
        Training settings given to the neural models (for example
        ``max_epochs``, ``device`` or ``n_marks``); ``n_marks`` also goes to
        the forest and the linear model.

    Returns
    -------
    models : dict of {str: estimator}
        Unfitted estimators keyed by the paper's names.

    Examples
    --------
    >>> from skattchrome.model_selection import paper_models
    >>> list(paper_models(max_epochs=5))
    ['AttentiveChrome', 'LSTM', 'LSTM-alpha', 'CNN-alpha,beta', 'DeepChrome', \
'RandomForest', 'Logistic']
    >>> list(paper_models(task="regression"))[-2:]
    ['RandomForest', 'Ridge']
    """
    return {
        MODELS[key].name: build_model(
            key, task=task, random_state=random_state, **neural_params
        )
        for key in models_for(task)
    }


def _pearson(y_true, y_pred):
    return pearsonr(y_true, y_pred).statistic


def _spearman(y_true, y_pred):
    return spearmanr(y_true, y_pred).statistic


CORRELATION_SCORERS = {
    "pearson": make_scorer(_pearson),
    "spearman": make_scorer(_spearman),
}
"""Scorers of the correlation of predicted and measured expression, by name."""


def _changed_params(estimator):
    """The parameters of ``estimator`` that differ from its class defaults.

    A meta-estimator with required parameters (a ``Pipeline``'s ``steps``) has
    no defaults: all its parameters are listed.
    """
    try:
        defaults = type(estimator)().get_params(deep=False)
    except TypeError:
        defaults = {}
    return {
        name: value
        for name, value in estimator.get_params(deep=False).items()
        if repr(value) != repr(defaults.get(name))
    }


def compare_models(
    X,
    y,
    *,
    estimators=None,
    cv=5,
    groups=None,
    scoring=None,
    n_jobs=None,
    random_state=None,
):
    """Cross-validate several models on the same folds and tabulate their scores.

    Parameters
    ----------
    X : array-like of shape (n_genes, n_bins, n_marks) or \
            (n_genes, n_bins * n_marks)
        Binned signal, as the estimators take it.
    y : array-like of shape (n_genes,)
        Labels (any two distinct values) for classifiers, or a continuous
        target such as log1p(RPKM) for regressors.
    estimators : dict of {str: estimator}, default=None
        Models to compare, all classifiers or all regressors; None compares
        :func:`paper_models`, the regressors when ``y`` is continuous.
    cv : int or cross-validation splitter, default=5
        An int gives that many folds: with ``groups``, folds of whole
        chromosomes (:class:`ChromosomeKFold`); otherwise stratified folds for
        classifiers and plain folds for regressors, shuffled with
        ``random_state``.
    groups : array-like of shape (n_genes,), default=None
        Each gene's chromosome, for a splitter that holds chromosomes out.
    scoring : str or callable, default=None
        Score of each fold: a scorer name of
        :func:`~sklearn.model_selection.cross_validate`, ``"pearson"`` or
        ``"spearman"`` (the correlation of predicted and measured values), or
        a callable. None scores classifiers by ``"roc_auc"`` and regressors by
        ``"pearson"``.
    n_jobs : int, default=None
        Folds fitted in parallel; each worker gets its share of the cores.
    random_state : int or None, default=None
        Seed of the folds and of the default models.

    Returns
    -------
    results : pandas.DataFrame
        One row per model: ``model``, ``estimator`` (class name), ``params``
        (the settings that differ from the defaults), ``mean_score``,
        ``std_score``, ``min_score``, ``max_score``, ``mean_fit_time`` and
        ``split<i>_score`` for each fold, sorted by ``mean_score``.

    See Also
    --------
    paired_comparison : Per pair of models, differences and wins over folds.
    ChromosomeKFold : Folds that hold out whole chromosomes.

    Examples
    --------
    >>> from skattchrome import ChromeForestClassifier
    >>> from skattchrome.datasets import make_chromatin_data
    >>> from skattchrome.model_selection import compare_models
    >>> X, y = make_chromatin_data(n_genes=120, n_bins=10, random_state=0)
    >>> results = compare_models(
    ...     X,
    ...     y,
    ...     estimators={
    ...         "flat bins": ChromeForestClassifier(n_estimators=20),
    ...         "mark sums": ChromeForestClassifier(
    ...             bin_aggregation="sum", n_estimators=20
    ...         ),
    ...     },
    ...     cv=3,
    ...     random_state=0,
    ... )
    >>> results[["model", "mean_score"]].shape
    (2, 2)

    Regressors, scored by Pearson r on folds of whole chromosomes:

    >>> import numpy as np
    >>> from skattchrome import ChromeRidgeRegressor
    >>> X, y, expression = make_chromatin_data(
    ...     n_genes=120, n_bins=10, random_state=0, return_expression=True
    ... )
    >>> chromosomes = np.repeat(["chr1", "chr2", "chr3", "chr4"], 30)
    >>> results = compare_models(
    ...     X, expression, estimators={"ridge": ChromeRidgeRegressor()},
    ...     cv=4, groups=chromosomes,
    ... )
    >>> len(results.filter(like="split").columns)
    4
    """
    check_random_state(random_state)
    check_sizes(X, y)
    if estimators is None:
        task = "regression" if type_of_target(y) == "continuous" else "classification"
        estimators = paper_models(task=task, random_state=random_state)
    if not isinstance(estimators, dict) or not estimators:
        raise ValueError(
            "estimators must be a non-empty dict of {name: estimator}; got "
            f"{type(estimators).__name__}."
        )
    for name, estimator in estimators.items():
        if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
            raise TypeError(
                f"estimators[{name!r}] must be a scikit-learn estimator; got a "
                f"{type(estimator).__name__}."
            )
    regressors = [is_regressor(estimator) for estimator in estimators.values()]
    if any(regressors) and not all(regressors):
        raise ValueError(
            "estimators mixes classifiers and regressors; compare models of one "
            "task at a time."
        )
    regression = all(regressors)
    if not regression and type_of_target(y) == "continuous":
        raise ValueError(
            "y holds continuous values, but the estimators are classifiers: give "
            "them labels (skattchrome.preprocessing.label_expression), or compare "
            "regressors."
        )
    if isinstance(cv, bool) or (
        isinstance(cv, numbers.Number) and not isinstance(cv, numbers.Integral)
    ):
        raise ValueError(f"cv must be an integer >= 2 or a splitter; got {cv!r}.")
    if isinstance(cv, numbers.Integral) and cv < 2:
        raise ValueError(f"cv must be at least 2 folds (or a splitter); got cv={cv}.")
    if isinstance(cv, numbers.Integral) and groups is not None:
        cv = ChromosomeKFold(n_splits=cv)
    elif isinstance(cv, numbers.Integral):
        folds = KFold if regression else StratifiedKFold
        cv = folds(n_splits=cv, shuffle=True, random_state=random_state)
    cv = check_cv(cv, y, classifier=not regression)
    if scoring is None:
        scoring = "pearson" if regression else "roc_auc"
    if isinstance(scoring, str):
        scoring = CORRELATION_SCORERS.get(scoring, scoring)
    rows = []
    for name, estimator in estimators.items():
        scores = cross_validate(
            clone(estimator), X, y, groups=groups, cv=cv, scoring=scoring, n_jobs=n_jobs
        )
        test_scores = scores["test_score"]
        rows.append(
            {
                "model": name,
                "estimator": type(estimator).__name__,
                "params": _changed_params(estimator),
                "mean_score": test_scores.mean(),
                "std_score": test_scores.std(),
                "min_score": test_scores.min(),
                "max_score": test_scores.max(),
                "mean_fit_time": scores["fit_time"].mean(),
                **{f"split{i}_score": score for i, score in enumerate(test_scores)},
            }
        )
    results = pd.DataFrame(rows)
    return results.sort_values("mean_score", ascending=False, ignore_index=True)


def _long_scores(results, model, unit, score):
    split_columns = [
        column for column in results.columns if _SPLIT_COLUMN.match(str(column))
    ]
    if split_columns:
        long = results.melt(
            id_vars=[model], value_vars=split_columns, var_name=unit, value_name=score
        )
        long[unit] = long[unit].str.extract(_SPLIT_COLUMN, expand=False).astype(int)
        return long[[model, unit, score]]
    missing = [column for column in (model, unit, score) if column not in results]
    if missing:
        raise ValueError(
            f"results has no column {missing}: pass the output of compare_models, "
            f"or a long table with columns {model!r}, {unit!r} and {score!r}."
        )
    return results[[model, unit, score]]


def _checked_scores(results, model, unit, score):
    """The long table of ``results``: numeric scores, one per model and unit.

    NaN scores (a fold that failed) are kept and left out of each pair;
    infinite or non-numeric scores, duplicated (model, unit) rows and an
    empty table raise an error that names them.
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            "results must be a pandas DataFrame (the output of compare_models, "
            f"or a long table); got a {type(results).__name__}."
        )
    long = _long_scores(results, model, unit, score)
    if long.empty:
        raise ValueError("results is empty: there are no scores to compare.")
    values = pd.to_numeric(long[score], errors="coerce")
    not_numbers = values.isna() & long[score].notna()
    if not_numbers.any():
        raise TypeError(
            f"results column {score!r} must hold numbers; got "
            f"{long[score][not_numbers].tolist()[:3]}."
        )
    infinite = np.isinf(values.to_numpy(dtype=float))
    if infinite.any():
        raise ValueError(
            f"results column {score!r} holds infinite scores, for "
            f"{long.loc[infinite, [model, unit]].values.tolist()[:5]} "
            f"({model}, {unit})."
        )
    duplicated = long.duplicated([model, unit], keep=False)
    if duplicated.any():
        pairs = long.loc[duplicated, [model, unit]].drop_duplicates()
        raise ValueError(
            f"results has several scores for the same {model} and {unit}: "
            f"{pairs.values.tolist()[:5]}; give one score per {model} and {unit}."
        )
    return long.assign(**{score: values})


def paired_comparison(
    results, *, baseline=None, model="model", unit="fold", score="score"
):
    """Pairwise differences of models over the same folds or cell types.

    For each ordered pair of models, the mean difference of their scores over
    the units (folds, or cell types as in the paper) that both were scored on,
    and how many times the first beats the second, loses or ties; with a
    two-sided Wilcoxon signed-rank p-value.

    Parameters
    ----------
    results : pandas.DataFrame
        Either the output of :func:`compare_models` (its ``split<i>_score``
        columns are the units), or a long table with one row per model and
        unit, such as per-cell results of a study.
    baseline : str, default=None
        Compare every model against this one only (the paper counts the cell
        types where a model beats DeepChrome); None compares every pair.
    model, unit, score : str, default="model", "fold", "score"
        Column names of a long table.

    Returns
    -------
    comparison : pandas.DataFrame
        Columns ``model``, ``other``, ``mean_difference`` (model minus other),
        ``wins``, ``losses``, ``ties``, ``n_units`` and ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skattchrome.model_selection import paired_comparison
    >>> per_cell = pd.DataFrame({
    ...     "model": ["AttentiveChrome"] * 3 + ["DeepChrome"] * 3,
    ...     "cell": ["E003", "E004", "E005"] * 2,
    ...     "test_auc": [0.81, 0.84, 0.79, 0.80, 0.83, 0.80],
    ... })
    >>> table = paired_comparison(
    ...     per_cell, baseline="DeepChrome", unit="cell", score="test_auc"
    ... )
    >>> table[["model", "other", "wins", "losses"]]
                 model       other  wins  losses
    0  AttentiveChrome  DeepChrome     2       1
    """
    long = _checked_scores(results, model, unit, score)
    table = long.pivot_table(index=unit, columns=model, values=score, aggfunc="mean")
    models = list(table.columns)
    if baseline is not None and baseline not in models:
        raise ValueError(f"baseline {baseline!r} is not among the models {models}.")
    pairs = (
        [(name, baseline) for name in models if name != baseline]
        if baseline is not None
        else list(permutations(models, 2))
    )
    rows = []
    for first, second in pairs:
        both = table[[first, second]].dropna()
        difference = (both[first] - both[second]).to_numpy()
        nonzero = difference[difference != 0]
        p_value = wilcoxon(nonzero).pvalue if len(nonzero) >= 2 else np.nan
        rows.append(
            {
                "model": first,
                "other": second,
                "mean_difference": difference.mean() if len(difference) else np.nan,
                "wins": int((difference > 0).sum()),
                "losses": int((difference < 0).sum()),
                "ties": int((difference == 0).sum()),
                "n_units": len(difference),
                "p_value": p_value,
            }
        )
    return pd.DataFrame(rows)
