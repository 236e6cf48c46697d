"""The shared input-validation helper."""

import ast
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skattchrome import (
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeForestRegressor,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
)
from skattchrome._validation import (
    SHOWN_IN_ERRORS,
    Boolean,
    ClassWeight,
    Fraction,
    Number,
    OneOf,
    PositiveIntOrAuto,
    PositiveInts,
    check_binary_target,
    check_chromatin_X,
    check_labels,
    check_parameters,
)
from skattchrome.model_selection import ChromosomeKFold
from skattchrome.preprocessing import label_expression, read_tss


def test_flat_input_is_bin_major():
    X = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    estimator = AttentiveChromeClassifier(n_marks=4)
    reshaped = check_chromatin_X(estimator, X.reshape(2, -1), reset=True)
    np.testing.assert_array_equal(reshaped, X)
    assert (estimator.n_bins_, estimator.n_marks_, estimator.n_features_in_) == (
        3,
        4,
        12,
    )


def test_three_d_input_sets_the_layout():
    X = np.ones((2, 3, 4))
    estimator = AttentiveChromeClassifier()
    checked = check_chromatin_X(estimator, X, reset=True)
    assert checked.dtype == np.float32 and checked.shape == (2, 3, 4)
    checked_again = check_chromatin_X(estimator, X.reshape(2, -1), reset=False)
    assert checked_again.shape == (2, 3, 4)


def test_lists_are_accepted():
    estimator = AttentiveChromeClassifier()
    checked = check_chromatin_X(estimator, [[[1, 2], [3, 4]]], reset=True)
    np.testing.assert_array_equal(checked, [[[1, 2], [3, 4]]])


def test_column_names_with_negative_bin_offsets():
    columns = [f"{mark}_{offset}" for offset in (-100, 0, 100) for mark in ("a", "b")]
    frame = pd.DataFrame(np.ones((2, 6)), columns=columns)
    estimator = AttentiveChromeClassifier()
    checked = check_chromatin_X(estimator, frame, reset=True)
    assert checked.shape == (2, 3, 2)
    assert list(estimator.mark_names_) == ["a", "b"]


def test_uninformative_column_names_fall_back_on_n_marks():
    frame = pd.DataFrame(np.ones((2, 6)), columns=[f"x{i}" for i in range(6)])
    estimator = AttentiveChromeClassifier(n_marks=3)
    assert check_chromatin_X(estimator, frame, reset=True).shape == (2, 2, 3)
    with pytest.raises(ValueError, match="Cannot tell the marks apart"):
        check_chromatin_X(AttentiveChromeClassifier(), frame, reset=True)


def test_column_names_that_contradict_n_marks():
    columns = [f"{mark}_{index}" for index in range(3) for mark in ("a", "b")]
    frame = pd.DataFrame(np.ones((2, 6)), columns=columns)
    with pytest.raises(ValueError, match="contradicts the DataFrame columns"):
        check_chromatin_X(AttentiveChromeClassifier(n_marks=3), frame, reset=True)


def test_column_names_missing_a_mark():
    frame = pd.DataFrame(np.ones((2, 3)), columns=["a_0", "b_0", "a_1"])
    with pytest.raises(ValueError, match="every bin needs every mark"):
        check_chromatin_X(AttentiveChromeClassifier(), frame, reset=True)


def test_sparse_input_is_refused():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"[Ss]parse"):
        check_chromatin_X(
            AttentiveChromeClassifier(n_marks=1),
            sparse.csr_matrix(np.eye(3)),
            reset=True,
        )


def test_binary_target_encoding():
    estimator = AttentiveChromeClassifier()
    encoded = check_binary_target(estimator, np.array(["on", "off", "on"]))
    np.testing.assert_array_equal(estimator.classes_, ["off", "on"])
    np.testing.assert_array_equal(encoded, [1, 0, 1])
    assert encoded.dtype == np.float32


def test_none_is_named():
    with pytest.raises(ValueError, match="X is None; expected the binned signal"):
        check_chromatin_X(AttentiveChromeClassifier(), None, reset=True)


