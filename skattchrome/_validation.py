"""Input validation and reshaping shared by every estimator of the package.

The input contract: ``X`` is 3-D ``(n_genes, n_bins, n_marks)`` or 2-D flat
``(n_genes, n_bins * n_marks)`` in bin-major order (``X3d.reshape(n_genes, -1)``).
For flat input the number of marks comes from the estimator's ``n_marks``
parameter or from DataFrame column names of the form ``"<mark>_<bin>"``.
"""

import math
import numbers
from typing import NamedTuple

import numpy as np
from sklearn.utils import check_random_state as _sklearn_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, validate_data

from .datasets._base import default_mark_names

NO_LABELS = "no_validation"
"""Default of ``y``: validate ``X`` alone (scikit-learn's own convention)."""

SHOWN_IN_ERRORS = 10
"""Most offending items (genes, labels, chromosomes...) an error message lists."""

_READ_DTYPES = [np.float64, np.float32]
"""The dtypes ``X`` is read in: float32 kept, anything else as float64, so that
values beyond the float32 range are refused before the cast to float32."""


def _marks_from_column_names(columns):
    """Mark names read from bin-major ``"<mark>_<bin>"`` column names.

    Returns None when the names do not follow that pattern (for example
    ``"x0", "x1"``), so that the caller falls back on ``n_marks``. Raises when
    they follow it in an order that is not bin-major, which would otherwise
    scramble the signal silently.
    """
    marks, bins = [], []
    for name in columns:
        if not isinstance(name, str) or "_" not in name:
            return None
        mark, _, bin_label = name.rpartition("_")
        try:
            bins.append(int(bin_label))
        except ValueError:
            return None
        marks.append(mark)
    unique_marks = list(dict.fromkeys(marks))
    n_marks = len(unique_marks)
    if len(marks) % n_marks:
        raise ValueError(
            f"DataFrame columns name {n_marks} marks, but their number "
            f"({len(marks)}) is not a multiple of it: every bin needs every mark."
        )
    mark_grid = np.asarray(marks, dtype=object).reshape(-1, n_marks)
    bin_grid = np.asarray(bins).reshape(-1, n_marks)
    if (
        not (mark_grid == np.asarray(unique_marks, dtype=object)).all()
        or not (bin_grid == bin_grid[:, :1]).all()
    ):
        raise ValueError(
            "DataFrame columns must be in bin-major order, every mark of the first "
            "bin, then every mark of the next ('H3K4me3_0', 'H3K27me3_0', "
            f"'H3K4me3_1', ...); got {list(columns[: 2 * n_marks])} ..."
        )
    return unique_marks


def _ndim(X):
    """Number of dimensions of an array or nested list; None for other input."""
    if hasattr(X, "tocsr"):
        return None
    if hasattr(X, "ndim"):
        return X.ndim
    return len(_shape("X", X)) if isinstance(X, list | tuple) else None


def _shape(name, values):
    """The shape of array-like ``values``; a ragged nested list names ``name``."""
    try:
        return np.shape(values)
    except ValueError:
        raise ValueError(
            f"{name} is ragged: its nested lists have different lengths; expected "
            "a rectangular array."
        ) from None


def _check_sizes(X, y):
    """Refuse, naming it, an empty ``X`` or a ``y`` of another number of genes.

    The messages keep scikit-learn's wording for empty arrays.
    """
    shape = _shape("X", X)
    if shape[0] == 0:
        raise ValueError(
            f"X has no genes: found array with 0 sample(s) (shape={shape}) while "
            "a minimum of 1 is required."
        )
    if 0 in shape:
        raise ValueError(
            f"X has no bins or no marks: found array with 0 feature(s) "
            f"(shape=({shape[0]}, 0)) while a minimum of 1 is required."
        )
    if y is NO_LABELS or y is None:
        return
    y_shape = _shape("y", y)
    if not y_shape or y_shape[0] != shape[0]:
        got = f"shape {y_shape}" if y_shape else "a single value"
        raise ValueError(
            f"X has {shape[0]} genes but y has {got}; give one value of y per gene, "
            "in the order of the rows of X."
        )


