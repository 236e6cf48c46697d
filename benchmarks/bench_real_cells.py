"""Accuracy on real cell types and at every data size: defaults, recipe, baselines.

Everything is measured in one run, on the same machine:

* ``real``: every model of the comparison on the real genes of the shared
  reference data (``$SKATTCHROME_TEST_DATA``): DeepDiff's 200 genes of E003 and
  of E123, and Chromoformer's 100 genes of E003. Repeated stratified 5-fold
  cross-validation (the same folds for every model), the mean and standard
  deviation of the folds' ROC AUC, and the paired differences of each model
  against the linear baseline (``ChromeLogisticClassifier``) over the folds.
  The neural models read ``log1p`` of the read counts (a ``Pipeline`` step);
  the forest and the linear baseline read the counts (the linear baseline
  takes the log of its window sums itself).
* ``variants``: where the published network's gap to the linear baseline
  comes from, and how the linear path of the defaults closes it. Variants of
  the defaults, each on the genes and folds of ``real`` (the same folds and
  seeds for every variant): the published network (``linear_path=False``)
  alone, with the input standardised per mark after ``log1p``, a larger
  learning rate, twice the epochs, half the hidden sizes, and the CNN bin
  encoder at the default and a larger learning rate; and the CNN bin encoder
  with the linear path. Per variant and cell type, the mean ROC AUC and the paired
  difference to the linear baseline (mean, standard deviation over the
  folds, wins-losses), the mean of the differences over the cell types;
  then, as in ``attention``, each variant fitted with several seeds on
  Chromoformer's genes: the mean peak of the class-averaged H3K4me3
  attention over uniform, and its correlation with H3K27ac per seed (mean
  and standard deviation) and averaged over the seeds.
  ``--model-seed`` sets the variants' ``random_state`` in the
  cross-validation, to see how far a variant's lead depends on it.
* ``scaling``: raw read counts against ``log1p`` of them, on the genes and
  folds of ``real`` (the same folds for every model and input):
  ``AttentiveChromeClassifier`` with its defaults (whose linear path reads
  log1p of counts, and warns on raw counts), without its linear path and
  with ``PAPER_RECIPE``
  (the published training, which read raw counts), ``DeepChromeClassifier``
  and ``ChromeForestClassifier``, each on the counts and behind a ``log1p``
  ``Pipeline`` step, and ``ChromeLogisticClassifier`` without and with the log
  of its window sums (``log_transform``). Per model, the mean and standard
  deviation of the folds' ROC AUC on each input, the paired difference log1p
  minus raw over the folds (mean, standard deviation, wins, losses and ties)
  and the mean time of a fit; then the means over the cell types.
* ``sizes``: simulated cell types with 100 to 20 000 training genes (5000 test
  genes each): test ROC AUC and wall time of ``fit`` for the defaults of
  ``AttentiveChromeClassifier`` and ``DeepChromeClassifier`` against the
  published recipe (``PAPER_RECIPE``: the epoch of best AUC on a held-out tenth
  of the genes), fitted back to back.
* ``attention``: on Chromoformer's 100 E003 genes, AttentiveChrome with its
  defaults fitted with several seeds: how far the class-averaged H3K4me3
  attention of the highly expressed genes is from uniform, its Pearson
  correlation with their H3K27ac (a mark the model does not see), per seed and
  for the map averaged over the seeds, and how alike the seeds' maps are.
* ``likeness``: the simulator against the real genes: per mark, the mean read
  count per bin, the share of empty bins, the ratio of the summed signal of
  highly to lowly expressed genes, and the ROC AUC of the linear baseline.

Run ``python benchmarks/bench_real_cells.py`` for the full run (about 140
minutes on 2 cores, ``scaling`` about 35 of them and ``variants`` about 30;
``--sections`` picks sections), ``--quick`` for the reduced run that CI uses
so the script cannot rot (2-fold cross-validation, ``real``, ``scaling`` and
``variants`` on Chromoformer's genes only, fewer sizes and seeds: its figures
mean little).
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skattchrome import (
    PAPER_RECIPE,
    AttentiveChromeClassifier,
    ChromeForestClassifier,
    ChromeLogisticClassifier,
    DeepChromeClassifier,
    UniformAttentionWarning,
)
from skattchrome.datasets import REFERENCE_MARKS, load_remc, make_chromatin_data
from skattchrome.interpret import correlate_with_reference
from skattchrome.model_selection import compare_models, paired_comparison

SECTIONS = ("real", "variants", "scaling", "sizes", "attention", "likeness")
DATA_VARIABLE = "SKATTCHROME_TEST_DATA"
LINEAR_BASELINE = "Logistic"
DEFAULTS = "AttentiveChrome"
WITHOUT_LINEAR_PATH = "AttentiveChrome, no linear path"
RECIPE_TO_LAST_EPOCH_NAME = "AttentiveChrome, recipe to last epoch"
RECIPE_TO_LAST_EPOCH = {**PAPER_RECIPE, "validation_fraction": None}
# The published network without the linear path of the defaults, trained as the
# defaults train: the rows of the tables that describe the paper's structure.
PUBLISHED_NETWORK = {"linear_path": False}
# PAPER_RECIPE's training settings alone, for DeepChrome (no linear path).
RECIPE_TRAINING = {
    name: value for name, value in PAPER_RECIPE.items() if name != "linear_path"
}
CHROMOFORMER = "E003 (Chromoformer, 100 genes)"
CNN_ENCODER = "AttentiveChrome, CNN encoder"
RAW, LOG1P = "raw", "log1p"
# Chromoformer's signal is the sum of per-base read depth in each bin; this
# factor (its README's) puts it on the read-count scale of the published data.
DEPTH_TO_READS = 135 / 3600
H3K4ME3 = REFERENCE_MARKS.index("H3K4me3")


def on_log_signal(estimator):
    """``estimator`` reading ``log1p`` of the read counts."""
    return make_pipeline(FunctionTransformer(np.log1p), estimator)


def real_cell_models(random_state=0):
    """The models of the comparison on real genes, by name."""
    return {
        DEFAULTS: on_log_signal(AttentiveChromeClassifier(random_state=random_state)),
        WITHOUT_LINEAR_PATH: on_log_signal(
            AttentiveChromeClassifier(random_state=random_state, **PUBLISHED_NETWORK)
        ),
        "AttentiveChrome, recipe": on_log_signal(
            AttentiveChromeClassifier(random_state=random_state, **PAPER_RECIPE)
        ),
        RECIPE_TO_LAST_EPOCH_NAME: on_log_signal(
            AttentiveChromeClassifier(random_state=random_state, **RECIPE_TO_LAST_EPOCH)
        ),
        CNN_ENCODER: on_log_signal(
            AttentiveChromeClassifier(
                bin_encoder="cnn", random_state=random_state, **PUBLISHED_NETWORK
            )
        ),
        "LSTM": on_log_signal(
            AttentiveChromeClassifier(
                use_bin_attention=False,
                use_mark_attention=False,
                random_state=random_state,
                **PUBLISHED_NETWORK,
            )
        ),
        "DeepChrome": on_log_signal(DeepChromeClassifier(random_state=random_state)),
        "RandomForest": ChromeForestClassifier(random_state=random_state),
        LINEAR_BASELINE: ChromeLogisticClassifier(),
    }


def deepdiff_cell(folder):
    """DeepDiff's 200 genes of one cell type: the three splits together."""
    splits = [load_remc(folder, subset) for subset in ("train", "valid", "test")]
    X = np.concatenate([split.data for split in splits])
    y = np.concatenate([split.target for split in splits])
    return {"X": X, "y": y}