def test_one_gene_without_its_gene_axis_gets_a_hint():
    estimator = AttentiveChromeClassifier()
    check_chromatin_X(estimator, np.ones((3, 4, 5)), reset=True)
    with pytest.raises(ValueError, match=r"X\[np.newaxis\] of shape \(1, 4, 5\)"):
        check_chromatin_X(estimator, np.ones((4, 5)), reset=False)
    assert check_chromatin_X(estimator, np.ones((1, 20)), reset=False).shape == (
        1,
        4,
        5,
    )


def test_bad_validation_data_is_named_as_such():
    X, y = np.ones((8, 4, 5)), np.array([0, 1] * 4)
    model = AttentiveChromeClassifier(max_epochs=1, device="cpu")
    with pytest.raises(
        ValueError,
        match="validation_data: X has 4 bins and 3 marks, but the training genes have",
    ):
        model.fit(X, y, validation_data=(X[:, :, :3], y))
    with pytest.raises(ValueError, match="validation_data: Input X contains NaN"):
        model.fit(X, y, validation_data=(np.full_like(X, np.nan), y))


@pytest.mark.parametrize(
    "estimator",
    [
        AttentiveChromeClassifier(),
        DeepChromeClassifier(),
        ChromeForestClassifier(),
        ChromeLogisticClassifier(),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
def test_constraint_tables_name_constructor_parameters(estimator):
    constraints = type(estimator)._parameter_constraints
    assert set(constraints) <= set(estimator.get_params())
    check_parameters(estimator, constraints)


def test_forest_class_weight_options_are_checked_before_fitting():
    X, y = np.ones((8, 4, 5)), np.array([0, 1] * 4)
    with pytest.raises(
        ValueError,
        match="class_weight must be None, 'balanced', 'balanced_subsample' or a dict",
    ):
        ChromeForestClassifier(class_weight="heavy").fit(X, y)


@pytest.mark.parametrize(
    ("constraint", "valid", "invalid", "message"),
    [
        (
            Number("int", 1),
            [1, np.int64(3)],
            [0, 2.5, True, None, "3"],
            "an integer >= 1;",
        ),
        (
            Number("real", 0, low_inclusive=False, allow_none=True),
            [None, 0.1, np.float32(1)],
            [0, True, "a", np.nan, np.inf, np.float32("nan")],
            "a finite number > 0 or None;",
        ),
        (OneOf(("a", "b")), ["a"], ["c", None, 1], r"one of \('a', 'b'\);"),
        (
            OneOf(("a",), allow_none=True),
            [None, "a"],
            ["c"],
            r"None or one of \('a',\);",
        ),
        (Boolean(), [True, np.bool_(False)], [1, "yes"], "True or False;"),
        (
            PositiveIntOrAuto(),
            [1, "auto"],
            [0, True, "Auto", 1.0, None],
            "a positive integer or 'auto';",
        ),
        (
            Fraction(),
            [0.5],
            [0, 1, True, None, "x", np.nan],
            "a number strictly between 0 and 1;",
        ),
        (
            Fraction(open_low=False, allow_none=True),
            [0, 0.999, None],
            [1, -0.1],
            r"a number in \[0, 1\), or None;",
        ),
        (
            PositiveInts(),
            [[1, 2], (3,), []],
            [[0], [True], [1.0], 5, "ab", None],
            "a sequence of positive integers;",
        ),
        (
            ClassWeight(("balanced",)),
            [None, {0: 1.0}, "balanced"],
            ["heavy", 1],
            r"None, 'balanced' or a dict of \{label: weight\};",
        ),
    ],
)
def test_constraints(constraint, valid, invalid, message):
    for value in valid:
        constraint.check("param", value)
    for value in invalid:
        with pytest.raises(ValueError, match=f"^param must be {message} got"):
            constraint.check("param", value)


def test_a_dataframe_without_columns_is_refused_by_name():
    with pytest.raises(ValueError, match="DataFrame without columns"):
        ChromeLogisticClassifier().fit(pd.DataFrame(index=range(4)), [0, 1, 0, 1])


TWELVE_GENES = [f"g{index}" for index in range(12)]


@pytest.mark.parametrize(
    "raise_error",
    [
        lambda: check_binary_target(AttentiveChromeClassifier(), np.arange(12)),
        lambda: label_expression(np.full(12, np.nan)),
        lambda: read_tss(
            pd.DataFrame(
                {"gene_id": TWELVE_GENES, "chrom": "chr1", "tss": 5, "strand": "?"}
            )
        ),
        lambda: ChromosomeKFold(n_splits=2).split(
            np.zeros((12, 1)), groups=[None] * 12
        ),
    ],
    ids=["classes", "expression", "tss", "chromosomes"],
)
def test_error_messages_list_at_most_shown_in_errors_items(raise_error):
    with pytest.raises(ValueError) as raised:
        raise_error()
    listed = re.search(r"\[[^\]]*\]", str(raised.value)).group()
    assert len(ast.literal_eval(listed)) == SHOWN_IN_ERRORS


# One rule per kind of input (issue 27): targets, labels and signal.

RNG = np.random.default_rng(0)
SIGNAL = RNG.random((20, 4, 2))
TARGET = RNG.random(20)
FLAT = SIGNAL.reshape(20, -1)


def _class_name(estimator):
    """The test id of an estimator: its class name."""
    return type(estimator).__name__


REGRESSORS = [
    DeepChromeRegressor(
        max_epochs=1, device="cpu", hidden_sizes=(4,), n_filters=2, random_state=0
    ),
    ChromeForestRegressor(n_estimators=2, random_state=0),
    ChromeRidgeRegressor(),
]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (np.array([*TARGET[:-1], None], dtype=object), r"y must hold finite .* \[19\]"),
        ([*TARGET[:-1], None], r"y must hold finite numbers; it holds NaN"),
        (np.array([*TARGET[:-1].astype(str), "nan"]), "y must hold finite"),
        (np.array([*TARGET[:-1].astype(str), "inf"]), "holds infinity"),
        (
            np.array([*TARGET[:-1].astype(str), ""]),
            r"y holds 1 value\(s\) that are not numbers \(''\), for the genes at "
            r"positions \[19\]",
        ),
        (TARGET * 1e200, "y cannot be standardised .* standard deviation overflows"),
        (TARGET * 1e308, "y cannot be standardised .* mean overflows"),
        (TARGET * 1e-320, "y cannot be standardised .* underflows to 0"),
        (TARGET.astype(complex), "y holds complex numbers"),
    ],
    ids=[
        "object-None",
        "list-None",
        "string-nan",
        "string-inf",
        "string-empty",
        "1e200",
        "1e308",
        "spread-underflow",
        "complex",
    ],
)
@pytest.mark.parametrize("regressor", REGRESSORS, ids=_class_name)
def test_regressors_refuse_targets_that_are_not_finite_numbers(
    regressor, target, message
):
    with pytest.raises(ValueError, match=message):
        clone(regressor).fit(SIGNAL, target)