def check_sizes(X, y):
    """Refuse a ``y`` of another number of genes than ``X``, naming both.

    For callers that hand ``X`` and ``y`` to scikit-learn (``score``,
    cross-validation), whose message names neither; ``X`` that is not 2-D or
    3-D is left to the checks that follow.
    """
    if _ndim(X) in (2, 3):
        _check_sizes(X, y)


def _is_complex(values):
    """Whether array-like ``values`` hold complex numbers (False if unreadable)."""
    return _dtype_kind(values) == "c"


def _dtype_kind(values):
    """The dtype kind of array-like ``values`` ("" if unreadable)."""
    try:
        return np.asarray(values).dtype.kind
    except (TypeError, ValueError):
        return ""


NOT_NUMBER_KINDS = {"M": "dates (datetime64)", "m": "durations (timedelta64)"}
"""Dtype kinds that NumPy casts to float silently but that are not numbers."""


def check_random_state(random_state, name="random_state"):
    """scikit-learn's ``check_random_state``, with an error that names ``name``."""
    if isinstance(random_state, bool | np.bool_):
        raise ValueError(
            f"{name} must be None, an integer in [0, 2**32 - 1] or a "
            f"numpy.random.RandomState; got {random_state!r}."
        )
    try:
        return _sklearn_random_state(random_state)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be None, an integer in [0, 2**32 - 1] or a "
            f"numpy.random.RandomState; got {random_state!r} ({error})."
        ) from None


def is_number(value, kind=numbers.Real):
    """Whether ``value`` is a number of ``kind`` (a :mod:`numbers` ABC), not a bool."""
    return isinstance(value, kind) and not isinstance(value, bool)


def is_positive_int(value):
    """Whether ``value`` is an integer of at least 1, not a bool."""
    return is_number(value, numbers.Integral) and value >= 1


def is_one_of(value, options):
    """Whether ``value`` is one of the strings ``options``."""
    return isinstance(value, str) and value in options


def _check_numbers(X):
    """Refuse, naming it, an ``X`` of objects or strings that are not numbers."""
    if np.asarray(X).dtype.kind not in "OUS":
        return
    try:
        np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise type(error)(f"X holds values that are not numbers: {error}") from None


def check_number(name, value, *, kind, low, allow_none=False, low_inclusive=True):
    """Raise a ValueError naming ``name`` unless ``value`` is a number above ``low``.

    ``kind`` is ``"int"`` or ``"real"``; booleans are refused; None passes
    when ``allow_none``.
    """
    if value is None and allow_none:
        return
    is_int = kind == "int"
    valid = is_number(value, numbers.Integral if is_int else numbers.Real)
    # NaN compares False with any bound, and infinity passes a lower one.
    valid = valid and (isinstance(value, numbers.Integral) or math.isfinite(value))
    if not valid or (value < low if low_inclusive else value <= low):
        bound = f">= {low}" if low_inclusive else f"> {low}"
        noun = "an integer" if is_int else "a finite number"
        suffix = " or None" if allow_none else ""
        raise ValueError(f"{name} must be {noun} {bound}{suffix}; got {value!r}.")


class Number(NamedTuple):
    """Constraint: an integer (``kind="int"``) or real number above ``low``."""

    kind: str
    low: float
    low_inclusive: bool = True
    allow_none: bool = False

    def check(self, name, value):
        check_number(name, value, **self._asdict())


class OneOf(NamedTuple):
    """Constraint: one of the strings ``values`` (or None when ``allow_none``)."""

    values: tuple
    allow_none: bool = False

    def check(self, name, value):
        if value is None and self.allow_none:
            return
        if not is_one_of(value, self.values):
            either = "None or one of" if self.allow_none else "one of"
            raise ValueError(f"{name} must be {either} {self.values}; got {value!r}.")


