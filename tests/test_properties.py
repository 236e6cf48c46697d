"""Property-based tests: odd input through every estimator, reader and map.

Hypothesis generates arrays of odd shapes, dtypes and values (NaN, infinity,
huge, tiny, negative, empty, objects, strings). Each call must either succeed
with finite output or raise a ValueError or TypeError whose message names the
argument at fault: never another exception, never NaN out. The default
profile (see the top-level conftest.py) tries a few examples per test; run
``HYPOTHESIS_PROFILE=slow python -m pytest tests/test_properties.py`` for
many more.
"""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as npst
from sklearn.base import clone

from skattchrome import (
    AttentionMaps,
    AttentiveChromeClassifier,
    AttentiveChromeRegressor,
    ChromeForestClassifier,
    ChromeForestRegressor,
    ChromeLogisticClassifier,
    ChromeRidgeRegressor,
    DeepChromeClassifier,
    DeepChromeRegressor,
)
from skattchrome.datasets import load_remc
from skattchrome.interpret import (
    class_average,
    correlate_with_reference,
    plot_attention,
    score_maps,
    top_bins,
    top_marks,
)
from skattchrome.model_selection import ChromosomeKFold
from skattchrome.preprocessing import read_tss

TINY_NETWORK = dict(max_epochs=1, batch_size=4, device="cpu", random_state=0)
CLASSIFIERS = [
    ChromeLogisticClassifier(),
    ChromeLogisticClassifier(log_transform=False, n_windows=2),
    ChromeForestClassifier(n_estimators=3, random_state=0),
]
REGRESSORS = [
    ChromeRidgeRegressor(),
    ChromeRidgeRegressor(log_transform=False),
    ChromeForestRegressor(n_estimators=3, bin_aggregation="mean", random_state=0),
]
NEURAL_CLASSIFIERS = [
    AttentiveChromeClassifier(bin_hidden_size=2, mark_hidden_size=2, **TINY_NETWORK),
    DeepChromeClassifier(hidden_sizes=(4,), n_filters=2, kernel_size=1, **TINY_NETWORK),
]
NEURAL_REGRESSORS = [
    AttentiveChromeRegressor(bin_hidden_size=2, mark_hidden_size=2, **TINY_NETWORK),
    DeepChromeRegressor(hidden_sizes=(4,), n_filters=2, kernel_size=1, **TINY_NETWORK),
]

ODD_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e-320, 3e38, 3.5e38, 1e40, 1e200, -1e308]),
    st.integers(-(2**70), 2**70),
)
"""Single numbers of any size, NaN and infinity included."""

ODD_ELEMENTS = st.one_of(
    ODD_NUMBERS, st.none(), st.booleans(), st.text(max_size=3), st.just("nan")
)
"""Elements of object arrays: numbers, None, booleans and (numeric) strings."""

SMALL_SIGNAL = st.floats(0, 50, allow_nan=False)
"""Ordinary binned signal: counts, small and non-negative."""


def _arrays(shape, *, odd_dtypes=True):
    """Arrays of ``shape`` (a strategy), of ordinary or odd dtypes and values."""
    ordinary = npst.arrays(np.float64, shape, elements=SMALL_SIGNAL)
    if not odd_dtypes:
        return ordinary
    return st.one_of(
        ordinary,
        npst.arrays(np.float64, shape, elements=ODD_NUMBERS),
        npst.arrays(np.float32, shape, elements=st.floats(width=32)),
        npst.arrays(np.int64, shape),
        npst.arrays(np.bool_, shape),
        npst.arrays(object, shape, elements=ODD_ELEMENTS),
        npst.arrays(np.str_, shape, elements=st.sampled_from(["1", "2.5", "", "a"])),
    )


SIGNAL_SHAPES = st.one_of(
    npst.array_shapes(min_dims=3, max_dims=3, min_side=0, max_side=5),
    npst.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6),
)
"""3-D signal as it should come, and other shapes, empty ones included."""


@st.composite
def signal_and_target(draw, *, numeric_target, odd=True):
    """``(X, y)`` for a fit: odd signal, and labels or numbers, odd or not."""
    n_genes = draw(st.integers(0, 10))
    if odd and draw(st.booleans()):
        X = draw(_arrays(SIGNAL_SHAPES))
    else:
        shape = (n_genes, draw(st.integers(1, 4)), draw(st.integers(1, 3)))
        X = draw(_arrays(st.just(shape), odd_dtypes=odd))
    n_labels = len(X) if X.ndim and draw(st.booleans()) else draw(st.integers(0, 10))
    if numeric_target:
        ordinary = npst.arrays(np.float64, n_labels, elements=st.floats(-5, 5))
    else:
        ordinary = npst.arrays(np.int64, n_labels, elements=st.integers(0, 1))
    y = draw(st.one_of(ordinary, _arrays(st.just(n_labels))) if odd else ordinary)
    return X, y