def chromoformer_cell(folder):
    """Chromoformer's 100 E003 genes: read counts, labels and H3K27ac."""
    arrays = np.load(folder / "signal.npz")
    genes = pd.read_csv(folder / "genes.csv")
    if not (genes["gene_id"].to_numpy() == arrays["gene_id"]).all():
        raise ValueError(f"{folder}: genes.csv and signal.npz list other genes.")
    return {
        "X": arrays["X"] * DEPTH_TO_READS,
        "y": genes["label"].to_numpy(),
        "h3k27ac": arrays["h3k27ac"] * DEPTH_TO_READS,
    }


def real_cells(root):
    """The real cell types of the shared reference data, by name."""
    return {
        "E003 (DeepDiff, 200 genes)": deepdiff_cell(root / "deepdiff" / "E003"),
        "E123 (DeepDiff, 200 genes)": deepdiff_cell(root / "deepdiff" / "E123"),
        CHROMOFORMER: chromoformer_cell(root / "chromoformer_e003"),
    }


def _cross_validated(cell, estimators, n_splits, repeats):
    """``compare_models`` on one real cell type, on the folds every section uses."""
    return compare_models(
        cell["X"],
        cell["y"],
        estimators=estimators,
        cv=RepeatedStratifiedKFold(
            n_splits=n_splits, n_repeats=repeats, random_state=0
        ),
    )


