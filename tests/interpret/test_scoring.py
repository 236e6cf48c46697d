"""score_maps and correlate_with_reference: the yardsticks of the maps."""

import numpy as np
import pytest

from skattchrome import AttentionMaps
from skattchrome.datasets import make_chromatin_data
from skattchrome.interpret import correlate_with_reference, saliency, score_maps

SCORED_MARKS = ["H3K27me3", "H3K36me3", "H3K4me3"]
SCORE_COLUMNS = ["mark", "n_genes", "auprc", "base_rate", "auroc"]
REFERENCE_COLUMNS = ["mark", "positive_class", "n_genes", "pearson_r"]


@pytest.fixture(scope="module")
def planted():
    _, _, truth = make_chromatin_data(
        n_genes=120, random_state=0, return_ground_truth=True
    )
    return truth


def test_perfect_map_scores_one(planted):
    scores = score_maps(planted.astype(np.float32), planted)
    assert list(scores.columns) == SCORE_COLUMNS
    assert scores["mark"].tolist() == SCORED_MARKS
    np.testing.assert_allclose(scores["auprc"], 1.0)
    np.testing.assert_allclose(scores["auroc"], 1.0)


def test_base_rate_and_genes_scored(planted):
    scores = score_maps(planted.astype(float), planted).set_index("mark")
    for mark, name in ((0, "H3K27me3"), (3, "H3K4me3")):
        per_gene = planted[:, :, mark]
        scored = per_gene.any(axis=1) & ~per_gene.all(axis=1)
        assert scores.loc[name, "n_genes"] == scored.sum()
        assert scores.loc[name, "base_rate"] == pytest.approx(per_gene[scored].mean())


def test_random_map_scores_about_the_base_rate(planted, seed):
    rng = np.random.default_rng(seed)
    scores = score_maps(rng.random(planted.shape), planted)
    np.testing.assert_allclose(scores["auprc"], scores["base_rate"], atol=0.05)
    np.testing.assert_allclose(scores["auroc"], 0.5, atol=0.03)
    assert (scores["base_rate"] < 0.6).all()


def test_reversed_map_scores_below_the_base_rate(planted, seed):
    noise = np.random.default_rng(seed).uniform(0, 0.5, planted.shape)
    scores = score_maps(noise - planted, planted)
    assert (scores["auprc"] < scores["base_rate"]).all()
    np.testing.assert_allclose(scores["auroc"], 0.0)


def test_attention_maps_and_flat_truth(fitted_model, simulated):
    X, _, truth = simulated
    maps = fitted_model.attention(X)
    scores = score_maps(maps, truth.reshape(len(truth), -1))
    assert scores.equals(score_maps(maps.bin_attention, truth))


def test_marks_without_planted_bins_are_left_out():
    truth = np.zeros((3, 4, 2), dtype=bool)
    truth[0, 1, 1] = True
    scores = score_maps(np.ones(truth.shape), truth, mark_names=["a", "b"])
    assert scores["mark"].tolist() == ["b"]
    assert scores["n_genes"].tolist() == [1]
    assert scores["auprc"].tolist() == [0.25] == scores["base_rate"].tolist()


@pytest.mark.parametrize(
    "truth, message",
    [
        (np.zeros((3, 4, 2), dtype=bool), "does not match"),
        (np.zeros((2, 4, 2), dtype=int), "boolean"),
    ],
)
def test_score_maps_invalid_truth(truth, message):
    with pytest.raises(ValueError, match=message):
        score_maps(np.zeros((2, 4, 2)), truth)


def test_score_maps_rejects_non_finite_maps():
    maps = np.full((2, 4, 2), np.nan)
    with pytest.raises(ValueError, match="finite"):
        score_maps(maps, np.ones(maps.shape, dtype=bool))


def test_correlation_of_a_map_with_a_linear_reference(seed):
    rng = np.random.default_rng(seed)
    maps = rng.random((20, 10, 5))
    y = np.arange(20) % 2
    table = correlate_with_reference(maps, 3 * maps[:, :, 3] - 1, y)
    assert list(table.columns) == REFERENCE_COLUMNS
    assert table.loc[0, "mark"] == "H3K4me3"
    assert table.loc[0, "positive_class"] == 1
    assert table.loc[0, "n_genes"] == 10
    assert table.loc[0, "pearson_r"] == pytest.approx(1.0)
    negative = correlate_with_reference(maps, -maps[:, :, 0], y, mark=0)
    assert negative.loc[0, "mark"] == "H3K27me3"
    assert negative.loc[0, "pearson_r"] == pytest.approx(-1.0)


