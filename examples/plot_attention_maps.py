"""
==============
Attention maps
==============

AttentiveChrome explains each prediction with two attention maps: over the bins
of each mark (alpha, where along the window each mark was read) and over the
marks (beta, which marks the prediction rested on). This example draws both
for one gene and for each class.
"""

# %%
# Train on a simulated cell type
# ------------------------------
# The simulator also returns which bins of which marks carry the signal that
# tells a gene's class, so we can see whether the attention finds it.
import numpy as np
from sklearn.model_selection import train_test_split

from skattchrome import AttentiveChromeClassifier
from skattchrome.datasets import REFERENCE_MARKS, bin_offsets, make_chromatin_data

X, y, ground_truth = make_chromatin_data(
    n_genes=1000, random_state=0, return_ground_truth=True
)
X = np.log1p(X)
X_train, X_test, y_train, y_test, _, truth_test = train_test_split(
    X, y, ground_truth, test_size=0.25, stratify=y, random_state=0
)
model = AttentiveChromeClassifier(random_state=0)
model.fit(X_train, y_train)

# %%
# Attention of one gene
# ---------------------
# :meth:`~skattchrome.AttentiveChromeClassifier.attention` returns, for each
# gene, ``bin_attention`` of shape ``(n_bins, n_marks)`` (each mark's column
# sums to one over the bins) and ``mark_attention`` of shape ``(n_marks,)``
# (sums to one over the marks). We take the test gene that the model finds most
# likely to be highly expressed.
import matplotlib.pyplot as plt

bin_attention, mark_attention = model.attention(X_test)
gene = int(np.argmax(model.predict_proba(X_test)[:, 1]))
offsets_kb = bin_offsets(X.shape[1]) / 1000
bin_width_kb = offsets_kb[1] - offsets_kb[0]
extent = [offsets_kb[0], offsets_kb[-1] + bin_width_kb, len(REFERENCE_MARKS), 0]


def draw_by_mark(ax, values, title, colorbar_label):
    """Heatmap of a (n_bins, n_marks) array, marks as rows, the TSS marked."""
    image = ax.imshow(values.T, aspect="auto", extent=extent, cmap="magma")
    ax.axvline(0, color="tab:cyan", linestyle="--", linewidth=1, label="TSS")
    ax.set_yticks(np.arange(len(REFERENCE_MARKS)) + 0.5, REFERENCE_MARKS)
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, label=colorbar_label, pad=0.01)


fig, (signal_ax, alpha_ax) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
draw_by_mark(signal_ax, X_test[gene], "Signal of the gene", "log(1 + reads)")
draw_by_mark(alpha_ax, bin_attention[gene], "Bin attention (alpha)", "alpha")
alpha_ax.set_xlabel("position relative to the TSS (kb)")
alpha_ax.legend(loc="upper right")
fig.tight_layout()

# %%
# The planted signal of this gene, for comparison: the H3K4me3 peak after the
# TSS and H3K36me3 over the gene body of an active gene.
planted_marks = [
    mark
    for mark, planted in zip(REFERENCE_MARKS, truth_test[gene].any(axis=0), strict=True)
    if planted
]
print(f"label of the gene: {y_test[gene]}; marks with planted signal: {planted_marks}")

# %%
# The mark attention of the same gene. Bars above ``1 / n_marks`` (dashed) are
# marks that weighed more than their share.
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(REFERENCE_MARKS, mark_attention[gene], color="tab:purple")
ax.axhline(1 / len(REFERENCE_MARKS), color="grey", linestyle="--", linewidth=1)
ax.set_ylabel("mark attention (beta)")
ax.set_title("Which marks the prediction rested on")
fig.tight_layout()

# %%
# Attention of each class
# -----------------------
# After ``fit``, ``attention_`` maps each label to the attention maps averaged
# over the training genes of that class: what the model reads in highly and in
# lowly expressed genes.
labels = {1: "high expression", 0: "low expression"}
fig, axes = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
for ax, label in zip(axes, labels, strict=True):
    draw_by_mark(
        ax,
        model.attention_[label].bin_attention,
        f"Mean bin attention, {labels[label]} genes",
        "alpha",
    )
axes[-1].set_xlabel("position relative to the TSS (kb)")
fig.tight_layout()

# %%
width = 0.4
positions = np.arange(len(REFERENCE_MARKS))
fig, ax = plt.subplots(figsize=(7, 3))
for shift, label, color in ((-width / 2, 1, "tab:red"), (width / 2, 0, "tab:blue")):
    ax.bar(
        positions + shift,
        model.attention_[label].mark_attention,
        width,
        color=color,
        label=labels[label],
    )
ax.axhline(1 / len(REFERENCE_MARKS), color="grey", linestyle="--", linewidth=1)
ax.set_xticks(positions, REFERENCE_MARKS)
ax.set_ylabel("mean mark attention (beta)")
ax.legend()
fig.tight_layout()
plt.show()