def print_real_cells(cells, repeats, models, n_splits=5):
    print(
        f"\nReal cell types: ROC AUC in {repeats} x stratified {n_splits}-fold "
        "cross-validation (mean +- sd over folds), and each model minus "
        f"{LINEAR_BASELINE} on the same folds (mean +- sd, wins-losses)"
    )
    means = {}
    for name, cell in cells.items():
        start = time.perf_counter()
        results = _cross_validated(cell, models, n_splits, repeats)
        splits = results.set_index("model").filter(like="split")
        paired = paired_comparison(results, baseline=LINEAR_BASELINE).set_index("model")
        print(f"\n{name}: {len(cell['y'])} genes, {cell['y'].mean():.0%} positive")
        print(f"  {'model':<60} {'ROC AUC':>15} {'minus ' + LINEAR_BASELINE:>22}")
        for model in models:
            line = (
                f"  {model:<60} {splits.loc[model].mean():.4f} +- "
                f"{splits.loc[model].std(ddof=0):.4f}"
            )
            if model != LINEAR_BASELINE:
                differences = splits.loc[model] - splits.loc[LINEAR_BASELINE]
                line += (
                    f" {differences.mean():+.4f} +- {differences.std(ddof=0):.4f} "
                    f"{paired.loc[model, 'wins']}-{paired.loc[model, 'losses']}"
                )
            print(line)
        print(f"  ({time.perf_counter() - start:.0f} s)")
        means[name] = splits.mean(axis=1)
    means = pd.DataFrame(means)
    print("\n  Mean ROC AUC over the cell types, and the best model of each:")
    print(means.mean(axis=1).round(4).to_string())
    for name, column in means.items():
        print(f"  {name}: best {column.idxmax()} ({column.max():.4f})")
    if {WITHOUT_LINEAR_PATH, RECIPE_TO_LAST_EPOCH_NAME} <= set(means.index):
        gain = means.loc[WITHOUT_LINEAR_PATH] - means.loc[RECIPE_TO_LAST_EPOCH_NAME]
        print(
            f"  {WITHOUT_LINEAR_PATH} minus {RECIPE_TO_LAST_EPOCH_NAME}, mean over "
            f"the cell types: {gain.mean():+.4f}"
        )
    print(f"  Each model minus {LINEAR_BASELINE}, mean over the cell types:")
    print((means - means.loc[LINEAR_BASELINE]).mean(axis=1).round(4).to_string())


def on_counts_and_log(estimator):
    """``estimator`` on the read counts and on their ``log1p``, by input."""
    return {RAW: estimator, LOG1P: on_log_signal(clone(estimator))}


def scaling_models(random_state=0):
    """The models of the input comparison, by name: {input: estimator}."""
    return {
        DEFAULTS: on_counts_and_log(
            AttentiveChromeClassifier(random_state=random_state)
        ),
        WITHOUT_LINEAR_PATH: on_counts_and_log(
            AttentiveChromeClassifier(random_state=random_state, **PUBLISHED_NETWORK)
        ),
        "AttentiveChrome, recipe": on_counts_and_log(
            AttentiveChromeClassifier(random_state=random_state, **PAPER_RECIPE)
        ),
        "DeepChrome": on_counts_and_log(
            DeepChromeClassifier(random_state=random_state)
        ),
        "RandomForest": on_counts_and_log(
            ChromeForestClassifier(random_state=random_state)
        ),
        LINEAR_BASELINE: {
            RAW: ChromeLogisticClassifier(log_transform=False),
            LOG1P: ChromeLogisticClassifier(),
        },
    }


