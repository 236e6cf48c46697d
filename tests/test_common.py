"""scikit-learn's common estimator checks, for every estimator of the package."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    DeepChromeClassifier,
)

# The checks feed plain 2-D arrays of any width (a single feature included), so
# each column is read as one bin of a single mark. The neural models get enough
# epochs at a high learning rate to learn the checks' easy problems.
NEURAL_SETTINGS = dict(
    n_marks=1,
    max_epochs=25,
    lr=0.02,
    batch_size=32,
    device="cpu",
    random_state=0,
)
SMALL_ATTENTIVECHROME = dict(bin_hidden_size=8, mark_hidden_size=4)

ESTIMATORS = [
    AttentiveChromeClassifier(**SMALL_ATTENTIVECHROME, **NEURAL_SETTINGS),
    # Without held-out genes and at a constant learning rate, as some checks fit
    # on a handful of samples.
    AttentiveChromeClassifier(
        **SMALL_ATTENTIVECHROME,
        **NEURAL_SETTINGS,
        validation_fraction=None,
        lr_schedule="constant",
    ),
    AttentiveChromeClassifier(
        **SMALL_ATTENTIVECHROME,
        **NEURAL_SETTINGS,
        bin_encoder="cnn",
        bin_attention=False,
        mark_attention=False,
    ),
    DeepChromeClassifier(n_filters=8, hidden_sizes=(16, 8), **NEURAL_SETTINGS),
    ChromeForestClassifier(n_marks=1, n_estimators=20, random_state=0),
    ChromeForestClassifier(
        n_marks=1, bin_aggregation="mean", n_estimators=20, random_state=0
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
