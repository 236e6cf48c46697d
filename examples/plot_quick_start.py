"""
===========
Quick start
===========

Simulate a cell type, train AttentiveChrome on it, and measure how well it
tells highly expressed genes from silent ones on genes it has not seen.
"""

# %%
# A simulated cell type
# ---------------------
# :func:`~skattchrome.datasets.make_chromatin_data` simulates read counts of
# the five core histone marks in 100 bins of 100 bp around the TSS of each
# gene, with the biology of the published data (H3K4me3 at active promoters,
# H3K27me3 over repressed ones, ...). ``y`` is 1 for highly expressed genes.
from sklearn.model_selection import train_test_split

from skattchrome.datasets import REFERENCE_MARKS, make_chromatin_data

X, y = make_chromatin_data(n_genes=1200, random_state=0)
print(f"X: {X.shape} (genes, bins, marks), marks: {', '.join(REFERENCE_MARKS)}")
print(f"y: {y.sum()} highly expressed genes out of {len(y)}")

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# Fit
# ---
# Read counts are skewed; with ``log_transform=True`` the network reads their
# ``log1p``, in training and prediction alike (the published models read raw
# counts, and on real genes both scales score alike at the defaults: see the
# input-scale paragraph of Getting started). With its defaults the model sizes
# its training to the data: the genes per batch and the number of epochs
# follow from the number of training genes (``batch_size_`` and
# ``max_epochs_`` after ``fit``), every training gene trains, and the last
# epoch is kept.
from skattchrome import AttentiveChromeClassifier

model = AttentiveChromeClassifier(log_transform=True, random_state=0)
model.fit(X_train, y_train)
print(
    f"{model.n_epochs_} epochs of batches of {model.batch_size_} genes, "
    f"final training loss {model.history_[-1, 'train_loss']:.3f}"
)

# %%
# Predict and score
# -----------------
# ``predict`` gives labels, ``predict_proba`` the probability of each class
# (columns in the order of ``classes_``), and ``score`` the accuracy.
from sklearn.metrics import roc_auc_score

probability_high = model.predict_proba(X_test)[:, 1]
print("first predictions:", model.predict(X_test[:8]))
print("true labels:      ", y_test[:8])
print(f"test accuracy: {model.score(X_test, y_test):.3f}")
print(f"test ROC AUC:  {roc_auc_score(y_test, probability_high):.3f}")

# %%
# ROC curve
# ---------
import matplotlib.pyplot as plt
from sklearn.metrics import RocCurveDisplay

display = RocCurveDisplay.from_predictions(
    y_test, probability_high, name="AttentiveChrome", plot_chance_level=True
)
display.ax_.set_title("High vs low expression, held-out genes")
plt.show()
