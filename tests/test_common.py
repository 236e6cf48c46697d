"""scikit-learn's common estimator checks, for every estimator of the package."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skattchrome import (
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    ChromeForestClassifier,
    ChromeForestRegressor,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
)

# The checks feed plain 2-D arrays of any width (a single feature included), so
# each column is read as one bin of a single mark. The neural models train with
# their default settings: the checks' small data sets are the sizes that those
# defaults must also handle.
NEURAL_SETTINGS = dict(n_marks=1, device="cpu", random_state=0)
SMALL_ATTENTIVECHROME = dict(bin_hidden_size=8, mark_hidden_size=4)

ESTIMATORS = [
    AttentiveChromeClassifier(**SMALL_ATTENTIVECHROME, **NEURAL_SETTINGS),
    DeepChromeClassifier(**NEURAL_SETTINGS),
    ChromeForestClassifier(n_marks=1, n_estimators=20, random_state=0),
    ChromeForestClassifier(
        n_marks=1, bin_aggregation="mean", n_estimators=20, random_state=0
    ),
    ChromeLogisticClassifier(n_marks=1),
    ChromeLogisticClassifier(n_marks=1, n_windows=2),
    ChromeLogisticClassifier(n_marks=1, n_windows=2, log_transform=False),
]

# Settings that change what a network reads or is: the paper's ablations of
# AttentiveChrome, its linear path, and log1p of the signal (log_transform).
VARIANTS = [
    # The paper's ablations are published networks, without the linear path.
    AttentiveChromeClassifier(
        **SMALL_ATTENTIVECHROME,
        **NEURAL_SETTINGS,
        bin_encoder="cnn",
        use_bin_attention=False,
        use_mark_attention=False,
        linear_path=False,
    ),
    AttentiveChromeClassifier(
        **SMALL_ATTENTIVECHROME, **NEURAL_SETTINGS, linear_path=False
    ),
    DeepChromeClassifier(**NEURAL_SETTINGS, log_transform=True),
]

# The regressors at their default settings, with n_marks=1.
REGRESSORS = [
    AttentiveChromeRegressor(**NEURAL_SETTINGS),
    DeepChromeRegressor(**NEURAL_SETTINGS),
    ChromeForestRegressor(n_marks=1, random_state=0),
    ChromeRidgeRegressor(n_marks=1),
    ChromeRidgeRegressor(n_marks=1, log_transform=False),
]


NEGATIVE_BLOBS = (
    "the check fits on make_blobs data with negative values whatever the "
    "positive_only tag, and with log_transform=True the model refuses negative "
    "signal by design (check_fit_non_negative and "
    "check_positive_only_tag_during_fit test that refusal); the variant with "
    "log_transform=False passes the check"
)


SUMMED_BINS = (
    "the check asks for R2 above 0.5 on make_regression data whose target "
    "follows one of 10 columns; read as 10 bins of one mark, the ridge "
    "regression sums them into one feature by design (n_windows=1), which "
    "keeps 0.07 of the variance"
)

ONE_INFORMATIVE_BIN = (
    "the check asks for a training R2 above 0.5 on make_regression data whose "
    "target follows one of 10 columns, read as 10 bins of one mark with no "
    "chromatin-like structure; the default budget for 200 genes (30 epochs of "
    "13 batches) brings the attention LSTM to 0.35. Singling out the one bin "
    "takes about 1300 steps (100 epochs: 0.65) or a 5 times higher learning "
    "rate, and either lowers its out-of-fold Pearson r on the real genes of "
    "bench_regression.py by 0.03 to 0.06 (they overfit), where the default "
    "matches the ridge baseline; DeepChromeRegressor passes the check"
)
REGRESSORS_TRAIN = (
    "check_regressors_train",
    "check_regressors_train(readonly_memmap=True)",
    "check_regressors_train(readonly_memmap=True,X_dtype=float32)",
)


def expected_failed_checks(estimator):
    """Checks that fail by design, each with the reason."""
    if isinstance(estimator, ChromeLogisticClassifier) and estimator.log_transform:
        return {
            "check_class_weight_classifiers": NEGATIVE_BLOBS,
            "check_decision_proba_consistency": NEGATIVE_BLOBS,
        }
    if isinstance(estimator, DeepChromeClassifier) and estimator.log_transform:
        return {"check_decision_proba_consistency": NEGATIVE_BLOBS}
    if isinstance(estimator, ChromeRidgeRegressor):
        return dict.fromkeys(REGRESSORS_TRAIN, SUMMED_BINS)
    if isinstance(estimator, AttentiveChromeRegressor):
        return dict.fromkeys(REGRESSORS_TRAIN, ONE_INFORMATIVE_BIN)
    return {}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(
    VARIANTS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_variant(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks(
    REGRESSORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_regressor(estimator, check):
    check(estimator)