def _is_named(error, *names):
    """Whether the message of ``error`` names one of ``names`` as a word."""
    message = str(error)
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message) for name in names)


def _fails_clearly(call, *names):
    """Run ``call``: its result, or None for a ValueError or TypeError naming one
    of ``names``; any other exception, or a message naming none, fails the test.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except (ValueError, TypeError) as error:
        assert _is_named(error, *names), f"{type(error).__name__}: {error}"
        return None


def _check_estimator(estimator, X, y):
    """Fit and predict: finite predictions, or a clear error naming X or y."""
    model = _fails_clearly(lambda: clone(estimator).fit(X, y), "X", "y")
    if model is None:
        return
    outputs = [model.predict(X)]
    if hasattr(model, "predict_proba"):
        outputs.append(model.predict_proba(X))
    else:
        assert np.isfinite(outputs[0]).all(), outputs[0]
    for output in outputs[1:]:
        assert np.isfinite(output).all(), output


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=repr)
@given(data=signal_and_target(numeric_target=False))
def test_classifiers_fit_odd_input_or_name_it(estimator, data):
    _check_estimator(estimator, *data)


@pytest.mark.parametrize("estimator", REGRESSORS, ids=repr)
@given(data=signal_and_target(numeric_target=True))
def test_regressors_fit_odd_input_or_name_it(estimator, data):
    _check_estimator(estimator, *data)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", NEURAL_CLASSIFIERS, ids=repr)
@given(data=signal_and_target(numeric_target=False))
def test_neural_classifiers_fit_odd_input_or_name_it(estimator, data):
    _check_estimator(estimator, *data)


@pytest.mark.slow
@pytest.mark.parametrize("estimator", NEURAL_REGRESSORS, ids=repr)
@given(data=signal_and_target(numeric_target=True))
def test_neural_regressors_fit_odd_input_or_name_it(estimator, data):
    _check_estimator(estimator, *data)


@pytest.mark.parametrize("estimator", [*CLASSIFIERS[:1], *REGRESSORS[:1]], ids=repr)
@given(X=_arrays(SIGNAL_SHAPES))
def test_predictions_of_odd_signal_are_finite_or_refused(estimator, X):
    y = [0, 1, 0, 1] if hasattr(estimator, "predict_proba") else [0.0, 1.0, 2.0, 3.0]
    model = clone(estimator).fit(np.arange(24.0).reshape(4, 3, 2), y)
    predictions = _fails_clearly(lambda: model.predict(X), "X")
    if predictions is not None and not hasattr(model, "predict_proba"):
        assert np.isfinite(predictions).all()


MAP_SHAPES = npst.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4)


@given(maps=_arrays(MAP_SHAPES), n_top=st.sampled_from([1, 3, None]))
def test_top_bins_and_top_marks_rank_finite_maps_or_name_them(maps, n_top):
    table = _fails_clearly(lambda: top_bins(maps, n_top=n_top), "maps")
    if table is not None:
        assert np.isfinite(table["score"].to_numpy(dtype=float)).all()
    table = _fails_clearly(lambda: top_marks(maps, n_top=n_top), "mark_maps")
    if table is not None:
        assert np.isfinite(table["score"].to_numpy(dtype=float)).all()


@given(maps=_arrays(MAP_SHAPES), labels=_arrays(st.integers(0, 4)))
def test_class_average_is_finite_or_names_its_input(maps, labels):
    averages = _fails_clearly(lambda: class_average(maps, labels), "maps", "y")
    for average in (averages or {}).values():
        assert np.isfinite(average).all()
    levels = AttentionMaps(maps, None)
    _fails_clearly(lambda: class_average(levels, labels), "maps", "y")


@given(
    maps=_arrays(st.just((4, 3, 5))),
    reference=_arrays(st.sampled_from([(4, 3), (4,), (3, 4)])),
)
def test_correlate_with_reference_is_finite_or_names_its_input(maps, reference):
    table = _fails_clearly(
        lambda: correlate_with_reference(maps, reference, [0, 1, 0, 1]),
        "maps",
        "reference",
    )
    if table is not None:
        r = table["pearson_r"].iloc[0]
        assert np.isnan(r) or -1 - 1e-9 <= r <= 1 + 1e-9


@given(maps=_arrays(st.just((3, 4, 2))), truth=_arrays(st.just((3, 4, 2))))
def test_score_maps_is_finite_or_names_its_input(maps, truth):
    scores = _fails_clearly(lambda: score_maps(maps, truth), "maps", "ground_truth")
    if scores is not None:
        assert np.isfinite(scores[["auprc", "auroc"]].to_numpy(dtype=float)).all()


@pytest.mark.slow
@given(
    bin_attention=_arrays(st.sampled_from([(4, 2), (4,), (0, 2)])),
    mark_attention=_arrays(st.sampled_from([(2,), (3,)])),
)
def test_plot_attention_draws_finite_maps_or_names_them(bin_attention, mark_attention):
    import matplotlib.pyplot as plt

    _fails_clearly(
        lambda: plot_attention(bin_attention, mark_attention),
        "bin_attention",
        "mark_attention",
        "bin_offsets",
    )
    plt.close("all")


CSV_FIELDS = st.one_of(
    st.integers(-3, 3).map(str),
    st.sampled_from(["1e40", "3e38", "nan", "inf", "-inf", "", "x", "1.5", "2"]),
)


@st.composite
def remc_rows(draw):
    """Rows of the published CSV layout, mostly well-formed, some odd."""
    n_genes, n_bins = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rows = []
    for gene in range(n_genes):
        label = draw(st.sampled_from(["0", "1"]))
        for bin_id in range(1, n_bins + 1):
            counts = [str(draw(st.integers(0, 9))) for _ in range(5)]
            rows.append([f"g{gene}", str(bin_id), *counts, label])
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, 7))
        rows[row][column] = draw(CSV_FIELDS)
    if draw(st.booleans()):
        row = draw(st.integers(0, len(rows) - 1))
        rows[row] = rows[row][: draw(st.integers(0, 9))]
    return "".join(",".join(row) + "\n" for row in rows)


@given(text=remc_rows())
def test_load_remc_gives_finite_counts_or_names_the_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("remc") / "cell.csv"
    path.write_text(text)
    data = _fails_clearly(lambda: load_remc(path), str(path))
    if data is not None:
        assert data.data.dtype == np.float32 and np.isfinite(data.data).all()
        assert (data.data >= 0).all() and set(data.target) <= {0, 1}


COORDINATES = st.one_of(
    st.integers(0, 10**6).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "start", "1.5", "1e3", " 7", "nan"]),
)


@st.composite
def bed_lines(draw):
    """BED6 lines, some with odd coordinates, strands or column counts."""
    lines = []
    for index in range(draw(st.integers(0, 4))):
        start = draw(COORDINATES)
        end = draw(st.one_of(COORDINATES, st.just(str(10**6 + 1))))
        strand = draw(st.sampled_from(["+", "-", "+", ".", ""]))
        fields = [draw(st.sampled_from(["chr1", "Chr1", "1"])), start, end]
        fields += [f"g{draw(st.integers(0, index))}", "0", strand]
        lines.append("\t".join(fields[: draw(st.sampled_from([6, 6, 6, 4, 7]))]))
    header = draw(st.sampled_from(["", "# genes\n", "track name=x\n"]))
    return header + "\n".join(lines) + ("\n" if lines else "")


@given(text=bed_lines())
def test_read_tss_gives_valid_sites_or_names_the_file(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("tss") / "genes.bed"
    path.write_text(text)
    genes = _fails_clearly(lambda: read_tss(path), str(path))
    if genes is not None:
        assert genes["tss"].dtype == np.int64 and (genes["tss"] >= 0).all()
        assert genes["gene_id"].is_unique


@given(
    tss=st.lists(
        st.one_of(st.integers(-5, 2**70), st.floats(), st.none(), st.text(max_size=2)),
        min_size=1,
        max_size=4,
    )
)
def test_read_tss_of_a_table_gives_valid_sites_or_names_it(tss):
    table = pd.DataFrame(
        {
            "gene_id": [f"g{index}" for index in range(len(tss))],
            "chrom": "chr1",
            "tss": pd.Series(tss, dtype=object),
            "strand": "+",
        }
    )
    genes = _fails_clearly(lambda: read_tss(table), "tss")
    if genes is not None:
        assert genes["tss"].dtype == np.int64 and (genes["tss"] >= 0).all()


@given(
    groups=st.lists(
        st.one_of(
            st.sampled_from(["chr1", "chr1 ", " chr1", "Chr1", "1", "chr2", "2"]),
            st.text(max_size=3),
            st.none(),
            st.integers(0, 3),
        ),
        min_size=0,
        max_size=8,
    ),
)
def test_chromosome_folds_hold_out_each_chromosome_once_or_name_groups(groups):
    X = np.zeros((len(groups), 1))
    folds = _fails_clearly(
        lambda: list(ChromosomeKFold(2).split(X, groups=groups)),
        "groups",
        "ChromosomeKFold",
    )
    if folds is None:
        return
    names = np.array([str(name).strip() for name in groups])
    tested = [set(names[test]) for _, test in folds]
    assert not tested[0] & tested[1]
    assert set().union(*tested) == set(names)