def wins_losses_ties(differences):
    """How often a paired difference is positive, negative and zero."""
    return (
        f"{(differences > 0).sum()}-{(differences < 0).sum()}-"
        f"{(differences == 0).sum()}"
    )


def print_scaling(cells, repeats, n_splits=5):
    print(
        f"\nRaw read counts against log1p: ROC AUC in {repeats} x stratified "
        f"{n_splits}-fold cross-validation (the same folds for every model and "
        "input; mean +- sd over folds), log1p minus raw on the same folds (mean +- "
        "sd, wins-losses-ties) and the mean time of a fit; "
        f"{LINEAR_BASELINE} takes the log of its window sums or not "
        "(log_transform) instead of a log1p step"
    )
    models = scaling_models()
    estimators = {
        f"{model}, {kind}": estimator
        for model, inputs in models.items()
        for kind, estimator in inputs.items()
    }
    rows = []
    for name, cell in cells.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            # The defaults on raw counts: measured on purpose, warned about.
            warnings.filterwarnings("ignore", "linear_path=True sums", UserWarning)
            results = _cross_validated(cell, estimators, n_splits, repeats)
        results = results.set_index("model")
        splits = results.filter(like="split")
        print(f"\n{name}: {len(cell['y'])} genes, {cell['y'].mean():.0%} positive")
        print(
            f"  {'model':<32} {'raw':>16} {'log1p':>16} {'log1p minus raw':>26} "
            f"{'fit s raw':>9} {'log1p':>6}"
        )
        for model in models:
            raw, log = splits.loc[f"{model}, {RAW}"], splits.loc[f"{model}, {LOG1P}"]
            differences = log - raw
            line = (
                f"  {model:<32} {raw.mean():.4f} +- {raw.std(ddof=0):.4f} "
                f"{log.mean():.4f} +- {log.std(ddof=0):.4f} "
                f"{differences.mean():+.4f} +- {differences.std(ddof=0):.4f} "
                f"{wins_losses_ties(differences):>8} "
                f"{results.loc[f'{model}, {RAW}', 'mean_fit_time']:>9.1f} "
                f"{results.loc[f'{model}, {LOG1P}', 'mean_fit_time']:>6.1f}"
            )
            if (differences == 0).all():
                line += "  identical on every fold"
            print(line)
            rows += [
                {"cell": name, "model": model, RAW: on_raw, LOG1P: on_log}
                for on_raw, on_log in zip(raw, log, strict=True)
            ]
        print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    folds = pd.DataFrame(rows)
    folds["difference"] = folds[LOG1P] - folds[RAW]
    means = (
        folds.groupby(["model", "cell"], sort=False)
        .mean()
        .groupby("model", sort=False)
        .mean()
    )
    means["wins-losses-ties"] = folds.groupby("model", sort=False)["difference"].agg(
        wins_losses_ties
    )
    print(
        "\n  Mean ROC AUC over the cell types on each input, log1p minus raw, and "
        "the wins-losses-ties of log1p over all their folds:"
    )
    print(means.round(4).to_string())