class Boolean(NamedTuple):
    """Constraint: True or False."""

    def check(self, name, value):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name} must be True or False; got {value!r}.")


def check_flag(name, value):
    """Raise a ValueError naming ``name`` unless ``value`` is True or False.

    A string such as ``"no"`` is true to Python: taken as a flag, it would
    silently do the opposite of what it says.
    """
    Boolean().check(name, value)


class PositiveIntOrAuto(NamedTuple):
    """Constraint: a positive integer or the string ``"auto"``."""

    def check(self, name, value):
        if not (is_positive_int(value) or is_one_of(value, ("auto",))):
            raise ValueError(
                f"{name} must be a positive integer or 'auto'; got {value!r}."
            )


class Fraction(NamedTuple):
    """Constraint: a number in ``[0, 1)`` (``open_low=False``) or ``(0, 1)``."""

    open_low: bool = True
    allow_none: bool = False

    def check(self, name, value):
        if value is None and self.allow_none:
            return
        if not (
            is_number(value) and (0 < value < 1 if self.open_low else 0 <= value < 1)
        ):
            interval = "strictly between 0 and 1" if self.open_low else "in [0, 1)"
            suffix = ", or None" if self.allow_none else ""
            raise ValueError(
                f"{name} must be a number {interval}{suffix}; got {value!r}."
            )


class PositiveInts(NamedTuple):
    """Constraint: a sequence of positive integers."""

    def check(self, name, value):
        try:
            valid = all(is_positive_int(size) for size in value)
        except TypeError:
            valid = False
        if not valid:
            raise ValueError(
                f"{name} must be a sequence of positive integers; got {value!r}."
            )


class ClassWeight(NamedTuple):
    """Constraint: None, one of the strings ``options``, or a dict of weights."""

    options: tuple

    def check(self, name, value):
        if value is None or isinstance(value, dict) or is_one_of(value, self.options):
            return
        choices = ", ".join(repr(option) for option in self.options)
        raise ValueError(
            f"{name} must be None, {choices} or a dict of {{label: weight}}; "
            f"got {value!r}."
        )


def check_parameters(estimator, constraints):
    """Check each parameter of ``estimator`` against its constraint.

    ``constraints`` maps parameter names to constraints (:class:`Number`,
    :class:`OneOf`...); the first parameter that breaks its constraint raises
    a ValueError that names it.
    """
    for name, constraint in constraints.items():
        constraint.check(name, getattr(estimator, name))


