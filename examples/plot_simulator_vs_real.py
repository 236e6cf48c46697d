"""
==========================================
How the simulator compares with real genes
==========================================

:func:`~skattchrome.datasets.make_chromatin_data` stands in for real cell
types in the tests, the examples and the main job, so it should look like
them. This example sets simulated genes beside real ones of two Roadmap cell
types, E003 (H1 embryonic stem cells) and E123 (K562), from the shared
reference data when ``$SKATTCHROME_TEST_DATA`` points at it: the mean read
count around the TSS of highly and lowly expressed genes, per mark; the level
and sparsity of each mark; and how well the linear baseline tells the classes
apart. The real genes are in genomic order, as in the published archive, so
the simulated ones are too (``genomic_order=True``).
"""

# %%
# Real and simulated genes
# ------------------------
import os
from pathlib import Path

import numpy as np

from skattchrome.datasets import REFERENCE_MARKS, load_remc, make_chromatin_data

cells = {}
location = os.environ.get("SKATTCHROME_TEST_DATA")
if location and (Path(location) / "deepdiff").is_dir():
    for cell in ("E003", "E123"):
        splits = [
            load_remc(Path(location) / "deepdiff" / cell, subset)
            for subset in ("train", "valid", "test")
        ]
        cells[f"real {cell}"] = (
            np.concatenate([split.data for split in splits]),
            np.concatenate([split.target for split in splits]),
        )
else:
    print(
        "SKATTCHROME_TEST_DATA does not point at the shared reference data: only "
        "the simulated genes are shown."
    )
cells["simulated"] = make_chromatin_data(
    n_genes=2000, random_state=0, genomic_order=True
)
for name, (_, y) in cells.items():
    print(f"{name}: {len(y)} genes, {y.mean():.0%} highly expressed")

# %%
# Mean profile around the TSS
# ---------------------------
# The mean read count in each bin, for highly (solid) and lowly (dashed)
# expressed genes. The scale is logarithmic: H3K4me3 at the promoter reaches
# tens to hundreds of reads per bin, the other marks a few.
import matplotlib.pyplot as plt

from skattchrome.datasets import bin_offsets

positions = (bin_offsets(100) + 50) / 1000
fig, axes = plt.subplots(1, 5, figsize=(13, 2.9), sharex=True)
for (name, (X, y)), color in zip(cells.items(), ["C0", "C1", "C2"], strict=False):
    for mark, ax in enumerate(axes):
        for label, style in ((1, "-"), (0, "--")):
            ax.plot(
                positions,
                X[y == label, :, mark].mean(axis=0),
                style,
                color=color,
                label=f"{name}, {'high' if label else 'low'}",
            )
for mark, ax in enumerate(axes):
    ax.set_title(REFERENCE_MARKS[mark])
    ax.set_yscale("log")
    ax.set_xlabel("kb from TSS")
axes[0].set_ylabel("mean reads per bin")
axes[-1].legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.02, 1))
fig.tight_layout()

# %%
# Level, sparsity and the linear baseline
# ---------------------------------------
# Per mark: the mean reads per bin, the share of empty bins and the ratio of
# the summed signal of highly to lowly expressed genes; per cell type, the ROC
# AUC of :class:`~skattchrome.ChromeLogisticClassifier` in repeated 5-fold
# cross-validation. ``benchmarks/bench_real_cells.py --sections likeness``
# prints the same figures for the three difficulties of the built-in cell
# types.
import pandas as pd
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

from skattchrome import ChromeLogisticClassifier

rows = []
for name, (X, y) in cells.items():
    sums = X.sum(axis=1)
    auc = cross_val_score(
        ChromeLogisticClassifier(),
        X,
        y,
        cv=RepeatedStratifiedKFold(n_splits=5, n_repeats=5, random_state=0),
        scoring="roc_auc",
    ).mean()
    for mark, mark_name in enumerate(REFERENCE_MARKS):
        rows.append(
            {
                "cell": name,
                "mark": mark_name,
                "reads per bin": X[:, :, mark].mean(),
                "empty bins": (X[:, :, mark] == 0).mean(),
                "high / low sum": sums[y == 1, mark].mean() / sums[y == 0, mark].mean(),
            }
        )
    print(f"{name}: ROC AUC of the linear baseline {auc:.3f}")
table = pd.DataFrame(rows).astype({"reads per bin": float})
columns = ["reads per bin", "empty bins", "high / low sum"]
for column in columns:
    by_mark = table.pivot(index="mark", columns="cell", values=column)
    print(f"\n{column}:\n{by_mark.loc[list(REFERENCE_MARKS)].round(2).to_string()}")

fig, axes = plt.subplots(1, 3, figsize=(12, 2.9))
for ax, column in zip(axes, columns, strict=True):
    table.pivot(index="mark", columns="cell", values=column).loc[
        list(REFERENCE_MARKS)
    ].plot.bar(ax=ax, rot=30, legend=ax is axes[-1])
    ax.set_title(column)
    ax.set_xlabel("")
axes[0].set_yscale("log")
axes[-1].axhline(1, color="grey", linewidth=0.8)
fig.tight_layout()
plt.show()