def simulated_split(n_train, n_test, seed):
    """Training and test genes of one simulated cell type, on the log scale."""
    X, y = make_chromatin_data(n_genes=n_train + n_test, random_state=1000 + seed)
    X = np.log1p(X)
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def timed_fit(estimator, X, y):
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def print_sizes(sizes, seeds, n_test):
    print(
        f"\nData sizes: simulated cell types, {n_test} test genes; defaults "
        "against PAPER_RECIPE (best epoch on a held-out tenth), fitted back to "
        "back; test ROC AUC, wall time of fit, and the defaults' batch x epochs"
    )
    print(
        f"  {'model':<16} {'genes':>6} {'seed':>4} {'defaults':>9} {'recipe':>9} "
        f"{'difference':>10} {'s defaults':>10} {'s recipe':>9} {'time ratio':>10}"
        f" {'budget':>8}"
    )
    kinds = {
        "AttentiveChrome": (AttentiveChromeClassifier, PAPER_RECIPE),
        "DeepChrome": (DeepChromeClassifier, RECIPE_TRAINING),
    }
    rows = []
    for n_train in sizes:
        for seed in seeds:
            (X_train, y_train), (X_test, y_test) = simulated_split(
                n_train, n_test, seed
            )
            for kind, (estimator_class, recipe) in kinds.items():
                row = {"model": kind, "genes": n_train, "seed": seed}
                for setting, params in (("defaults", {}), ("recipe", recipe)):
                    model = estimator_class(random_state=seed, **params)
                    row[f"s {setting}"] = timed_fit(model, X_train, y_train)
                    row[setting] = roc_auc_score(
                        y_test, model.decision_function(X_test)
                    )
                    if setting == "defaults":
                        row["budget"] = f"{model.batch_size_}x{model.n_epochs_}"
                rows.append(row)
                print(
                    f"  {kind:<16} {n_train:>6} {seed:>4} {row['defaults']:>9.4f} "
                    f"{row['recipe']:>9.4f} {row['defaults'] - row['recipe']:>+10.4f} "
                    f"{row['s defaults']:>10.1f} {row['s recipe']:>9.1f} "
                    f"{row['s defaults'] / row['s recipe']:>10.3f} {row['budget']:>8}",
                    flush=True,
                )
    table = pd.DataFrame(rows)
    table["difference"] = table["defaults"] - table["recipe"]
    table["time ratio"] = table["s defaults"] / table["s recipe"]
    summary = table.groupby(["model", "genes"])[["difference", "time ratio"]].agg(
        ["mean", "min", "max"]
    )
    print("\n  Over the seeds (defaults minus recipe; time of the defaults / recipe):")
    print(summary.round(4).to_string())


def class_averaged_h3k4me3(model, X, y):
    """Mean H3K4me3 bin attention of the highly expressed genes."""
    bin_attention = model.attention(X).bin_attention
    return bin_attention[y == 1][:, :, H3K4ME3].mean(axis=0)


class PerMarkScaler(TransformerMixin, BaseEstimator):
    """Standardise each mark of 3-D signal over the genes and bins."""

    def fit(self, X, y=None):
        self.mean_ = X.mean(axis=(0, 1))
        self.scale_ = X.std(axis=(0, 1))
        self.scale_[self.scale_ == 0] = 1.0
        return self

    def transform(self, X):
        return ((X - self.mean_) / self.scale_).astype(np.float32)


LARGER_LR = 5e-3
STANDARDISED = "no linear path, log1p standardised per mark"
VARIANTS = {
    "defaults": {},
    "no linear path": PUBLISHED_NETWORK,
    STANDARDISED: PUBLISHED_NETWORK,
    f"no linear path, lr {LARGER_LR:g}": {**PUBLISHED_NETWORK, "lr": LARGER_LR},
    "no linear path, 30 epochs": {**PUBLISHED_NETWORK, "max_epochs": 30},
    "no linear path, hidden sizes 16 and 8": {
        **PUBLISHED_NETWORK,
        "bin_hidden_size": 16,
        "mark_hidden_size": 8,
    },
    "no linear path, CNN encoder": {**PUBLISHED_NETWORK, "bin_encoder": "cnn"},
    f"no linear path, CNN encoder, lr {LARGER_LR:g}": {
        **PUBLISHED_NETWORK,
        "bin_encoder": "cnn",
        "lr": LARGER_LR,
    },
    "CNN encoder": {"bin_encoder": "cnn"},
}
"""The variants of the ``variants`` section: parameters of AttentiveChromeClassifier."""