def check_chromatin_X(estimator, X, y=NO_LABELS, *, reset, fitted_layout=True):
    """Validate ``X`` (and ``y``) and return ``X`` as a 3-D float32 array.

    With ``reset=True`` (in ``fit``) the estimator's ``n_features_in_``,
    ``feature_names_in_``, ``n_bins_``, ``n_marks_`` and ``mark_names_`` are set;
    otherwise ``X`` is checked against them.

    Parameters
    ----------
    estimator : estimator instance
        Its ``n_marks`` parameter is read when ``X`` is a plain 2-D array.
    X : array-like or DataFrame
        3-D ``(n_genes, n_bins, n_marks)`` or flat ``(n_genes, n_bins * n_marks)``.
    y : array-like of shape (n_genes,), default=NO_LABELS
        Labels, validated alongside ``X`` when given (None is an error then).
    reset : bool
        Whether to learn the layout from ``X`` or check ``X`` against it.
    fitted_layout : bool, default=True
        With ``reset=False``, whether the layout checked against is that of a
        finished fit (for messages; False while ``fit`` checks its validation
        genes against its training genes).

    Returns
    -------
    X : ndarray of shape (n_genes, n_bins, n_marks), dtype float32
    y : ndarray of shape (n_genes,)
        Only when ``y`` is passed.
    """
    if X is None:
        raise ValueError(
            "X is None; expected the binned signal, an array of shape (n_genes, "
            "n_bins, n_marks) or (n_genes, n_bins * n_marks)."
        )
    if isinstance(X, str | bytes):
        raise TypeError(
            f"X is a string ({X[:40]!r}), not the binned signal; read a file in "
            "the published layout with skattchrome.datasets.load_remc."
        )
    if _dtype_kind(X) in NOT_NUMBER_KINDS:
        raise TypeError(
            f"X holds {NOT_NUMBER_KINDS[np.asarray(X).dtype.kind]}, not numbers; "
            "expected the binned signal, real numbers."
        )
    for name, values in (("X", X), ("y", y)):
        if values is not NO_LABELS and _is_complex(values):
            raise ValueError(
                f"Complex data not supported: {name} holds complex numbers; "
                "expected real numbers, one per "
                f"{'bin and mark of each gene' if name == 'X' else 'gene'}."
            )
    is_frame = hasattr(X, "columns") and hasattr(X, "iloc")
    if is_frame and not len(X.columns):
        raise ValueError(
            "X is a DataFrame without columns; expected a column per bin and "
            "mark, named '<mark>_<bin>' in bin-major order."
        )
    ndim = _ndim(X)
    if ndim in (2, 3):
        _check_sizes(X, y)
        _check_numbers(X)
    if reset:
        check_number("n_marks", estimator.n_marks, kind="int", low=1, allow_none=True)
        n_marks = estimator.n_marks
    else:
        n_marks = estimator.n_marks_
        # With a single bin, (1, n_marks) is also one gene in the flat layout.
        if (
            ndim == 2
            and np.shape(X) == (estimator.n_bins_, n_marks)
            and estimator.n_bins_ != 1
        ):
            raise ValueError(
                f"X has shape {np.shape(X)}, the layout of one gene: pass one gene "
                f"with its gene axis, X[np.newaxis] of shape (1, {estimator.n_bins_}, "
                f"{n_marks})."
            )
    mark_names = None
    if is_frame:
        mark_names = _marks_from_column_names(list(X.columns))
        if mark_names is not None and reset:
            if n_marks is not None and n_marks != len(mark_names):
                raise ValueError(
                    f"n_marks={n_marks} contradicts the DataFrame columns, which "
                    f"name {len(mark_names)} marks: {mark_names}."
                )
            n_marks = len(mark_names)
    elif ndim == 3:
        X = check_array(
            X, allow_nd=True, dtype=_READ_DTYPES, input_name="X", ensure_min_samples=1
        )
        n_genes, n_bins, n_marks_3d = X.shape
        if not reset and (n_bins, n_marks_3d) != (estimator.n_bins_, n_marks):
            fitted = (
                f"{type(estimator).__name__} was fitted with"
                if fitted_layout
                else "the training genes have"
            )
            raise ValueError(
                f"X has {n_bins} bins and {n_marks_3d} marks, but {fitted} "
                f"{estimator.n_bins_} bins and {n_marks} marks."
            )
        if reset and n_marks is not None and n_marks != n_marks_3d:
            raise ValueError(
                f"n_marks={n_marks} contradicts 3-D X of shape {X.shape}, whose "
                f"last axis holds {n_marks_3d} marks."
            )
        n_marks = n_marks_3d
        X = X.reshape(n_genes, n_bins * n_marks)
    elif ndim not in (None, 2):
        raise ValueError(
            "X must be 3-D (n_genes, n_bins, n_marks) or 2-D flat "
            f"(n_genes, n_bins * n_marks); got an array with {ndim} "
            "dimension(s). Reshape your data: a single gene is "
            "X.reshape(1, -1)."
        )

    validate_kwargs = dict(reset=reset, dtype=_READ_DTYPES, ensure_all_finite=True)
    if y is NO_LABELS:
        X = validate_data(estimator, X, **validate_kwargs)
    else:
        X, y = validate_data(estimator, X, y, **validate_kwargs)
    if n_marks is None:
        raise ValueError(
            f"Cannot tell the marks apart in a flat X of shape {X.shape}: pass "
            "3-D X (n_genes, n_bins, n_marks), set n_marks, or use DataFrame "
            "columns named '<mark>_<bin>'."
        )
    if X.shape[1] % n_marks:
        raise ValueError(
            f"Flat X has {X.shape[1]} columns, which is not a multiple of "
            f"n_marks={n_marks}; expected n_bins * n_marks columns in bin-major order."
        )
    if reset:
        estimator.n_marks_ = n_marks
        estimator.n_bins_ = X.shape[1] // n_marks
        estimator.mark_names_ = np.asarray(
            mark_names or default_mark_names(n_marks), dtype=object
        )
    X = check_finite("X", X, dtype=np.float32).reshape(X.shape[0], -1, n_marks)
    if not X.flags.writeable:
        X = X.copy()
    return X if y is NO_LABELS else (X, y)