@pytest.mark.parametrize("regressor", REGRESSORS, ids=_class_name)
def test_a_refused_refit_leaves_the_fitted_regressor_untouched(regressor):
    model = clone(regressor).fit(SIGNAL, TARGET)
    before = model.predict(SIGNAL)
    with pytest.raises(ValueError, match="y must hold finite numbers"):
        model.fit(SIGNAL, [*TARGET[:-1], None])
    np.testing.assert_array_equal(model.predict(SIGNAL), before)


def test_a_warm_start_refuses_a_target_that_overflows_its_standardisation():
    model = clone(REGRESSORS[0]).set_params(warm_start=True).fit(SIGNAL, TARGET)
    with pytest.raises(ValueError, match="y lies too far from the training target"):
        model.fit(SIGNAL, TARGET * 1e40)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0, 1] * 9 + [0, None], r"y has no label .* at positions \[19\]"),
        (np.array(["0", "1"] * 9 + ["0", ""]), r"y has no label .* positions \[19\]"),
        (np.array([0, "a"] * 10, dtype=object), r"y mixes labels .* \(int, str\)"),
        (TARGET, "y holds continuous values .* not two labels"),
    ],
    ids=["None", "empty-string", "mixed-types", "continuous"],
)
def test_classifiers_say_what_is_wrong_with_the_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        ChromeLogisticClassifier().fit(SIGNAL, labels)


@pytest.mark.parametrize("sign", [1, -1])
def test_signal_beyond_float32_is_refused_not_made_infinite(sign):
    X = SIGNAL.copy()
    X[3, 2, 1] = sign * 1e40
    message = r"X must hold finite numbers; .* beyond the float32 range .* \[\(3, 5\)\]"
    with pytest.raises(ValueError, match=message):
        ChromeLogisticClassifier().fit(X, [0, 1] * 10)
    model = ChromeLogisticClassifier().fit(SIGNAL, [0, 1] * 10)
    with pytest.raises(ValueError, match=message):
        model.predict(X)


