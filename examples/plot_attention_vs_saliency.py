"""
=========================================================
Is attention an explanation? Attention against saliency
=========================================================

AttentiveChrome's attention maps are meant to show which bins drove a
prediction. Whether they do is an empirical question. This example scores bin
attention and three gradient saliency maps two ways:

* on simulated genes, against the bins where the simulator planted the signal
  (``return_ground_truth=True``): the area under the precision-recall curve
  (AUPRC) with which each map ranks the planted bins, next to the base rate of
  a random map;
* on 100 real E003 genes (when the shared reference data is available), the
  paper's test: the Pearson correlation between the class-averaged map of
  H3K4me3 over highly expressed genes and their class-averaged H3K27ac, a mark
  the models never see.

Besides the published model, two remedies are measured: attention scored on
local features of the signal (``attention_scoring="local"``) and sparse
attention (``attention_normalization="sparsemax"``). The numbers printed below
are whatever this run measured; attention is not automatically an explanation.
"""

# %%
# Simulated genes with planted signal
# -----------------------------------
import numpy as np
from sklearn.metrics import roc_auc_score

from skattchrome import AttentiveChromeClassifier
from skattchrome.datasets import make_chromatin_data

X, y, planted = make_chromatin_data(
    n_genes=1000, random_state=0, return_ground_truth=True
)
X = np.log1p(X)
train, test = slice(0, 700), slice(700, None)

variants = {
    "published": {},
    "local scoring": {"attention_scoring": "local"},
    "sparsemax": {"attention_normalization": "sparsemax"},
}
models = {}
for name, params in variants.items():
    models[name] = AttentiveChromeClassifier(random_state=0, **params).fit(
        X[train], y[train]
    )
    auc = roc_auc_score(y[test], models[name].decision_function(X[test]))
    print(f"{name:<14} test ROC AUC {auc:.3f}")

# %%
# How well each map finds the planted bins
# ----------------------------------------
# Saliency maps are scored by magnitude. ``base_rate`` is what a random map
# scores: the fraction of planted bins.
from skattchrome.interpret import compare_interpretations

scores = compare_interpretations(
    models,
    X[test],
    y[test],
    ground_truth=planted[test],
    methods=("attention", "gradient", "integrated_gradients"),
    n_steps=10,
)
auprc = scores[scores["metric"] == "auprc"].pivot_table(
    index=["estimator", "method"], columns="mark", values="value"
)
base_rate = scores[scores["metric"] == "base_rate"].groupby("mark")["value"].first()
print(auprc.round(3).to_string())
print("base rate:", base_rate.round(3).to_dict())

# %%
# The maps of one active gene
# ---------------------------
# The gene's H3K4me3 signal with the published model's attention and gradient
# saliency drawn over it.
import matplotlib.pyplot as plt

from skattchrome.datasets import REFERENCE_MARKS, bin_offsets
from skattchrome.interpret import plot_signal_and_attention, saliency

gene = int(np.flatnonzero(y[test] == 1)[0])
genes = X[test][gene : gene + 1]
h3k4me3 = REFERENCE_MARKS.index("H3K4me3")
attention = models["published"].attention(genes).bin_attention[0]
gradient = np.abs(saliency(models["published"], genes)[0])
fig, axes = plt.subplots(1, 2, figsize=(9, 2.8), sharey=True)
for ax, (label, values) in zip(
    axes, [("attention", attention), ("|gradient|", gradient)], strict=True
):
    plot_signal_and_attention(
        genes[0][:, [h3k4me3]],
        values[:, [h3k4me3]],
        mark_names=["H3K4me3"],
        bin_offsets=bin_offsets(X.shape[1]),
        attention_label=label,
        ax=ax,
    )
fig.tight_layout()

# %%
# The paper's yardstick on real genes: H3K27ac
# --------------------------------------------
# ``chromoformer_e003`` in the shared reference data holds 100 real E003
# genes with their H3K27ac profile. With so few genes the models are fitted
# and explained on the same genes, and a map depends on the seed of the fit:
# each variant is fitted with five seeds, and the table gives the correlation
# of each seed's class-averaged H3K4me3 map with H3K27ac, then their mean and
# spread. Read a difference between two variants or methods as real only when
# it is large next to that spread.
import os
from pathlib import Path

import pandas as pd

location = os.environ.get("SKATTCHROME_TEST_DATA")
real = Path(location) / "chromoformer_e003" if location else None
if real is not None and (real / "signal.npz").exists():
    arrays = np.load(real / "signal.npz")
    labels = pd.read_csv(real / "genes.csv")["label"].to_numpy()
    X_real = np.log1p(arrays["X"])
    tables = []
    for name, params in variants.items():
        for seed in range(5):
            model = AttentiveChromeClassifier(random_state=seed, **params)
            table = compare_interpretations(
                {name: model.fit(X_real, labels)},
                X_real,
                labels,
                reference=np.log1p(arrays["h3k27ac"]),
                methods=("attention", "gradient", "integrated_gradients"),
                n_steps=10,
            )
            tables.append(table.assign(seed=seed))
    correlations = pd.concat(tables)
    print(
        correlations.pivot_table(
            index=["estimator", "seed"], columns="method", values="value"
        ).round(3)
    )
    print(
        correlations.groupby(["estimator", "method"])["value"]
        .agg(["mean", "std", "min", "max"])
        .round(3)
    )
else:
    print(
        "SKATTCHROME_TEST_DATA does not point at the shared reference data: the "
        "real-gene comparison is skipped; the simulated scores above stand alone."
    )
plt.show()