def _missing_labels(y):
    """Mask of the labels that are missing: None, NaN or an empty string."""
    if y.dtype.kind in "US":
        return np.char.strip(y.astype(str)) == ""
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype.kind != "O":
        return np.zeros(len(y), dtype=bool)
    return np.array(
        [
            value is None
            or (isinstance(value, str) and not value.strip())
            or (isinstance(value, float) and np.isnan(value))
            for value in y
        ],
        dtype=bool,
    )


def check_labels(y, *, name="y"):
    """The sorted classes of the labels ``y`` and the class index of each.

    The one rule for labels: every gene has one (None, NaN and empty strings
    are refused) and they can be sorted (labels of mixed types, such as
    numbers and strings, are refused); errors name ``name``.

    Returns
    -------
    classes : ndarray
        The distinct labels, sorted.
    codes : ndarray of int
        The index in ``classes`` of each label of ``y``.
    """
    check_label_types(y, name)
    y = np.asarray(y)
    missing = _missing_labels(y.ravel())
    if missing.any():
        raise ValueError(
            f"{name} has no label (None, NaN or an empty string) for "
            f"{int(missing.sum())} gene(s), at positions {_positions(missing)}; "
            "give every gene a label, or leave out those without one."
        )
    try:
        return np.unique(y, return_inverse=True)
    except TypeError:
        raise ValueError(_mixed_labels_message(name, y)) from None


def _mixed_labels_message(name, values):
    types = sorted({type(value).__name__ for value in np.ravel(values)})
    return (
        f"{name} mixes labels of different types ({', '.join(types)}), which "
        "cannot be sorted into classes; give every label the same type, for "
        f"example {name}.astype(str)."
    )


def check_label_types(y, name="y"):
    """Refuse a list of labels that mixes strings and other values.

    NumPy turns ``[1, "a"]`` into the strings ``["1", "a"]``: the labels
    would silently change type, and 1 would no longer be a class.
    """
    if hasattr(y, "dtype") or not isinstance(y, list | tuple):
        return
    try:
        values = np.asarray(y, dtype=object).ravel()
    except ValueError:
        return
    # Missing labels (None, NaN) have a message of their own.
    values = values[~_missing_labels(values)]
    strings = [isinstance(value, str | bytes) for value in values]
    if any(strings) and not all(strings):
        raise ValueError(_mixed_labels_message(name, values))


