"""
===================================
The paper's protocol on a cell type
===================================

DeepChrome and AttentiveChrome evaluate a model one cell type at a time: train
on the ``train`` split, keep the epoch with the best ROC AUC on the ``valid``
split, and score the kept model once on the ``test`` split. This example runs
that protocol on real Roadmap data (H1 embryonic stem cells, E003) when the
shared reference data is available, and on a simulated cell type of realistic
size.
"""

# %%
# The real splits of E003
# -----------------------
# The shared reference data beside the project holds E003 in the published
# layout; the test suite and CI find it through ``$SKATTCHROME_TEST_DATA``.
# These splits are tiny, **10 genes each**, so the AUCs below only show the
# protocol at work, they do not measure the model. With the published archive
# (about 6600 genes per split), replace ``load_remc(folder, subset)`` by
# ``fetch_remc("E003", subset)``.
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from skattchrome import PAPER_RECIPE, AttentiveChromeClassifier
from skattchrome.datasets import load_remc, make_chromatin_data


def run_protocol(splits, **params):
    """Fit on train, keep the best validation epoch, score on test."""
    (X_train, y_train), valid, (X_test, y_test) = (
        splits[subset] for subset in ("train", "valid", "test")
    )
    model = AttentiveChromeClassifier(**params, random_state=0)
    model.fit(X_train, y_train, validation_data=valid)
    result = {
        "genes (train/valid/test)": "/".join(
            str(len(splits[subset][1])) for subset in ("train", "valid", "test")
        ),
        "epochs run": model.n_epochs_,
        "best epoch": model.best_epoch_,
        "valid ROC AUC": model.best_valid_auc_,
        "test ROC AUC": roc_auc_score(y_test, model.predict_proba(X_test)[:, 1]),
    }
    return model, result


results = {}
data_folder = os.environ.get("SKATTCHROME_TEST_DATA")
e003_folder = Path(data_folder or ".") / "remc" / "E003"
if data_folder and e003_folder.is_dir():
    e003 = {}
    for subset in ("train", "valid", "test"):
        remc = load_remc(e003_folder, subset)
        e003[subset] = (np.log1p(remc.data), remc.target)
    _, results["E003, real (toy splits)"] = run_protocol(e003, **PAPER_RECIPE)
else:
    print(
        "SKATTCHROME_TEST_DATA does not point at the shared reference data: "
        "skipping the real E003 splits, running the simulated cell type only."
    )

# %%
# A simulated cell type of realistic size
# ---------------------------------------
# 2000 simulated genes of 100 bins, split 1200/400/400. On a CPU, the published
# recipe's batches of 16 make an epoch several times longer than batches of 64,
# and it runs 30 epochs. To stay within a minute, we keep everything of the
# protocol (fixed splits, a constant learning rate, all epochs run, the best
# validation epoch kept) but train with batches of 64 at 1e-3 for 8 epochs.
X, y = make_chromatin_data(n_genes=2000, random_state=1)
X = np.log1p(X)
simulated = {
    "train": (X[:1200], y[:1200]),
    "valid": (X[1200:1600], y[1200:1600]),
    "test": (X[1600:], y[1600:]),
}
shortened_recipe = {**PAPER_RECIPE, "batch_size": 64, "lr": 1e-3, "max_epochs": 8}
model, results["simulated"] = run_protocol(simulated, **shortened_recipe)

# %%
# The result table
# ----------------
table = pd.DataFrame.from_dict(results, orient="index").rename_axis("cell type")
table.round(3)

# %%
# The validation curve
# --------------------
# ``history_`` holds the losses and the validation ROC AUC of every epoch; the
# weights of the marked epoch are the ones the model predicts with.
import matplotlib.pyplot as plt

epochs = model.history_[:, "epoch"]
fig, (loss_ax, auc_ax) = plt.subplots(1, 2, figsize=(9, 3.5))
loss_ax.plot(epochs, model.history_[:, "train_loss"], marker="o", label="train")
loss_ax.plot(epochs, model.history_[:, "valid_loss"], marker="o", label="valid")
loss_ax.set_xlabel("epoch")
loss_ax.set_ylabel("binary cross-entropy")
loss_ax.legend()
auc_ax.plot(epochs, model.history_[:, "valid_auc"], marker="o", color="tab:green")
auc_ax.axvline(model.best_epoch_, color="grey", linestyle="--", label="kept epoch")
auc_ax.set_xlabel("epoch")
auc_ax.set_ylabel("validation ROC AUC")
auc_ax.legend()
fig.suptitle("Simulated cell type")
fig.tight_layout()
plt.show()
