"""class_average, top_bins, top_marks: the attention maps summarised."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skattchrome import AttentionMaps
from skattchrome.datasets import REFERENCE_MARKS, bin_offsets
from skattchrome.interpret import average_attention, class_average, top_bins, top_marks


def test_attention_maps_are_normalised(fitted_model, simulated):
    X = simulated[0]
    bin_attention, mark_attention = fitted_model.attention(X)
    assert bin_attention.shape == X.shape
    assert mark_attention.shape == (len(X), X.shape[2])
    np.testing.assert_allclose(bin_attention.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(mark_attention.sum(axis=1), 1, rtol=1e-5)


def test_class_average_of_attention_is_the_fitted_average(fitted_model, simulated):
    X, y, _ = simulated
    averages = class_average(fitted_model.attention(X), y)
    assert list(averages) == [0, 1]
    for label, maps in averages.items():
        assert isinstance(maps, AttentionMaps)
        assert maps.bin_attention.shape == X.shape[1:]
        assert maps.mark_attention.shape == X.shape[2:]
        np.testing.assert_allclose(maps.bin_attention.sum(axis=0), 1, rtol=1e-5)
        np.testing.assert_allclose(maps.mark_attention.sum(), 1, rtol=1e-5)
        for mine, fitted in zip(maps, fitted_model.attention_[label], strict=True):
            np.testing.assert_allclose(mine, fitted, rtol=1e-5)


@pytest.mark.parametrize("shape", [(12, 4, 3), (12, 3)])
def test_class_average_of_arrays(seed, shape):
    rng = np.random.default_rng(seed)
    maps = rng.random(shape)
    y = np.array(["high", "low", "low"] * 4)
    averages = class_average(maps, y)
    assert list(averages) == ["high", "low"]
    np.testing.assert_allclose(averages["high"], maps[y == "high"].mean(axis=0))
    np.testing.assert_allclose(averages["low"], maps[y == "low"].mean(axis=0))
    assert averages["low"].shape == shape[1:]


def test_class_average_keeps_a_missing_level(seed):
    rng = np.random.default_rng(seed)
    maps = AttentionMaps(rng.random((4, 3, 2)), None)
    averages = class_average(maps, [0, 1, 0, 1])
    assert averages[1].mark_attention is None
    np.testing.assert_allclose(
        averages[1].bin_attention, maps.bin_attention[[1, 3]].mean(axis=0)
    )


def test_class_average_needs_one_label_per_gene():
    with pytest.raises(ValueError, match="one label per gene"):
        class_average(np.zeros((4, 3)), [0, 1])


def test_top_bins_over_all_marks(seed):
    rng = np.random.default_rng(seed)
    maps = rng.random((3, 6, 5))
    table = top_bins(maps, gene_ids=["a", "b", "c"], n_top=4)
    assert list(table.columns) == [
        "gene_id",
        "rank",
        "mark",
        "bin",
        "bin_offset",
        "score",
    ]
    assert len(table) == 12
    for gene_index, (gene_id, rows) in enumerate(table.groupby("gene_id", sort=False)):
        assert gene_id == "abc"[gene_index]
        expected = np.sort(maps[gene_index].ravel())[::-1][:4]
        np.testing.assert_array_equal(rows["score"], expected)
        assert rows["rank"].tolist() == [1, 2, 3, 4]
        marks = [REFERENCE_MARKS.index(mark) for mark in rows["mark"]]
        np.testing.assert_array_equal(maps[gene_index, rows["bin"], marks], expected)
    np.testing.assert_array_equal(table["bin_offset"], bin_offsets(6)[table["bin"]])


def test_top_bins_by_mark(seed):
    rng = np.random.default_rng(seed)
    maps = rng.random((2, 6, 3))
    table = top_bins(
        AttentionMaps(maps, None),
        mark_names=["x", "y", "z"],
        bin_offsets=np.arange(6) * 200,
        n_top=2,
        by_mark=True,
    )
    assert len(table) == 2 * 3 * 2
    for (gene, mark), rows in table.groupby(["gene_id", "mark"]):
        column = maps[gene, :, "xyz".index(mark)]
        np.testing.assert_array_equal(rows["score"], np.sort(column)[::-1][:2])
        np.testing.assert_array_equal(rows["bin"], np.argsort(-column)[:2])
    np.testing.assert_array_equal(table["bin_offset"], table["bin"] * 200)


def test_top_bins_keeps_at_most_all_bins():
    assert len(top_bins(np.zeros((2, 3, 1)), n_top=10)) == 6


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_top": 0}, "n_top"),
        ({"mark_names": ["only one"]}, "mark_names"),
        ({"gene_ids": [1]}, "gene_ids"),
        ({"bin_offsets": [0, 100]}, "bin_offsets"),
    ],
)
def test_top_bins_invalid_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        top_bins(np.zeros((2, 3, 2)), **params)


def test_top_bins_needs_bin_maps():
    with pytest.raises(ValueError, match="3-D"):
        top_bins(np.zeros((2, 3)))


def test_top_marks(fitted_model, simulated):
    mark_attention = fitted_model.attention(simulated[0][:4]).mark_attention
    table = top_marks(mark_attention, gene_ids=list("abcd"), n_top=3)
    assert list(table.columns) == ["gene_id", "rank", "mark", "score"]
    assert table["gene_id"].tolist() == [gene for gene in "abcd" for _ in range(3)]
    for gene_index, gene_id in enumerate("abcd"):
        rows = table[table["gene_id"] == gene_id]
        order = np.argsort(-mark_attention[gene_index], kind="stable")[:3]
        assert rows["mark"].tolist() == [REFERENCE_MARKS[mark] for mark in order]
        np.testing.assert_array_equal(rows["score"], mark_attention[gene_index, order])


def test_top_marks_keeps_every_mark_by_default():
    table = top_marks(AttentionMaps(None, np.array([[0.2, 0.8]])))
    pd.testing.assert_frame_equal(
        table,
        pd.DataFrame(
            {"gene_id": [0, 0], "rank": [1, 2], "mark": ["mark1", "mark0"]}
        ).assign(score=[0.8, 0.2]),
        check_dtype=False,
    )


def test_top_marks_without_mark_attention():
    with pytest.raises(ValueError, match="no mark-level map"):
        top_marks(AttentionMaps(np.zeros((1, 2, 2)), None))


def test_average_attention_is_the_mean_of_the_models_maps(fitted_model, simulated):
    X = simulated[0][:6]
    other = clone(fitted_model).set_params(random_state=1, max_epochs=1)
    other.fit(*simulated[:2])
    averaged = average_attention([fitted_model, other], X)
    first, second = fitted_model.attention(X), other.attention(X)
    assert not np.allclose(first.bin_attention, second.bin_attention)
    np.testing.assert_allclose(
        averaged.bin_attention, (first.bin_attention + second.bin_attention) / 2
    )
    np.testing.assert_allclose(
        averaged.mark_attention, (first.mark_attention + second.mark_attention) / 2
    )


def test_average_attention_refuses_no_models_and_mixed_levels(fitted_model, simulated):
    X, y, _ = simulated
    with pytest.raises(ValueError, match="at least one fitted model"):
        average_attention([], X)
    bin_only = clone(fitted_model).set_params(use_mark_attention=False, max_epochs=1)
    with pytest.raises(ValueError, match="differ in their mark_attention"):
        average_attention([fitted_model, bin_only.fit(X, y)], X)


def _with(value, shape, where):
    """Uniform maps of ``shape`` with ``value`` at position ``where``."""
    maps = np.full(shape, 0.25)
    maps[where] = value
    return maps


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    ("summarise", "name"),
    [
        (lambda maps: top_bins(maps), "maps"),
        (lambda maps: top_bins(maps, by_mark=True), "maps"),
        (lambda maps: top_marks(maps[:, 2]), "mark_maps"),
        (lambda maps: class_average(maps, [0, 1, 0]), "maps"),
        (lambda maps: class_average(AttentionMaps(maps, None), [0, 1, 0]), "maps"),
        (lambda maps: top_bins(np.ones((3, 4, 2)), bin_offsets=maps[0, :, 0]), ""),
    ],
    ids=[
        "top_bins",
        "by_mark",
        "top_marks",
        "class_average",
        "AttentionMaps",
        "offsets",
    ],
)
def test_maps_that_are_not_finite_are_refused_by_name(summarise, name, value):
    maps = _with(value, (3, 4, 2), (1, 2, 0))
    if not name:  # the bin offsets of the maps
        name, maps = "bin_offsets", _with(value, (3, 4, 2), (0, 2, 0))
    with pytest.raises(ValueError, match=f"^{name} must hold finite numbers; it"):
        summarise(maps)


def test_maps_of_strings_are_refused_by_name():
    with pytest.raises(TypeError, match=r"^maps must hold real numbers"):
        top_bins(np.full((1, 2, 2), "high"))


def test_average_attention_names_a_model_without_attention(simulated):
    from skattchrome import ChromeLogisticClassifier

    X, y, _ = simulated
    model = ChromeLogisticClassifier().fit(np.expm1(X), y)
    with pytest.raises(TypeError, match=r"estimators\[0\] is a ChromeLogistic.*no att"):
        average_attention([model], X)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([0, None, 1], r"y has no label .* at positions \[1\]"),
        ([0.0, np.nan, 1.0], r"y has no label .* at positions \[1\]"),
        (np.array([0, "a", 1], dtype=object), r"y mixes labels .* \(int, str\)"),
    ],
)
def test_class_average_refuses_missing_or_mixed_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        class_average(np.ones((3, 2)), labels)


def test_empty_maps_are_refused_by_name():
    with pytest.raises(ValueError, match=r"^mark_maps is empty \(shape \(0, 0\)\)"):
        top_marks(np.zeros((0, 0)))


def test_average_attention_names_estimators_that_are_not_a_sequence(fitted_model):
    # One model instead of a list was "object is not iterable", and an empty
    # list named no argument.
    X = np.ones((2, 8, 5))
    with pytest.raises(TypeError, match=r"^estimators must be a sequence of fitted"):
        average_attention(fitted_model, X)
    with pytest.raises(ValueError, match=r"^estimators is empty"):
        average_attention([], X)


def test_class_average_refuses_empty_maps_and_labels_of_mixed_types():
    # Empty maps gave {}, and [1, "a"] became the strings "1" and "a".
    maps = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match=r"^maps is empty \(shape \(0, 2\)\)"):
        class_average(maps[:0], [])
    with pytest.raises(ValueError, match=r"^y mixes labels of different types"):
        class_average(maps, [1, "a", 1, "a"])
    assert list(class_average(maps, [1, 2, 1, 2])) == [1, 2]


def test_top_bins_by_mark_must_be_a_bool():
    # "no" is true to Python: the bins were ranked within each mark.
    with pytest.raises(ValueError, match=r"^by_mark must be True or False"):
        top_bins(np.ones((1, 3, 2)), by_mark="no")