def test_correlation_averages_the_chosen_class(seed):
    rng = np.random.default_rng(seed)
    maps = rng.random((6, 10, 2))
    y = np.array(["on", "off"] * 3)
    reference = rng.random((6, 10))
    table = correlate_with_reference(
        maps, reference, y, mark="b", mark_names=["a", "b"], positive_class="off"
    )
    expected = np.corrcoef(
        maps[y == "off", :, 1].mean(axis=0), reference[y == "off"].mean(axis=0)
    )[0, 1]
    assert table.loc[0, "positive_class"] == "off"
    assert table.loc[0, "pearson_r"] == pytest.approx(expected)
    default = correlate_with_reference(maps, reference, y, mark="b", mark_names="ab")
    assert default.loc[0, "positive_class"] == "on"


def test_correlation_of_a_constant_map_is_nan():
    table = correlate_with_reference(
        np.ones((4, 6, 5)), np.arange(24.0).reshape(4, 6), [0, 1, 0, 1]
    )
    assert np.isnan(table.loc[0, "pearson_r"])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"mark": "H3K27ac"}, "not one of the marks"),
        ({"mark": 7}, "index below 5"),
        ({"positive_class": 2}, "not a label"),
    ],
)
def test_correlation_invalid_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        correlate_with_reference(np.ones((2, 3, 5)), np.ones((2, 3)), [0, 1], **params)


@pytest.mark.parametrize("mark", [True, False])
def test_correlation_refuses_a_bool_as_a_mark_index(mark):
    with pytest.raises(ValueError, match=r"^mark must be a mark name or an index"):
        correlate_with_reference(np.ones((2, 3, 5)), np.ones((2, 3)), [0, 1], mark=mark)


def test_correlation_takes_a_numpy_integer_as_a_mark_index():
    maps = np.arange(30.0).reshape(2, 3, 5)
    table = correlate_with_reference(maps, maps[:, :, 2], [0, 1], mark=np.int64(2))
    assert table.loc[0, "mark"] == "H3K4me1"


def test_correlation_needs_a_reference_per_gene_and_bin():
    with pytest.raises(ValueError, match="reference must have shape"):
        correlate_with_reference(np.ones((2, 3, 5)), np.ones((2, 4)), [0, 1])


def test_h3k4me3_signal_correlates_with_h3k27ac_on_e003(e003):
    """The yardstick itself: active promoters carry both marks."""
    table = correlate_with_reference(
        e003["X"], e003["h3k27ac"], e003["y"], mark_names=e003["marks"]
    )
    assert table.loc[0, "n_genes"] == 47
    assert table.loc[0, "pearson_r"] > 0.5


def test_attention_and_saliency_against_h3k27ac_on_e003(e003, e003_model):
    X, y, model = e003["X"], e003["y"], e003_model
    for maps in (model.attention(X), AttentionMaps(np.abs(saliency(model, X)), None)):
        table = correlate_with_reference(
            maps, e003["h3k27ac"], y, mark="H3K4me3", mark_names=e003["marks"]
        )
        assert list(table.columns) == REFERENCE_COLUMNS
        assert table.loc[0, "mark"] == "H3K4me3"
        assert table.loc[0, "positive_class"] == 1
        assert -1 <= table.loc[0, "pearson_r"] <= 1


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_correlate_with_reference_refuses_maps_and_references_that_are_not_finite(
    value,
):
    maps, reference, y = np.ones((4, 3, 5)), np.ones((4, 3)), [0, 1, 0, 1]
    reference[2, 1] = value
    with pytest.raises(
        ValueError, match=r"^reference must hold finite .* \[\(2, 1\)\]"
    ):
        correlate_with_reference(maps, reference, y)
    maps[3, 0, 4] = value
    with pytest.raises(ValueError, match=r"^maps must hold finite .* \[\(3, 0, 4\)\]"):
        correlate_with_reference(maps, np.ones((4, 3)), y)
