"""
=========================================================
Is attention an explanation? Attention against saliency
=========================================================

AttentiveChrome's attention maps are meant to show which bins drove a
prediction. Whether they do is an empirical question. This example scores bin
attention and gradient saliency maps by two yardsticks:

* the biology: on simulated genes, against the bins where the simulator
  planted the signal (``return_ground_truth=True``), the area under the
  precision-recall curve (AUPRC) with which each map ranks the planted bins,
  next to the base rate of a random map; on 100 real E003 genes (when the
  shared reference data is available), the paper's test, the Pearson
  correlation between the class-averaged map of H3K4me3 over highly expressed
  genes and their class-averaged H3K27ac, a mark the models never see;
* the model: on the real genes, the deletion score, how much the predicted
  class's probability drops when the bins a map ranks highest are zeroed,
  next to that of random maps.

Besides the published model, three variants are measured: attention scored
on local features of the signal (``attention_scoring="local"``), sparse
attention (``attention_normalization="sparsemax"``) and the CNN bin encoder
(``bin_encoder="cnn"``). The numbers printed below are whatever this run
measured; attention is not automatically an explanation.
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
    "CNN encoder": {"bin_encoder": "cnn"},
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
    faithfulness=False,
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
# the published model and the CNN encoder are fitted with three seeds each,
# and the table gives, seed by seed, the correlation of the class-averaged
# H3K4me3 map with H3K27ac (``r``) and the mean drop in the predicted class's
# probability when each gene's 10 top-ranked bins are zeroed (``drop``,
# :func:`~skattchrome.interpret.deletion_score`), beside that of random bins;
# then their mean and spread. Read a difference between two variants or
# methods as real only when it is large next to that spread.
import os
from pathlib import Path

import pandas as pd

from skattchrome.interpret import correlate_with_reference, deletion_score

location = os.environ.get("SKATTCHROME_TEST_DATA")
real = Path(location) / "chromoformer_e003" if location else None
if real is not None and (real / "signal.npz").exists():
    arrays = np.load(real / "signal.npz")
    labels = pd.read_csv(real / "genes.csv")["label"].to_numpy()
    X_real = np.log1p(arrays["X"])
    h3k27ac = np.log1p(arrays["h3k27ac"])
    rows = []
    for name in ("published", "CNN encoder"):
        for seed in range(3):
            model = AttentiveChromeClassifier(random_state=seed, **variants[name])
            model.fit(X_real, labels)
            attention = model.attention(X_real)
            maps = {
                "attention": attention.bin_attention
                * attention.mark_attention[:, np.newaxis, :],
                "integrated_gradients": np.abs(
                    saliency(model, X_real, method="integrated_gradients", n_steps=10)
                ),
            }
            for method, map_ in maps.items():
                reference = correlate_with_reference(map_, h3k27ac, labels)
                drop = deletion_score(
                    model, X_real, map_, n_top=10, n_random=2, random_state=seed
                )
                rows.append(
                    {
                        "model": name,
                        "seed": seed,
                        "method": method,
                        "r": reference["pearson_r"].iloc[0],
                        "drop": drop.score,
                        "random drop": drop.random_score,
                    }
                )
    scores = pd.DataFrame(rows)
    print(scores.round(3).to_string(index=False))
    print(
        scores.groupby(["model", "method"])[["r", "drop", "random drop"]]
        .agg(["mean", "std"])
        .round(3)
    )
else:
    print(
        "SKATTCHROME_TEST_DATA does not point at the shared reference data: the "
        "real-gene comparison is skipped; the simulated scores above stand alone."
    )
plt.show()
