"""Figures of a study: class-averaged attention maps, test AUC per cell type."""

import numpy as np

from .._optional import import_optional
from ._tasks import MAIN_SCORE_NAMES

_CLASS_NAMES = {0: "low expression (0)", 1: "high expression (1)"}


def _new_figure(**options):
    """A matplotlib Figure of ``options``; without matplotlib, an ImportError."""
    figure = import_optional("matplotlib.figure", "plot", "A study's figures")
    return figure.Figure(**options)


def attention_figure(arrays, mark_names, offsets, title):
    """Heatmap of bin attention and bars of mark attention, one panel per class."""
    from ..interpret import plot_attention

    labels = arrays["labels"]
    # A level that the model lacks is drawn as zeros (no bars) and labelled so:
    # the plots refuse NaN.
    missing = np.zeros((len(labels), len(offsets), len(mark_names)))
    bins = arrays.get("bin_attention", missing)
    marks = arrays.get("mark_attention", missing[:, 0])
    figure = _new_figure(figsize=(10, 0.6 + 3.2 * len(labels)))
    panels = np.atleast_1d(figure.subfigures(len(labels), 1))
    for index, (label, panel) in enumerate(zip(labels, panels, strict=True)):
        panel.suptitle(
            f"{title}, {_CLASS_NAMES.get(int(label), f'label {label}')}: mean over "
            "the training genes",
            y=0.99,
        )
        axes = plot_attention(
            bins[index],
            marks[index],
            mark_names=mark_names,
            bin_offsets=offsets,
            ax=panel.add_axes((0.12, 0.16, 0.62, 0.58)),
        )
        for level, ax in zip(("bin", "mark"), axes, strict=True):
            if f"{level}_attention" not in arrays:
                ax.set_xticks([])
                ax.text(
                    0.5,
                    0.5,
                    f"no {level}\nattention",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
    return figure


def test_score_figure(results, score):
    """The test score (a column of ``results``) of each model in each cell type."""
    scored = results[results["status"] == "ok"]
    cells = list(dict.fromkeys(results["cell"]))
    figure = _new_figure(
        figsize=(max(6.0, 0.3 * len(cells) + 3), 4.5), layout="constrained"
    )
    ax = figure.subplots()
    positions = {cell: index for index, cell in enumerate(cells)}
    for model, rows in scored.groupby("model", sort=False):
        ax.plot(
            rows["cell"].map(positions),
            rows[score].astype(float),
            marker="o",
            linestyle="none",
            label=model,
        )
    ax.set_xticks(range(len(cells)), cells, rotation=90 if len(cells) > 12 else 0)
    ax.set_xlabel("cell type")
    ax.set_ylabel(f"test {MAIN_SCORE_NAMES[score]}")
    ax.grid(axis="y", alpha=0.3)
    if len(scored):
        ax.legend(loc="best", fontsize="small")
    return figure
