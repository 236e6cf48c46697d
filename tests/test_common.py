"""scikit-learn's common estimator checks."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skattchrome import AttentiveChromeClassifier


def _estimators():
    # The checks feed plain 2-D arrays of any width (a single feature included),
    # so each column is read as one bin of a single mark. Enough epochs at a
    # high learning rate to learn the checks' easy problems; no held-out genes,
    # because some checks fit on a handful of samples.
    return [
        AttentiveChromeClassifier(
            n_marks=1,
            bin_hidden_size=8,
            mark_hidden_size=4,
            max_epochs=25,
            lr=0.02,
            lr_schedule="constant",
            batch_size=32,
            validation_fraction=None,
            device="cpu",
            random_state=0,
        ),
        AttentiveChromeClassifier(
            n_marks=1,
            bin_hidden_size=8,
            mark_hidden_size=4,
            max_epochs=25,
            lr=0.02,
            batch_size=32,
            device="cpu",
            random_state=0,
        ),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
