"""The pictures, drawn on the Agg backend and checked artist by artist."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.collections import PolyCollection
from matplotlib.patches import PathPatch, Rectangle

from skattchrome import AttentionMaps
from skattchrome.datasets import REFERENCE_MARKS
from skattchrome.interpret import (
    class_average,
    plot_attention,
    plot_mark_importance,
    plot_signal_and_attention,
    saliency,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tick_texts(labels):
    return [label.get_text() for label in labels]


def vertical_lines_at(ax, position):
    return [
        line
        for line in ax.get_lines()
        if np.allclose(line.get_xdata(), position) and len(line.get_xdata()) == 2
    ]


def test_plot_attention_of_a_class(fitted_model):
    maps = fitted_model.attention_[1]
    heatmap_ax, bar_ax = plot_attention(*maps)
    figure = heatmap_ax.figure
    assert len(figure.axes) == 3
    assert bar_ax.figure is figure
    assert tick_texts(heatmap_ax.get_yticklabels()) == list(REFERENCE_MARKS)
    assert tick_texts(heatmap_ax.get_xticklabels()) == [
        "-0.4",
        "-0.3",
        "-0.2",
        "-0.1",
        "TSS",
        "+0.1",
        "+0.2",
        "+0.3",
        "+0.4",
    ]
    assert heatmap_ax.get_xlabel() == "Distance from TSS (kb)"
    assert len(vertical_lines_at(heatmap_ax, 0)) == 1
    (image,) = heatmap_ax.get_images()
    np.testing.assert_allclose(image.get_array(), maps.bin_attention.T)
    bars = [patch for patch in bar_ax.patches if isinstance(patch, Rectangle)]
    np.testing.assert_allclose(
        [bar.get_width() for bar in bars], maps.mark_attention, rtol=1e-6
    )
    np.testing.assert_allclose(
        [bar.get_y() + bar.get_height() / 2 for bar in bars], np.arange(5)
    )
    assert heatmap_ax.get_ylim() == bar_ax.get_ylim() == (4.5, -0.5)


def test_plot_attention_on_given_axes_with_100_bins(seed):
    rng = np.random.default_rng(seed)
    bin_attention = rng.dirichlet(np.ones(100), size=3).T
    figure, ax = plt.subplots()
    heatmap_ax, bar_ax = plot_attention(
        bin_attention, np.array([0.2, 0.3, 0.5]), mark_names=["a", "b", "c"], ax=ax
    )
    assert heatmap_ax is ax
    assert bar_ax.figure is figure
    assert len(figure.axes) == 3
    labels = tick_texts(ax.get_xticklabels())
    assert labels[0] == "-5" and labels[5] == "TSS" and labels[-1] == "+5"
    assert len(labels) == 11
    assert ax.get_xlim() == (-5000, 5000)


def test_plot_attention_checks_shapes():
    with pytest.raises(ValueError, match="one value per mark"):
        plot_attention(np.ones((8, 5)), np.ones(4))
    with pytest.raises(ValueError, match="bin_attention"):
        plot_attention(np.ones(8), np.ones(1))


def test_plot_signal_and_saliency_of_one_gene(fitted_model, simulated):
    X = simulated[0]
    gene_saliency = saliency(fitted_model, X[:1])[0]
    signal_axes, saliency_axes = plot_signal_and_attention(
        X[0], gene_saliency, attention_label="Saliency"
    )
    figure = signal_axes[0].figure
    assert len(signal_axes) == len(saliency_axes) == 5
    assert len(figure.axes) == 10
    for mark, (signal_ax, saliency_ax) in enumerate(
        zip(signal_axes, saliency_axes, strict=True)
    ):
        assert signal_ax.get_ylabel() == REFERENCE_MARKS[mark]
        heights = [patch.get_height() for patch in signal_ax.patches]
        np.testing.assert_allclose(heights, X[0, :, mark])
        (line,) = saliency_ax.get_lines()
        np.testing.assert_allclose(line.get_ydata(), gene_saliency[:, mark])
        np.testing.assert_allclose(line.get_xdata(), np.arange(-400, 400, 100) + 50)
        assert len(vertical_lines_at(signal_ax, 0)) == 1
    legend = saliency_axes[0].get_legend()
    assert tick_texts(legend.get_texts()) == ["TSS", "Signal", "Saliency"]
    assert "TSS" in tick_texts(signal_axes[-1].get_xticklabels())
    assert signal_axes[-1].get_xlabel() == "Distance from TSS (kb)"
    assert signal_axes[0].get_xlabel() == ""


def test_plot_signal_and_attention_on_given_axes(fitted_model, simulated):
    X = simulated[0]
    attention = fitted_model.attention(X[:1]).bin_attention[0]
    figure, axes = plt.subplots(5, 1)
    signal_axes, attention_axes = plot_signal_and_attention(X[0], attention, ax=axes)
    assert signal_axes == list(axes)
    assert all(ax.figure is figure for ax in attention_axes)
    assert tick_texts(attention_axes[0].get_legend().get_texts())[-1] == "Attention"


def test_plot_signal_and_attention_checks_its_input():
    with pytest.raises(ValueError, match="does not match"):
        plot_signal_and_attention(np.ones((8, 5)), np.ones((8, 4)))
    _, axes = plt.subplots(2, 1)
    with pytest.raises(ValueError, match="one axes per mark"):
        plot_signal_and_attention(np.ones((8, 5)), np.ones((8, 5)), ax=axes)


@pytest.mark.parametrize(
    "kind, artist_type, n_per_class",
    [("box", PathPatch, 5), ("violin", PolyCollection, 5)],
)
def test_plot_mark_importance(fitted_model, simulated, kind, artist_type, n_per_class):
    X, y, _ = simulated
    maps = fitted_model.attention(X)
    ax = plot_mark_importance(maps, y, kind=kind)
    assert tick_texts(ax.get_xticklabels()) == list(REFERENCE_MARKS)
    assert tick_texts(ax.get_legend().get_texts()) == ["0", "1"]
    artists = [
        artist
        for artist in [*ax.patches, *ax.collections]
        if isinstance(artist, artist_type)
    ]
    assert len(artists) == 2 * n_per_class
    if kind == "violin":
        colors = {tuple(body.get_facecolor()[0][:3]) for body in artists}
        assert len(colors) == 2
    if kind == "box":
        medians = [line.get_ydata()[0] for line in ax.get_lines()[4::6]]
        expected = np.concatenate(
            [np.median(maps.mark_attention[y == label], axis=0) for label in (0, 1)]
        )
        np.testing.assert_allclose(medians, expected, rtol=1e-6)


def test_plot_mark_importance_of_three_classes_on_given_axes(seed):
    rng = np.random.default_rng(seed)
    values = rng.dirichlet(np.ones(2), size=30)
    y = np.repeat(["a", "b", "c"], 10)
    _, ax = plt.subplots()
    assert plot_mark_importance(values, y, mark_names=["m", "n"], ax=ax) is ax
    assert tick_texts(ax.get_legend().get_texts()) == ["a", "b", "c"]
    assert len(ax.patches) == 6


def test_plot_mark_importance_checks_its_input():
    with pytest.raises(ValueError, match="kind"):
        plot_mark_importance(np.ones((3, 2)), [0, 1, 0], kind="bar")
    with pytest.raises(ValueError, match="one label per gene"):
        plot_mark_importance(np.ones((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="no mark-level map"):
        plot_mark_importance(AttentionMaps(np.ones((3, 2, 2)), None), [0, 1, 0])


def test_class_average_plots(fitted_model, simulated):
    X, y, _ = simulated
    average = class_average(np.abs(saliency(fitted_model, X)), y)[1]
    heatmap_ax, _ = plot_attention(average, average.sum(axis=0))
    np.testing.assert_allclose(heatmap_ax.get_images()[0].get_array(), average.T)


def test_plots_without_matplotlib_ask_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install skattchrome\[plot\]"):
        plot_attention(np.ones((8, 5)), np.ones(5))


@pytest.mark.slow
def test_package_imports_without_matplotlib():
    blocked = (
        "import sys; sys.modules['matplotlib'] = None; "
        "import skattchrome.interpret; print('imported')"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


@pytest.mark.parametrize(
    ("plot", "name"),
    [
        (lambda bad: plot_attention(bad, np.full(2, 0.5)), "bin_attention"),
        (lambda bad: plot_attention(np.ones((3, 2)), bad[0]), "mark_attention"),
        (lambda bad: plot_signal_and_attention(bad, np.ones((3, 2))), "signal"),
        (lambda bad: plot_signal_and_attention(np.ones((3, 2)), bad), "attention"),
        (lambda bad: plot_mark_importance(bad, [0, 1, 0]), "mark_attention"),
    ],
    ids=["bin_attention", "mark_attention", "signal", "attention", "importance"],
)
def test_plots_refuse_maps_that_are_not_finite(plot, name):
    bad = np.full((3, 2), 0.5)
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match=f"^{name} must hold finite numbers"):
        plot(bad)


def test_an_ax_that_is_not_matplotlib_axes_is_named():
    # A string for ax gave "'str' object has no attribute 'imshow'".
    rng = np.random.default_rng(0)
    maps = rng.random((6, 5))
    with pytest.raises(TypeError, match=r"^ax must be None or a matplotlib Axes"):
        plot_attention(maps, maps[0], ax="left")
    with pytest.raises(
        TypeError, match=r"^ax must be None or a sequence of matplotlib"
    ):
        plot_signal_and_attention(maps, maps, ax=["top"] * 5)
    with pytest.raises(TypeError, match=r"^ax must be None or a matplotlib Axes"):
        plot_mark_importance(maps, [0, 1] * 3, ax=3)
    plt.close("all")
