"""
===========================================
Published models: load, fine-tune and share
===========================================

The authors of AttentiveChrome published one trained network per Roadmap cell
type through the Kipoi model zoo; :func:`~skattchrome.pretrained.fetch_published`
downloads one, checks its MD5 and returns a fitted
:class:`~skattchrome.AttentiveChromeClassifier`. This example runs offline: it
makes a weights file in the published layout from a network trained here on a
simulated cell type, opens it as a published model, fine-tunes it on a few
genes of another cell type, and saves the result in a file that is safe to
share.
"""

# %%
# A weights file in the published layout
# --------------------------------------
# The published networks read raw read counts (no ``log1p``), 100 bins of
# 100 bp around the TSS, the five marks in the order of
# :data:`~skattchrome.datasets.REFERENCE_MARKS`. We train one the same way on a
# simulated "source" cell type; without the linear path of its defaults
# (``linear_path=False``), the network of
# :class:`~skattchrome.AttentiveChromeClassifier` is the published one.
import tempfile
from pathlib import Path

import torch

from skattchrome import AttentiveChromeClassifier
from skattchrome.datasets import make_chromatin_data

X_source, y_source = make_chromatin_data(n_genes=600, random_state=0)
source_model = AttentiveChromeClassifier(linear_path=False, random_state=0)
source_model.fit(X_source, y_source)

# %%
# The published files are PyTorch ``state_dict`` s of the authors' network,
# whose tensors have other names: one LSTM and one context vector per mark
# (``rnn_hms.<mark>``), the LSTM over the marks and its context vector
# (``hm_level_rnn_1``) and the output layer (``fdiff1_1``). We write ours under
# those names, as the Kipoi zoo serves them.
network = source_model.net_.module_.state_dict()
published = {
    "fdiff1_1.weight": network["classifier.weight"],
    "fdiff1_1.bias": network["classifier.bias"],
    "hm_level_rnn_1.bin_attention.bin_context_vector": (
        network["mark_attention_layer.context"].t()
    ),
}
for name, tensor in network.items():
    kind, _, rest = name.partition(".")
    if kind == "bin_encoders":
        mark, _, weight = rest.partition(".")
        published[f"rnn_hms.{mark}.rnn.{weight}"] = tensor
    elif kind == "mark_encoder":
        published[f"hm_level_rnn_1.rnn.{rest}"] = tensor
for mark, context in enumerate(network["bin_attention_layer.context"]):
    published[f"rnn_hms.{mark}.bin_attention.bin_context_vector"] = context[:, None]

folder = Path(tempfile.mkdtemp())
weights = folder / "E003_attchrome_avgAUC_model.pt"
torch.save(published, weights)
print(f"{len(published)} tensors, {weights.stat().st_size // 1024} kB")

# %%
# Open it as a published model
# ----------------------------
# :func:`~skattchrome.pretrained.from_published_weights` reads the file as data
# (``torch.load(..., weights_only=True)``: no code in it runs), checks every
# tensor's name and shape, and returns a fitted classifier.
# ``fetch_published("E003")`` does the same with the file it downloads from
# Kipoi, after checking its published MD5 (``SKATTCHROME_PUBLISHED_URL`` names
# a mirror or a local folder instead).
import numpy as np

from skattchrome.pretrained import from_published_weights

model = from_published_weights(weights)
same = np.allclose(model.predict_proba(X_source), source_model.predict_proba(X_source))
print(f"same predictions as the network it was made from: {same}")
bin_attention, mark_attention = model.attention(X_source[:3])
print("mark attention of the first gene:", np.round(mark_attention[0], 3))

# %%
# Fine-tune on a few genes of another cell type
# ---------------------------------------------
# A new "target" cell type whose expression follows its chromatin more
# closely, with labels for only 50 genes. ``warm_start=True`` makes ``fit``
# train on from the published weights instead of starting afresh; we compare
# the published model as it is, fine-tuned, and trained from scratch on the
# same 50 genes.
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

X_target, y_target = make_chromatin_data(n_genes=650, label_noise=0.4, random_state=1)
X_few, y_few = X_target[:50], y_target[:50]
X_test, y_test = X_target[50:], y_target[50:]


def test_auc(estimator):
    return roc_auc_score(y_test, estimator.predict_proba(X_test)[:, 1])


scratch = clone(model).set_params(random_state=0).fit(X_few, y_few)
scores = {"published, as it is": test_auc(model)}
fine_tuned = from_published_weights(weights)
fine_tuned.set_params(warm_start=True, random_state=0).fit(X_few, y_few)
scores["fine-tuned on 50 genes"] = test_auc(fine_tuned)
scores["from scratch on 50 genes"] = test_auc(scratch)
for name, score in scores.items():
    print(f"{name:>26}: test ROC AUC {score:.3f}")

# %%
# Both cell types here follow the same simulated rules, so the source model
# is already right for the target, and fine-tuning on 50 genes can only add
# their noise; training from scratch on them does far worse. Between real cell
# types the published model is not right as it is, and fine-tuning gains one
# to two hundredths of AUC over training from scratch on 25 genes, less on
# more (see the transfer table of the documentation's page on published and
# saved models).

# %%
# Save and share
# --------------
# :func:`~skattchrome.save_model` writes the class, parameters and fitted
# attributes as JSON and the weights as safetensors, in one file;
# :func:`~skattchrome.load_model` opens it without running any code from it,
# and the model predicts exactly as before. A pickle (joblib) file would run
# whatever code it holds when opened: use it only for files you made.
import zipfile

from skattchrome import load_model, save_model

path = folder / "fine_tuned.skattchrome"
save_model(fine_tuned, path)
print("members:", zipfile.ZipFile(path).namelist())
loaded = load_model(path)
print(
    "identical predictions after loading:",
    np.array_equal(loaded.predict_proba(X_test), fine_tuned.predict_proba(X_test)),
)

# %%
# The three models on the target cell type
# ----------------------------------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(scores), list(scores.values()), color=["0.6", "tab:blue", "0.8"])
ax.set_xlim(0.5, 1.0)
ax.set_xlabel("test ROC AUC on the target cell type")
ax.invert_yaxis()
fig.tight_layout()
plt.show()