def check_binary_target(estimator, y):
    """Check that ``y`` holds exactly two classes and encode it as 0/1 float32.

    Sets ``estimator.classes_`` (sorted, as :func:`numpy.unique` gives them);
    the encoding is 1 where ``y == classes_[1]``. Missing labels (None, NaN,
    empty strings), labels of mixed types (see :func:`check_labels`) and
    continuous values are refused with a message that says which.
    """
    classifier = type(estimator).__name__
    y = np.asarray(y)
    classes, y_encoded = check_labels(y)
    target_type = type_of_target(y)
    if target_type == "continuous":
        raise ValueError(
            f"y holds continuous values ({', '.join(map(str, classes[:3]))}...), "
            f"not two labels: {classifier} predicts high vs low expression. "
            "Label the genes first (skattchrome.preprocessing.label_expression), "
            "or fit a regressor to predict the values."
        )
    if target_type not in ("binary", "multiclass"):
        raise ValueError(
            f"Unknown label type: y is {target_type!r} to scikit-learn (dtype "
            f"{y.dtype}, labels {classes.tolist()[:3]}), not classes; give "
            "integer or string labels, for example y.astype(str)."
        )
    if len(classes) != 2:
        kind = "only one class" if len(classes) < 2 else f"{len(classes)} classes"
        raise ValueError(
            f"Only binary classification is supported. {classifier} "
            f"predicts high vs low expression, but y has {kind}: "
            f"{classes.tolist()[:SHOWN_IN_ERRORS]} "
            f"(type of target: {type_of_target(y)!r})."
        )
    estimator.classes_ = classes
    return y_encoded.astype(np.float32)


def _positions(mask):
    """The first :data:`SHOWN_IN_ERRORS` positions where ``mask`` is True.

    Integers for a 1-D mask, tuples of indices for more dimensions.
    """
    found = np.argwhere(mask)[:SHOWN_IN_ERRORS]
    return [int(row[0]) if mask.ndim == 1 else tuple(row.tolist()) for row in found]


def not_finite_in(values, dtype):
    """Mask of the real ``values`` that are not finite once stored in ``dtype``.

    True for NaN, for infinity, and for finite values beyond the range of
    ``dtype``, which the cast would turn into infinity (a count of 1e40 in
    float32).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return ~np.isfinite(np.asarray(values).astype(dtype, copy=False))


def check_finite(name, values, *, dtype=np.float64, empty=True):
    """``values`` as a float array, all finite, or an error naming ``name``.

    The one rule for the numbers that the package reads (signal, targets,
    maps, references): each is a real number, finite once stored in
    ``dtype``.

    Parameters
    ----------
    name : str
        The argument, as the messages name it.
    values : array-like
        Real numbers of any shape.
    dtype : numpy dtype or None, default=numpy.float64
        The floating-point type the values are stored in; None keeps that of
        floating-point ``values`` (float64 for others).
    empty : bool, default=True
        Whether ``values`` may be empty (have an axis of length 0).

    Returns
    -------
    values : ndarray of ``dtype``

    Raises
    ------
    TypeError
        If ``values`` are not real numbers (strings, None, complex numbers).
    ValueError
        If some are NaN, infinite, or beyond the range of ``dtype`` (the
        message gives their number and first positions), or if ``values``
        are empty and ``empty`` is False.
    """
    array = np.asarray(values)
    if not empty and 0 in array.shape:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    if array.dtype.kind in NOT_NUMBER_KINDS:
        raise TypeError(
            f"{name} must hold real numbers; got {NOT_NUMBER_KINDS[array.dtype.kind]}."
        )
    try:
        if array.dtype.kind == "c":
            raise TypeError(array.dtype)
        numbers = array if array.dtype.kind == "f" else array.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must hold real numbers; got an array of dtype {array.dtype} "
            "with values that are not (strings, None or complex numbers)."
        ) from None
    dtype = numbers.dtype if dtype is None else np.dtype(dtype)
    bad = not_finite_in(numbers, dtype)
    if bad.any():
        nan, infinite = np.isnan(numbers), np.isinf(numbers)
        beyond_range = (
            f"values beyond the {dtype.name} range (±{float(np.finfo(dtype).max):.3g})"
        )
        kinds = [
            kind
            for kind, mask in (
                ("NaN", nan),
                ("infinity", infinite),
                (beyond_range, bad & ~nan & ~infinite),
            )
            if mask.any()
        ]
        raise ValueError(
            f"{name} must hold finite numbers; it holds {' and '.join(kinds)} at "
            f"{int(bad.sum())} position(s), the first {_positions(bad)}."
        )
    return numbers.astype(dtype, copy=False)


def _labels_message(name, y, regressor):
    """The message for a regressor's target of labels rather than numbers."""
    examples = np.unique(y.astype(str))[:3].tolist()
    return (
        f"{name} holds labels ({', '.join(examples)}), not numbers: "
        f"{regressor} predicts a continuous target, such as log1p(RPKM) "
        "(skattchrome.preprocessing.log_expression). To predict labels, use "
        "a classifier."
    )