def variant_models(random_state=0):
    """Each variant of :data:`VARIANTS`, and the linear baseline, by name."""
    models = {}
    for name, params in VARIANTS.items():
        model = on_log_signal(
            AttentiveChromeClassifier(random_state=random_state, **params)
        )
        if name == STANDARDISED:
            model.steps.insert(1, ("per_mark", PerMarkScaler()))
        models[f"AttentiveChrome, {name}"] = model
    models[LINEAR_BASELINE] = ChromeLogisticClassifier()
    return models


def attention_yardstick(cell, seeds, params):
    """Fits of ``params`` with each seed on ``cell``: their H3K4me3 maps and r."""
    X, y = np.log1p(cell["X"]), cell["y"]
    reference = np.log1p(cell["h3k27ac"])
    maps, correlations = [], []
    for seed in seeds:
        model = AttentiveChromeClassifier(random_state=seed, **params).fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UniformAttentionWarning)
            maps.append(class_averaged_h3k4me3(model, X, y))
            r = correlate_with_reference(model.attention(X), reference, y)
        correlations.append(float(r["pearson_r"].iloc[0]))
    maps = np.array(maps)
    averaged_r = np.corrcoef(maps.mean(axis=0), reference[y == 1].mean(axis=0))[0, 1]
    return maps, np.array(correlations), averaged_r


def print_variants(cells, repeats, seeds, n_splits=5, model_seed=0):
    print(
        f"\nVariants of AttentiveChrome, cross-validated with random_state={model_seed}"
    )
    print_real_cells(
        cells, repeats, variant_models(random_state=model_seed), n_splits=n_splits
    )
    print(
        f"\nAttention of each variant on {CHROMOFORMER} (fitted and explained on "
        f"all genes, seeds {seeds}), as in the attention section"
    )
    print(
        f"  {'variant':<60} {'peak / uniform':>14} {'r with H3K27ac':>16} "
        f"{'r of the average':>16}"
    )
    for name, params in VARIANTS.items():
        if name == STANDARDISED:
            continue
        maps, correlations, averaged_r = attention_yardstick(
            cells[CHROMOFORMER], seeds, params
        )
        peak = maps.max(axis=1).mean() * maps.shape[1]
        print(
            f"  {name:<60} {peak:>14.2f} {correlations.mean():>8.3f} +- "
            f"{correlations.std():.3f} {averaged_r:>16.3f}",
            flush=True,
        )


def print_attention(cell, seeds):
    n_bins = cell["X"].shape[1]
    print(
        f"\nAttention on Chromoformer's E003 genes ({len(cell['y'])} genes, fitted "
        f"and explained on all), AttentiveChrome defaults, seeds {seeds}: the "
        "class-averaged H3K4me3 bin attention of the highly expressed genes"
    )
    print(
        f"  {'seed':>4} {'peak / uniform':>14} {'entropy / uniform':>17} "
        f"{'r with H3K27ac':>14}"
    )
    maps, correlations, averaged_r = attention_yardstick(cell, seeds, {})
    for seed, average, r in zip(seeds, maps, correlations, strict=True):
        print(
            f"  {seed:>4} {average.max() * n_bins:>14.2f} "
            f"{normalized_entropy(average):>17.4f} {r:>14.3f}"
        )
    between_seeds = np.corrcoef(maps)[np.triu_indices(len(seeds), k=1)]
    print(
        f"  r with H3K27ac over the seeds: mean {np.mean(correlations):.3f}, sd "
        f"{np.std(correlations):.3f}, min {np.min(correlations):.3f}, max "
        f"{np.max(correlations):.3f}"
    )
    print(
        "  correlation between two seeds' maps: mean "
        f"{between_seeds.mean():.3f}, min {between_seeds.min():.3f}"
    )
    print(f"  r with H3K27ac of the map averaged over the seeds: {averaged_r:.3f}")


def normalized_entropy(weights):
    """Entropy of ``weights`` (summing to one) over that of uniform weights."""
    weights = weights / weights.sum()
    return float(-(weights * np.log(weights)).sum() / np.log(len(weights)))


