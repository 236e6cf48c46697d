"""Tests of label_expression and log_expression."""

import numpy as np
import pandas as pd
import pytest

from skattchrome.preprocessing import label_expression, log_expression


def test_median_threshold_on_series():
    rpkm = pd.Series([5.0, 0.0, 1.0, 9.0, 1.0], index=list("abcde"), name="E003")
    labels = label_expression(rpkm)
    assert isinstance(labels, pd.Series)
    assert labels.dtype == np.int64
    assert labels.name == "E003"
    assert labels.index.tolist() == list("abcde")
    # The median is 1.0; a gene exactly at the median is low.
    assert labels.tolist() == [1, 0, 0, 1, 0]


def test_mean_and_fixed_thresholds_on_arrays():
    rpkm = np.array([0.0, 1.0, 2.0, 9.0])
    mean_labels = label_expression(rpkm, threshold="mean")
    assert isinstance(mean_labels, np.ndarray)
    np.testing.assert_array_equal(mean_labels, [0, 0, 0, 1])
    np.testing.assert_array_equal(label_expression(rpkm, threshold=0.5), [0, 1, 1, 1])
    np.testing.assert_array_equal(label_expression([3, 1, 2]), [1, 0, 0])


def test_reference_labels(test_data):
    genes = pd.read_csv(test_data / "chromoformer_e003" / "genes.csv")
    rpkm = genes.set_index("gene_id")["rpkm"]
    # The reference labels use the median of all E003 genes, which lies
    # between the highest low and the lowest high RPKM of these 100 genes.
    threshold = genes.loc[genes["label"] == 0, "rpkm"].max()
    labels = label_expression(rpkm, threshold=threshold)
    np.testing.assert_array_equal(labels.to_numpy(), genes["label"].to_numpy())
    # The median of these 100 genes splits them in two halves.
    assert label_expression(rpkm).sum() == 50


def test_missing_values_name_the_genes():
    rpkm = pd.Series([1.0, np.nan, 3.0, np.nan], index=["g1", "g2", "g3", "g4"])
    with pytest.raises(ValueError, match=r"2 genes: \['g2', 'g4'\]"):
        label_expression(rpkm)
    with pytest.raises(ValueError, match=r"1 positions: \[0\]"):
        label_expression(np.array([np.nan, 1.0]))


@pytest.mark.parametrize("threshold", ["mode", np.nan, None, True, False])
def test_invalid_threshold(threshold):
    with pytest.raises(ValueError, match="threshold must be 'median', 'mean'"):
        label_expression([1.0, 2.0], threshold=threshold)


def test_not_one_dimensional():
    with pytest.raises(ValueError, match="one-dimensional"):
        label_expression(np.ones((2, 2)))


@pytest.mark.parametrize(
    "value, problem", [(np.inf, "infinite values"), (-0.5, "negative values")]
)
def test_infinite_and_negative_expression_name_the_genes(value, problem):
    rpkm = pd.Series([1.0, value, 3.0], index=["g1", "g2", "g3"])
    with pytest.raises(ValueError, match=rf"{problem}.* 1 genes: \['g2'\]"):
        label_expression(rpkm)


def test_empty_expression():
    with pytest.raises(ValueError, match="expression is empty"):
        label_expression(pd.Series([], dtype=float))


def test_log_expression_is_log1p_by_default():
    rpkm = pd.Series([0.0, 1e-20, 1.0, 250.0], index=list("abcd"), name="E003")
    target = log_expression(rpkm)
    assert isinstance(target, pd.Series)
    assert target.dtype == np.float64
    assert target.name == "E003"
    assert target.index.tolist() == list("abcd")
    np.testing.assert_array_equal(target.to_numpy(), np.log1p(rpkm.to_numpy()))
    assert target["b"] == 1e-20  # log1p, not log(x + 1), for tiny levels


def test_log_expression_with_a_pseudocount_on_arrays():
    target = log_expression([0, 0.9, 9.9], pseudocount=0.1)
    assert isinstance(target, np.ndarray)
    np.testing.assert_allclose(target, np.log([0.1, 1.0, 10.0]), rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        log_expression(np.array([3.0]), 2) / np.log(2), np.log2([5.0])
    )


def test_log_expression_of_reference_genes(test_data):
    genes = pd.read_csv(test_data / "deepdiff" / "genes.csv", dtype={"gene_id": str})
    rpkm = genes.set_index("gene_id")["E003_rpkm"]
    target = log_expression(rpkm)
    # Order is kept: the genes above the median RPKM are above the median target.
    np.testing.assert_array_equal(
        label_expression(target).to_numpy(), label_expression(rpkm).to_numpy()
    )
    assert target.min() >= 0 and np.isfinite(target).all()


def test_log_expression_rejects_what_label_expression_rejects():
    rpkm = pd.Series([1.0, np.nan, -2.0, np.inf], index=["g1", "g2", "g3", "g4"])
    for values, message in (
        (rpkm, r"missing values for 1 genes: \['g2'\]"),
        (rpkm.fillna(0.0), r"infinite values for 1 genes: \['g4'\]"),
        (rpkm.fillna(0.0).replace(np.inf, 1.0), r"negative values.* genes: \['g3'\]"),
        (np.array([0.0, -1.0]), r"negative values.* 1 positions: \[1\]"),
    ):
        with pytest.raises(ValueError, match=message):
            log_expression(values)
        with pytest.raises(ValueError, match=message):
            label_expression(values)
    with pytest.raises(ValueError, match="expression is empty: there are no genes"):
        log_expression([])
    with pytest.raises(ValueError, match="one-dimensional"):
        log_expression(np.ones((3, 1)))


@pytest.mark.parametrize("pseudocount", [0, -1.0, np.inf, np.nan, True, "1", None])
def test_log_expression_invalid_pseudocount(pseudocount):
    with pytest.raises(ValueError, match="pseudocount must be a finite number > 0"):
        log_expression([0.0, 1.0], pseudocount=pseudocount)


@pytest.mark.parametrize("transform", [label_expression, log_expression])
@pytest.mark.parametrize(
    ("expression", "error", "message"),
    [
        (np.array([1 + 1j]), TypeError, "must hold real numbers; got dtype complex"),
        (
            np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
            TypeError,
            "must hold real numbers; got dtype datetime64",
        ),
        (["1.5", "high"], ValueError, "must hold numbers, one level per gene"),
    ],
    ids=["complex", "dates", "words"],
)
def test_expression_that_is_not_real_numbers_is_named(
    transform, expression, error, message
):
    # Complex values lost their imaginary part with a ComplexWarning, dates
    # became days, and words gave NumPy's message naming nothing.
    with pytest.raises(error, match=f"^expression {message}"):
        transform(expression)