def test_complex_signal_is_refused_by_name():
    with pytest.raises(ValueError, match="X holds complex numbers"):
        ChromeLogisticClassifier().fit(SIGNAL.astype(complex), [0, 1] * 10)


def test_a_network_that_overflows_is_refused_naming_X():
    huge = np.full_like(SIGNAL, 3e38)
    with pytest.raises(ValueError, match="X: training diverged"):
        clone(REGRESSORS[0]).fit(huge, TARGET)
    model = clone(REGRESSORS[0]).fit(SIGNAL, TARGET)
    with torch.no_grad():
        next(model.net_.module_.parameters()).fill_(1e30)
    with pytest.raises(ValueError, match=r"X: the network .* NaN or infinite outputs"):
        model.predict(huge)


@pytest.mark.parametrize(
    ("X", "labels", "error", "message"),
    [
        (np.zeros((0, 4, 2)), [], ValueError, r"X has no genes: found array with 0"),
        (np.zeros((3, 0, 2)), [0, 1, 0], ValueError, "X has no bins or no marks"),
        (SIGNAL, [0, 1], ValueError, r"X has 20 genes but y has shape \(2,\)"),
        (SIGNAL, 1, ValueError, "X has 20 genes but y has a single value"),
        ([[1.0, 2.0], [3.0]], [0, 1], ValueError, "X is ragged"),
        (np.full((2, 2), ""), [0, 1], ValueError, "X holds values that are not num"),
        (FLAT, np.array([0.0, 1.0] * 10, dtype=object), ValueError, "Unknown label"),
        (-FLAT, [0, 1] * 10, ValueError, r"ChromeLogisticClassifier \(X\)"),
    ],
    ids=[
        "no-genes",
        "no-bins",
        "fewer-labels",
        "scalar-labels",
        "ragged",
        "empty-strings",
        "object-floats",
        "negative",
    ],
)
def test_input_of_the_wrong_size_or_kind_is_named(X, labels, error, message):
    with pytest.raises(error, match=message):
        ChromeLogisticClassifier(n_marks=1).fit(X, labels)


@pytest.mark.parametrize("parameter", ["lr", "clip_grad_norm"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_parameter_that_is_not_finite_is_named_before_training(parameter, value):
    # NaN passed every bound (it compares False) and infinity a lower one: the
    # fit then diverged and blamed X, or torch refused an "Invalid learning rate".
    model = DeepChromeClassifier(max_epochs=1, device="cpu", **{parameter: value})
    X, y = np.ones((4, 3, 2)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=f"^{parameter} must be a finite number > 0"):
        model.fit(X, y)


@pytest.mark.parametrize(
    ("dtype", "what"),
    [("datetime64[s]", "dates"), ("timedelta64[s]", "durations")],
)
def test_dates_and_durations_are_neither_signal_nor_targets(dtype, what):
    # NumPy casts them to float silently: a model was fitted on seconds.
    X, y = np.ones((6, 3, 2)), np.array([0, 1] * 3)
    with pytest.raises(TypeError, match=f"^X holds {what}"):
        ChromeLogisticClassifier().fit(X.astype(dtype), y)
    with pytest.raises(TypeError, match=f"^y must hold real numbers; got {what}"):
        ChromeRidgeRegressor().fit(X, np.arange(6).astype(dtype))


def test_a_string_for_X_is_named():
    with pytest.raises(TypeError, match=r"^X is a string .*load_remc"):
        ChromeLogisticClassifier().fit("train.csv", [0, 1])


def test_a_list_of_labels_mixing_strings_and_numbers_is_refused():
    # NumPy turns [1, "a"] into the strings "1" and "a": the classes changed type.
    X, y = np.ones((6, 3, 2)), [1, "a"] * 3
    with pytest.raises(ValueError, match=r"^y mixes labels of different types"):
        ChromeLogisticClassifier().fit(X, y)
    with pytest.raises(ValueError, match=r"^labels mixes labels .*\(int, str\)"):
        check_labels([1, "a", None], name="labels")
    assert check_labels(["a", None, "b"][::2])[0].tolist() == ["a", "b"]