def _as_numbers(name, y, regressor):
    """An object or string target as float64, or an error naming its non-numbers."""
    try:
        return y.astype(np.float64)
    except (TypeError, ValueError):
        pass
    not_number = np.zeros(len(y), dtype=bool)
    for index, value in enumerate(y):
        try:
            float(value)
        except (TypeError, ValueError):
            not_number[index] = True
    if not_number.all():
        raise ValueError(_labels_message(name, y, regressor))
    examples = list(dict.fromkeys(y[not_number].tolist()))[:3]
    raise ValueError(
        f"{name} holds {int(not_number.sum())} value(s) that are not numbers "
        f"({', '.join(repr(value) for value in examples)}), for the genes at "
        f"positions {_positions(not_number)}: {regressor} needs a measured "
        "number for every gene; leave out the genes without one."
    )


def check_continuous_target(estimator, y, *, name="y"):
    """Check that ``y`` is a regression target and return it as float64.

    The rule of every regressor: one real number per gene, finite, not
    constant, with a mean and standard deviation that float64 holds, so that
    the target can be standardised (as the neural regressors learn it).
    Refuses labels (strings or booleans), values that are not numbers (None,
    empty strings), complex numbers, NaN, infinity, fewer than two genes, a
    constant ``y`` and a spread that overflows or underflows. ``name`` names
    ``y`` in the messages.
    """
    y = np.asarray(y)
    regressor = type(estimator).__name__
    if y.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D, one number per gene; got shape {y.shape}."
        )
    if y.dtype.kind == "b":
        raise ValueError(_labels_message(name, y, regressor))
    if y.dtype.kind == "c":
        raise ValueError(
            f"{name} holds complex numbers; {regressor} needs a real number per gene."
        )
    if y.dtype.kind in "OUS":
        y = _as_numbers(name, y, regressor)
    y = check_finite(name, y)
    if len(y) < 2:
        raise ValueError(
            f"{name} has {len(y)} gene(s) (n_samples={len(y)}); {regressor} "
            "needs at least 2 to fit."
        )
    if y.min() == y.max():
        raise ValueError(
            f"{name} is constant (every gene has {y[0]:g}): there is nothing for "
            f"{regressor} to learn."
        )
    with np.errstate(all="ignore"):
        mean, spread = y.mean(), y.std()
        standardised = (y - mean) / spread
    if not (
        np.isfinite(mean)
        and np.isfinite(spread)
        and spread > 0
        and np.isfinite(standardised).all()
    ):
        if not np.isfinite(mean):
            problem = "its mean overflows"
        elif not np.isfinite(spread):
            problem = "its standard deviation overflows"
        else:
            problem = "its standard deviation underflows to 0"
        raise ValueError(
            f"{name} cannot be standardised in float64: {problem} (values from "
            f"{y.min():g} to {y.max():g}). Rescale {name}, for example to "
            "log1p(RPKM) (skattchrome.preprocessing.log_expression)."
        )
    return y


def window_statistic(X, n_windows, statistic):
    """``statistic`` of each of ``n_windows`` consecutive windows of bins, per mark.

    ``X`` is validated 3-D signal; the windows are ``numpy.array_split`` of its
    bins and ``statistic`` is called as ``statistic(values, axis=1)``, such as
    :func:`numpy.sum`. Returns ``(n_genes, n_windows * n_marks)`` features,
    window-major: the marks of the first window, then of the second...
    """
    windows = np.array_split(np.arange(X.shape[1]), n_windows)
    return np.stack(
        [statistic(X[:, window], axis=1) for window in windows], axis=1
    ).reshape(len(X), -1)
