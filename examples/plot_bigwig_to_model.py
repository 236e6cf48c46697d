"""
=============================
From bigWig tracks to a model
=============================

For your own cell type the inputs are one bigWig track per histone mark, the
transcription start sites (TSS) of the genes, and their expression. This
example writes small synthetic tracks with pyBigWig, bins them around each TSS
with :func:`~skattchrome.preprocessing.bin_bigwig`, labels the genes with
:func:`~skattchrome.preprocessing.label_expression` and fits AttentiveChrome.
"""

# %%
# Synthetic tracks
# ----------------
# We lay simulated genes along one chromosome, 20 kb apart, half of them on the
# minus strand, and write each mark's read counts as a bigWig track: every
# 100 bp bin of a gene's TSS ± 5 kb window gets a constant per-base value, its
# count divided by 100, so that summing a bin gives the count back. A
# minus-strand gene runs 3' to 5' along the chromosome, so its bins are written
# in reverse.
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyBigWig

from skattchrome.datasets import REFERENCE_MARKS, make_chromatin_data

n_genes, flank, bin_size, spacing = 800, 5000, 100, 20_000
counts, simulated_labels = make_chromatin_data(n_genes=n_genes, random_state=0)
rng = np.random.default_rng(0)

genes = pd.DataFrame(
    {
        "gene_id": [f"GENE{index:04d}" for index in range(n_genes)],
        "chrom": "chr1",
        "tss": spacing * (np.arange(n_genes) + 1),
        "strand": rng.choice(["+", "-"], size=n_genes),
    }
)
chromosome_length = spacing * (n_genes + 1)

folder = Path(tempfile.mkdtemp(prefix="skattchrome-bigwig-"))
bin_starts = (genes["tss"].to_numpy()[:, None] - flank) + bin_size * np.arange(
    counts.shape[1]
)
is_minus = (genes["strand"] == "-").to_numpy()
genomic_counts = np.where(is_minus[:, None, None], counts[:, ::-1], counts)

tracks = {}
for mark_index, mark in enumerate(REFERENCE_MARKS):
    tracks[mark] = folder / f"{mark}.bigWig"
    with pyBigWig.open(str(tracks[mark]), "w") as track:
        track.addHeader([("chr1", chromosome_length)], maxZooms=0)
        starts = bin_starts.ravel()
        track.addEntries(
            ["chr1"] * len(starts),
            starts.tolist(),
            ends=(starts + bin_size).tolist(),
            values=(genomic_counts[:, :, mark_index].ravel() / bin_size).tolist(),
        )
print(sorted(path.name for path in folder.iterdir()))

# %%
# The TSS file
# ------------
# :func:`~skattchrome.preprocessing.bin_bigwig` takes the TSSs as a DataFrame,
# a BED6 file or a GTF file. We write a BED6 file: for a plus-strand gene the
# TSS is the start of the interval, for a minus-strand gene its last base.
gene_starts = np.where(is_minus, genes["tss"] - 999, genes["tss"])
bed = pd.DataFrame(
    {
        "chrom": genes["chrom"],
        "start": gene_starts,
        "end": gene_starts + 1000,
        "name": genes["gene_id"],
        "score": 0,
        "strand": genes["strand"],
    }
)
bed_path = folder / "genes.bed"
bed.to_csv(bed_path, sep="\t", header=False, index=False)
print(bed_path.read_text().splitlines()[:3])

# %%
# Bin the tracks
# --------------
# Each gene becomes ``2 * flank / bin_size = 100`` bins per mark, summed per
# bin, and the bins of minus-strand genes are reversed to run 5' to 3'
# (``strand_aware=True``, the default), so we get the simulated counts back.
from skattchrome.preprocessing import bin_bigwig, label_expression

X, gene_ids = bin_bigwig(tracks, bed_path, flank=flank, bin_size=bin_size)
print(f"X: {X.shape}, first genes: {gene_ids[:3].tolist()}")
print(f"largest difference from the simulated counts: {np.abs(X - counts).max():.2g}")

# %%
# Label the genes
# ---------------
# The papers call a gene highly expressed when its RPKM is above the median of
# the cell type. Here we draw RPKM values that agree with the simulated labels.
rpkm = pd.Series(
    np.where(
        simulated_labels == 1,
        rng.lognormal(mean=3.0, sigma=1.0, size=n_genes),
        rng.lognormal(mean=-1.0, sigma=1.0, size=n_genes),
    ),
    index=genes["gene_id"],
    name="rpkm",
)
y = label_expression(rpkm.loc[gene_ids], threshold="median").to_numpy()
print(f"{y.sum()} of {len(y)} genes above the median RPKM")

# %%
# Fit and evaluate
# ----------------
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skattchrome import AttentiveChromeClassifier

X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
model = AttentiveChromeClassifier(log_transform=True, random_state=0)
model.fit(X_train, y_train)
test_auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
print(f"test ROC AUC: {test_auc:.3f}")

# %%
# The temporary tracks are no longer needed.
import shutil

shutil.rmtree(folder)