def likeness(X, y):
    """Per mark: statistics of the counts, and the linear baseline's AUC."""
    sums = X.sum(axis=1)
    table = pd.DataFrame(
        {
            "reads per bin": X.mean(axis=(0, 1)),
            "empty bins": (X == 0).mean(axis=(0, 1)),
            "high / low sum": sums[y == 1].mean(axis=0) / sums[y == 0].mean(axis=0),
        },
        index=list(REFERENCE_MARKS),
    )
    auc = cross_val_score(
        ChromeLogisticClassifier(),
        X,
        y,
        cv=RepeatedStratifiedKFold(n_splits=5, n_repeats=5, random_state=0),
        scoring="roc_auc",
    ).mean()
    return table, auc


def print_likeness(cells):
    simulated = {
        f"simulated, label_noise={noise}": make_chromatin_data(
            n_genes=2000, random_state=0, label_noise=noise, genomic_order=True
        )
        for noise in (0.35, 0.7, 1.0)
    }
    print(
        "\nThe simulator against real genes: per mark, mean reads per bin, share "
        "of empty bins, mean summed signal of highly over lowly expressed genes; "
        f"ROC AUC of {LINEAR_BASELINE} in 5 x 5-fold cross-validation"
    )
    data = {name: (cell["X"], cell["y"]) for name, cell in cells.items()}
    for name, (X, y) in {**data, **simulated}.items():
        table, auc = likeness(X, y)
        print(f"\n{name}: {len(y)} genes, {LINEAR_BASELINE} ROC AUC {auc:.3f}")
        print(table.T.round(2).to_string())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run for CI")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run, of {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repetitions of 5-fold cross-validation on real genes (default 3, "
        "1 with --quick)",
    )
    parser.add_argument(
        "--sizes",
        default=None,
        help="training genes of the simulated cell types, comma-separated "
        "(default 100,300,1000,6601,20000; 100,300 with --quick)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="seeds of the sizes and attention sections (default 3 and 5; 1 and "
        "2 with --quick)",
    )
    parser.add_argument(
        "--model-seed",
        type=int,
        default=0,
        help="random_state of the variants in their cross-validation (default 0)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if not sections <= set(SECTIONS):
        parser.error(f"--sections takes {', '.join(SECTIONS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quick:
        repeats, sizes, size_seeds, attention_seeds, n_test = 1, [100, 300], 1, 2, 1000
    else:
        repeats, sizes, size_seeds, attention_seeds, n_test = (
            3,
            [100, 300, 1000, 6601, 20000],
            3,
            5,
            5000,
        )
    repeats = args.repeats or repeats
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    if args.seeds:
        size_seeds = attention_seeds = args.seeds
    print(
        f"skattchrome real cell types benchmark, {time.strftime('%Y-%m-%d')}, "
        f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} torch threads, torch {torch.__version__}"
    )
    location = os.environ.get(DATA_VARIABLE)
    cells = None
    if location and Path(location).is_dir():
        cells = real_cells(Path(location))
    elif sections & {"real", "variants", "scaling", "attention", "likeness"}:
        print(
            f"{DATA_VARIABLE} does not point at the shared reference data: the "
            "real, variants, scaling, attention and likeness sections are skipped.",
            file=sys.stderr,
        )
    # The cross-validated sections run on Chromoformer's genes alone in --quick.
    cross_validated = cells
    if args.quick and cells:
        cross_validated = {CHROMOFORMER: cells[CHROMOFORMER]}
    n_splits = 2 if args.quick else 5
    if "real" in sections and cells:
        print_real_cells(cross_validated, repeats, real_cell_models(), n_splits)
    if "variants" in sections and cells:
        print_variants(
            cross_validated,
            repeats,
            [0] if args.quick else list(range(attention_seeds)),
            n_splits=n_splits,
            model_seed=args.model_seed,
        )
    if "scaling" in sections and cells:
        print_scaling(cross_validated, repeats, n_splits=n_splits)
    if "sizes" in sections:
        print_sizes(sizes, list(range(size_seeds)), n_test)
    if "attention" in sections and cells:
        print_attention(cells[CHROMOFORMER], list(range(attention_seeds)))
    if "likeness" in sections and cells:
        print_likeness(cells)


if __name__ == "__main__":
    main()
